use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a `temporal` or `temporal_ordered` correlation over fewer than
    /// two rules.
    ///
    /// ## Why it matters
    /// A temporal correlation says "these rules all matched close together";
    /// with one rule it is that rule with a delay. An `event_count` says so
    /// plainly.
    ///
    /// ## Example
    /// ```yaml
    /// correlation:
    ///   type: temporal
    ///   rules: [recon]
    ///   group-by: [Host]
    ///   timespan: 1h
    /// ```
    ///
    /// ## Write instead
    /// List every rule that must match, or use `event_count`.
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
    /// Sigma specification v2, correlation rules (`temporal` needs two or more
    /// rules); pySigma-validators-sigmaHQ `sigmahq_correlation_rules_minimum`.
    pub struct TooFewRules {
        code: "I004",
        name: "temporal-with-one-rule",
        family: Correlation,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for TooFewRules {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for correlation in super::correlations(cx) {
            let Some(kind) = &correlation.kind else {
                continue;
            };
            let temporal = matches!(kind.value.as_str(), "temporal" | "temporal_ordered");
            let listed = correlation
                .header
                .get("correlation")
                .and_then(|b| b.get("rules"))
                .is_some();
            if temporal && listed && correlation.rules.len() < 2 {
                let message = format!(
                    "`{}` correlation over {} rule(s); it needs at least two",
                    kind.value,
                    correlation.rules.len()
                );
                out.push(cx.finding(&Self::META, kind.span, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn one_rule_is_flagged() {
        let source = "title: c\ncorrelation:\n  type: temporal\n  rules: [a]\n  group-by: [H]\n  \
                      timespan: 1h\n";
        let found = findings_of("I004", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (3, 9));
        let two = source.replace("[a]", "[a, b]");
        assert!(findings_of("I004", &two).is_empty());
    }
}
