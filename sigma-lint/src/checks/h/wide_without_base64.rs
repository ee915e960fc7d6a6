use sigma_core::modifier::Modifier;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds `wide`, `utf16le`, `utf16be` or `utf16` that no `base64` or
    /// `base64offset` follows.
    ///
    /// ## Why it matters
    /// The UTF-16 bytes of a text hold NUL bytes; compared with a normal
    /// string field they never match. The encodings exist only to feed
    /// base64 (PowerShell `-EncodedCommand`).
    ///
    /// ## Example
    /// ```yaml
    /// CommandLine|wide|contains: 'ping'
    /// ```
    ///
    /// ## Write instead
    /// `CommandLine|wide|base64offset|contains: 'ping'`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// Sigma specification, `wide`/`utf16*` and `base64` modifiers; pySigma
    /// validator `control_character` reports the NUL bytes this leaves.
    pub struct WideWithoutBase64 {
        code: "H006",
        name: "wide-without-base64",
        family: Values,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for WideWithoutBase64 {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (_, chain) in super::valid_chains(cx) {
            let modifiers = &chain.modifiers;
            let last_encoding = modifiers.iter().rposition(|m| {
                matches!(
                    m.value,
                    Modifier::Utf16Le | Modifier::Utf16Be | Modifier::Utf16
                )
            });
            let Some(at) = last_encoding else {
                continue;
            };
            let encoded = modifiers
                .iter()
                .skip(at + 1)
                .any(|m| matches!(m.value, Modifier::Base64 | Modifier::Base64Offset));
            if encoded {
                continue;
            }
            if let Some(modifier) = modifiers.get(at) {
                let message = format!(
                    "`{}` encoding not followed by base64 or base64offset: the UTF-16 text holds \
                     NUL bytes and cannot match a normal string field",
                    modifier.value
                );
                let help = "add `|base64offset|contains` after it, or drop it";
                out.push(cx.finding(&Self::META, modifier.span, message).help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn rule(key: &str) -> String {
        format!("title: t\ndetection:\n  selection:\n    {key}: 'ping'\n  condition: selection\n")
    }

    #[test]
    fn wide_alone_is_flagged() {
        let found = findings_of("H006", &rule("CommandLine|wide|contains"));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (4, 17));
        assert!(findings_of("H006", &rule("CommandLine|wide|base64offset|contains")).is_empty());
        assert!(findings_of("H006", &rule("CommandLine|contains")).is_empty());
    }
}
