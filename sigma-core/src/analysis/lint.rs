//! What the analysis finds wrong with a rule, located in its file.
//!
//! These are facts about meaning, not style: a rule that can never fire, a
//! filter that can never apply, a filter that swallows every event, a
//! stage the others already imply, a list value that a sibling makes
//! redundant, a modifier that changes nothing. `sigma-lint` turns each
//! into a diagnostic; this module only finds them. Only proven facts are
//! reported ("unknown" never becomes a finding).

use std::collections::HashMap;

use super::implication::caseless;
use super::{Analysis, Goal, Outcome, StageKind};
use crate::matcher::ir::{Expr, Predicate};
use crate::modifier::{parse_chain, windash, ChainKind, Modifier, Position, StringStep};
use crate::rule::{DetectionBody, DetectionItem, Rule, ValueKind};
use crate::span::Span;
use crate::value::{Part, SigmaString};

/// The kind of a semantic finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FindingKind {
    /// No event can match the rule.
    NeverMatches,
    /// An exclusion can never apply to an event the rest picks.
    DeadExclusion,
    /// An exclusion takes back every event the rest picks.
    ExclusionSuppressesAll,
    /// A required stage is implied by the others and adds nothing.
    ImpliedStage,
    /// A value that a sibling value makes redundant.
    RedundantValue,
    /// A modifier that changes nothing.
    UselessModifier,
    /// The analysis spent its step budget before it could decide: the
    /// rule's other semantic findings are withheld, proven or not.
    OverBudget,
}

/// One semantic finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// The message, naming identifiers and values.
    pub message: String,
    /// Where: an identifier's name, a value, or a modifier.
    pub span: Span,
    /// Other places involved, each with a label.
    pub related: Vec<(String, Span)>,
}

/// Every semantic finding of `rule`, analysed as `analysis`.
///
/// When the analysis spends its step budget
/// ([`Analysis::over_budget`]) the one finding is
/// [`FindingKind::OverBudget`]: what the checks found before is withheld,
/// since the checks the budget cut short might have changed it (a rule
/// that never matches would otherwise be reported as a dead filter).
pub fn semantic_findings(rule: &Rule, analysis: &Analysis) -> Vec<Finding> {
    let fallback = rule.detection.span.unwrap_or(rule.header.span);
    let found = proven_findings(rule, analysis, fallback);
    if !analysis.over_budget() {
        return found;
    }

    let span = rule
        .detection
        .conditions
        .first()
        .map_or(fallback, |c| c.span);
    vec![Finding {
        kind: FindingKind::OverBudget,
        message: format!(
            "the semantic analysis of this rule stopped after {} steps, with {} \
             question(s) undecided; no semantic finding is reported for it",
            analysis.steps_spent(),
            analysis.undecided_checks()
        ),
        span,
        related: Vec::new(),
    }]
}

/// The findings the analysis proved, whether or not it ran out of steps.
fn proven_findings(rule: &Rule, analysis: &Analysis, fallback: Span) -> Vec<Finding> {
    let mut out = Vec::new();
    let stage_span = |index: usize| -> Span {
        analysis
            .stages
            .get(index)
            .and_then(|s| s.identifiers.first())
            .and_then(|name| rule.detection.identifier(name))
            .map_or(fallback, |i| i.name.span)
    };
    let related = |conflict: &super::Conflict| -> Vec<(String, Span)> {
        conflict
            .spans
            .iter()
            .map(|s| ("involved".to_owned(), *s))
            .collect()
    };

    // Only proofs of impossibility become findings, so the searches below
    // stop as soon as one is out of reach; only the follow-up questions
    // that need a real witness build one.
    if let Some(conflict) = analysis.goal_impossible(Goal::Match) {
        // Which exclusion is to blame, if dropping one revives the rule.
        let culprit = analysis.stages.iter().enumerate().find(|(i, s)| {
            s.kind == StageKind::Exclusion
                && matches!(analysis.witness_without(*i), Outcome::Witness(_))
        });
        match culprit {
            Some((index, stage)) => out.push(Finding {
                kind: FindingKind::ExclusionSuppressesAll,
                message: format!(
                    "the filter `{}` removes every event the rest of the rule picks, so the \
                     rule never fires: {}",
                    stage.name(),
                    conflict.message
                ),
                span: stage_span(index),
                related: related(&conflict),
            }),
            None => out.push(Finding {
                kind: FindingKind::NeverMatches,
                message: format!("no event can match this rule: {}", conflict.message),
                span: conflict.spans.first().copied().unwrap_or(
                    rule.detection
                        .conditions
                        .first()
                        .map_or(fallback, |c| c.span),
                ),
                related: related(&conflict),
            }),
        }
        // The rest is moot when nothing matches.
        out.extend(value_findings(rule, analysis));
        return out;
    }

    for (index, stage) in analysis.stages.iter().enumerate() {
        // `stage_breaks`, asked only whether it is impossible.
        let Some(conflict) = analysis.goal_impossible(Goal::Flip(index)) else {
            continue;
        };
        match stage.kind {
            StageKind::Exclusion => {
                let name = stage.name();
                let alone = [(&stage.expr, true)];
                let message = if analysis.impossible(&alone).is_some() {
                    format!("the filter `{name}` can never apply: {}", conflict.message)
                } else if analysis
                    .exclusion_applies_to_selection(index)
                    .witness()
                    .is_some()
                {
                    format!(
                        "the filter `{name}` never applies: the other filters already remove \
                         every event it would ({})",
                        conflict.message
                    )
                } else {
                    format!(
                        "the filter `{name}` contradicts the selection and never applies: {}",
                        conflict.message
                    )
                };
                out.push(Finding {
                    kind: FindingKind::DeadExclusion,
                    message,
                    span: stage_span(index),
                    related: related(&conflict),
                });
            }
            StageKind::Required => out.push(Finding {
                kind: FindingKind::ImpliedStage,
                message: format!(
                    "`{}` adds nothing: every event the other stages pick passes it already ({})",
                    stage.name(),
                    conflict.message
                ),
                span: stage_span(index),
                related: related(&conflict),
            }),
        }
    }
    out.extend(value_findings(rule, analysis));
    out
}

fn value_findings(rule: &Rule, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for stage in &analysis.stages {
        redundant_values(analysis, &stage.expr, &mut out);
    }
    // The same identifier may sit in several stages; report each value once.
    out.dedup_by(|a, b| a.span == b.span);
    let mut seen = Vec::new();
    out.retain(|f| {
        let fresh = !seen.contains(&f.span);
        seen.push(f.span);
        fresh
    });
    for identifier in &rule.detection.identifiers {
        useless_modifiers(&identifier.body, &mut out);
    }
    out
}

/// In an OR list, a value implied by a sibling is never the reason for a
/// match; in an AND list, a value implied by a sibling never fails alone.
fn redundant_values(analysis: &Analysis, expr: &Expr, out: &mut Vec<Finding>) {
    match expr {
        Expr::And(items) | Expr::Or(items) => {
            let any = matches!(expr, Expr::Or(_));
            let predicates: Vec<&Predicate> = items
                .iter()
                .filter_map(|i| match i {
                    Expr::Predicate(p) => Some(p),
                    _ => None,
                })
                .collect();
            let mut reported = Vec::new();
            for (a, b) in implication_candidates(analysis, &predicates) {
                if a.target != b.target || a.origin.value == b.origin.value {
                    continue;
                }
                // OR: `a` implies `b`, so `a` is redundant; AND: `b` is.
                let (redundant, keeper) = if any { (a, b) } else { (b, a) };
                if reported.contains(&redundant.origin.value) || !analysis.implies(a, b) {
                    continue;
                }
                // Two equivalent values: report only the later one.
                let mutual = analysis.implies(b, a);
                if mutual && redundant.origin.value.start < keeper.origin.value.start {
                    continue;
                }
                reported.push(redundant.origin.value);
                out.push(Finding {
                    kind: FindingKind::RedundantValue,
                    message: format!(
                        "this value of `{}` is redundant: {}",
                        redundant.origin.identifier,
                        if any {
                            "another value in the same list already matches everything it does"
                        } else {
                            "another value required with it already implies it"
                        }
                    ),
                    span: redundant.origin.value,
                    related: vec![("made redundant by".to_owned(), keeper.origin.value)],
                });
            }
            items
                .iter()
                .for_each(|i| redundant_values(analysis, i, out));
        }
        Expr::Not(inner) | Expr::Search { body: inner, .. } => {
            redundant_values(analysis, inner, out)
        }
        Expr::Predicate(_) => {}
    }
}

/// Up to this many needles, [`implication_candidates`] tests each one with
/// a substring search instead of building an automaton.
const FEW_NEEDLES: usize = 32;

/// The pairs `(a, b)` of `predicates` for which `a` may imply `b`.
///
/// `a` can only imply a text test `b` if the longest literal piece of `b`
/// occurs in a literal piece of `a`; an Aho-Corasick search over those
/// pieces finds such pairs in one pass, where comparing every pair of a
/// 4,000-hash list would take seconds. Tests that are not single-pattern
/// text tests are paired with everything.
fn implication_candidates<'a>(
    analysis: &Analysis,
    predicates: &[&'a Predicate],
) -> Vec<(&'a Predicate, &'a Predicate)> {
    let mut needles = Vec::new();
    let mut owners = Vec::new();
    let mut others = Vec::new();
    for (index, predicate) in predicates.iter().enumerate() {
        let needle = match analysis.folded(predicate) {
            Some([single]) => longest_literal(single),
            _ => None,
        };
        match needle {
            Some(needle) => {
                needles.push(needle);
                owners.push(index);
            }
            None => others.push(index),
        }
    }

    let mut pairs = Vec::new();
    if predicates.len() < 2 {
        return pairs;
    }
    for (i, a) in predicates.iter().enumerate() {
        for &j in &others {
            if i != j {
                pairs.push((*a, predicates[j]));
            }
        }
    }
    // Most lists are short: there a plain substring test per needle is
    // far cheaper than building an automaton, and finds the same pairs.
    // Long lists of few lengths (hashes) are cheapest with one hashed
    // window per length and position; others get an automaton.
    let texts = || {
        predicates.iter().flat_map(|p| {
            analysis
                .folded(p)
                .and_then(|f| f.first())
                .into_iter()
                .flat_map(|first| first.parts())
                .filter_map(|part| match part {
                    Part::Literal(text) => Some(text.len()),
                    _ => None,
                })
        })
    };
    let finder = if needles.len() <= FEW_NEEDLES {
        Finder::Scan
    } else if let Some(windows) = Windows::worth_it(&needles, texts) {
        Finder::Windows(windows)
    } else {
        let built = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::NoncontiguousNFA))
            .build(&needles);
        match built {
            Ok(automaton) => Finder::Automaton(automaton),
            Err(_) => return pairs,
        }
    };
    for (i, a) in predicates.iter().enumerate() {
        let Some(first) = analysis.folded(a).and_then(|f| f.first()) else {
            // Not a text test: it can only imply what equals it.
            for &j in &owners {
                if i != j {
                    pairs.push((*a, predicates[j]));
                }
            }
            continue;
        };
        let mut hits = Vec::new();
        for part in first.parts() {
            if let Part::Literal(text) = part {
                match &finder {
                    Finder::Automaton(automaton) => {
                        for found in automaton.find_overlapping_iter(text.as_str()) {
                            hits.push(found.pattern().as_usize());
                        }
                    }
                    Finder::Windows(windows) => windows.find(text, &needles, &mut hits),
                    Finder::Scan => hits.extend(
                        needles
                            .iter()
                            .enumerate()
                            .filter(|(_, needle)| text.contains(needle.as_str()))
                            .map(|(index, _)| index),
                    ),
                }
            }
        }
        hits.sort_unstable();
        hits.dedup();
        for hit in hits {
            if let Some(&j) = owners.get(hit) {
                if i != j {
                    pairs.push((*a, predicates[j]));
                }
            }
        }
    }
    pairs
}

/// How [`implication_candidates`] finds the needles in a text.
enum Finder {
    /// A substring search per needle.
    Scan,
    /// Hashed windows, one length at a time.
    Windows(Windows),
    /// One automaton for all needles.
    Automaton(aho_corasick::AhoCorasick),
}

/// The needles by length, each length's needles by a rolling hash: a text
/// is searched by sliding one window per length across it, so the cost is
/// (text length x distinct lengths), with no automaton to build. A list of
/// 4,000 hashes has three or four lengths; its automaton took tens of
/// milliseconds to build.
struct Windows {
    /// (length, hash of the needle -> indices of the needles with it).
    by_length: Vec<(usize, HashMap<u64, Vec<usize>>)>,
}

/// The base of the rolling hash (odd, so multiplying is invertible).
const BASE: u64 = 0x0100_0000_01b3;

impl Windows {
    /// The windows for `needles`, when sliding them over the texts (whose
    /// lengths `texts` gives) costs less than building an automaton.
    fn worth_it<I: Iterator<Item = usize>>(
        needles: &[String],
        texts: impl Fn() -> I,
    ) -> Option<Windows> {
        let mut by_length: Vec<(usize, HashMap<u64, Vec<usize>>)> = Vec::new();
        for (index, needle) in needles.iter().enumerate() {
            let length = needle.len();
            let slot = match by_length.iter().position(|(l, _)| *l == length) {
                Some(slot) => slot,
                None => {
                    by_length.push((length, HashMap::new()));
                    by_length.len() - 1
                }
            };
            if let Some((_, table)) = by_length.get_mut(slot) {
                table
                    .entry(hash(needle.as_bytes()))
                    .or_default()
                    .push(index);
            }
        }
        // An automaton costs roughly a few windows per needle byte to build.
        let needle_bytes: usize = needles.iter().map(String::len).sum();
        let windows: usize = texts()
            .map(|text| {
                by_length
                    .iter()
                    .map(|(length, _)| (text + 1).saturating_sub(*length))
                    .sum::<usize>()
            })
            .sum();
        (windows <= 4 * needle_bytes).then_some(Windows { by_length })
    }

    /// Adds to `hits` the index of every needle that occurs in `text`.
    fn find(&self, text: &str, needles: &[String], hits: &mut Vec<usize>) {
        let bytes = text.as_bytes();
        for (length, table) in &self.by_length {
            let length = *length;
            if length > bytes.len() {
                continue;
            }
            let Some(first) = bytes.get(..length) else {
                continue;
            };
            // BASE^length, to take the byte leaving the window out.
            let top = (0..length).fold(1u64, |power, _| power.wrapping_mul(BASE));
            let mut rolling = hash(first);
            let mut start = 0;
            loop {
                if let Some(candidates) = table.get(&rolling) {
                    let window = bytes.get(start..start + length);
                    hits.extend(
                        candidates
                            .iter()
                            .copied()
                            .filter(|&index| needles.get(index).map(String::as_bytes) == window),
                    );
                }
                let (Some(&leaving), Some(&entering)) =
                    (bytes.get(start), bytes.get(start + length))
                else {
                    break;
                };
                rolling = rolling
                    .wrapping_mul(BASE)
                    .wrapping_sub(u64::from(leaving).wrapping_mul(top))
                    .wrapping_add(u64::from(entering));
                start += 1;
            }
        }
    }
}

/// The polynomial hash [`Windows`] rolls: `sum of byte * BASE^(n-1-i)`.
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |h, b| {
        h.wrapping_mul(BASE).wrapping_add(u64::from(*b))
    })
}

fn longest_literal(pattern: &SigmaString) -> Option<String> {
    pattern
        .parts()
        .iter()
        .filter_map(|p| match p {
            Part::Literal(text) => Some(text),
            _ => None,
        })
        .max_by_key(|t| t.len())
        .cloned()
}

fn useless_modifiers(body: &DetectionBody, out: &mut Vec<Finding>) {
    match body {
        DetectionBody::Map { items, .. } => items.iter().for_each(|i| item_modifiers(i, out)),
        DetectionBody::List { elements, .. } => {
            elements.iter().for_each(|e| useless_modifiers(e, out))
        }
        DetectionBody::Keyword(_) | DetectionBody::Invalid(_) => {}
    }
}

fn item_modifiers(item: &DetectionItem, out: &mut Vec<Finding>) {
    let Ok(chain) = parse_chain(&item.modifiers) else {
        return;
    };
    let texts: Vec<SigmaString> = item
        .values
        .iter()
        .filter_map(|v| match &v.kind {
            ValueKind::Str(text) => Some(SigmaString::parse(text)),
            _ => None,
        })
        .collect();
    let all_strings = !item.values.is_empty() && texts.len() == item.values.len();
    let mut push = |modifier: Modifier, why: &str| {
        if let Some(m) = item.modifiers.iter().find(|m| m.value == modifier.name()) {
            out.push(Finding {
                kind: FindingKind::UselessModifier,
                message: format!("`{modifier}` changes nothing here: {why}"),
                span: m.span,
                related: Vec::new(),
            });
        }
    };

    if chain.all && item.values.len() == 1 {
        push(Modifier::All, "the item has a single value");
    }
    if chain.cased && all_strings && texts.iter().all(|t| caseless(&t.to_string())) {
        push(Modifier::Cased, "no value has a letter with a case");
    }
    let ChainKind::Plain(steps) = &chain.kind else {
        return;
    };
    if !all_strings {
        return;
    }
    for step in steps {
        match step {
            StringStep::Position(Position::Anywhere)
                if texts
                    .iter()
                    .all(|t| t.starts_with_any_run() && t.ends_with_any_run()) =>
            {
                push(
                    Modifier::Contains,
                    "every value already starts and ends with `*`",
                )
            }
            StringStep::Position(Position::Start)
                if texts.iter().all(|t| t.ends_with_any_run()) =>
            {
                push(Modifier::StartsWith, "every value already ends with `*`")
            }
            StringStep::Position(Position::End)
                if texts.iter().all(|t| t.starts_with_any_run()) =>
            {
                push(Modifier::EndsWith, "every value already starts with `*`")
            }
            StringStep::Windash
                if texts.iter().all(|t| {
                    windash(t, item.value_span).is_ok_and(|variants| variants.len() == 1)
                }) =>
            {
                push(
                    Modifier::Windash,
                    "no value has a `-` or `/` that starts a command-line flag",
                )
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_find_what_a_substring_search_finds() {
        let needles: Vec<String> = ["md5=ab12", "md5=cd34", "sha1=ab12cd", "b12", "", "d34"]
            .iter()
            .map(|n| (*n).to_owned())
            .collect();
        let windows = Windows::worth_it(&needles, || [20usize].into_iter()).expect("cheap");
        for text in [
            "md5=ab12",
            "x md5=cd34 sha1=ab12cd y",
            "",
            "ab",
            "\u{e9}md5=ab12\u{e9}",
        ] {
            let mut hits = Vec::new();
            windows.find(text, &needles, &mut hits);
            hits.sort_unstable();
            hits.dedup();
            let expected: Vec<usize> = needles
                .iter()
                .enumerate()
                .filter(|(_, n)| text.contains(n.as_str()))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(hits, expected, "{text}");
        }
    }

    #[test]
    fn windows_give_way_to_an_automaton_for_many_lengths() {
        let needles: Vec<String> = (1..60).map(|n| "a".repeat(n)).collect();
        let long_texts = || std::iter::repeat_n(200usize, 100);
        assert!(Windows::worth_it(&needles, long_texts).is_none());
    }
}
