use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a `re` value with a lookahead `(?=`, `(?!`, a lookbehind
    /// `(?<=`, `(?<!` or an atomic group `(?>`.
    ///
    /// ## Why it matters
    /// Many backends' regex engines (RE2, Go, Rust `regex`, most SIEMs) do
    /// not have them; the rule fails to convert or is rejected at search
    /// time.
    ///
    /// ## Example
    /// ```yaml
    /// CommandLine|re: 'cmd(?!\.exe)'
    /// ```
    ///
    /// ## Write instead
    /// A filter selection with the excluded text, and `not filter`.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// An escaped `\(?=` is reported too.
    ///
    /// ## References
    /// pySigma-validators-sigmaHQ `sigmahq_unsupported_regex_group_construct`.
    pub struct RegexConstruct {
        code: "H007",
        name: "unsupported-regex-construct",
        family: Values,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

const CONSTRUCTS: [&str; 5] = ["(?=", "(?!", "(?<=", "(?<!", "(?>"];

impl Check for RegexConstruct {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (value, text) in super::regex_patterns(cx) {
            if let Some(found) = CONSTRUCTS.iter().find(|c| text.contains(*c)) {
                let message = format!("regex uses `{found}`, which many backends lack");
                out.push(cx.finding(&Self::META, value.span, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn lookahead_is_flagged() {
        let rule =
            |v: &str| format!("title: t\ndetection:\n  sel:\n    C|re: '{v}'\n  condition: sel\n");
        assert_eq!(findings_of("H007", &rule("cmd(?!x)")).len(), 1);
        assert!(findings_of("H007", &rule("cmd(?:x)")).is_empty());
    }
}
