use sigma_core::value::{Part, SigmaString};

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds an escaped, i.e. literal, `*` or `?` (`\*`, `\?`) in a string
    /// value.
    ///
    /// ## Why it matters
    /// Usually the author meant a Windows path ending in a backslash
    /// followed by a wildcard (`C:\Users\*`), which must be written
    /// `C:\Users\\*`; as written the rule looks for a literal star.
    ///
    /// ## Example
    /// ```yaml
    /// Image|startswith: 'C:\Users\*\AppData'
    /// ```
    ///
    /// ## Write instead
    /// `'C:\Users\\*\AppData'`, or keep it and list the rule under this
    /// check's exceptions when the literal character is meant.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Literal stars are sometimes meant (command-line globs).
    ///
    /// ## References
    /// pySigma validator `escaped_wildcard`.
    pub struct EscapedWildcard {
        code: "H010",
        name: "escaped-wildcard",
        family: Values,
        group: Suspicious,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for EscapedWildcard {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (value, text) in super::plain_strings(cx) {
            let parsed = SigmaString::parse(text);
            let literal = parsed
                .parts()
                .iter()
                .any(|p| matches!(p, Part::Literal(t) if t.contains(['*', '?'])));
            if literal {
                let message = "value holds an escaped (literal) `*` or `?`";
                let help = "to end a path with a backslash before a wildcard, write `\\\\*`";
                out.push(cx.finding(&Self::META, value.span, message).help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn escaped_star() {
        let rule =
            |v: &str| format!("title: t\ndetection:\n  sel:\n    I: '{v}'\n  condition: sel\n");
        assert_eq!(findings_of("H010", &rule("C:\\Users\\*\\x")).len(), 1);
        assert!(findings_of("H010", &rule("C:\\Users\\\\*\\x")).is_empty());
    }
}
