use sigma_core::analysis::FindingKind;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Proves that a required part of the condition adds nothing: every
    /// event the other parts pick passes it already.
    ///
    /// ## Why it matters
    /// Often a selector that catches more than meant, such as
    /// `1 of selection_*` next to `selection_ext`, where
    /// `1 of selection_path_*` was intended.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection_ext: {CommandLine|contains: '.js'}
    ///   selection_path: {CommandLine|contains: '\Temp\'}
    ///   condition: 1 of selection_* and selection_ext
    /// ```
    ///
    /// ## Write instead
    /// `condition: selection_path and selection_ext`
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
    /// what each part of the condition can match, value by value.
    pub struct ImpliedSelection {
        code: "S004",
        name: "selection-adds-nothing",
        family: Semantic,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for ImpliedSelection {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let help = "check which identifiers the selector was meant to cover";
        super::report(cx, &Self::META, FindingKind::ImpliedStage, help, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn selector_includes_the_required_selection() {
        let source = "title: t\ndetection:\n  selection_ext:\n    CommandLine|contains: '.js'\n  \
                      selection_path:\n    CommandLine|contains: '\\Temp\\'\n  \
                      condition: 1 of selection_* and selection_ext\n";
        let found = findings_of("S004", source);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].line(), 3);
        let good = source.replace("1 of selection_*", "selection_path");
        assert!(findings_of("S004", &good).is_empty());
    }
}
