use sigma_core::analysis::FindingKind;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Proves that no event can match the rule: its selections ask one
    /// field for values that exclude each other.
    ///
    /// ## Why it matters
    /// The rule never fires; it looks like coverage and is none.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection: {EventID: 4688}
    ///   selection_other: {EventID: 4689}
    ///   condition: selection and selection_other
    /// ```
    ///
    /// ## Write instead
    /// `condition: selection or selection_other`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Only proven contradictions are reported: two fixed values, fixed
    /// starts or ends that disagree, null against a value, bounds with
    /// nothing between, a test that must hold and fail. Field values are
    /// taken to be single values, not arrays.
    ///
    /// ## References
    /// Sigma specification, condition and value modifiers: the check compares
    /// what each value of a field can match.
    pub struct NeverMatches {
        code: "S001",
        name: "rule-never-matches",
        family: Semantic,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for NeverMatches {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let help = "find the selection that contradicts the others";
        super::report(cx, &Self::META, FindingKind::NeverMatches, help, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn two_event_ids_at_once() {
        let source = "title: t\ndetection:\n  sel: {EventID: 1}\n  other: {EventID: 2}\n  \
                      condition: sel and other\n";
        let found = findings_of("S001", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (3, 18));
        let good = source.replace("sel and other", "sel or other");
        assert!(findings_of("S001", &good).is_empty());
    }
}
