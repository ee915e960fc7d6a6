//! Candidate field values built from the tests a field must pass.
//!
//! The solver asks, for one field, "which values could pass these positive
//! tests?" and then keeps the first candidate that really passes them all
//! and fails every negative test (judged by the compiled matcher, so the
//! candidates may be generous). A [`Fill`] says what to put where a pattern
//! leaves freedom (`*`, `?`, text around a `contains`); the fuzzer draws
//! fills at random, the deterministic witness uses [`Fill::plain`].

use std::cell::RefCell;
use std::collections::HashMap;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use regex_syntax::hir::{Hir, HirKind};
use serde_json::{json, Value};

use crate::matcher::ir::{CompareOp, NumberValue, Operation, TimePart};
use crate::value::{Part, SigmaString};

/// What fills the freedom a pattern leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fill {
    /// Text put where a pattern has `*` (and around a `contains` value).
    pub run: String,
    /// The character put where a pattern has `?`.
    pub one: char,
    /// Which of several regex samples to prefer.
    pub regex_seed: u8,
}

impl Fill {
    /// The smallest fill: `*` is empty, `?` is `x`.
    pub fn plain() -> Fill {
        Fill {
            run: String::new(),
            one: 'x',
            regex_seed: 0,
        }
    }

    /// Fills the solver tries in turn when the plain one collides with a
    /// negative test (a filter that happens to contain `x`).
    pub fn alternatives() -> Vec<Fill> {
        vec![
            Fill::plain(),
            Fill {
                run: "q7".into(),
                one: 'q',
                regex_seed: 1,
            },
            Fill {
                run: "Zk_9".into(),
                one: '0',
                regex_seed: 2,
            },
        ]
    }
}

/// A value a field may take, or its absence.
#[derive(Clone, Debug, PartialEq)]
pub enum Candidate {
    /// The field is not in the event.
    Absent,
    /// The field holds this value.
    Present(Value),
}

/// Writes `pattern` as text, filling its wildcards from `fill`.
pub fn instantiate(pattern: &SigmaString, fill: &Fill) -> String {
    let mut out = String::new();
    for part in pattern.parts() {
        match part {
            Part::Literal(text) => out.push_str(text),
            Part::AnyRun => out.push_str(&fill.run),
            Part::AnyChar => out.push(fill.one),
        }
    }
    out
}

/// One text meant to satisfy every pattern at once: the longest fixed
/// start, then every pattern's middle, then the longest fixed end
/// (`startswith C:\` + `contains temp` + `endswith .exe` gives
/// `C:\temp.exe`).
fn merged(patterns: &[&SigmaString], fill: &Fill) -> Option<String> {
    if patterns.len() < 2 {
        return None;
    }
    let mut head = String::new();
    let mut tail = String::new();
    let mut middles = Vec::new();
    for pattern in patterns {
        let parts = pattern.parts();
        let anchored_start = !pattern.starts_with_any_run();
        let anchored_end = !pattern.ends_with_any_run();
        if anchored_start && anchored_end {
            // An exact value leaves no room to merge; the singles cover it.
            return None;
        }
        let leading = match parts.first() {
            Some(Part::Literal(t)) if anchored_start => t.as_str(),
            _ => "",
        };
        let trailing = match parts.last() {
            Some(Part::Literal(t)) if anchored_end => t.as_str(),
            _ => "",
        };
        if leading.len() > head.len() {
            head = leading.to_owned();
        }
        if trailing.len() > tail.len() {
            tail = trailing.to_owned();
        }
        let inner: Vec<Part> = parts
            .iter()
            .skip(usize::from(anchored_start))
            .take(
                parts
                    .len()
                    .saturating_sub(usize::from(anchored_start) + usize::from(anchored_end)),
            )
            .cloned()
            .collect();
        let middle = instantiate(&SigmaString::from_parts(inner), fill);
        if !middle.is_empty() {
            middles.push(middle);
        }
    }
    let mut out = head;
    out.push_str(&fill.run);
    out.push_str(&middles.join(&fill.run));
    out.push_str(&fill.run);
    out.push_str(&tail);
    Some(out)
}

/// Candidate values for the field `name` that must pass every operation
/// in `positives`, most promising first. With no positive test, absence
/// comes first (it fails every negative test but `null` and `exists`);
/// generic values carry the field's name, so that two fields never get
/// the same one by accident (`User|fieldref: ParentUser` negated).
pub fn candidates(name: &str, positives: &[&Operation], fill: &Fill) -> Vec<Candidate> {
    let mut out = Vec::new();
    let push = |c: Candidate, out: &mut Vec<Candidate>| {
        if !out.contains(&c) {
            out.push(c);
        }
    };

    let firsts: Vec<&SigmaString> = positives
        .iter()
        .filter_map(|op| match op {
            Operation::Match { patterns, .. } => patterns.first(),
            _ => None,
        })
        .collect();
    if let Some(text) = merged(&firsts, fill) {
        push(Candidate::Present(Value::String(text)), &mut out);
    }
    if let Some(stamp) = timestamp(positives) {
        push(Candidate::Present(Value::String(stamp)), &mut out);
    }
    for number in bounds_candidates(positives) {
        push(Candidate::Present(number), &mut out);
    }

    for op in positives {
        for candidate in singles(op, fill) {
            push(candidate, &mut out);
        }
    }

    // A text test and a regex on one field: the regex searches, so the
    // text before or after a sample of it still matches.
    let texts: Vec<String> = out
        .iter()
        .filter_map(|c| match c {
            Candidate::Present(Value::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect();
    let regexes: Vec<String> = positives
        .iter()
        .filter(|op| matches!(op, Operation::Regex { .. }))
        .flat_map(|op| singles(op, fill))
        .filter_map(|c| match c {
            Candidate::Present(Value::String(s)) => Some(s),
            _ => None,
        })
        .collect();
    if !regexes.is_empty() {
        for text in texts.iter().filter(|t| !regexes.contains(t)).take(4) {
            for sample in regexes.iter().take(4) {
                push(
                    Candidate::Present(json!(format!("{text} {sample}"))),
                    &mut out,
                );
                push(
                    Candidate::Present(json!(format!("{sample} {text}"))),
                    &mut out,
                );
            }
        }
    }

    if positives.is_empty() {
        push(Candidate::Absent, &mut out);
    }
    // Generic values for fields whose only tests are negative ones that
    // absence fails (`not null`, `not exists: false`).
    for generic in [
        json!(format!("{name}-v{}", fill.run)),
        json!(0),
        json!(""),
        Value::Null,
    ] {
        push(Candidate::Present(generic), &mut out);
    }
    out
}

fn singles(op: &Operation, fill: &Fill) -> Vec<Candidate> {
    let present = |v: Value| Candidate::Present(v);
    match op {
        Operation::Match { patterns, .. } => patterns
            .iter()
            .map(|p| present(Value::String(instantiate(p, fill))))
            .collect(),
        Operation::Number(number) => vec![present(number_value(&number.value))],
        Operation::Bool(b) => vec![present(json!(b))],
        Operation::Null => vec![Candidate::Absent, present(Value::Null)],
        Operation::Exists(true) => vec![present(json!(format!("v{}", fill.run)))],
        Operation::Exists(false) => vec![Candidate::Absent],
        Operation::Regex { patterns, flags } => {
            let mut out = Vec::new();
            for pattern in patterns {
                let mut prefix = String::new();
                if flags.ignore_case {
                    prefix.push_str("(?i)");
                }
                if flags.multi_line {
                    prefix.push_str("(?m)");
                }
                if flags.dot_all {
                    prefix.push_str("(?s)");
                }
                for sample in regex_samples(&format!("{prefix}{pattern}"), fill.regex_seed) {
                    out.push(present(Value::String(sample)));
                }
            }
            out
        }
        Operation::Cidr(network) => vec![
            present(json!(network.network().to_string())),
            present(json!(network.addr().to_string())),
        ],
        Operation::Compare { op, value } => {
            vec![present(compare_candidate(*op, &value.value))]
        }
        Operation::TimePart { .. } => Vec::new(),
        Operation::FieldRef { .. } => vec![present(json!(format!("ref{}", fill.run)))],
    }
}

fn number_value(n: &NumberValue) -> Value {
    match n {
        NumberValue::Int(i) => json!(i),
        NumberValue::Float(f) => json!(f),
    }
}

fn compare_candidate(op: CompareOp, n: &NumberValue) -> Value {
    match (op, n) {
        (CompareOp::Gt, NumberValue::Int(i)) => json!(i.saturating_add(1)),
        (CompareOp::Lt, NumberValue::Int(i)) => json!(i.saturating_sub(1)),
        (CompareOp::Gt, NumberValue::Float(f)) => json!(f + 0.5),
        (CompareOp::Lt, NumberValue::Float(f)) => json!(f - 0.5),
        (CompareOp::Gte | CompareOp::Lte, n) => number_value(n),
    }
}

/// A number between every lower and upper bound of the comparisons.
fn bounds_candidates(positives: &[&Operation]) -> Vec<Value> {
    let mut low: Option<f64> = None;
    let mut high: Option<f64> = None;
    for op in positives {
        if let Operation::Compare { op, value } = op {
            let v = match value.value {
                NumberValue::Int(i) => i as f64,
                NumberValue::Float(f) => f,
            };
            match op {
                CompareOp::Gt | CompareOp::Gte => low = Some(low.map_or(v, |l| l.max(v))),
                CompareOp::Lt | CompareOp::Lte => high = Some(high.map_or(v, |h| h.min(v))),
            }
        }
    }
    match (low, high) {
        (Some(l), Some(h)) => {
            let mid = (l + h) / 2.0;
            let mut out = Vec::new();
            if mid.fract() == 0.0 && mid.abs() < 9.0e15 {
                out.push(json!(mid as i64));
            }
            out.push(json!(mid));
            out
        }
        _ => Vec::new(),
    }
}

/// A timestamp with every requested part, when there is one to build.
fn timestamp(positives: &[&Operation]) -> Option<String> {
    let mut year = 2024i64;
    let (mut month, mut day, mut hour, mut minute) = (1i64, 15i64, 10i64, 30i64);
    let mut any = false;
    for op in positives {
        if let Operation::TimePart { part, value } = op {
            any = true;
            match part {
                TimePart::Year => year = *value,
                TimePart::Month => month = *value,
                TimePart::Day => day = *value,
                TimePart::Hour => hour = *value,
                TimePart::Minute => minute = *value,
                TimePart::Week => {
                    // 4 January is always in ISO week 1; 2020 has 53 weeks.
                    year = if *value == 53 { 2020 } else { 2024 };
                    let ordinal = 4 + 7 * (value - 1);
                    (month, day) = month_day(year, ordinal)?;
                }
            }
        }
    }
    if !any || !(0..=9999).contains(&year) {
        return None;
    }
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:00Z"
    ))
}

fn month_day(year: i64, mut ordinal: i64) -> Option<(i64, i64)> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let lengths = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    for (index, length) in lengths.iter().enumerate() {
        if (1..=*length).contains(&ordinal) {
            return Some((index as i64 + 1, ordinal));
        }
        ordinal -= length;
    }
    None
}

/// A few texts the regex `pattern` matches in full, drawn with a fixed
/// seed. Assertions (`^`, `$`, `\b`) are dropped before drawing, since the
/// generator cannot honour them; the caller checks every sample against
/// the real regex anyway.
///
/// Drawing is deterministic but costly (parsing, a proptest runner, 256
/// shrink steps), and the search asks for the same pattern again for every
/// stage and goal, so the samples are remembered per thread.
pub fn regex_samples(pattern: &str, seed: u8) -> Vec<String> {
    thread_local! {
        static SAMPLES: RefCell<HashMap<(String, u8), Vec<String>>> =
            RefCell::new(HashMap::new());
    }
    // Bounded: a corpus of many distinct regexes must not grow it forever.
    const CAPACITY: usize = 4096;

    let key = (pattern.to_owned(), seed);
    if let Some(found) = SAMPLES.with(|cache| cache.borrow().get(&key).cloned()) {
        return found;
    }

    let samples = draw_regex_samples(pattern, seed);
    SAMPLES.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(key, samples.clone());
    });
    samples
}

fn draw_regex_samples(pattern: &str, seed: u8) -> Vec<String> {
    let Ok(hir) = regex_syntax::ParserBuilder::new().build().parse(pattern) else {
        return Vec::new();
    };
    let hir = without_looks(hir);
    let Ok(strategy) = proptest::string::string_regex_parsed(&hir) else {
        return Vec::new();
    };
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    );
    let mut out = Vec::new();
    for _ in 0..4 {
        let Ok(mut tree) = strategy.new_tree(&mut runner) else {
            break;
        };
        // The simplest form first: short, readable witnesses.
        let mut steps = 0;
        let mut simplest = tree.current();
        while steps < 64 && tree.simplify() {
            simplest = tree.current();
            steps += 1;
        }
        if !out.contains(&simplest) {
            out.push(simplest);
        }
    }
    out
}

fn without_looks(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Look(_) => Hir::empty(),
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(without_looks(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(without_looks(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(items) => Hir::concat(items.into_iter().map(without_looks).collect()),
        HirKind::Alternation(items) => {
            Hir::alternation(items.into_iter().map(without_looks).collect())
        }
        other => other_kind(other),
    }
}

fn other_kind(kind: HirKind) -> Hir {
    match kind {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Class(class) => Hir::class(class),
        _ => Hir::empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matcher::ir::Case;

    fn m(text: &str) -> Operation {
        Operation::Match {
            patterns: vec![SigmaString::parse(text)],
            case: Case::Insensitive,
        }
    }

    #[test]
    fn merging_puts_start_middle_and_end_in_order() {
        let ops = [m("C:/*"), m("*temp*"), m("*.exe")];
        let refs: Vec<&Operation> = ops.iter().collect();
        let found = candidates("F", &refs, &Fill::plain());
        assert_eq!(found[0], Candidate::Present(json!("C:/temp.exe")));
    }

    #[test]
    fn regex_samples_ignore_anchors() {
        let samples = regex_samples(r"^ab[0-9]{2}$", 0);
        assert!(!samples.is_empty());
        let re = regex::Regex::new(r"^ab[0-9]{2}$").unwrap();
        assert!(samples.iter().all(|s| re.is_match(s)), "{samples:?}");
    }

    #[test]
    fn weeks_become_dates_in_that_week() {
        let op = Operation::TimePart {
            part: TimePart::Week,
            value: 10,
        };
        let stamp = timestamp(&[&op]).unwrap();
        assert_eq!(
            crate::matcher::time::time_part(&stamp, TimePart::Week),
            Some(10)
        );
    }
}
