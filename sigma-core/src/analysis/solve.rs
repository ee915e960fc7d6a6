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

use serde_json::{Map, Value};

use super::witness::{candidates, Candidate, Fill};
use super::Analysis;
use crate::event::Event;
use crate::matcher::ir::{Case, Expr, Operation, Predicate, Target};
use crate::span::Span;
use crate::value::Shape;

/// How many goal steps one search may take before it answers "unknown".
pub const STEP_BUDGET: usize = 20_000;

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

pub(super) struct Search<'a> {
    analysis: &'a Analysis,
    fill: Fill,
    steps: usize,
    leaves: usize,
    conflict: Option<Conflict>,
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
        match search.go(&mut stack, &mut Vec::new()) {
            Step::Found(event, path) => (Outcome::Witness(event), path),
            Step::Failed { proven } => (search.failure(proven), Vec::new()),
        }
    }

    pub(super) fn new(analysis: &'a Analysis, fill: &Fill) -> Search<'a> {
        Search {
            analysis,
            fill: fill.clone(),
            steps: 0,
            leaves: 0,
            conflict: None,
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

    fn go(
        &mut self,
        goals: &mut Vec<(&'a Expr, bool)>,
        literals: &mut Vec<Literal<'a>>,
    ) -> Step<'a> {
        while let Some((expr, holds)) = goals.pop() {
            self.steps += 1;
            if self.steps > STEP_BUDGET {
                return Step::Failed { proven: false };
            }
            match expr {
                Expr::Predicate(predicate) => {
                    if let Some(conflict) = self.contradiction(literals, (predicate, holds)) {
                        self.conflict.get_or_insert(conflict);
                        return Step::Failed { proven: true };
                    }
                    literals.push((predicate, holds));
                }
                Expr::Search { body, .. } => goals.push((body, holds)),
                Expr::Not(inner) => goals.push((inner, !holds)),
                Expr::And(items) if holds => goals.extend(items.iter().rev().map(|i| (i, true))),
                Expr::Or(items) if !holds => goals.extend(items.iter().rev().map(|i| (i, false))),
                Expr::And(items) | Expr::Or(items) => {
                    return self.choose(items, holds, goals, literals)
                }
            }
        }
        self.leaf(literals)
    }

    /// One of `items` must take polarity `holds`: try each in turn.
    fn choose(
        &mut self,
        items: &'a [Expr],
        holds: bool,
        goals: &[(&'a Expr, bool)],
        literals: &[Literal<'a>],
    ) -> Step<'a> {
        let mut proven = true;
        for item in items {
            let mut goals = goals.to_vec();
            let mut literals = literals.to_vec();
            goals.push((item, holds));
            match self.go(&mut goals, &mut literals) {
                Step::Found(event, path) => return Step::Found(event, path),
                Step::Failed { proven: p } => proven &= p,
            }
            if self.steps > STEP_BUDGET || self.leaves > LEAF_BUDGET {
                return Step::Failed { proven: false };
            }
        }
        Step::Failed { proven }
    }

    /// A proven contradiction between `new` and the literals so far.
    fn contradiction(&self, literals: &[Literal<'a>], new: Literal<'a>) -> Option<Conflict> {
        let (predicate, holds) = new;
        let same_target: Vec<Literal<'a>> = literals
            .iter()
            .copied()
            .filter(|(p, _)| p.target == predicate.target)
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

    fn leaf(&mut self, literals: &[Literal<'a>]) -> Step<'a> {
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
        let Some(values) = fixed_values(&fixing.operation) else {
            continue;
        };
        let by_number = matches!(fixing.operation, Operation::Number(_));
        let others_blind =
            all().all(|(p, _)| std::ptr::eq(p, fixing) || blind(&p.operation, by_number));
        if !others_blind {
            continue;
        }
        let any_fits = values.iter().any(|value| {
            let probe = single_field(name, &Candidate::Present(value.clone()));
            all().all(|(p, holds)| analysis.test(p, &probe) == holds)
        });
        if !any_fits {
            let involved: Vec<&Predicate> = all().map(|(p, _)| p).collect();
            return Some(conflict(
                &format!("no value of `{name}` passes every test required of it"),
                &involved,
            ));
        }
    }

    let mut both = earlier.to_vec();
    both.push(new);
    bounds_contradiction(name, &both)
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
        Operation::Regex { flags, .. } => !by_number && flags.ignore_case,
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
