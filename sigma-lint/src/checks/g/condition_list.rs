use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a `condition` written as a list.
    ///
    /// ## Why it matters
    /// The specification's schema wants one string; tools that accept a list
    /// treat each entry as a separate query, which surprises readers who
    /// expect them to be combined.
    ///
    /// ## Example
    /// ```yaml
    /// condition:
    ///   - selection_a
    ///   - selection_b
    /// ```
    ///
    /// ## Write instead
    /// `condition: selection_a or selection_b`
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
    /// Sigma JSON schema, `condition`.
    pub struct ConditionList {
        code: "G009",
        name: "condition-list",
        family: Condition,
        group: Convention,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for ConditionList {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in cx.documents() {
            let header = document.header();
            let Some(detection) = header.get("detection").or_else(|| header.get("filter")) else {
                continue;
            };
            let Some(condition) = detection.get("condition") else {
                continue;
            };
            if condition.as_sequence().is_some() {
                out.push(
                    cx.finding(
                        &Self::META,
                        condition.span,
                        "`condition` is a list; write one condition",
                    )
                    .help("join the entries with `or`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn list_conditions() {
        let source = "title: t\ndetection:\n  a: {a: 1}\n  condition:\n    - a\n";
        assert_eq!(findings_of("G009", source).len(), 1);
        assert!(findings_of(
            "G009",
            "title: t\ndetection:\n  a: {a: 1}\n  condition: a\n"
        )
        .is_empty());
    }
}
