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
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use serde_json::Value;

pub use implication::{
    caseless, operation_implies, operations_disjoint, pattern_implies, patterns_disjoint,
};
pub use lint::{semantic_findings, Finding, FindingKind};
pub use solve::{Conflict, Literal, Outcome, LEAF_BUDGET, RULE_STEP_BUDGET, STEP_BUDGET};
pub use stages::{identifiers, stages, Stage, StageKind};
pub use witness::Fill;

use crate::event::Event;
use crate::matcher::ir::{self, Expr, Predicate, Target};
use crate::matcher::regex::SigmaRegex;
use crate::matcher::{CompileError, CompileOptions, CompiledRule};
use crate::rule::Rule;
use crate::value::SigmaString;

/// A rule taken apart for reasoning.
///
/// Construction is cheap on purpose: the linter analyses every rule of a
/// corpus and most questions it asks are settled by walking the predicate
/// tree. Matchers (the whole rule's, each stage's, each predicate's) are
/// compiled on first use only; that a rule compiles at all is established
/// up front by compiling its regexes, the only operations whose
/// compilation can fail.
#[derive(Debug)]
pub struct Analysis {
    /// The whole predicate tree (what the matcher runs).
    pub tree: Expr,
    /// Its stages, in condition order.
    pub stages: Vec<Stage>,
    /// The matcher of the whole tree, compiled on first use.
    matcher: OnceLock<Option<CompiledRule>>,
    /// One matcher per stage (for an exclusion, of its inside), each
    /// compiled on first use.
    stage_matchers: Vec<OnceLock<Option<CompiledRule>>>,
    /// What is known of each predicate of `stages`, by its address (the
    /// stages are never changed after construction).
    predicates: HashMap<usize, PredicateInfo, BuildHasherDefault<AddressHasher>>,
    /// Steps the impossibility checks may take in all.
    step_budget: usize,
    /// Steps the impossibility checks took so far.
    spent: AtomicUsize,
    /// Impossibility checks that ran out of a budget.
    undecided: AtomicUsize,
}

/// The facts the solver needs of one predicate.
#[derive(Debug)]
struct PredicateInfo {
    /// Its target as a small number: equal numbers, equal targets.
    target: u32,
    /// For a text test, its patterns folded once.
    folded: Option<Vec<SigmaString>>,
    /// The predicate alone as a matcher, compiled on first use.
    single: OnceLock<Option<CompiledRule>>,
}

/// Hashes a predicate's address: addresses are distinct already, so a
/// multiply is enough and SipHash would cost more than the lookups save.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_usize(&mut self, value: usize) {
        self.0 = (value as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

fn address(predicate: &Predicate) -> usize {
    predicate as *const Predicate as usize
}

fn compile(expr: &Expr) -> Option<CompiledRule> {
    CompiledRule::from_predicates(expr.clone()).ok()
}

impl Analysis {
    /// Lowers and analyses `rule`; fails as compilation does.
    pub fn new(rule: &Rule, options: &CompileOptions) -> Result<Analysis, Vec<CompileError>> {
        let tree = ir::lower(rule, options)?;
        Analysis::from_tree(tree)
    }

    /// Analyses a predicate tree (a rule already lowered, or a mutant);
    /// fails when the tree does not compile, with the matcher's errors.
    pub fn from_tree(tree: Expr) -> Result<Analysis, Vec<CompileError>> {
        // Only a regex can fail to compile (text sets, numbers and the
        // rest always build), so checking the regexes, in tree order as
        // the matcher reports them, gives the matcher's own errors
        // without building it. Compiled regexes are cached per thread.
        let mut errors = Vec::new();
        tree.for_each_predicate(&mut |p: &Predicate| {
            if let ir::Operation::Regex { patterns, flags } = &p.operation {
                for pattern in patterns {
                    if let Err(message) = SigmaRegex::compile(pattern, *flags) {
                        errors.push(CompileError::new(message, p.origin.value));
                        break;
                    }
                }
            }
        });
        if !errors.is_empty() {
            return Err(errors);
        }

        let stages = stages(&tree);
        let mut targets: Vec<&Target> = Vec::new();
        let mut predicates = HashMap::default();
        for stage in &stages {
            stage.expr.for_each_predicate(&mut |p: &Predicate| {
                let target = match targets.iter().position(|t| **t == p.target) {
                    Some(found) => found,
                    None => {
                        targets.push(&p.target);
                        targets.len() - 1
                    }
                };
                let folded = match &p.operation {
                    ir::Operation::Match { patterns, .. } => {
                        Some(patterns.iter().map(SigmaString::folded).collect())
                    }
                    _ => None,
                };
                let info = PredicateInfo {
                    target: u32::try_from(target).unwrap_or(u32::MAX),
                    folded,
                    single: OnceLock::new(),
                };
                predicates.insert(address(p), info);
            });
        }
        let stage_matchers = stages.iter().map(|_| OnceLock::new()).collect();
        Ok(Analysis {
            tree,
            stages,
            matcher: OnceLock::new(),
            stage_matchers,
            predicates,
            step_budget: RULE_STEP_BUDGET,
            spent: AtomicUsize::new(0),
            undecided: AtomicUsize::new(0),
        })
    }

    /// The matcher of the whole tree. `None` cannot happen for an analysis
    /// that was built (its regexes compiled), but is not ruled out by types.
    pub fn matcher(&self) -> Option<&CompiledRule> {
        self.matcher.get_or_init(|| compile(&self.tree)).as_ref()
    }

    /// Whether `predicate` (which must belong to this analysis' stages)
    /// holds for `event`.
    pub(crate) fn test(&self, predicate: &Predicate, event: &Event) -> bool {
        let Some(info) = self.predicates.get(&address(predicate)) else {
            return false;
        };
        info.single
            .get_or_init(|| compile(&Expr::Predicate(predicate.clone())))
            .as_ref()
            .is_some_and(|single| single.matches(event))
    }

    /// The target number of `predicate` (see [`PredicateInfo::target`]);
    /// a predicate from elsewhere gets one no other shares.
    pub(crate) fn target_of(&self, predicate: &Predicate) -> u32 {
        self.predicates
            .get(&address(predicate))
            .map_or(u32::MAX, |info| info.target)
    }

    /// The folded patterns of a text test of this analysis.
    pub(crate) fn folded(&self, predicate: &Predicate) -> Option<&[SigmaString]> {
        self.predicates
            .get(&address(predicate))
            .and_then(|info| info.folded.as_deref())
    }

    /// Whether `a` holding proves `b` holds ([`operation_implies`], with
    /// the folded patterns cached).
    pub(crate) fn implies(&self, a: &Predicate, b: &Predicate) -> bool {
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
            ) => match (self.folded(a), self.folded(b)) {
                (Some(fa), Some(fb)) => implication::match_implies((pa, fa, *ca), (pb, fb, *cb)),
                _ => operation_implies(&a.operation, &b.operation),
            },
            _ => operation_implies(&a.operation, &b.operation),
        }
    }

    /// Whether no value passes both text tests `a` and `b`.
    pub(crate) fn disjoint(&self, a: &Predicate, b: &Predicate) -> bool {
        match (self.folded(a), self.folded(b)) {
            (Some(fa), Some(fb)) => implication::folded_disjoint(fa, fb),
            _ => false,
        }
    }

    /// Whether the compiled rule matches `event`.
    pub fn matches(&self, event: &Value) -> bool {
        self.matcher()
            .is_some_and(|m| m.matches(&Event::new(event.clone())))
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
        let (Some(stage), Some(matcher)) = (self.stages.get(index), self.stage_matchers.get(index))
        else {
            return false;
        };
        matcher
            .get_or_init(|| compile(&stage.expr))
            .as_ref()
            .is_some_and(|m| m.matches(event))
    }

    /// Whether `predicate`, one of this analysis' stages' predicates,
    /// holds for `event`.
    pub fn predicate_holds(&self, predicate: &Predicate, event: &Event) -> bool {
        self.test(predicate, event)
    }

    /// Why `goals` (trees taken from `self.stages`) cannot hold, when that
    /// is proven: [`solve`](Self::solve)'s answer when it is `Impossible`,
    /// and `None` otherwise, for a fraction of the cost (no witness event
    /// is built; see `Search::impossible`).
    pub fn impossible(&self, goals: &[(&Expr, bool)]) -> Option<Conflict> {
        solve::Search::impossible(self, goals)
    }

    /// This analysis with another budget for all its impossibility checks
    /// than [`RULE_STEP_BUDGET`]: a caller with a deadline tighter than a
    /// linter's, or a test that needs the budget spent.
    #[must_use]
    pub fn with_step_budget(mut self, steps: usize) -> Self {
        self.step_budget = steps;
        self
    }

    /// Whether the impossibility checks spent the step budget: every
    /// further one answers `None` without looking.
    pub fn over_budget(&self) -> bool {
        self.spent.load(Ordering::Relaxed) >= self.step_budget
    }

    /// How many impossibility checks ran out of their step budget (or of
    /// the rule's) and so answered `None` without deciding.
    pub fn undecided_checks(&self) -> usize {
        self.undecided.load(Ordering::Relaxed)
    }

    /// How many steps the impossibility checks took so far.
    pub fn steps_spent(&self) -> usize {
        self.spent.load(Ordering::Relaxed)
    }

    pub(crate) fn spend(&self, steps: usize) {
        self.spent.fetch_add(steps, Ordering::Relaxed);
    }

    pub(crate) fn undecided(&self) {
        self.undecided.fetch_add(1, Ordering::Relaxed);
    }

    /// [`impossible`](Self::impossible) for [`goal`](Self::goal).
    pub fn goal_impossible(&self, goal: Goal) -> Option<Conflict> {
        self.impossible(&self.goal(goal))
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
