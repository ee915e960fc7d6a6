use sigma_core::analysis::FindingKind;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Says that the semantic analysis of a rule gave up: its impossibility
    /// checks took more steps in all than the budget allows, so the other
    /// S checks report nothing for this rule, proven or not.
    ///
    /// ## Why it matters
    /// Silence from the S family would otherwise read as "the condition is
    /// sound". A rule this costly to analyse is usually one whose condition
    /// combines many selections of long lists under `not`; the SigmaHQ
    /// corpus's costliest rule takes about a quarter of the budget.
    ///
    /// ## Example
    /// A condition such as `all of sel* and not 1 of filter*` over dozens of
    /// selections, each with long lists of overlapping wildcard values.
    ///
    /// ## Write instead
    /// Split the rule, or name fewer, more specific filters.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None: the budget (400,000 search steps per rule) keeps one hostile
    /// rule from stalling a whole run.
    ///
    /// ## Known problems
    /// The budget counts search steps, not time; a step is not the same
    /// work in every rule.
    ///
    /// ## References
    /// None: this reports on the linter, not on the Sigma specification.
    pub struct OverBudget {
        code: "S007",
        name: "analysis-over-budget",
        family: Semantic,
        group: Suspicious,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for OverBudget {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let help = "the other semantic (S) checks were not run to the end for this rule";
        super::report(cx, &Self::META, FindingKind::OverBudget, help, out);
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    /// Thirty selections and thirty filters of short, overlapping
    /// `contains` values on one field: far more questions than the budget
    /// lets the analysis answer.
    fn costly_rule() -> String {
        let mut text = String::from("title: t\nlogsource: {product: windows}\ndetection:\n");
        for (prefix, group) in [("sel", 0), ("filter", 1)] {
            for i in 0..30 {
                text.push_str(&format!("  {prefix}_{i}:\n    CommandLine|contains:\n"));
                for j in 0..60_u32 {
                    let n = (group * 30 + i) * 60 + j;
                    let len = 2 + n % 5;
                    let value: String = (0..len)
                        .map(|bit| if n >> bit & 1 == 1 { 'b' } else { 'a' })
                        .collect();
                    text.push_str(&format!("      - '{value}'\n"));
                }
            }
        }
        text.push_str("  condition: all of sel_* and not 1 of filter_*\n");
        text
    }

    #[test]
    fn a_rule_past_the_budget_gets_one_note_at_its_condition() {
        let source = costly_rule();
        let found = findings_of("S007", &source);

        assert_eq!(found.len(), 1, "{found:?}");
        let condition_line = source.lines().count() as u32;
        assert_eq!(found[0].line(), condition_line);
        assert!(
            found[0].message.contains("stopped after"),
            "{}",
            found[0].message
        );
        assert!(findings_of("S002", &source).is_empty());
    }

    #[test]
    fn a_plain_rule_gets_no_note() {
        let source = "title: t\nlogsource: {product: windows}\ndetection:\n  sel:\n    \
                      Image|endswith: '\\cmd.exe'\n  filter:\n    User: SYSTEM\n  \
                      condition: sel and not filter\n";
        assert!(findings_of("S007", source).is_empty());
    }
}
