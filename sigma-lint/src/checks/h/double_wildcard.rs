use sigma_core::value::{Part, SigmaString};

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds `**` in a string value.
    ///
    /// ## Why it matters
    /// Two `*` in a row mean what one means; the second is a typo or a
    /// leftover, and some backends build slower queries from it.
    ///
    /// ## Example
    /// ```yaml
    /// CommandLine: '*\temp\**'
    /// ```
    ///
    /// ## Write instead
    /// `CommandLine: '*\temp\*'`
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
    /// pySigma validator `double_wildcard`.
    pub struct DoubleWildcard {
        code: "H009",
        name: "double-wildcard",
        family: Values,
        group: Suspicious,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for DoubleWildcard {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (value, text) in super::plain_strings(cx) {
            let parsed = SigmaString::parse(text);
            let doubled = parsed
                .parts()
                .windows(2)
                .any(|w| matches!(w, [Part::AnyRun, Part::AnyRun]));
            if doubled {
                let message = "`**` in a value means the same as `*`";
                out.push(cx.finding(&Self::META, value.span, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn doubled_star() {
        let rule =
            |v: &str| format!("title: t\ndetection:\n  sel:\n    I: '{v}'\n  condition: sel\n");
        assert_eq!(findings_of("H009", &rule("a**b")).len(), 1);
        assert!(findings_of("H009", &rule("a*b*")).is_empty());
        assert!(findings_of("H009", &rule("a\\**b")).is_empty());
    }
}
