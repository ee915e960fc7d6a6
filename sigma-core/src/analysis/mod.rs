//! What a rule's condition means: stages, witnesses, satisfiability.
//!
//! [`Analysis::new`] lowers a rule to its predicate tree, cuts it into
//! [`Stage`]s (required selections and exclusions) and compiles every
//! predicate on its own, so that any candidate event can be judged with
//! exactly the matcher's semantics. On top of that it answers the
//! questions a reviewer asks of a rule:
//!
//! - can it match at all? ([`Analysis::witness`])
//! - can each exclusion apply to an event the rest of the rule picks?
//!   ([`Analysis::exclusion_applies`])
//! - does each required stage matter? ([`Analysis::stage_breaks`])
//!
//! Each answer is an [`Outcome`]: a checked witness event, a proven
//! impossibility with the rule values involved, or "unknown".
//!
//! ```
//! use sigma_core::analysis::{Analysis, Outcome};
//! use sigma_core::matcher::CompileOptions;
//! use sigma_core::rule::SigmaFile;
//!
//! let source = "detection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n  \
//!               filter:\n    Image|contains: 'cmd'\n  condition: sel and not filter\n";
//! let file = SigmaFile::parse("r.yml", source);
//! let rule = file.rules().next().unwrap();
//! let analysis = Analysis::new(rule, &CompileOptions::default()).unwrap();
//! // Every `\cmd.exe` contains `cmd`: the filter removes every event.
//! assert!(matches!(analysis.witness(), Outcome::Impossible(_)));
//! ```

mod implication;
mod lint;
mod solve;
mod stages;
pub mod witness;

use std::collections::HashMap;

use serde_json::Value;

pub use implication::{
    caseless, operation_implies, operations_disjoint, pattern_implies, patterns_disjoint,
};
pub use lint::{semantic_findings, Finding, FindingKind};
pub use solve::{Conflict, Literal, Outcome, LEAF_BUDGET, STEP_BUDGET};
pub use stages::{identifiers, stages, Stage, StageKind};
pub use witness::Fill;

use crate::event::Event;
use crate::matcher::ir::{self, Expr, Predicate};
use crate::matcher::{CompileError, CompileOptions, CompiledRule};
use crate::rule::Rule;
use crate::value::SigmaString;

/// A rule taken apart for reasoning.
#[derive(Debug)]
pub struct Analysis {
    /// The whole predicate tree (what the matcher runs).
    pub tree: Expr,
    /// Its stages, in condition order.
    pub stages: Vec<Stage>,
    /// The matcher of the whole tree.
    pub matcher: CompiledRule,
    /// One matcher per predicate, by the predicate's address inside
    /// `stages` (which are never changed after construction).
    singles: HashMap<usize, CompiledRule>,
    /// One matcher per stage (for an exclusion, of its inside).
    stage_matchers: Vec<CompiledRule>,
    /// Text tests with their patterns folded once, by the same address.
    folded: HashMap<usize, Vec<SigmaString>>,
}

impl Analysis {
    /// Lowers and analyses `rule`; fails as compilation does.
    pub fn new(rule: &Rule, options: &CompileOptions) -> Result<Analysis, Vec<CompileError>> {
        let tree = ir::lower(rule, options)?;
        Analysis::from_tree(tree)
    }

    /// Analyses a predicate tree (a rule already lowered, or a mutant).
    pub fn from_tree(tree: Expr) -> Result<Analysis, Vec<CompileError>> {
        let matcher = CompiledRule::from_predicates(tree.clone())?;
        let stages = stages(&tree);
        let stage_matchers = stages
            .iter()
            .map(|s| CompiledRule::from_predicates(s.expr.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut singles = HashMap::new();
        let mut folded = HashMap::new();
        for stage in &stages {
            let mut errors = Vec::new();
            stage.expr.for_each_predicate(
                &mut |p: &Predicate| match CompiledRule::from_predicates(Expr::Predicate(p.clone()))
                {
                    Ok(single) => {
                        singles.insert(p as *const Predicate as usize, single);
                        if let ir::Operation::Match { patterns, .. } = &p.operation {
                            let lowered = patterns.iter().map(SigmaString::folded).collect();
                            folded.insert(p as *const Predicate as usize, lowered);
                        }
                    }
                    Err(mut e) => errors.append(&mut e),
                },
            );
            if !errors.is_empty() {
                return Err(errors);
            }
        }
        Ok(Analysis {
            tree,
            stages,
            matcher,
            singles,
            stage_matchers,
            folded,
        })
    }

    /// Whether `predicate` (which must belong to this analysis' stages)
    /// holds for `event`.
    pub(crate) fn test(&self, predicate: &Predicate, event: &Event) -> bool {
        match self.singles.get(&(predicate as *const Predicate as usize)) {
            Some(single) => single.matches(event),
            None => false,
        }
    }

    /// Whether `a` holding proves `b` holds ([`operation_implies`], with
    /// the folded patterns cached).
    pub(crate) fn implies(&self, a: &Predicate, b: &Predicate) -> bool {
        let key = |p: &Predicate| p as *const Predicate as usize;
        match (&a.operation, &b.operation) {
            (
                ir::Operation::Match {
                    patterns: pa,
                    case: ca,
                },
                ir::Operation::Match {
                    patterns: pb,
                    case: cb,
                },
            ) => match (self.folded.get(&key(a)), self.folded.get(&key(b))) {
                (Some(fa), Some(fb)) => implication::match_implies((pa, fa, *ca), (pb, fb, *cb)),
                _ => operation_implies(&a.operation, &b.operation),
            },
            _ => operation_implies(&a.operation, &b.operation),
        }
    }

    /// Whether no value passes both text tests `a` and `b`.
    pub(crate) fn disjoint(&self, a: &Predicate, b: &Predicate) -> bool {
        let key = |p: &Predicate| p as *const Predicate as usize;
        match (self.folded.get(&key(a)), self.folded.get(&key(b))) {
            (Some(fa), Some(fb)) => implication::folded_disjoint(fa, fb),
            _ => false,
        }
    }

    /// Whether the compiled rule matches `event`.
    pub fn matches(&self, event: &Value) -> bool {
        self.matcher.matches(&Event::new(event.clone()))
    }

    /// The goal "the rule matches": every required stage holds and every
    /// exclusion fails. `except` leaves one stage out; `flip` requires the
    /// opposite of one stage.
    fn goals(&self, except: Option<usize>, flip: Option<usize>) -> Vec<(&Expr, bool)> {
        self.stages
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != except)
            .map(|(i, stage)| {
                let holds = stage.kind == StageKind::Required;
                (&stage.expr, if Some(i) == flip { !holds } else { holds })
            })
            .collect()
    }

    /// An event the rule matches, or why there is none.
    pub fn witness(&self) -> Outcome {
        self.witness_with(&Fill::plain())
    }

    /// Like [`witness`](Self::witness), with the freedom filled by `fill`.
    pub fn witness_with(&self, fill: &Fill) -> Outcome {
        self.solve(&self.goals(None, None), fill)
    }

    /// For exclusion `index`: an event that passes every other stage and
    /// that the exclusion takes back (so the rule does not match it).
    pub fn exclusion_applies(&self, index: usize, fill: &Fill) -> Outcome {
        self.solve(&self.goals(None, Some(index)), fill)
    }

    /// For required stage `index`: an event that passes every other stage
    /// but not this one. "Impossible" means the stage adds nothing: the
    /// others already imply it.
    pub fn stage_breaks(&self, index: usize, fill: &Fill) -> Outcome {
        self.solve(&self.goals(None, Some(index)), fill)
    }

    /// For exclusion `index`: an event that passes the required stages and
    /// that the exclusion takes back, ignoring the other exclusions. When
    /// [`exclusion_applies`](Self::exclusion_applies) is impossible but
    /// this is not, the other filters already remove all it would.
    pub fn exclusion_applies_to_selection(&self, index: usize) -> Outcome {
        let goals: Vec<(&Expr, bool)> = self
            .stages
            .iter()
            .enumerate()
            .filter(|(i, s)| *i == index || s.kind == StageKind::Required)
            .map(|(_, s)| (&s.expr, true))
            .collect();
        self.solve(&goals, &Fill::plain())
    }

    /// The rule without stage `index`: can it match?
    pub fn witness_without(&self, index: usize) -> Outcome {
        self.solve(&self.goals(Some(index), None), &Fill::plain())
    }

    /// An event satisfying the stage alone (`true`) or failing it.
    pub fn stage_alone(&self, index: usize, holds: bool) -> Outcome {
        match self.stages.get(index) {
            Some(stage) => self.solve(&[(&stage.expr, holds)], &Fill::plain()),
            None => Outcome::Unknown,
        }
    }

    /// The goal's trees with their polarity: `Goal::Match` is "the rule
    /// matches"; the others flip or drop one stage.
    pub fn goal(&self, goal: Goal) -> Vec<(&Expr, bool)> {
        match goal {
            Goal::Match => self.goals(None, None),
            Goal::Flip(index) => self.goals(None, Some(index)),
        }
    }

    /// Searches once for `goal` and keeps the literals of the witness, so
    /// that [`Plan::event`] can build many more witnesses cheaply (the
    /// fuzzer varies only the fill).
    pub fn plan(&self, goal: Goal) -> (Outcome, Plan<'_>) {
        let goals = self.goal(goal);
        let fill = Fill::plain();
        let (outcome, literals) = solve::Search::run_with_path(self, &goals, &fill);
        (
            outcome,
            Plan {
                analysis: self,
                literals,
            },
        )
    }

    /// Whether stage `index` holds for `event` (for an exclusion: whether
    /// it applies).
    pub fn stage_holds(&self, index: usize, event: &Event) -> bool {
        self.stage_matchers
            .get(index)
            .is_some_and(|m| m.matches(event))
    }

    /// Whether `predicate`, one of this analysis' stages' predicates,
    /// holds for `event`.
    pub fn predicate_holds(&self, predicate: &Predicate, event: &Event) -> bool {
        self.test(predicate, event)
    }

    /// Solves an arbitrary goal over trees taken from `self.stages`.
    pub fn solve(&self, goals: &[(&Expr, bool)], fill: &Fill) -> Outcome {
        solve::Search::run(self, goals, fill)
    }
}

/// What to look for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// An event the rule matches.
    Match,
    /// An event where stage `index` is the other way round: an exclusion
    /// that applies, or a required stage that fails; every other stage as
    /// for a match.
    Flip(usize),
}

/// The literals one witness was built from.
#[derive(Debug)]
pub struct Plan<'a> {
    analysis: &'a Analysis,
    literals: Vec<Literal<'a>>,
}

impl Plan<'_> {
    /// Whether the search found a witness at all.
    pub fn is_empty(&self) -> bool {
        self.literals.is_empty()
    }

    /// The literals: each predicate with whether it must hold.
    pub fn literals(&self) -> &[Literal<'_>] {
        &self.literals
    }

    /// A witness built with `fill`, checked literal by literal; `None`
    /// when this fill collides with a test the event must fail.
    pub fn event(&self, fill: &Fill) -> Option<Value> {
        if self.literals.is_empty() {
            return None;
        }
        solve::Search::new(self.analysis, fill).build(&self.literals, fill)
    }
}

#[cfg(test)]
mod tests;
