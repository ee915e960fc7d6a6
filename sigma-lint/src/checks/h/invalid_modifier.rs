use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds modifier chains that cannot be read: an unknown modifier name
    /// (names are case-sensitive, and there is no `not`), a modifier in a
    /// place it cannot stand (`re`, `cidr`, `exists` not first; `fieldref`
    /// after `contains`; `i`/`m`/`s` without `re`; `base64` after
    /// `contains`).
    ///
    /// ## Why it matters
    /// pySigma refuses such a rule when it loads it, so no backend converts
    /// it; other engines silently ignore the modifier and match something
    /// else than the author meant.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///     CommandLine|contains|not: 'shell32.dll'
    ///   condition: selection
    /// ```
    ///
    /// ## Write instead
    /// A filter selection and `condition: selection and not filter`.
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
    /// Sigma specification, value modifiers; pySigma
    /// `SigmaModifierError`.
    pub struct InvalidModifier {
        code: "H001",
        name: "invalid-modifier",
        family: Values,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for InvalidModifier {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (_, chain) in super::item_chains(cx) {
            let Err(errors) = chain else {
                continue;
            };
            for error in errors {
                let mut finding = cx.finding(&Self::META, error.span, error.message);
                if let Some(help) = error.help {
                    finding = finding.help(help);
                }
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn rule(key: &str) -> String {
        format!("title: t\ndetection:\n  selection:\n    {key}: 'x'\n  condition: selection\n")
    }

    #[test]
    fn unknown_not_is_reported_at_the_modifier() {
        let found = findings_of("H001", &rule("CommandLine|contains|not"));
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (4, 26));
        assert!(found[0].message.contains("unknown modifier `not`"));
        assert!(found[0].help.as_deref().unwrap_or("").contains("neq"));
        assert!(findings_of("H001", &rule("CommandLine|contains")).is_empty());
    }

    #[test]
    fn order_and_flags() {
        assert_eq!(
            findings_of("H001", &rule("CommandLine|contains|fieldref")).len(),
            1
        );
        assert_eq!(
            findings_of("H001", &rule("CommandLine|contains|i")).len(),
            1
        );
        assert!(findings_of("H001", &rule("CommandLine|re|i")).is_empty());
        assert!(findings_of("H001", &rule("CommandLine|fieldref|contains")).is_empty());
    }
}
