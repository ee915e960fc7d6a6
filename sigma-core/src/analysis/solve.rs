//! Finding an event that satisfies a goal, or proving there is none.
//!
//! A goal is a list of trees, each to hold or not. The search walks them
//! depth first: `and` pushes its children, `or` is a choice point, `not`
//! flips the polarity, and a predicate becomes a literal ("field F passes
//! test T", or fails it). Each literal is checked at once against the
//! others on the same field for a *proven* contradiction; when the goals
//! are used up, the literals are turned into an event (field by field,
//! from [`witness::candidates`]) and every literal is checked on it with
//! the compiled matcher.
//!
//! Answers are honest: a witness is an event that was checked; "no event"
//! is claimed only when every branch ended in a proven contradiction.
//! Otherwise (step budget spent, a candidate generator that found
//! nothing) the answer is "unknown". Only scalar field values are built:
//! an array can satisfy `endswith a` and `endswith b` at once, but real
//! log events do not carry such arrays, so a rule that needs one is
//! reported as never matching.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::witness::{candidates, Candidate, Fill};
use super::Analysis;
use crate::event::Event;
use crate::matcher::ir::{Case, Expr, Operation, Predicate, Target};
use crate::span::Span;
use crate::value::Shape;

/// How many goal steps one search may take before it answers "unknown".
pub const STEP_BUDGET: usize = 20_000;

/// How many goal steps [`Search::impossible`] walks in condition order
/// before it also tries the forced-first probe.
const QUICK_STEPS: usize = 400;

/// How many steps the forced-first probe may take.
const PROBE_STEPS: usize = 4_000;

/// How many steps the impossibility checks of one rule
/// ([`Analysis::impossible`]) may take in all. Past it, every further
/// check answers "not proven" at once and the rule is
/// [`over_budget`](Analysis::over_budget): the linter then drops its
/// semantic findings and counts it. The SigmaHQ corpus's costliest rule
/// takes about a quarter of this.
pub const RULE_STEP_BUDGET: usize = 400_000;

/// How many complete literal sets one search may try to build.
pub const LEAF_BUDGET: usize = 64;

/// What a search found.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// An event that satisfies the goal (checked).
    Witness(Value),
    /// No event can: every way ends in this kind of contradiction (the
    /// first one met).
    Impossible(Conflict),
    /// Neither was established within the budget.
    Unknown,
}

impl Outcome {
    /// The witness, if one was found.
    pub fn witness(&self) -> Option<&Value> {
        match self {
            Outcome::Witness(event) => Some(event),
            _ => None,
        }
    }
}

/// Why a set of tests cannot hold together.
#[derive(Clone, Debug, PartialEq)]
pub struct Conflict {
    /// What contradicts what, in words.
    pub message: String,
    /// The rule values involved (origins of the predicates).
    pub spans: Vec<Span>,
}

/// A literal: a predicate that must hold (`true`) or fail.
pub type Literal<'a> = (&'a Predicate, bool);

enum Step<'a> {
    Found(Value, Vec<Literal<'a>>),
    Failed { proven: bool },
}

/// The literals of one branch of the search, with what the contradiction
/// checks need to stay linear in the branch's length.
///
/// A literal that fails a text, number or other value test ("inert":
/// negative, and neither `null` nor `exists`) can only contradict an
/// earlier literal of its field that is not inert: two inert literals
/// never clash, whatever their patterns. A filter of 4,000 hashes that
/// must all fail is so checked in 4,000 steps, not 8 million.
#[derive(Clone, Default)]
struct Path<'a> {
    literals: Vec<Literal<'a>>,
    /// Each literal's target number ([`Analysis::target_of`]), in step.
    targets: Vec<u32>,
    /// The indices of the literals that are not inert, in order.
    active: Vec<usize>,
    /// How many literals each target number has so far.
    counts: Vec<u32>,
}

impl<'a> Path<'a> {
    fn push(&mut self, literal: Literal<'a>, target: u32) {
        if !inert(literal) {
            self.active.push(self.literals.len());
        }
        self.literals.push(literal);
        self.targets.push(target);
        if let Ok(index) = usize::try_from(target) {
            if index < 4096 {
                if self.counts.len() <= index {
                    self.counts.resize(index + 1, 0);
                }
                if let Some(count) = self.counts.get_mut(index) {
                    *count += 1;
                }
            }
        }
    }

    /// How many literals target `target` has; `None` when not counted.
    fn count(&self, target: u32) -> Option<u32> {
        usize::try_from(target)
            .ok()
            .filter(|index| *index < 4096)
            .map(|index| self.counts.get(index).copied().unwrap_or(0))
    }
}

/// Whether a literal is a failing value test (see [`Path`]).
fn inert((predicate, holds): Literal<'_>) -> bool {
    !holds && !matches!(predicate.operation, Operation::Null | Operation::Exists(_))
}

/// Whether two literals test the same target: equal target numbers, and
/// for predicates from outside the analysis (which share one number)
/// equal targets.
fn on_same_target(a: &Predicate, a_target: u32, b: &Predicate, b_target: u32) -> bool {
    a_target == b_target && (a_target != u32::MAX || a.target == b.target)
}

pub(super) struct Search<'a> {
    analysis: &'a Analysis,
    fill: Fill,
    steps: usize,
    leaves: usize,
    conflict: Option<Conflict>,
    /// Stop at the first complete literal set without building an event:
    /// the caller only asks whether the goal is impossible.
    decide: bool,
    /// In `decide` mode: a complete literal set was reached.
    reached: bool,
    /// The step budget: [`STEP_BUDGET`] but for a quick first try.
    budget: usize,
}

/// The alternative taken at each choice point of a branch, by the choice's
/// tree node (its address) and polarity.
type Choices = HashMap<(usize, bool), usize>;

fn node(expr: &Expr) -> usize {
    expr as *const Expr as usize
}

impl<'a> Search<'a> {
    /// Like [`run`](Self::run), also giving the literals the witness was
    /// built from, so that more witnesses can be built with other fills.
    pub(super) fn run_with_path(
        analysis: &'a Analysis,
        goals: &[(&'a Expr, bool)],
        fill: &Fill,
    ) -> (Outcome, Vec<Literal<'a>>) {
        let mut search = Search::new(analysis, fill);
        let mut stack: Vec<(&Expr, bool)> = goals.iter().rev().copied().collect();
        match search.go(&mut stack, &mut Path::default()) {
            Step::Found(event, path) => (Outcome::Witness(event), path),
            Step::Failed { proven } => (search.failure(proven), Vec::new()),
        }
    }

    /// Whether `goals` are proven impossible, and why: the answer
    /// [`run`](Self::run) would give when it is `Impossible`, and `None`
    /// for a witness or an unknown, found without building any event.
    ///
    /// A search proves impossibility only when every branch ends in a
    /// contradiction: once one branch gets through (where `run` would
    /// build a witness), the answer can no longer be `Impossible`, so the
    /// search stops there. Up to that point it walks exactly as `run`
    /// does, so the conflict reported is the same.
    ///
    /// The walk in condition order can thrash: a required test met late
    /// (a flipped filter after twenty others) undoes choices made early,
    /// and backtracking one choice at a time spends the whole step budget
    /// before answering "unknown". So when a short walk does not settle
    /// it, a probe that takes every forced test first and the choices last
    /// looks for one branch free of contradictions; if that branch, replayed
    /// in condition order, is still free of them, no search can prove the
    /// goal impossible and the answer is `None` without the long walk.
    /// Otherwise the walk runs in full, so the answer is always the one the
    /// walk alone would give.
    pub(super) fn impossible(
        analysis: &'a Analysis,
        goals: &[(&'a Expr, bool)],
    ) -> Option<Conflict> {
        let walk = |budget: usize| {
            let mut search = Search::new(analysis, &Fill::plain());
            search.decide = true;
            search.budget = budget;
            let mut stack: Vec<(&Expr, bool)> = goals.iter().rev().copied().collect();
            let step = search.go(&mut stack, &mut Path::default());
            analysis.spend(search.steps);
            let settled = search.reached || search.steps <= budget;
            let conflict = match step {
                Step::Failed { proven: true } if !search.reached => match search.failure(true) {
                    Outcome::Impossible(conflict) => Some(conflict),
                    _ => None,
                },
                _ => None,
            };
            (settled, conflict)
        };

        if analysis.over_budget() {
            analysis.undecided();
            return None;
        }
        let (settled, conflict) = walk(QUICK_STEPS);
        if settled {
            return conflict;
        }
        let mut probe = Search::new(analysis, &Fill::plain());
        probe.budget = PROBE_STEPS;
        let forced: Vec<(&Expr, bool)> = goals.iter().rev().copied().collect();
        let found = probe.probe(forced, Vec::new(), Path::default(), Vec::new());
        analysis.spend(probe.steps);
        if let Some(choices) = found {
            let choices: Choices = choices.into_iter().collect();
            if probe.replays(goals, &choices) {
                return None;
            }
        }
        let (settled, conflict) = walk(STEP_BUDGET);
        if !settled {
            analysis.undecided();
        }
        conflict
    }

    /// A branch with no contradiction: forced tests first, then one
    /// choice at a time (the one with the fewest alternatives first), with
    /// backtracking. Gives the alternative taken at each choice point.
    fn probe(
        &mut self,
        mut forced: Vec<(&'a Expr, bool)>,
        mut deferred: Vec<(&'a Expr, bool)>,
        mut path: Path<'a>,
        taken: Vec<((usize, bool), usize)>,
    ) -> Option<Vec<((usize, bool), usize)>> {
        while let Some((expr, holds)) = forced.pop() {
            self.steps += 1;
            if self.steps > self.budget {
                return None;
            }
            match expr {
                Expr::Predicate(predicate) => {
                    if self.assume(&mut path, predicate, holds).is_some() {
                        return None;
                    }
                }
                Expr::Search { body, .. } => forced.push((body, holds)),
                Expr::Not(inner) => forced.push((inner, !holds)),
                Expr::And(items) if holds => forced.extend(items.iter().map(|i| (i, true))),
                Expr::Or(items) if !holds => forced.extend(items.iter().map(|i| (i, false))),
                Expr::And(_) | Expr::Or(_) => deferred.push((expr, holds)),
            }
        }
        let fewest = deferred
            .iter()
            .enumerate()
            .min_by_key(|(_, (expr, _))| match expr {
                Expr::And(items) | Expr::Or(items) => items.len(),
                _ => 0,
            })
            .map(|(index, _)| index);
        let Some(index) = fewest else {
            return Some(taken);
        };
        let (choice, holds) = deferred.swap_remove(index);
        let (Expr::And(items) | Expr::Or(items)) = choice else {
            return None;
        };
        for (alternative, item) in items.iter().enumerate() {
            let mut taken = taken.clone();
            taken.push(((node(choice), holds), alternative));
            let found = self.probe(vec![(item, holds)], deferred.clone(), path.clone(), taken);
            if found.is_some() {
                return found;
            }
            if self.steps > self.budget {
                return None;
            }
        }
        None
    }

    /// Whether the branch `choices` picks, walked in condition order as
    /// [`go`](Self::go) walks it, meets no contradiction.
    fn replays(&self, goals: &[(&'a Expr, bool)], choices: &Choices) -> bool {
        let mut stack: Vec<(&Expr, bool)> = goals.iter().rev().copied().collect();
        let mut path = Path::default();
        while let Some((expr, holds)) = stack.pop() {
            match expr {
                Expr::Predicate(predicate) => {
                    if self.assume(&mut path, predicate, holds).is_some() {
                        return false;
                    }
                }
                Expr::Search { body, .. } => stack.push((body, holds)),
                Expr::Not(inner) => stack.push((inner, !holds)),
                Expr::And(items) if holds => stack.extend(items.iter().rev().map(|i| (i, true))),
                Expr::Or(items) if !holds => stack.extend(items.iter().rev().map(|i| (i, false))),
                Expr::And(items) | Expr::Or(items) => {
                    let Some(item) = choices
                        .get(&(node(expr), holds))
                        .and_then(|&index| items.get(index))
                    else {
                        return false;
                    };
                    stack.push((item, holds));
                }
            }
        }
        true
    }

    pub(super) fn new(analysis: &'a Analysis, fill: &Fill) -> Search<'a> {
        Search {
            analysis,
            fill: fill.clone(),
            steps: 0,
            leaves: 0,
            conflict: None,
            decide: false,
            reached: false,
            budget: STEP_BUDGET,
        }
    }

    fn failure(&mut self, proven: bool) -> Outcome {
        if !proven {
            return Outcome::Unknown;
        }
        Outcome::Impossible(self.conflict.take().unwrap_or_else(|| Conflict {
            message: "an empty list or selector leaves nothing to match".into(),
            spans: Vec::new(),
        }))
    }

    pub(super) fn run(analysis: &'a Analysis, goals: &[(&'a Expr, bool)], fill: &Fill) -> Outcome {
        Search::run_with_path(analysis, goals, fill).0
    }

    fn go(&mut self, goals: &mut Vec<(&'a Expr, bool)>, path: &mut Path<'a>) -> Step<'a> {
        while let Some((expr, holds)) = goals.pop() {
            self.steps += 1;
            if self.steps > self.budget {
                return Step::Failed { proven: false };
            }
            match expr {
                Expr::Predicate(predicate) => {
                    if let Some(conflict) = self.assume(path, predicate, holds) {
                        self.conflict.get_or_insert(conflict);
                        return Step::Failed { proven: true };
                    }
                }
                Expr::Search { body, .. } => goals.push((body, holds)),
                Expr::Not(inner) => goals.push((inner, !holds)),
                Expr::And(items) if holds => goals.extend(items.iter().rev().map(|i| (i, true))),
                Expr::Or(items) if !holds => goals.extend(items.iter().rev().map(|i| (i, false))),
                Expr::And(items) | Expr::Or(items) => {
                    return self.choose(items, holds, goals, path)
                }
            }
        }
        self.leaf(&path.literals)
    }

    /// One of `items` must take polarity `holds`: try each in turn.
    fn choose(
        &mut self,
        items: &'a [Expr],
        holds: bool,
        goals: &[(&'a Expr, bool)],
        path: &Path<'a>,
    ) -> Step<'a> {
        let mut proven = true;
        for item in items {
            let mut goals = goals.to_vec();
            let mut path = path.clone();
            goals.push((item, holds));
            match self.go(&mut goals, &mut path) {
                Step::Found(event, path) => return Step::Found(event, path),
                Step::Failed { proven: p } => proven &= p,
            }
            if self.steps > self.budget || self.leaves > LEAF_BUDGET || self.reached {
                return Step::Failed { proven: false };
            }
        }
        Step::Failed { proven }
    }

    /// A proven contradiction between `new` and the literals so far.
    /// Adds `predicate` (holding or failing, as `holds` says) to `path`;
    /// the contradiction with what the path already holds instead, if any.
    fn assume(
        &self,
        path: &mut Path<'a>,
        predicate: &'a Predicate,
        holds: bool,
    ) -> Option<Conflict> {
        let target = self.analysis.target_of(predicate);
        let conflict = self.contradiction(path, (predicate, holds), target);
        if conflict.is_none() {
            path.push((predicate, holds), target);
        }
        conflict
    }

    fn contradiction(&self, path: &Path<'a>, new: Literal<'a>, target: u32) -> Option<Conflict> {
        let (predicate, holds) = new;
        if inert(new) {
            return self.inert_contradiction(path, new, target);
        }
        let same_target: Vec<Literal<'a>> = path
            .literals
            .iter()
            .zip(&path.targets)
            .filter(|((p, _), t)| on_same_target(p, **t, predicate, target))
            .map(|(literal, _)| *literal)
            .collect();
        for (other, other_holds) in &same_target {
            if other.operation == predicate.operation && *other_holds != holds {
                return Some(conflict(
                    "the same test must hold and fail",
                    &[predicate, other],
                ));
            }
        }
        let Target::Field { name, .. } = &predicate.target else {
            return None;
        };
        if same_target.is_empty() {
            return None;
        }
        field_contradiction(self.analysis, name, &same_target, new)
    }

    /// [`contradiction`](Self::contradiction) for an inert `new`: the
    /// checks that can fire, against the active literals of its target.
    /// Each check gives what the full one gives (see each step).
    fn inert_contradiction(
        &self,
        path: &Path<'a>,
        new: Literal<'a>,
        target: u32,
    ) -> Option<Conflict> {
        let (added, added_holds) = new;
        let active: Vec<Literal<'a>> = path
            .active
            .iter()
            .filter_map(|&i| Some((*path.literals.get(i)?, *path.targets.get(i)?)))
            .filter(|((p, _), t)| on_same_target(p, *t, added, target))
            .map(|(literal, _)| literal)
            .collect();
        // The same test held: only a positive literal can be its opposite.
        for (other, other_holds) in &active {
            if other.operation == added.operation && *other_holds != added_holds {
                return Some(conflict(
                    "the same test must hold and fail",
                    &[added, other],
                ));
            }
        }
        let Target::Field { name, .. } = &added.target else {
            return None;
        };
        let earlier = || {
            path.literals
                .iter()
                .zip(&path.targets)
                .filter(|((p, _), t)| on_same_target(p, **t, added, target))
                .map(|(literal, _)| *literal)
                .collect::<Vec<_>>()
        };
        if active.is_empty() {
            // Presence, implication, disjointness, fixed values and bounds
            // all need a literal that is not inert; `new` is inert, and so
            // is every earlier literal of its field.
            return None;
        }

        // Presence: an inert literal allows every state, so the earlier
        // literals decide, and the inert ones among them allow everything.
        let mut state = presence(&added.operation, added_holds);
        for (predicate, holds) in &active {
            let p = presence(&predicate.operation, *holds);
            state.absent &= p.absent;
            state.null &= p.null;
            state.value &= p.value;
        }
        if !(state.absent || state.null || state.value) {
            return field_contradiction(self.analysis, name, &earlier(), new);
        }

        // A failing test implied by a passing one; disjointness needs two
        // passing tests, so an inert literal takes no part in it.
        for (other, other_holds) in &active {
            if *other_holds && self.analysis.implies(other, added) {
                return Some(conflict(
                    &format!(
                        "every value of `{name}` that passes the first test also passes the \
                         second, which must fail"
                    ),
                    &[other, added],
                ));
            }
        }

        // Fixed values. The earlier literals were checked when the last of
        // them arrived (with at least one before it): any value fixing test
        // then either found a value passing them all, or was skipped
        // because another test can tell cases apart (and still is). If
        // `new` lets every fixed value through, nothing changed.
        let before = path.count(target).unwrap_or(0);
        for (fixing, _) in active.iter().filter(|(_, holds)| *holds) {
            if !may_fix(&fixing.operation) {
                continue;
            }
            let Some(values) = fixed_values(&fixing.operation) else {
                continue;
            };
            let passes_all = values.iter().all(|value| {
                let probe = single_field(name, &Candidate::Present(value.clone()));
                self.analysis.test(added, &probe) == added_holds
            });
            if before >= 2 && passes_all {
                continue;
            }
            // Otherwise the full check decides, on every literal.
            let all = earlier();
            if let Some(found) = fixed_value_conflict(self.analysis, name, &all, new, fixing) {
                return Some(found);
            }
        }

        // Bounds count passing comparisons only, all of them active.
        let mut both = active;
        both.push(new);
        bounds_contradiction(name, &both)
    }

    fn leaf(&mut self, literals: &[Literal<'a>]) -> Step<'a> {
        if self.decide {
            self.reached = true;
            return Step::Failed { proven: false };
        }
        self.leaves += 1;
        if self.leaves > LEAF_BUDGET {
            return Step::Failed { proven: false };
        }
        let fills = if self.fill == Fill::plain() {
            Fill::alternatives()
        } else {
            vec![self.fill.clone()]
        };
        for fill in &fills {
            if let Some(event) = self.build(literals, fill) {
                return Step::Found(event, literals.to_vec());
            }
        }
        Step::Failed { proven: false }
    }

    /// An event satisfying every literal, checked with the matcher.
    pub(super) fn build(&self, literals: &[Literal<'a>], fill: &Fill) -> Option<Value> {
        let mut by_field: Vec<(&str, Vec<Literal<'a>>)> = Vec::new();
        let mut keywords = Vec::new();
        for literal in literals {
            match &literal.0.target {
                Target::Field { name, .. } => {
                    match by_field.iter_mut().find(|(n, _)| *n == name.as_str()) {
                        Some((_, list)) => list.push(*literal),
                        None => by_field.push((name.as_str(), vec![*literal])),
                    }
                }
                Target::Keywords => keywords.push(*literal),
            }
        }

        let mut event = Map::new();
        for (name, field_literals) in &by_field {
            let positives: Vec<&Operation> = field_literals
                .iter()
                .filter(|(_, holds)| *holds)
                .map(|(p, _)| &p.operation)
                .collect();
            let chosen = candidates(name, &positives, fill)
                .into_iter()
                .find(|candidate| {
                    let probe = single_field(name, candidate);
                    field_literals
                        .iter()
                        .filter(|(p, _)| !matches!(p.operation, Operation::FieldRef { .. }))
                        .all(|(p, holds)| self.analysis.test(p, &probe) == *holds)
                })?;
            if let Candidate::Present(value) = chosen {
                event.insert((*name).to_owned(), value);
            }
        }

        // Field references: copy the value across, so equality (and so
        // every position) holds.
        for (name, field_literals) in &by_field {
            for (predicate, holds) in field_literals {
                if let (Operation::FieldRef { field, .. }, true) = (&predicate.operation, holds) {
                    match (event.get(*name).cloned(), event.contains_key(field)) {
                        (Some(value), false) => {
                            event.insert(field.clone(), value);
                        }
                        (None, true) => {
                            let value = event.get(field).cloned().unwrap_or(Value::Null);
                            event.insert((*name).to_owned(), value);
                        }
                        _ => {}
                    }
                }
            }
        }

        // A positive keyword gets a field of its own.
        for (index, (predicate, holds)) in keywords.iter().enumerate() {
            if !holds {
                continue;
            }
            let found = candidates("Keyword", &[&predicate.operation], fill)
                .into_iter()
                .find_map(|candidate| match candidate {
                    Candidate::Present(value) => {
                        let probe = single_field("Keyword", &Candidate::Present(value.clone()));
                        self.analysis.test(predicate, &probe).then_some(value)
                    }
                    Candidate::Absent => None,
                })?;
            event.insert(format!("Keyword{index}"), found);
        }

        let event = Value::Object(event);
        let probe = Event::new(event.clone());
        literals
            .iter()
            .all(|(p, holds)| self.analysis.test(p, &probe) == *holds)
            .then_some(event)
    }
}

fn single_field(name: &str, candidate: &Candidate) -> Event {
    let mut map = Map::new();
    if let Candidate::Present(value) = candidate {
        map.insert(name.to_owned(), value.clone());
    }
    Event::new(Value::Object(map))
}

fn conflict(message: &str, predicates: &[&Predicate]) -> Conflict {
    Conflict {
        message: message.to_owned(),
        spans: predicates.iter().map(|p| p.origin.value).collect(),
    }
}

/// Which states a field may be in: absent, null, or holding a value.
#[derive(Clone, Copy)]
struct Presence {
    absent: bool,
    null: bool,
    value: bool,
}

fn presence(operation: &Operation, holds: bool) -> Presence {
    let p = |absent, null, value| Presence {
        absent,
        null,
        value,
    };
    match (operation, holds) {
        (Operation::Null, true) => p(true, true, false),
        (Operation::Null, false) => p(false, false, true),
        (Operation::Exists(wanted), true) => p(!wanted, *wanted, *wanted),
        (Operation::Exists(wanted), false) => p(*wanted, !wanted, !wanted),
        (_, true) => p(false, false, true),
        (_, false) => p(true, true, true),
    }
}

/// A proven contradiction between `new` and the earlier literals of the
/// same field (`earlier`). Pairs not involving `new` were checked when
/// their later member arrived, so each addition costs one pass.
fn field_contradiction<'a>(
    analysis: &Analysis,
    name: &str,
    earlier: &[Literal<'a>],
    new: Literal<'a>,
) -> Option<Conflict> {
    let (added, added_holds) = new;

    // Presence: `null` against a value test, `exists: false` against one.
    let mut state = presence(&added.operation, added_holds);
    for (predicate, holds) in earlier {
        let p = presence(&predicate.operation, *holds);
        state.absent &= p.absent;
        state.null &= p.null;
        state.value &= p.value;
    }
    if !(state.absent || state.null || state.value) {
        let mut all: Vec<&Predicate> = earlier.iter().map(|(p, _)| *p).collect();
        all.push(added);
        return Some(conflict(
            &format!("`{name}` cannot be missing, null and set all at once as required"),
            &all,
        ));
    }

    for (other, other_holds) in earlier {
        // A filter test implied by a selection test on the same field.
        let implied = match (added_holds, other_holds) {
            (true, false) => Some((added, *other)),
            (false, true) => Some((*other, added)),
            _ => None,
        };
        if let Some((positive, negative)) = implied {
            if analysis.implies(positive, negative) {
                return Some(conflict(
                    &format!(
                        "every value of `{name}` that passes the first test also passes the \
                         second, which must fail"
                    ),
                    &[positive, negative],
                ));
            }
        }
        // Two text tests whose fixed starts or ends disagree.
        if added_holds && *other_holds && analysis.disjoint(added, other) {
            return Some(conflict(
                &format!("no value of `{name}` can start or end as both tests require"),
                &[other, added],
            ));
        }
    }

    // A value fixed up to case (or a number fixed exactly): try it.
    let all = || earlier.iter().copied().chain(std::iter::once(new));
    for (fixing, _) in all().filter(|(_, holds)| *holds) {
        if let Some(found) = fixed_value_conflict(analysis, name, earlier, new, fixing) {
            return Some(found);
        }
    }

    let mut both = earlier.to_vec();
    both.push(new);
    bounds_contradiction(name, &both)
}

/// When `fixing` names the only values `name` may take and every other
/// test is blind to letter case: whether none of those values passes every
/// literal (`earlier` and `new`).
fn fixed_value_conflict<'a>(
    analysis: &Analysis,
    name: &str,
    earlier: &[Literal<'a>],
    new: Literal<'a>,
    fixing: &Predicate,
) -> Option<Conflict> {
    let all = || earlier.iter().copied().chain(std::iter::once(new));
    if !may_fix(&fixing.operation) {
        return None;
    }
    let by_number = matches!(fixing.operation, Operation::Number(_));
    let regex = |p: &Predicate| matches!(p.operation, Operation::Regex { .. });
    let judged = |(p, _): &Literal<'a>| {
        std::ptr::eq(*p, fixing) || blind(&p.operation, by_number) || (regex(p) && !by_number)
    };
    if !all().all(|literal| judged(&literal)) {
        return None;
    }
    // Built only now: most text tests are not exact, and the values are
    // owned copies.
    let values = fixed_values(&fixing.operation)?;
    let any_fits = values.iter().any(|value| {
        let probe = single_field(name, &Candidate::Present(value.clone()));
        let blind_hold = all()
            .filter(|(p, _)| !regex(p))
            .all(|(p, holds)| analysis.test(p, &probe) == holds);
        if !blind_hold {
            return false;
        }
        let regexes: Vec<Literal<'_>> = all().filter(|(p, _)| regex(p)).collect();
        if regexes.is_empty() {
            return true;
        }
        // A regex reads the event's own spelling of the value, which the
        // exact test lets vary in letter case: every spelling is tried.
        // Past ASCII, or past a few thousand spellings, nothing is proven.
        let Some(spellings) = value.as_str().and_then(spellings) else {
            return true;
        };
        spellings.into_iter().any(|spelling| {
            let probe = single_field(name, &Candidate::Present(Value::String(spelling)));
            regexes
                .iter()
                .all(|(p, holds)| analysis.test(p, &probe) == *holds)
        })
    });
    if any_fits {
        return None;
    }
    let involved: Vec<&Predicate> = all().map(|(p, _)| p).collect();
    Some(conflict(
        &format!("no value of `{name}` passes every test required of it"),
        &involved,
    ))
}

/// Every text the exact, case-blind test of `value` lets through, when
/// `value` is ASCII and they are few: each letter in either case, and `k`
/// also as the Kelvin sign (U+212A), the one character outside ASCII whose
/// lowercase is an ASCII letter. `None` past [`SPELLINGS`].
fn spellings(value: &str) -> Option<Vec<String>> {
    if !value.is_ascii() {
        return None;
    }
    let mut out = vec![String::with_capacity(value.len())];
    for c in value.chars() {
        let lower = c.to_ascii_lowercase();
        let mut forms = vec![lower];
        if c.is_ascii_alphabetic() {
            forms.push(lower.to_ascii_uppercase());
        }
        if lower == 'k' {
            forms.push('\u{212A}');
        }
        if out.len() * forms.len() > SPELLINGS {
            return None;
        }
        out = out
            .iter()
            .flat_map(|prefix| {
                forms.iter().map(move |form| {
                    let mut next = prefix.clone();
                    next.push(*form);
                    next
                })
            })
            .collect();
    }
    Some(out)
}

/// How many spellings of a fixed value are tried against regexes.
const SPELLINGS: usize = 4096;

/// Whether [`fixed_values`] can name values for `operation`, without
/// building them.
fn may_fix(operation: &Operation) -> bool {
    match operation {
        Operation::Match {
            patterns,
            case: Case::Insensitive,
        } => patterns
            .iter()
            .all(|p| matches!(p.shape(), Shape::Exact(_))),
        Operation::Number(_) | Operation::Bool(_) => true,
        _ => false,
    }
}

/// The only values (up to letter case) an operation lets through, when it
/// names them outright.
fn fixed_values(operation: &Operation) -> Option<Vec<Value>> {
    match operation {
        Operation::Match {
            patterns,
            case: Case::Insensitive,
        } => patterns
            .iter()
            .map(|p| match p.shape() {
                Shape::Exact(text) => Some(Value::String(text.to_owned())),
                _ => None,
            })
            .collect(),
        Operation::Number(number) => Some(vec![match number.value {
            crate::matcher::ir::NumberValue::Int(i) => Value::from(i),
            crate::matcher::ir::NumberValue::Float(f) => Value::from(f),
        }]),
        Operation::Bool(b) => Some(vec![Value::Bool(*b)]),
        _ => None,
    }
}

/// Whether an operation's verdict on a fixed value cannot change with the
/// value's letter case. A number fixes a value only up to its written form
/// (`4688`, `"04688"`), which text tests tell apart, so after a number
/// (`by_number`) only value tests count as blind.
fn blind(operation: &Operation, by_number: bool) -> bool {
    match operation {
        Operation::Match { case, .. } => !by_number && *case == Case::Insensitive,
        // Judged spelling by spelling: a regex folds case its own way
        // (`(?-i)`, negated classes, the Kelvin sign).
        Operation::Regex { .. } => false,
        Operation::Number(_)
        | Operation::Bool(_)
        | Operation::Null
        | Operation::Exists(_)
        | Operation::Compare { .. } => true,
        Operation::Cidr(_) | Operation::TimePart { .. } | Operation::FieldRef { .. } => false,
    }
}

/// `gt 10` with `lt 5`: no number lies between.
fn bounds_contradiction(name: &str, literals: &[Literal<'_>]) -> Option<Conflict> {
    use crate::matcher::ir::CompareOp;
    let mut low: Option<(f64, bool, &Predicate)> = None;
    let mut high: Option<(f64, bool, &Predicate)> = None;
    for (predicate, holds) in literals {
        let (Operation::Compare { op, value }, true) = (&predicate.operation, holds) else {
            continue;
        };
        let v = match value.value {
            crate::matcher::ir::NumberValue::Int(i) => i as f64,
            crate::matcher::ir::NumberValue::Float(f) => f,
        };
        match op {
            CompareOp::Gt | CompareOp::Gte => {
                let strict = *op == CompareOp::Gt;
                if low.is_none_or(|(l, s, _)| v > l || (v == l && strict && !s)) {
                    low = Some((v, strict, predicate));
                }
            }
            CompareOp::Lt | CompareOp::Lte => {
                let strict = *op == CompareOp::Lt;
                if high.is_none_or(|(h, s, _)| v < h || (v == h && strict && !s)) {
                    high = Some((v, strict, predicate));
                }
            }
        }
    }
    let ((l, ls, lp), (h, hs, hp)) = (low?, high?);
    if l > h || (l == h && (ls || hs)) {
        return Some(conflict(
            &format!("no number of `{name}` lies between these bounds"),
            &[lp, hp],
        ));
    }
    None
}
