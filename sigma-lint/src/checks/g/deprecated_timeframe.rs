use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::detections;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds `timeframe` inside `detection`, a Sigma v1 key for
    /// aggregations.
    ///
    /// ## Why it matters
    /// Sigma v2 has no aggregation in rules: pySigma reads `timeframe` as a
    /// keyword search identifier (the text `5m`), so the time window is
    /// silently lost.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection: {EventID: 4625}
    ///   timeframe: 5m
    ///   condition: selection | count() by IpAddress > 10
    /// ```
    ///
    /// ## Write instead
    /// An `event_count` correlation rule with `timespan: 5m`, `group-by:
    /// [IpAddress]` and `condition: {gt: 10}`.
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
    /// Sigma specification v2, correlations; SigmaHQ/pySigma#46.
    pub struct DeprecatedTimeframe {
        code: "G008",
        name: "deprecated-timeframe",
        family: Condition,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for DeprecatedTimeframe {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            let Some(timeframe) = &detection.timeframe else {
                continue;
            };
            out.push(
                cx.finding(
                    &Self::META,
                    timeframe.span,
                    "`timeframe` in `detection` is Sigma v1 aggregation syntax",
                )
                .help("move the window to a correlation rule's `timespan`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn flags_timeframe() {
        let source = "title: t\ndetection:\n  s: {a: 1}\n  timeframe: 5m\n  condition: s\n";
        assert_eq!(findings_of("G008", source)[0].line(), 4);
        assert!(findings_of("G008", &source.replace("  timeframe: 5m\n", "")).is_empty());
    }
}
