use sigma_core::analysis::FindingKind;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Proves that a filter (a `not` part of the condition) can never apply
    /// to an event the rest of the rule picks: it contradicts the selection,
    /// contradicts itself, or only removes what other filters already do.
    ///
    /// ## Why it matters
    /// A dead filter is usually a typo that lets the false positives it was
    /// written for through.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection: {Image|endswith: '\cmd.exe'}
    ///   filter: {Image|endswith: '\conhost.exe'}
    ///   condition: selection and not filter
    /// ```
    ///
    /// ## Write instead
    /// A filter on a field that can still vary, e.g. `ParentImage`.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Only proven cases are reported (see `rule-never-matches`).
    ///
    /// ## References
    /// Sigma specification, condition and value modifiers: the check compares
    /// what the filter and the selection can match, value by value.
    pub struct DeadFilter {
        code: "S002",
        name: "filter-never-applies",
        family: Semantic,
        group: Correctness,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for DeadFilter {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let help = "make the filter describe events the selection can pick, or remove it";
        super::report(cx, &Self::META, FindingKind::DeadExclusion, help, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn filter_on_a_different_file_name() {
        let source = "title: t\ndetection:\n  selection:\n    Image|endswith: '\\cmd.exe'\n  \
                      filter:\n    Image|endswith: '\\conhost.exe'\n  \
                      condition: selection and not filter\n";
        let found = findings_of("S002", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (5, 3));
        assert!(
            found[0].message.contains("contradicts the selection"),
            "{}",
            found[0].message
        );
        let good = source.replace("filter:\n    Image", "filter:\n    ParentImage");
        assert!(findings_of("S002", &good).is_empty());
    }
}
