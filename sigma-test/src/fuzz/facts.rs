//! Which changes to a witness must not change the verdict, per field.
//!
//! A change is only claimed harmless where that follows from the rule's
//! tests alone: letter case where every test of the field ignores case;
//! text around the value where every test of the field is a `contains`
//! that is never negated (a longer text still contains the value, and no
//! filter can start to apply); unrelated fields where no negated keyword
//! could see them; a flag dash swapped for another `windash` dash where
//! every test of the field lists all such variants; the byte offset of a
//! value inside base64 text where every test of the field is a positive
//! `base64offset|contains`. Numbers written as strings are always harmless
//! (C6).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sigma_core::analysis::Analysis;
use sigma_core::matcher::ir::{Case, Expr, Operation, Origin, Predicate, Target};
use sigma_core::modifier::{
    parse_chain, utf16, ChainKind, Modifier, Position, StringStep, WINDASH_CHARS,
};
use sigma_core::rule::{DetectionBody, Rule};
use sigma_core::span::Span;
use sigma_core::value::{Part, SigmaString};

/// What the fuzzer may change about a field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldFacts {
    /// Letter case does not matter.
    pub case_free: bool,
    /// Text may be added before and after the value.
    pub paddable: bool,
    /// A dash that starts a flag may be any of `windash`'s dashes: every
    /// test of the field lists all variants of each flag dash it has.
    pub dash_free: bool,
    /// The bytes that `base64offset` encodes, one entry per value, when
    /// every test of the field is a positive `base64offset|contains`:
    /// base64 of any text holding all of them, at any offsets, matches.
    /// Empty when the field has any other test.
    pub offset_values: Vec<Vec<u8>>,
}

/// The facts of every field the rule names, plus the rule-wide ones.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// By event field name.
    pub fields: BTreeMap<String, FieldFacts>,
    /// Extra, unrelated fields cannot change the verdict.
    pub extra_fields_free: bool,
    /// Letter case of any value cannot matter to the keyword tests.
    pub keywords_case_free: bool,
}

impl Facts {
    /// Reads the facts off the analysed rule (and, for what the predicate
    /// tree no longer holds, off the rule it was built from).
    pub fn of(rule: &Rule, analysis: &Analysis) -> Facts {
        let encoded = base64offset_values(rule);
        let mut seen: BTreeMap<String, Vec<(&Predicate, bool)>> = BTreeMap::new();
        let mut keywords: Vec<(&Predicate, bool)> = Vec::new();
        let mut referenced = BTreeSet::new();
        walk(&analysis.tree, true, &mut |p, positive| {
            if let Operation::FieldRef { field, .. } = &p.operation {
                referenced.insert(field.clone());
            }
            match &p.target {
                Target::Field { name, .. } => {
                    seen.entry(name.clone()).or_default().push((p, positive))
                }
                Target::Keywords => keywords.push((p, positive)),
            }
        });

        let keywords_case_free = keywords.iter().all(|(p, _)| ignores_case(&p.operation));
        let negated_keywords = keywords.iter().any(|(_, positive)| !positive);
        let mut fields = BTreeMap::new();
        for (name, uses) in &seen {
            let linked = referenced.contains(name)
                || uses
                    .iter()
                    .any(|(p, _)| matches!(p.operation, Operation::FieldRef { .. }));
            let case_free = keywords_case_free
                && !linked
                && uses.iter().all(|(p, _)| ignores_case(&p.operation));
            let paddable = !negated_keywords
                && !linked
                && uses
                    .iter()
                    .all(|(p, positive)| *positive && is_contains(&p.operation));
            let dash_free = !linked
                && keywords.iter().all(|(p, _)| dash_closed(&p.operation))
                && uses.iter().all(|(p, _)| dash_closed(&p.operation));
            let offset_values = if !negated_keywords && !linked {
                offset_values(uses, &encoded)
            } else {
                Vec::new()
            };
            fields.insert(
                name.clone(),
                FieldFacts {
                    case_free,
                    paddable,
                    dash_free,
                    offset_values,
                },
            );
        }
        Facts {
            fields,
            extra_fields_free: !negated_keywords,
            keywords_case_free,
        }
    }
}

/// Calls `visit` with every predicate and whether it sits under an even
/// number of negations.
fn walk<'a>(expr: &'a Expr, positive: bool, visit: &mut impl FnMut(&'a Predicate, bool)) {
    match expr {
        Expr::And(items) | Expr::Or(items) => items.iter().for_each(|i| walk(i, positive, visit)),
        Expr::Not(inner) => walk(inner, !positive, visit),
        Expr::Search { body, .. } => walk(body, positive, visit),
        Expr::Predicate(p) => visit(p, positive),
    }
}

fn ignores_case(operation: &Operation) -> bool {
    match operation {
        Operation::Match { case, .. } | Operation::FieldRef { case, .. } => {
            *case == Case::Insensitive
        }
        Operation::Regex { flags, .. } => flags.ignore_case,
        Operation::Number(_)
        | Operation::Bool(_)
        | Operation::Null
        | Operation::Exists(_)
        | Operation::Compare { .. }
        | Operation::Cidr(_)
        | Operation::TimePart { .. } => true,
    }
}

/// Whether, for every pattern of a text test, swapping one flag dash for
/// another of `windash`'s dashes gives a pattern of the same test. A test
/// without flag dashes qualifies; one written with a plain `-` and no
/// `windash` does not (it would tell `-x` from `/x`).
fn dash_closed(operation: &Operation) -> bool {
    let Operation::Match { patterns, .. } = operation else {
        return !matches!(operation, Operation::Regex { .. });
    };
    patterns.iter().all(|pattern| {
        flag_positions(&cells(pattern)).into_iter().all(|index| {
            WINDASH_CHARS
                .iter()
                .all(|dash| patterns.contains(&with_char(pattern, index, *dash)))
        })
    })
}

/// The characters of a pattern, wildcards as `None`.
fn cells(pattern: &SigmaString) -> Vec<Option<char>> {
    let mut out = Vec::new();
    for part in pattern.parts() {
        match part {
            Part::Literal(text) => out.extend(text.chars().map(Some)),
            _ => out.push(None),
        }
    }
    out
}

/// Indexes (into [`cells`], or the characters of a text) of the dashes
/// that start a flag: after a non-word character or the start, before a
/// word character. In a pattern a wildcard may stand for either, so it
/// counts as non-word before the dash and as word after it: `<NAME>/*`
/// matches `<NAME>/x`, where `/x` is a flag.
pub(super) fn flag_positions(cells: &[Option<char>]) -> Vec<usize> {
    let word = |c: &char| c.is_alphanumeric() || *c == '_';
    (0..cells.len())
        .filter(|&i| {
            let dash = matches!(cells.get(i), Some(Some(c)) if WINDASH_CHARS.contains(c));
            let after_non_word = i == 0 || !matches!(cells.get(i - 1), Some(Some(c)) if word(c));
            let before_word = match cells.get(i + 1) {
                Some(Some(c)) => word(c),
                Some(None) => true,
                None => false,
            };
            dash && after_non_word && before_word
        })
        .collect()
}

fn with_char(pattern: &SigmaString, index: usize, new: char) -> SigmaString {
    let mut at = 0;
    let parts = pattern.parts().iter().map(|part| match part {
        Part::Literal(text) => {
            let replaced: String = text
                .chars()
                .map(|c| {
                    let c = if at == index { new } else { c };
                    at += 1;
                    c
                })
                .collect();
            Part::Literal(replaced)
        }
        other => {
            at += 1;
            other.clone()
        }
    });
    SigmaString::from_parts(parts.collect::<Vec<_>>())
}

/// The plain bytes of every field value that the rule writes as
/// `base64offset|contains` (after any `utf16` step before it), by where
/// its key and value are written: the predicate tree keeps only the three
/// encoded fragments, from which the value cannot be read back whole.
fn base64offset_values(rule: &Rule) -> HashMap<(Span, Span), Vec<u8>> {
    let mut out = HashMap::new();
    let mut bodies: Vec<&DetectionBody> =
        rule.detection.identifiers.iter().map(|i| &i.body).collect();
    while let Some(body) = bodies.pop() {
        let items = match body {
            DetectionBody::Map { items, .. } => items,
            DetectionBody::List { elements, .. } => {
                bodies.extend(elements);
                continue;
            }
            DetectionBody::Keyword(_) | DetectionBody::Invalid(_) => continue,
        };
        for item in items.iter().filter(|item| item.field.is_some()) {
            let Ok(chain) = parse_chain(&item.modifiers) else {
                continue;
            };
            let ChainKind::Plain(steps) = &chain.kind else {
                continue;
            };
            let plain_steps = chain
                .modifiers
                .iter()
                .all(|m| !matches!(m.value, Modifier::Expand | Modifier::Cased | Modifier::Neq));
            let Some(encode) = offset_encoding(steps).filter(|_| plain_steps) else {
                continue;
            };
            for value in &item.values {
                let parsed = SigmaString::parse(value.text());
                if let Some(text) = parsed.as_literal() {
                    out.insert((item.key.span, value.span), encode(text));
                }
            }
        }
    }
    out
}

/// How a value becomes the bytes `base64offset` encodes, for the chains
/// `[utf16...] base64offset contains`; `None` for any other chain.
fn offset_encoding(steps: &[StringStep]) -> Option<impl Fn(&str) -> Vec<u8> + '_> {
    let (last, rest) = steps.split_last()?;
    let (encoding, before) = rest.split_last()?;
    let only_utf16 = before.iter().all(|s| matches!(s, StringStep::Utf16(_)));
    let shape = *last == StringStep::Position(Position::Anywhere)
        && *encoding == StringStep::Base64Offset
        && before.len() <= 1
        && only_utf16;
    shape.then_some(move |text: &str| match before.first() {
        Some(StringStep::Utf16(kind)) => utf16(text, *kind),
        _ => text.as_bytes().to_vec(),
    })
}

/// The encoded values of a field's tests when each is positive and comes
/// from a `base64offset|contains` value; else none.
fn offset_values(
    uses: &[(&Predicate, bool)],
    encoded: &HashMap<(Span, Span), Vec<u8>>,
) -> Vec<Vec<u8>> {
    let mut values: Vec<Vec<u8>> = Vec::new();
    for (predicate, positive) in uses {
        let Origin { key, value, .. } = &predicate.origin;
        let Some(bytes) = encoded.get(&(*key, *value)).filter(|_| *positive) else {
            return Vec::new();
        };
        if !values.contains(bytes) {
            values.push(bytes.clone());
        }
    }
    values
}

fn is_contains(operation: &Operation) -> bool {
    match operation {
        Operation::Match { patterns, .. } => patterns
            .iter()
            .all(|p| p.starts_with_any_run() && p.ends_with_any_run()),
        _ => false,
    }
}
