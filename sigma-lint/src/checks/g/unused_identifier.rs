use sigma_core::condition::ConditionExpr;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::detections;
use crate::checks::g::{all_parse, parsed};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds search identifiers under `detection` that no condition names,
    /// directly or through a pattern.
    ///
    /// ## Why it matters
    /// An unnamed filter is dead text: it suppresses nothing, yet reviewers
    /// read the rule as if it did.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection: {Image|endswith: '\whoami.exe'}
    ///   filter_admin: {User: admin}
    ///   condition: selection
    /// ```
    ///
    /// ## Write instead
    /// `condition: selection and not filter_admin`
    ///
    /// ## Fix
    /// None: only the author knows whether the filter was meant to apply.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Not checked while a condition does not parse (every name would look
    /// unused).
    ///
    /// ## References
    /// pySigma `dangling_detection`.
    pub struct UnusedIdentifier {
        code: "G004",
        name: "unused-search-identifier",
        family: Condition,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for UnusedIdentifier {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            if detection.conditions.is_empty() || !all_parse(detection) {
                continue;
            }
            let trees = parsed(detection);
            for identifier in &detection.identifiers {
                let name = identifier.name.value.as_str();
                let mut used = false;
                for (_, expr) in &trees {
                    expr.walk(&mut |node| match node {
                        ConditionExpr::Identifier(n, _) if n == name => used = true,
                        ConditionExpr::Selector { pattern, .. } if pattern.matches(name) => {
                            used = true
                        }
                        _ => {}
                    });
                }
                if !used {
                    out.push(
                        cx.finding(
                            &Self::META,
                            identifier.name.span,
                            format!("search identifier `{name}` is not used in the condition"),
                        )
                        .help("use it in the condition or remove it"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn every_identifier_is_used() {
        let source = "title: t\ndetection:\n  selection: {a: 1}\n  filter_admin: {b: 1}\n  \
                      condition: selection\n";
        let found = findings_of("G004", source);
        assert_eq!((found[0].line(), found[0].column()), (4, 3));
        let good = source.replace(
            "condition: selection",
            "condition: selection and not 1 of filter_*",
        );
        assert!(findings_of("G004", &good).is_empty());
    }

    #[test]
    fn them_leaves_underscore_names_out() {
        let source =
            "title: t\ndetection:\n  sel: {a: 1}\n  _hidden: {b: 1}\n  condition: 1 of them\n";
        let found = findings_of("G004", source);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`_hidden`"));
        let named = source.replace("1 of them", "1 of them or all of _*");
        assert!(findings_of("G004", &named).is_empty());
    }
}
