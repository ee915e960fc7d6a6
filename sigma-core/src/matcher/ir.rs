//! The normalised predicate tree a rule compiles from.
//!
//! [`lower`] turns a [`Rule`] into an [`Expr`]: the condition with every
//! search identifier inlined ([`Expr::Search`] keeps its name), every
//! detection item split into one [`Predicate`] per rule value, and every
//! modifier already applied (wildcards added, `windash`/`base64`/`expand`
//! alternatives listed). Nothing is left implicit:
//!
//! - a list of values is an [`Expr::Or`] of predicates, `all` an
//!   [`Expr::And`], `neq` an [`Expr::Not`] around the item;
//! - a map is an [`Expr::And`] of its items, a list of maps an
//!   [`Expr::Or`];
//! - a keyword is a predicate whose [`Target`] is [`Target::Keywords`].
//!
//! A fuzzer can walk this tree to build events that satisfy or break any
//! predicate; the compiled matcher is built from exactly this tree.

use std::collections::HashMap;

use crate::condition::{self, ConditionExpr, Quantifier};
use crate::matcher::{CompileError, CompileOptions};
use crate::modifier::{parse_chain, ModifierChain};
pub use crate::modifier::{CompareOp, Position, RegexFlags, TimePart};
use crate::rule::{DetectionBody, DetectionItem, Rule, SearchIdentifier};
use crate::span::{Location, Span, Spanned};
use crate::value::SigmaString;

/// Whether string comparison ignores case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    /// The default: per-code-point lowercase of both sides (C1).
    Insensitive,
    /// `cased`.
    Sensitive,
}

/// A number as written in the rule, with its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    /// The text as written.
    pub text: String,
    /// The value.
    pub value: NumberValue,
}

/// The value of a [`Number`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumberValue {
    /// An integer.
    Int(i64),
    /// Anything else (finite).
    Float(f64),
}

impl Number {
    /// Parses a rule number: decimal, `0x` hex or `0o` octal integers, or a
    /// finite decimal float. `None` for anything else (`.inf`, `.nan`).
    pub fn parse(text: &str) -> Option<Number> {
        let value = parse_number(text, true)?;
        Some(Number {
            text: text.to_owned(),
            value,
        })
    }

    /// Whether two numbers are equal: exactly for integers, else as floats.
    pub fn equals(&self, other: &NumberValue) -> bool {
        number_cmp(&self.value, other) == Some(std::cmp::Ordering::Equal)
    }
}

/// Parses a number; event strings (`radix_prefixes = false`) are decimal
/// only, because hex-looking strings must stay text (C6).
pub(crate) fn parse_number(text: &str, radix_prefixes: bool) -> Option<NumberValue> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    if radix_prefixes {
        let radix = if let Some(hex) = digits.strip_prefix("0x") {
            Some((hex, 16))
        } else {
            digits.strip_prefix("0o").map(|oct| (oct, 8))
        };
        if let Some((body, radix)) = radix {
            let value = i64::from_str_radix(body, radix).ok()?;
            return Some(NumberValue::Int(if negative { -value } else { value }));
        }
    }
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(int) = text.parse::<i64>() {
            return Some(NumberValue::Int(int));
        }
    }
    // A decimal float: digits, one dot, digits, optional exponent. No
    // `inf`, `nan` or hex float, which `f64::from_str` would accept.
    let mantissa_end = digits.find(['e', 'E']).unwrap_or(digits.len());
    let (mantissa, exponent) = digits.split_at(mantissa_end);
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.bytes().filter(|b| *b == b'.').count() <= 1
        && mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let exponent_ok = exponent.is_empty() || {
        let e = &exponent[1..];
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    };
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    let float: f64 = text.parse().ok()?;
    float.is_finite().then_some(NumberValue::Float(float))
}

/// Orders two numbers: exactly for two integers, else as floats.
pub(crate) fn number_cmp(a: &NumberValue, b: &NumberValue) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (NumberValue::Int(x), NumberValue::Int(y)) => Some(x.cmp(y)),
        _ => as_f64(a).partial_cmp(&as_f64(b)),
    }
}

fn as_f64(n: &NumberValue) -> f64 {
    match n {
        NumberValue::Int(i) => *i as f64,
        NumberValue::Float(f) => *f,
    }
}

/// What one rule value asks of an event value.
#[derive(Clone, Debug, PartialEq)]
pub enum Operation {
    /// The event value, as text, matches any of the patterns (wildcards
    /// included; `contains` etc. already added theirs). Several patterns
    /// come from `windash`, `base64offset` or `expand`.
    Match {
        /// The alternatives, OR-ed.
        patterns: Vec<SigmaString>,
        /// Case sensitivity.
        case: Case,
    },
    /// Numeric equality: a number, or a string holding a decimal number.
    Number(Number),
    /// A boolean, or the string `true`/`false` in any case.
    Bool(bool),
    /// The field is missing or JSON null.
    Null,
    /// Any of the regexes finds a match (search, not whole-value).
    Regex {
        /// The patterns (several only under `expand`).
        patterns: Vec<String>,
        /// Flags.
        flags: RegexFlags,
    },
    /// The value is an IP address inside the network.
    Cidr(ipnet::IpNet),
    /// The value, as a number, compares so with `value`.
    Compare {
        /// The comparison (event value on the left).
        op: CompareOp,
        /// The rule's number.
        value: Number,
    },
    /// The given part of a timestamp equals `value`.
    TimePart {
        /// Which part.
        part: TimePart,
        /// Its value.
        value: i64,
    },
    /// The field is present (even null or empty) or absent.
    Exists(bool),
    /// The value equals (or contains, starts or ends with) the value of
    /// another field of the same event.
    FieldRef {
        /// The other field (after field renames).
        field: String,
        /// How they must relate.
        position: Position,
        /// Case sensitivity.
        case: Case,
    },
}

/// What a predicate looks at.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// One field of the event.
    Field {
        /// The event's field name (after field renames).
        name: String,
        /// The name as the rule writes it.
        rule_name: String,
    },
    /// Every value of the event, recursively (a keyword search).
    Keywords,
}

/// Where a predicate comes from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The search identifier.
    pub identifier: String,
    /// The detection key (`Image|endswith`).
    pub key: Span,
    /// The rule value.
    pub value: Span,
}

/// One test on an event: a field (or the keywords), an operation, and
/// where it comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Predicate {
    /// What is tested.
    pub target: Target,
    /// How.
    pub operation: Operation,
    /// Where in the rule.
    pub origin: Origin,
}

/// A boolean tree of predicates.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// Every child holds (true when empty).
    And(Vec<Expr>),
    /// Some child holds (false when empty).
    Or(Vec<Expr>),
    /// The child does not hold.
    Not(Box<Expr>),
    /// A search identifier, named, with its body.
    Search {
        /// The identifier's name.
        identifier: String,
        /// Its definition.
        body: Box<Expr>,
    },
    /// A test on the event.
    Predicate(Predicate),
}

impl Expr {
    /// Calls `visit` on every predicate, in order.
    pub fn for_each_predicate<'a>(&'a self, visit: &mut impl FnMut(&'a Predicate)) {
        match self {
            Expr::And(items) | Expr::Or(items) => {
                items.iter().for_each(|i| i.for_each_predicate(visit))
            }
            Expr::Not(inner) | Expr::Search { body: inner, .. } => inner.for_each_predicate(visit),
            Expr::Predicate(p) => visit(p),
        }
    }
}

/// Turns `rule` into its predicate tree, reporting every error found (not
/// only the first), each at its exact place.
pub fn lower(rule: &Rule, options: &CompileOptions) -> Result<Expr, Vec<CompileError>> {
    let mut errors = Vec::new();
    let detection = &rule.detection;
    let fallback = detection.span.unwrap_or(rule.header.span);

    // Every identifier is lowered once, even if unused, so that its errors
    // are reported; the condition then copies the trees it names.
    let mut bodies: HashMap<&str, Expr> = HashMap::new();
    for identifier in &detection.identifiers {
        let lowered = lower_identifier(identifier, options, &mut errors);
        bodies.insert(identifier.name.value.as_str(), lowered);
    }

    if detection.conditions.is_empty() {
        errors.push(CompileError::new("the rule has no condition", fallback));
    }
    let mut branches = Vec::new();
    for condition in &detection.conditions {
        match condition::parse(&condition.value) {
            Ok(expr) => {
                let names = &detection.identifiers;
                match lower_condition(&expr, condition, names, &bodies, &mut errors) {
                    Some(tree) => branches.push(tree),
                    None => continue,
                }
            }
            Err(error) => errors.push(CompileError::new(
                error.message,
                condition_span(condition, error.range),
            )),
        }
    }

    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(if branches.len() == 1 {
        branches.remove(0)
    } else {
        Expr::Or(branches)
    })
}

/// The span of bytes `range` of a condition, in the file.
///
/// Exact for a condition written on one line, plain or quoted (a quoted
/// scalar's span is two bytes longer than its text); otherwise the whole
/// condition, which still points at the right place.
pub fn condition_span(condition: &Spanned<String>, range: std::ops::Range<usize>) -> Span {
    let text = &condition.value;
    let span = condition.span;
    let quote = match span.len().checked_sub(text.len()) {
        Some(0) => 0,
        Some(2) => 1,
        _ => return span,
    };
    if text.contains('\n') {
        return span;
    }
    let from = range.start.min(text.len());
    let to = range.end.clamp(from, text.len());
    let skipped = text.get(..from).map_or(0, |s| s.chars().count());
    Span {
        start: span.start + quote + from,
        end: span.start + quote + to,
        location: Location {
            line: span.location.line,
            column: span.location.column + (quote + skipped) as u32,
        },
    }
}

fn lower_condition(
    expr: &ConditionExpr,
    condition: &Spanned<String>,
    identifiers: &[SearchIdentifier],
    bodies: &HashMap<&str, Expr>,
    errors: &mut Vec<CompileError>,
) -> Option<Expr> {
    let search = |name: &str| {
        bodies.get(name).map(|body| Expr::Search {
            identifier: name.to_owned(),
            body: Box::new(body.clone()),
        })
    };
    let all = |items: &[ConditionExpr], errors: &mut Vec<CompileError>| {
        let lowered: Vec<Option<Expr>> = items
            .iter()
            .map(|i| lower_condition(i, condition, identifiers, bodies, errors))
            .collect();
        lowered.into_iter().collect::<Option<Vec<_>>>()
    };
    match expr {
        ConditionExpr::And(items) => all(items, errors).map(Expr::And),
        ConditionExpr::Or(items) => all(items, errors).map(Expr::Or),
        ConditionExpr::Not(inner, _) => {
            lower_condition(inner, condition, identifiers, bodies, errors)
                .map(|e| Expr::Not(Box::new(e)))
        }
        ConditionExpr::Identifier(name, range) => {
            let found = search(name);
            if found.is_none() {
                errors.push(
                    CompileError::new(
                        format!("the condition names `{name}`, which is not defined"),
                        condition_span(condition, range.clone()),
                    )
                    .with_help("define it under `detection`, or fix the name"),
                );
            }
            found
        }
        ConditionExpr::Selector {
            quantifier,
            pattern,
            range,
        } => {
            let matched: Vec<Expr> = identifiers
                .iter()
                .filter(|i| pattern.matches(&i.name.value))
                .filter_map(|i| search(&i.name.value))
                .collect();
            if matched.is_empty() {
                errors.push(CompileError::new(
                    format!("`{pattern}` matches no search identifier"),
                    condition_span(condition, range.clone()),
                ));
                return None;
            }
            Some(match quantifier {
                Quantifier::One => Expr::Or(matched),
                Quantifier::All => Expr::And(matched),
            })
        }
    }
}

fn lower_identifier(
    identifier: &SearchIdentifier,
    options: &CompileOptions,
    errors: &mut Vec<CompileError>,
) -> Expr {
    lower_body(&identifier.body, &identifier.name.value, options, errors)
}

fn lower_body(
    body: &DetectionBody,
    identifier: &str,
    options: &CompileOptions,
    errors: &mut Vec<CompileError>,
) -> Expr {
    match body {
        DetectionBody::Map { items, .. } => Expr::And(
            items
                .iter()
                .map(|item| lower_item(item, identifier, options, errors))
                .collect(),
        ),
        DetectionBody::List { elements, .. } => Expr::Or(
            elements
                .iter()
                .map(|element| lower_body(element, identifier, options, errors))
                .collect(),
        ),
        DetectionBody::Keyword(value) => {
            let chain = ModifierChain::plain();
            let origin = Origin {
                identifier: identifier.to_owned(),
                key: value.span,
                value: value.span,
            };
            keyword_predicate(&chain, value, origin, options, errors)
        }
        DetectionBody::Invalid(span) => {
            errors.push(CompileError::new(
                "this search identifier holds nothing a detection can match",
                *span,
            ));
            Expr::Or(Vec::new())
        }
    }
}

fn lower_item(
    item: &DetectionItem,
    identifier: &str,
    options: &CompileOptions,
    errors: &mut Vec<CompileError>,
) -> Expr {
    let chain = match parse_chain(&item.modifiers) {
        Ok(chain) => chain,
        Err(mut found) => {
            errors.append(&mut found);
            return Expr::Or(Vec::new());
        }
    };
    let origin = |value_span: Span| Origin {
        identifier: identifier.to_owned(),
        key: item.key.span,
        value: value_span,
    };

    // `F: []` asks for no value at all: pySigma reads it as a null test. A
    // mapping in value position was already reported by the loader and
    // left no value; it must not silently become that test.
    if item.values.is_empty() {
        if !item.is_list {
            errors.push(CompileError::new(
                "this detection item has no value to compare",
                item.value_span,
            ));
            return Expr::Or(Vec::new());
        }
        let Some(field) = &item.field else {
            errors.push(CompileError::new("an empty keyword list", item.value_span));
            return Expr::Or(Vec::new());
        };
        return Expr::Predicate(Predicate {
            target: field_target(field, options),
            operation: Operation::Null,
            origin: origin(item.value_span),
        });
    }

    let mut predicates = Vec::with_capacity(item.values.len());
    for value in &item.values {
        match &item.field {
            Some(field) => {
                if let Some(operation) = apply(&chain, value, options, errors) {
                    let operation = rename_reference(operation, options);
                    predicates.push(Expr::Predicate(Predicate {
                        target: field_target(field, options),
                        operation,
                        origin: origin(value.span),
                    }));
                }
            }
            None => {
                if let Some(modifier) = chain.needs_field() {
                    errors.push(CompileError::new(
                        format!("`{}` needs a field; keywords have none", modifier.value),
                        modifier.span,
                    ));
                    return Expr::Or(Vec::new());
                }
                predicates.push(keyword_predicate(
                    &chain,
                    value,
                    origin(value.span),
                    options,
                    errors,
                ));
            }
        }
    }

    let combined = if chain.all {
        Expr::And(predicates)
    } else {
        Expr::Or(predicates)
    };
    let combined = unwrap_single(combined);
    if chain.neq {
        Expr::Not(Box::new(combined))
    } else {
        combined
    }
}

fn unwrap_single(expr: Expr) -> Expr {
    match expr {
        Expr::And(mut items) | Expr::Or(mut items) if items.len() == 1 => items.remove(0),
        other => other,
    }
}

fn field_target(field: &Spanned<String>, options: &CompileOptions) -> Target {
    let name = options
        .field_map
        .get(&field.value)
        .cloned()
        .unwrap_or_else(|| field.value.clone());
    Target::Field {
        name,
        rule_name: field.value.clone(),
    }
}

fn rename_reference(operation: Operation, options: &CompileOptions) -> Operation {
    match operation {
        Operation::FieldRef {
            field,
            position,
            case,
        } => Operation::FieldRef {
            field: options.field_map.get(&field).cloned().unwrap_or(field),
            position,
            case,
        },
        other => other,
    }
}

fn apply(
    chain: &ModifierChain,
    value: &crate::rule::RuleValue,
    options: &CompileOptions,
    errors: &mut Vec<CompileError>,
) -> Option<Operation> {
    let placeholders = |name: &str| options.placeholders.get(name).cloned();
    match chain.apply(value, &placeholders) {
        Ok(operation) => Some(operation),
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

/// A keyword: substring search by default (C5), with wildcards honoured;
/// an explicit position modifier replaces the default.
fn keyword_predicate(
    chain: &ModifierChain,
    value: &crate::rule::RuleValue,
    origin: Origin,
    options: &CompileOptions,
    errors: &mut Vec<CompileError>,
) -> Expr {
    let mut chain = chain.clone();
    if let crate::modifier::ChainKind::Plain(steps) = &mut chain.kind {
        let positioned = steps
            .iter()
            .any(|s| matches!(s, crate::modifier::StringStep::Position(_)));
        if !positioned {
            steps.push(crate::modifier::StringStep::Position(Position::Anywhere));
        }
    }
    // Keywords compare text: a number or boolean keyword is its text.
    let value = match &value.kind {
        crate::rule::ValueKind::Number(_) | crate::rule::ValueKind::Bool(_) => {
            crate::rule::RuleValue {
                kind: crate::rule::ValueKind::Str(value.text().to_owned()),
                span: value.span,
            }
        }
        _ => value.clone(),
    };
    match apply(&chain, &value, options, errors) {
        Some(operation) => Expr::Predicate(Predicate {
            target: Target::Keywords,
            operation,
            origin,
        }),
        None => Expr::Or(Vec::new()),
    }
}
