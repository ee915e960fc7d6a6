use sigma_core::analysis::FindingKind;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Proves that a filter removes every event the rest of the rule picks,
    /// so the rule never fires (and would without that filter).
    ///
    /// ## Why it matters
    /// The filter is broader than the selection; usually a `contains`
    /// where `endswith` or a longer value was meant.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection: {Image|endswith: '\cmd.exe'}
    ///   filter: {Image|contains: 'cmd'}
    ///   condition: selection and not filter
    /// ```
    ///
    /// ## Write instead
    /// `filter: {ParentImage|contains: 'cmd'}`, or a narrower value.
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
    pub struct FilterRemovesEverything {
        code: "S003",
        name: "filter-removes-every-match",
        family: Semantic,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for FilterRemovesEverything {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let help = "narrow the filter so that some selected events get through";
        super::report(
            cx,
            &Self::META,
            FindingKind::ExclusionSuppressesAll,
            help,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn contains_filter_swallows_endswith_selection() {
        let source = "title: t\ndetection:\n  selection:\n    Image|endswith: '\\cmd.exe'\n  \
                      filter:\n    Image|contains: 'cmd'\n  condition: selection and not filter\n";
        let found = findings_of("S003", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (5, 3));
        let good = source.replace("'cmd'", "'\\Tools\\'");
        assert!(findings_of("S003", &good).is_empty());
    }
}
