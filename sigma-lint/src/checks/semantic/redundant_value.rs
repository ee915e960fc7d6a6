use sigma_core::analysis::FindingKind;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a list value that a sibling makes redundant: in an OR list a
    /// value whose every match the sibling also matches (`contains: abcd`
    /// beside `contains: abc`); in an `all` list or a map, a test another
    /// required test already implies.
    ///
    /// ## Why it matters
    /// Dead values mislead reviewers about what the rule looks for, and a
    /// short sibling may match far more than the author thought.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///     CommandLine|contains: ['sh', 'bash']
    ///   condition: selection
    /// ```
    ///
    /// ## Write instead
    /// `CommandLine|contains: 'sh'`, or make the short value precise.
    ///
    /// ## Fix
    /// None: which of the two is wrong is for the author to say.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Globs with `?` or an inner `*` are compared only with equal values.
    ///
    /// ## References
    /// Sigma specification, value modifiers and wildcards: the check compares
    /// what each value can match.
    pub struct RedundantValue {
        code: "S005",
        name: "redundant-value",
        family: Semantic,
        group: Suspicious,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for RedundantValue {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let help = "remove the value, or make the one that covers it more precise";
        super::report(cx, &Self::META, FindingKind::RedundantValue, help, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn longer_contains_value_is_redundant() {
        let source = "title: t\ndetection:\n  selection:\n    CommandLine|contains:\n      \
                      - 'abc'\n      - 'abcd'\n  condition: selection\n";
        let found = findings_of("S005", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (6, 9));
        let good = source.replace("'abcd'", "'xyz'");
        assert!(findings_of("S005", &good).is_empty());
    }
}
