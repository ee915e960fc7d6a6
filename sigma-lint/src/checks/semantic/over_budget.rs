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
