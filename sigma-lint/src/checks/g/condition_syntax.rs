use sigma_core::condition;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::detections;
use crate::checks::g::token_span;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Parses each condition and reports the first token that breaks the
    /// grammar: upper-case `AND`, `2 of x`, an unclosed `(`, a trailing
    /// operator, v1 pipe aggregations (`| count() by x > 5`), `sel*` without
    /// `1 of`.
    ///
    /// ## Why it matters
    /// A condition that does not parse makes the whole rule unusable.
    ///
    /// ## Example
    /// `condition: selection AND NOT filter`
    ///
    /// ## Write instead
    /// `condition: selection and not filter`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Only the first error of each condition is reported.
    ///
    /// ## References
    /// Sigma specification, condition; pySigma SigmaConditionError.
    pub struct ConditionSyntax {
        code: "G001",
        name: "condition-syntax",
        family: Condition,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for ConditionSyntax {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for detection in detections(cx) {
            for text in &detection.conditions {
                let Err(error) = condition::parse(&text.value) else {
                    continue;
                };
                let span = token_span(cx.source(), text, error.range.clone());
                let mut finding = cx.finding(&Self::META, span, error.message.clone());
                if text.value.contains('|') {
                    finding = finding
                        .help("write the aggregation as a correlation rule (type event_count)");
                } else if ["AND", "OR", "NOT"]
                    .iter()
                    .any(|w| text.value.split_whitespace().any(|t| t == *w))
                {
                    finding = finding.help("operators are lower case: `and`, `or`, `not`");
                }
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    fn rule(condition: &str) -> String {
        format!("title: t\ndetection:\n  sel: {{a: 1}}\n  condition: {condition}\n")
    }

    #[test]
    fn syntax_errors_are_located() {
        let found = findings_of("G001", &rule("sel AND x"));
        assert_eq!((found[0].line(), found[0].column()), (4, 18));
        let found = findings_of("G001", &rule("sel | count() > 5"));
        assert!(found[0].message.contains("correlation"));
        assert!(findings_of("G001", &rule("sel and not sel")).is_empty());
    }
}
