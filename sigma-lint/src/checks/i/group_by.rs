use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds an `event_count`, `value_count`, `temporal` or
    /// `temporal_ordered` correlation without `group-by`.
    ///
    /// ## Why it matters
    /// Without it every event of the whole log source counts together:
    /// ten failed logons by ten different users look like a brute force.
    /// SigmaHQ requires it (and the specification calls it mandatory in
    /// one place and optional in another).
    ///
    /// ## Example
    /// ```yaml
    /// correlation:
    ///   type: event_count
    ///   rules: [failed_logon]
    ///   timespan: 5m
    ///   condition: {gte: 10}
    /// ```
    ///
    /// ## Write instead
    /// Add `group-by: [TargetUserName]`.
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
    /// pySigma-validators-sigmaHQ `sigmahq_correlation_group_by_existence`.
    pub struct CorrelationGroupBy {
        code: "I003",
        name: "correlation-without-group-by",
        family: Correlation,
        group: Suspicious,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for CorrelationGroupBy {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for correlation in super::correlations(cx) {
            let Some(kind) = &correlation.kind else {
                continue;
            };
            let counted = matches!(
                kind.value.as_str(),
                "event_count" | "value_count" | "temporal" | "temporal_ordered"
            );
            let grouped = correlation
                .header
                .get("correlation")
                .and_then(|b| b.get("group-by"))
                .is_some();
            if counted && !grouped {
                let message = format!("`{}` correlation without `group-by`", kind.value);
                out.push(cx.finding(&Self::META, kind.span, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn missing_group_by() {
        let source = "title: c\ncorrelation:\n  type: event_count\n  rules: [a]\n  timespan: \
                      5m\n  condition:\n    gte: 10\n";
        let found = findings_of("I003", source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 3);
        let grouped = source.replace("  rules: [a]\n", "  rules: [a]\n  group-by: [User]\n");
        assert!(findings_of("I003", &grouped).is_empty());
    }
}
