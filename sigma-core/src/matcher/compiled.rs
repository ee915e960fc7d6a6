//! The fast form of a predicate tree, and its evaluation.
//!
//! Built once per rule from [`ir::Expr`](super::ir::Expr): needles are
//! folded at compile time, each string pattern is matched by the cheapest
//! means its shape allows (equality, prefix, suffix, `memmem`,
//! Aho-Corasick for many needles, a segment glob otherwise), sibling string
//! predicates on one field are merged into one test, and the children of
//! every AND and OR are ordered cheapest first. Evaluation allocates
//! nothing: the event carries its folded strings, and numbers are written
//! into a stack buffer when they must be compared as text.

use std::fmt::Write as _;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use memchr::memmem;
use serde_json::Value;

use super::ir::{self, Case, Expr, NumberValue, Operation, Position, Target};
use super::regex::LazyRegex;
use super::time::time_part;
use super::{CompileError, MatchError};
use crate::event::{Event, MAX_DEPTH};
use crate::modifier::{CompareOp, TimePart};
use crate::span::Span;
use crate::value::{Glob, Shape, SigmaString};

/// A node of the tree while it is built and ordered.
#[derive(Clone, Debug)]
enum Node {
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Not(Box<Node>),
    Test(Box<Test>),
}

/// The compiled rule, laid out flat, in prefix order: an AND, OR or NOT is
/// followed by its children and knows where its subtree ends, so a
/// short-circuit skips the rest without looking at it. The tests sit in a
/// second array, in evaluation order.
///
/// Evaluation is memory-bound (hundreds of rules per event, most failing at
/// their first test): measured, most of the time went to the first touch of
/// each rule's nodes. Two small contiguous arrays per rule, instead of a box
/// per node, keep that to a few cache lines.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    ops: Box<[Op]>,
    tests: Box<[Test]>,
}

#[derive(Clone, Copy, Debug)]
enum Op {
    /// Every child holds; the subtree ends before `end`.
    And { end: u32 },
    /// Some child holds.
    Or { end: u32 },
    /// The single child does not hold.
    Not { end: u32 },
    /// `tests[index]`.
    Test(u32),
}

impl Program {
    pub(crate) fn compile(expr: &Expr) -> Result<Program, Vec<CompileError>> {
        let mut errors = Vec::new();
        let tree = compile_expr(expr, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        let (mut ops, mut tests) = (Vec::new(), Vec::new());
        lay_out(tree, &mut ops, &mut tests);
        Ok(Program {
            ops: ops.into_boxed_slice(),
            tests: tests.into_boxed_slice(),
        })
    }

    pub(crate) fn eval(&self, cx: &mut Eval<'_>) -> bool {
        self.eval_at(0, cx)
    }

    fn eval_at(&self, at: usize, cx: &mut Eval<'_>) -> bool {
        let Some(op) = self.ops.get(at) else {
            return false;
        };
        match op {
            Op::And { end } => {
                let mut child = at + 1;
                while child < *end as usize {
                    if !self.eval_at(child, cx) {
                        return false;
                    }
                    child = self.end_of(child);
                }
                true
            }
            Op::Or { end } => {
                let mut child = at + 1;
                while child < *end as usize {
                    if self.eval_at(child, cx) {
                        return true;
                    }
                    child = self.end_of(child);
                }
                false
            }
            Op::Not { .. } => !self.eval_at(at + 1, cx),
            Op::Test(index) => self
                .tests
                .get(*index as usize)
                .is_some_and(|test| test.eval(cx)),
        }
    }

    /// Where the subtree starting at `at` ends.
    fn end_of(&self, at: usize) -> usize {
        match self.ops.get(at) {
            Some(Op::And { end } | Op::Or { end } | Op::Not { end }) => *end as usize,
            Some(Op::Test(_)) => at + 1,
            // Past the end: stop any loop.
            None => usize::MAX,
        }
    }
}

/// Appends `node` and its subtree in prefix order.
fn lay_out(node: Node, ops: &mut Vec<Op>, tests: &mut Vec<Test>) {
    let at = ops.len();
    let children = match node {
        Node::Test(test) => {
            ops.push(Op::Test(index(tests.len())));
            tests.push(*test);
            return;
        }
        Node::And(items) => {
            ops.push(Op::And { end: 0 });
            items.into_vec()
        }
        Node::Or(items) => {
            ops.push(Op::Or { end: 0 });
            items.into_vec()
        }
        Node::Not(inner) => {
            ops.push(Op::Not { end: 0 });
            vec![*inner]
        }
    };
    for child in children {
        lay_out(child, ops, tests);
    }
    let end = index(ops.len());
    if let Some(Op::And { end: slot } | Op::Or { end: slot } | Op::Not { end: slot }) =
        ops.get_mut(at)
    {
        *slot = end;
    }
}

/// A position in a program or buffer. A rule never holds four billion
/// parts; saturating keeps an absurd one from wrapping around.
fn index(position: usize) -> u32 {
    u32::try_from(position).unwrap_or(u32::MAX)
}

/// One test of one field (or of every value, for keywords).
#[derive(Clone, Debug)]
pub(crate) struct Test {
    target: CompiledTarget,
    check: Check,
}

#[derive(Clone, Debug)]
enum CompiledTarget {
    Field(ShortText),
    Keywords,
}

/// Text kept inline when short (nearly every field name), so reading it
/// touches no other cache line than the test's own.
#[derive(Clone, Debug)]
enum ShortText {
    Inline { bytes: [u8; 30], len: u8 },
    Heap(Box<str>),
}

impl ShortText {
    fn new(text: &str) -> ShortText {
        let mut bytes = [0u8; 30];
        match bytes.get_mut(..text.len()) {
            Some(slot) => {
                slot.copy_from_slice(text.as_bytes());
                ShortText::Inline {
                    bytes,
                    len: u8::try_from(text.len()).unwrap_or(0),
                }
            }
            None => ShortText::Heap(text.into()),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        match self {
            ShortText::Inline { bytes, len } => bytes.get(..usize::from(*len)).unwrap_or_default(),
            ShortText::Heap(text) => text.as_bytes(),
        }
    }
}

#[derive(Clone, Debug)]
enum Check {
    Text {
        set: TextSet,
        case: Case,
    },
    Number(NumberValue),
    Bool(bool),
    Null,
    Regex {
        regexes: Box<[LazyRegex]>,
        /// The rule value, for errors.
        span: Box<Span>,
    },
    Cidr(ipnet::IpNet),
    Compare(CompareOp, NumberValue),
    TimePart(TimePart, i64),
    Exists(bool),
    FieldRef {
        field: Box<str>,
        position: Position,
        case: Case,
    },
}

/// Any of several string patterns, each matched by the cheapest means.
///
/// The needles of the cheap kinds share one buffer, so a long list of
/// `endswith` values is a few contiguous cache lines, not one box each.
#[derive(Clone, Debug, Default)]
struct TextSet {
    /// A `*` pattern: any text matches.
    any: bool,
    /// Every exact, prefix and suffix needle, one after the other.
    buffer: Box<str>,
    /// Where each needle lies in `buffer`: exact ones first, then
    /// prefixes, then suffixes.
    ranges: Ranges,
    exact_count: u32,
    prefix_count: u32,
    contains: Contains,
    globs: Box<[Glob]>,
}

#[derive(Clone, Debug, Default)]
enum Contains {
    #[default]
    None,
    Few(Vec<memmem::Finder<'static>>),
    Many(Box<LazyAutomaton>),
}

/// An Aho-Corasick automaton built on first use.
///
/// Building one is most of the cost of compiling a rule, and many rules are
/// compiled (by a linter, or a test run of a few events) without this test
/// ever being reached; a full run builds each once. Should a build fail
/// (only for absurd needle sets), the needles are searched one by one,
/// which gives the same answer.
#[derive(Debug)]
struct LazyAutomaton {
    needles: Box<[Box<str>]>,
    built: OnceLock<Option<AhoCorasick>>,
}

impl Clone for LazyAutomaton {
    fn clone(&self) -> Self {
        LazyAutomaton {
            needles: self.needles.clone(),
            built: OnceLock::new(),
        }
    }
}

impl LazyAutomaton {
    fn is_match(&self, text: &str) -> bool {
        let built = self.built.get_or_init(|| {
            AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
                .build(self.needles.iter().map(|n| n.as_bytes()))
                .ok()
        });
        match built {
            Some(automaton) => automaton.is_match(text),
            None => self
                .needles
                .iter()
                .any(|n| memmem::find(text.as_bytes(), n.as_bytes()).is_some()),
        }
    }
}

/// Byte equality without a call to `memcmp` for the short needles that
/// most comparisons are (the call costs more than the comparison).
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 16 {
        return a == b;
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

/// Needle positions, inline for the common one or two needles.
#[derive(Clone, Debug)]
enum Ranges {
    Inline([(u32, u32); 2], u8),
    Heap(Box<[(u32, u32)]>),
}

impl Default for Ranges {
    fn default() -> Self {
        Ranges::Inline([(0, 0); 2], 0)
    }
}

impl Ranges {
    fn new(list: Vec<(u32, u32)>) -> Ranges {
        match list.as_slice() {
            [] => Ranges::default(),
            [a] => Ranges::Inline([*a, (0, 0)], 1),
            [a, b] => Ranges::Inline([*a, *b], 2),
            _ => Ranges::Heap(list.into_boxed_slice()),
        }
    }

    fn as_slice(&self) -> &[(u32, u32)] {
        match self {
            Ranges::Inline(items, len) => items.get(..usize::from(*len)).unwrap_or_default(),
            Ranges::Heap(items) => items,
        }
    }
}

/// From this many substrings on, one Aho-Corasick scan beats several
/// `memmem` scans.
const AHO_CORASICK_FROM: usize = 4;

impl TextSet {
    fn build(patterns: &[SigmaString]) -> Result<TextSet, String> {
        let mut set = TextSet::default();
        let mut needles: Vec<&str> = Vec::new();
        let mut buffer = String::new();
        let (mut exact, mut prefixes, mut suffixes, mut globs) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut add = |list: &mut Vec<(u32, u32)>, text: &str| {
            let start = index(buffer.len());
            buffer.push_str(text);
            list.push((start, index(buffer.len())));
        };
        for pattern in patterns {
            match pattern.shape() {
                Shape::Exact(text) => add(&mut exact, text),
                Shape::Prefix(text) => add(&mut prefixes, text),
                Shape::Suffix(text) => add(&mut suffixes, text),
                Shape::Contains("") => set.any = true,
                Shape::Contains(text) => needles.push(text),
                Shape::Glob => globs.push(Glob::new(pattern)),
            }
        }
        set.buffer = buffer.into_boxed_str();
        set.exact_count = index(exact.len());
        set.prefix_count = index(prefixes.len());
        exact.extend(prefixes);
        exact.extend(suffixes);
        set.ranges = Ranges::new(exact);
        set.globs = globs.into_boxed_slice();
        needles.sort_unstable();
        needles.dedup();
        set.contains = if needles.is_empty() {
            Contains::None
        } else if needles.len() < AHO_CORASICK_FROM {
            Contains::Few(
                needles
                    .iter()
                    .map(|n| memmem::Finder::new(n.as_bytes()).into_owned())
                    .collect(),
            )
        } else {
            Contains::Many(Box::new(LazyAutomaton {
                needles: needles.iter().map(|n| Box::from(*n)).collect(),
                built: OnceLock::new(),
            }))
        };
        Ok(set)
    }

    fn is_match(&self, text: &str) -> bool {
        if self.any {
            return true;
        }
        let needle = |&(start, end): &(u32, u32)| {
            self.buffer
                .as_bytes()
                .get(start as usize..end as usize)
                .unwrap_or_default()
        };
        let bytes = text.as_bytes();
        let ranges = self.ranges.as_slice();
        let (exact, rest) = ranges.split_at((self.exact_count as usize).min(ranges.len()));
        let (prefixes, suffixes) = rest.split_at((self.prefix_count as usize).min(rest.len()));
        let starts = |n: &[u8]| bytes.get(..n.len()).is_some_and(|b| same(b, n));
        let ends = |n: &[u8]| {
            let from = bytes.len().wrapping_sub(n.len());
            bytes.get(from..).is_some_and(|b| same(b, n))
        };
        if exact.iter().any(|e| same(needle(e), bytes))
            || prefixes.iter().any(|p| starts(needle(p)))
            || suffixes.iter().any(|s| ends(needle(s)))
        {
            return true;
        }
        let found = match &self.contains {
            Contains::None => false,
            Contains::Few(finders) => finders.iter().any(|f| f.find(text.as_bytes()).is_some()),
            Contains::Many(automaton) => automaton.is_match(text),
        };
        found || self.globs.iter().any(|g| g.is_match(text))
    }

    fn cost(&self) -> u32 {
        let mut cost = 2 * self.ranges.as_slice().len() as u32;
        cost += match &self.contains {
            Contains::None => 0,
            Contains::Few(f) => 6 * f.len() as u32,
            Contains::Many(_) => 10,
        };
        cost + 12 * self.globs.len() as u32
    }
}

/// What evaluation carries along: the event and the first error met.
pub(crate) struct Eval<'e> {
    pub(crate) event: &'e Event,
    pub(crate) error: Option<MatchError>,
}

impl Node {
    fn cost(&self) -> u32 {
        match self {
            Node::And(items) | Node::Or(items) => items
                .iter()
                .map(Node::cost)
                .fold(1u32, |a, b| a.saturating_add(b)),
            Node::Not(inner) => inner.cost(),
            Node::Test(test) => test.cost(),
        }
    }
}

fn compile_expr(expr: &Expr, errors: &mut Vec<CompileError>) -> Node {
    match expr {
        Expr::And(items) => group(items, true, errors),
        Expr::Or(items) => group(items, false, errors),
        Expr::Not(inner) => Node::Not(Box::new(compile_expr(inner, errors))),
        Expr::Search { body, .. } => compile_expr(body, errors),
        Expr::Predicate(predicate) => match compile_predicate(predicate) {
            Ok(test) => Node::Test(Box::new(test)),
            Err(error) => {
                errors.push(error);
                Node::Or(Box::new([]))
            }
        },
    }
}

/// Compiles the children of an AND or OR, merging the string predicates
/// of an OR that test one field with one case, then orders them cheapest
/// first. The order cannot change the verdict: tests have no side effect.
fn group(items: &[Expr], and: bool, errors: &mut Vec<CompileError>) -> Node {
    let mut nodes = Vec::with_capacity(items.len());
    let mut merged: Vec<(MergeKey, Vec<SigmaString>, Span)> = Vec::new();

    for item in items {
        if !and {
            if let Some((key, patterns, span)) = merge_key(item) {
                match merged.iter_mut().find(|(k, _, _)| *k == key) {
                    Some((_, all, _)) => all.extend(patterns.iter().cloned()),
                    None => merged.push((key, patterns.to_vec(), span)),
                }
                continue;
            }
        }
        nodes.push(compile_expr(item, errors));
    }
    for (key, patterns, span) in merged {
        let predicate = ir::Predicate {
            target: key.target,
            operation: Operation::Match {
                patterns,
                case: key.case,
            },
            origin: ir::Origin {
                identifier: String::new(),
                key: span,
                value: span,
            },
        };
        match compile_predicate(&predicate) {
            Ok(test) => nodes.push(Node::Test(Box::new(test))),
            Err(error) => errors.push(error),
        }
    }

    if nodes.len() == 1 {
        return nodes.remove(0);
    }
    nodes.sort_by_key(Node::cost);
    if and {
        Node::And(nodes.into_boxed_slice())
    } else {
        Node::Or(nodes.into_boxed_slice())
    }
}

#[derive(PartialEq)]
struct MergeKey {
    target: Target,
    case: Case,
}

fn merge_key(expr: &Expr) -> Option<(MergeKey, &[SigmaString], Span)> {
    let Expr::Predicate(predicate) = expr else {
        return None;
    };
    let Operation::Match { patterns, case } = &predicate.operation else {
        return None;
    };
    let key = MergeKey {
        target: predicate.target.clone(),
        case: *case,
    };
    Some((key, patterns, predicate.origin.value))
}

fn compile_predicate(predicate: &ir::Predicate) -> Result<Test, CompileError> {
    let span = predicate.origin.value;
    let target = match &predicate.target {
        Target::Field { name, .. } => CompiledTarget::Field(ShortText::new(name)),
        Target::Keywords => CompiledTarget::Keywords,
    };
    let check = match &predicate.operation {
        Operation::Match { patterns, case } => {
            let folded;
            let patterns = match case {
                Case::Insensitive => {
                    folded = patterns.iter().map(SigmaString::folded).collect::<Vec<_>>();
                    &folded
                }
                Case::Sensitive => patterns,
            };
            let set = TextSet::build(patterns).map_err(|m| CompileError::new(m, span))?;
            Check::Text { set, case: *case }
        }
        Operation::Number(number) => Check::Number(number.value),
        Operation::Bool(b) => Check::Bool(*b),
        Operation::Null => Check::Null,
        Operation::Regex { patterns, flags } => Check::Regex {
            regexes: patterns
                .iter()
                .map(|p| LazyRegex::new(p, *flags))
                .collect::<Result<_, _>>()
                .map_err(|m| CompileError::new(m, span))?,
            span: Box::new(span),
        },
        Operation::Cidr(network) => Check::Cidr(*network),
        Operation::Compare { op, value } => Check::Compare(*op, value.value),
        Operation::TimePart { part, value } => Check::TimePart(*part, *value),
        Operation::Exists(b) => Check::Exists(*b),
        Operation::FieldRef {
            field,
            position,
            case,
        } => Check::FieldRef {
            field: field.as_str().into(),
            position: *position,
            case: *case,
        },
    };
    Ok(Test { target, check })
}

impl Test {
    fn cost(&self) -> u32 {
        let check = match &self.check {
            Check::Null | Check::Exists(_) => 1,
            Check::Number(_) | Check::Bool(_) | Check::Compare(..) => 2,
            Check::Text { set, .. } => set.cost(),
            Check::Cidr(_) => 5,
            Check::FieldRef { .. } | Check::TimePart(..) => 8,
            Check::Regex { regexes, .. } => 25 * regexes.len() as u32,
        };
        match self.target {
            CompiledTarget::Field(_) => check,
            CompiledTarget::Keywords => check.saturating_mul(20),
        }
    }

    fn eval(&self, cx: &mut Eval<'_>) -> bool {
        match &self.target {
            CompiledTarget::Keywords => {
                let event = cx.event;
                event.top_level().any(|v| self.any_leaf(v, 1, cx))
            }
            CompiledTarget::Field(name) => {
                let value = cx.event.get_bytes(name.as_bytes());
                match &self.check {
                    Check::Null => matches!(value, None | Some(Value::Null)),
                    Check::Exists(wanted) => value.is_some() == *wanted,
                    _ => value.is_some_and(|v| self.value_matches(v, 0, cx)),
                }
            }
        }
    }

    /// Keywords: any string, number or boolean anywhere in the event.
    fn any_leaf(&self, value: &Value, depth: usize, cx: &mut Eval<'_>) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match value {
            Value::Object(map) => map.values().any(|v| self.any_leaf(v, depth + 1, cx)),
            Value::Array(items) => items.iter().any(|v| self.any_leaf(v, depth + 1, cx)),
            Value::Null => false,
            Value::String(_) | Value::Number(_) | Value::Bool(_) => self.scalar_matches(value, cx),
        }
    }

    /// One field value; an array matches if any member does (C10).
    fn value_matches(&self, value: &Value, depth: usize, cx: &mut Eval<'_>) -> bool {
        match value {
            Value::Array(items) if depth < MAX_DEPTH => {
                items.iter().any(|v| self.value_matches(v, depth + 1, cx))
            }
            _ => self.scalar_matches(value, cx),
        }
    }

    fn scalar_matches(&self, value: &Value, cx: &mut Eval<'_>) -> bool {
        match &self.check {
            Check::Text { set, case } => with_text(value, cx.event, *case, |t| set.is_match(t)),
            Check::Number(wanted) => event_number(value)
                .is_some_and(|n| ir::number_cmp(wanted, &n) == Some(std::cmp::Ordering::Equal)),
            Check::Bool(wanted) => match value {
                Value::Bool(b) => b == wanted,
                Value::String(s) => {
                    let word = if *wanted { "true" } else { "false" };
                    s.eq_ignore_ascii_case(word)
                }
                _ => false,
            },
            // A null test on a present, non-null value (an array member).
            Check::Null => value.is_null(),
            Check::Exists(wanted) => *wanted,
            Check::Regex { regexes, span } => {
                let mut outcome = Ok(false);
                with_text(value, cx.event, Case::Sensitive, |text| {
                    for regex in regexes {
                        outcome = regex.is_match(text);
                        if outcome != Ok(false) {
                            break;
                        }
                    }
                    true
                });
                match outcome {
                    Ok(found) => found,
                    Err(message) => {
                        cx.error.get_or_insert(MatchError {
                            message,
                            span: **span,
                        });
                        false
                    }
                }
            }
            Check::Cidr(network) => match value {
                Value::String(s) => s
                    .trim()
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| network.contains(&ip)),
                _ => false,
            },
            Check::Compare(op, wanted) => event_number(value).is_some_and(|n| {
                let Some(order) = ir::number_cmp(&n, wanted) else {
                    return false;
                };
                match op {
                    CompareOp::Lt => order.is_lt(),
                    CompareOp::Lte => order.is_le(),
                    CompareOp::Gt => order.is_gt(),
                    CompareOp::Gte => order.is_ge(),
                }
            }),
            Check::TimePart(part, wanted) => match value {
                Value::String(s) => time_part(s, *part) == Some(*wanted),
                _ => false,
            },
            Check::FieldRef {
                field,
                position,
                case,
            } => {
                let Some(other) = cx.event.get(field) else {
                    return false;
                };
                let event = cx.event;
                with_text(value, event, *case, |mine| {
                    any_text(other, event, *case, 0, &mut |theirs| match position {
                        Position::Whole => mine == theirs,
                        Position::Anywhere => mine.contains(theirs),
                        Position::Start => mine.starts_with(theirs),
                        Position::End => mine.ends_with(theirs),
                    })
                })
            }
        }
    }
}

/// Calls `f` with each text form of `value` (every member of an array).
fn any_text(
    value: &Value,
    event: &Event,
    case: Case,
    depth: usize,
    f: &mut dyn FnMut(&str) -> bool,
) -> bool {
    match value {
        Value::Array(items) if depth < MAX_DEPTH => {
            items.iter().any(|v| any_text(v, event, case, depth + 1, f))
        }
        _ => with_text(value, event, case, |t| f(t)),
    }
}

/// Calls `f` with the text form of a scalar: a string (folded unless
/// `case` is sensitive), a number in decimal, `true`/`false`. Null,
/// objects and arrays have no text form; `f` is not called for them.
fn with_text(value: &Value, event: &Event, case: Case, f: impl FnOnce(&str) -> bool) -> bool {
    match value {
        Value::String(s) => match case {
            Case::Insensitive => f(event.folded(s)),
            Case::Sensitive => f(s),
        },
        Value::Bool(true) => f("true"),
        Value::Bool(false) => f("false"),
        Value::Number(n) => {
            let mut buffer = StackText::default();
            if write!(buffer, "{n}").is_err() {
                return false;
            }
            f(buffer.as_str())
        }
        Value::Null | Value::Array(_) | Value::Object(_) => false,
    }
}

/// A number of the event: a JSON number, or a string holding a decimal
/// number (never hex: C6).
pub(crate) fn event_number(value: &Value) -> Option<NumberValue> {
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(NumberValue::Int(i))
            } else {
                n.as_f64().map(NumberValue::Float)
            }
        }
        Value::String(s) => ir::parse_number(s, false),
        _ => None,
    }
}

/// A small text buffer on the stack, for numbers compared as text.
struct StackText {
    bytes: [u8; 48],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText {
            bytes: [0; 48],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
