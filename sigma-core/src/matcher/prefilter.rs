//! Evaluation across rules: a cheap necessary condition per rule, checked
//! for a whole rule set with one scan per field.
//!
//! Most of a rule's cost on an event is the first touch of its compiled
//! data, and most rules fail on an event. A [`Prefilter`] keeps, for each
//! rule that has one, a field and a set of folded literal needles such that
//! the rule can only match an event whose field (some scalar of it, as the
//! matcher reads it) contains one of the needles. All needles of all rules
//! on one field go into one Aho-Corasick automaton; an event's field is
//! scanned once, and only rules whose needle was found (plus the rules
//! without a prefilter) need the full matcher.
//!
//! The condition is derived from the predicate tree so that it is implied
//! by a match, never more:
//!
//! - a field test `Match` gives, for each pattern, its longest literal run
//!   (wildcards split runs), folded; a pattern with no literal gives none.
//!   `cased` patterns give needles too: the text holding a literal means
//!   its per-code-point fold holds the folded literal.
//! - `and` may use any child's condition (the most selective is kept);
//!   `or` needs every child to have one, and unites them (fields may
//!   differ: the condition is then "one of these fields holds its needle");
//!   `not`, keywords, numbers, regexes, null/exists, CIDR, comparisons and
//!   field references give none, so such rules are always evaluated.
//! - dotted field names give none: the matcher may reach them through
//!   nested objects, which the scan does not walk.
//!
//! Known limits: a rule whose every path is a regex, a keyword or a
//! number is always evaluated; extracting a literal safely from a regex,
//! scanning every value for keywords, and number needles would filter more.
//! A skipped rule is reported as not matching: a regex in it that would
//! have hit its backtracking limit on the event is not reported either.

use std::collections::BTreeMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde_json::Value;

use crate::event::{Event, MAX_DEPTH};
use crate::matcher::ir::{Expr, Operation, Target};
use crate::value::{fold, Part};

/// For a set of rules (indexed as given), which of them may match an event.
#[derive(Clone, Debug)]
pub struct Prefilter {
    rule_count: usize,
    /// Bits of the rules with no prefilter: always candidates.
    always: Vec<u64>,
    scans: Vec<FieldScan>,
}

/// All needles of one field, with the rules each needle belongs to.
#[derive(Clone, Debug)]
struct FieldScan {
    field: String,
    automaton: AhoCorasick,
    /// Per needle (pattern id of the automaton), the rules it stands for.
    owners: Vec<Vec<u32>>,
}

/// The rules of a [`Prefilter`] that may match one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidates {
    bits: Vec<u64>,
}

impl Candidates {
    /// Whether rule `index` may match; `false` means it certainly does not.
    pub fn contains(&self, index: usize) -> bool {
        self.bits
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }

    /// How many rules may match.
    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether no rule may match.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|w| *w == 0)
    }

    fn insert(&mut self, index: u32) {
        if let Some(word) = self.bits.get_mut(index as usize / 64) {
            *word |= 1 << (index % 64);
        }
    }
}

/// A necessary condition: one of the fields holds its needle.
type Needles = Vec<(String, String)>;

impl Prefilter {
    /// Builds the prefilter of `rules` (their predicate trees, as
    /// [`CompiledRule::predicates`](crate::matcher::CompiledRule::predicates)
    /// gives them); candidates are reported by index into `rules`.
    pub fn new(rules: &[&Expr]) -> Prefilter {
        let words = rules.len().div_ceil(64);
        let mut always = Candidates {
            bits: vec![0; words],
        };
        let mut by_field: BTreeMap<String, BTreeMap<String, Vec<u32>>> = BTreeMap::new();
        for (index, rule) in rules.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            match necessary(rule).filter(|needles| !needles.is_empty()) {
                Some(needles) => {
                    for (field, needle) in needles {
                        let owners = by_field.entry(field).or_default().entry(needle);
                        owners.or_default().push(index);
                    }
                }
                None => always.insert(index),
            }
        }

        let mut scans = Vec::new();
        for (field, needles) in by_field {
            let built = AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(needles.keys());
            match built {
                Ok(automaton) => scans.push(FieldScan {
                    field,
                    automaton,
                    owners: needles.into_values().collect(),
                }),
                // Too many needles for the automaton: its rules are always
                // evaluated instead.
                Err(_) => needles
                    .values()
                    .flatten()
                    .for_each(|&index| always.insert(index)),
            }
        }
        Prefilter {
            rule_count: rules.len(),
            always: always.bits,
            scans,
        }
    }

    /// How many rules have a prefilter (the others are always candidates).
    pub fn filtered(&self) -> usize {
        let always: usize = self.always.iter().map(|w| w.count_ones() as usize).sum();
        self.rule_count - always.min(self.rule_count)
    }

    /// The rules that may match `event`: every rule not listed certainly
    /// does not.
    pub fn candidates(&self, event: &Event) -> Candidates {
        let mut found = Candidates {
            bits: self.always.clone(),
        };
        for scan in &self.scans {
            if let Some(value) = event.get_bytes(scan.field.as_bytes()) {
                scan.scan(value, event, 0, &mut found);
            }
        }
        found
    }
}

impl FieldScan {
    /// Marks the owners of every needle found in any scalar of `value`,
    /// read as the matcher reads it (arrays member by member, strings
    /// folded, numbers in decimal, booleans as `true`/`false`).
    fn scan(&self, value: &Value, event: &Event, depth: usize, found: &mut Candidates) {
        let number;
        let text = match value {
            Value::Array(items) => {
                if depth < MAX_DEPTH {
                    for item in items {
                        self.scan(item, event, depth + 1, found);
                    }
                }
                return;
            }
            Value::String(s) => event.folded(s),
            Value::Bool(true) => "true",
            Value::Bool(false) => "false",
            Value::Number(n) => {
                number = n.to_string();
                number.as_str()
            }
            Value::Null | Value::Object(_) => return,
        };
        for hit in self.automaton.find_overlapping_iter(text) {
            for &rule in self
                .owners
                .get(hit.pattern().as_usize())
                .into_iter()
                .flatten()
            {
                found.insert(rule);
            }
        }
    }
}

/// The most selective necessary condition found for `expr`: a list of
/// `(field, needle)` pairs, one of which every match holds.
fn necessary(expr: &Expr) -> Option<Needles> {
    match expr {
        // Each child's condition is necessary; the most selective is kept.
        Expr::And(items) => items.iter().filter_map(necessary).max_by_key(score),
        // A match holds some child: the union of every child's condition.
        Expr::Or(items) => {
            if items.is_empty() {
                return None;
            }
            let mut all = Needles::new();
            for item in items {
                all.extend(necessary(item)?);
            }
            all.sort_unstable();
            all.dedup();
            Some(all)
        }
        Expr::Not(_) => None,
        Expr::Search { body, .. } => necessary(body),
        Expr::Predicate(predicate) => {
            let Target::Field { name, .. } = &predicate.target else {
                return None;
            };
            let Operation::Match { patterns, .. } = &predicate.operation else {
                return None;
            };
            if name.contains('.') || patterns.is_empty() {
                return None;
            }
            let mut needles = Vec::with_capacity(patterns.len());
            for pattern in patterns {
                let longest = pattern
                    .parts()
                    .iter()
                    .filter_map(|part| match part {
                        Part::Literal(text) => Some(fold(text).into_owned()),
                        Part::AnyRun | Part::AnyChar => None,
                    })
                    .max_by_key(String::len)
                    .filter(|needle| !needle.is_empty())?;
                needles.push((name.clone(), longest));
            }
            Some(needles)
        }
    }
}

/// How selective a condition is: its shortest needle first (short needles
/// are found everywhere), then fewer needles.
fn score(needles: &Needles) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = needles.iter().map(|(_, n)| n.len()).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(needles.len()))
}
