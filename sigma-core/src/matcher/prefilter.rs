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
//! - `and` may use any child's condition. At the top of a rule the two
//!   most selective children's conditions are both kept, and the rule is a
//!   candidate only when both hold (`Image` ends with `\rundll32.exe` and
//!   `CommandLine` holds `#1`): one condition alone let through every rule
//!   on a common image. Deeper down the most selective one is kept;
//!   `or` needs every child to have one, and unites them (fields may
//!   differ: the condition is then "one of these fields holds its needle");
//!   `not`, numbers, null/exists, CIDR, comparisons and field references
//!   give none, so such rules are always evaluated.
//! - a keyword gives needles looked for in every value of the event (the
//!   values a keyword search visits): one scan of the event's keyword text
//!   (every scalar, folded, each ended by a NUL, built once per event) for
//!   all the keyword rules of the set. A needle holding a NUL gives none.
//! - a regex gives the literal text every match must contain, read off its
//!   syntax tree in folded space (see [`regex_needles`]); `.*` alone, or a
//!   pattern the linear engine cannot parse (look-around), gives none.
//! - dotted field names give none: the matcher may reach them through
//!   nested objects, which the scan does not walk.
//!
//! Known limits: a rule whose every path is a number or a regex without
//! literal text is always evaluated; number needles would filter more.
//! A skipped rule is reported as not matching: a regex in it that would
//! have hit its backtracking limit on the event is not reported either.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

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
    /// Bits of the rules with one condition only: their second is vacuous.
    one_condition: Vec<u64>,
    scans: Vec<FieldScan>,
}

/// Where a needle is looked for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Scope {
    /// One top-level field.
    Field(String),
    /// Every value of the event, as a keyword search reads them.
    Everywhere,
}

/// All needles of one scope, with the conditions each needle belongs to.
#[derive(Clone, Debug)]
struct FieldScan {
    scope: Scope,
    automaton: AhoCorasick,
    /// Per needle (pattern id of the automaton), the rules it stands for,
    /// each with the condition (0 or 1) of the rule it is part of.
    owners: Vec<Vec<(u32, u8)>>,
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

/// Aho-Corasick automata already built, by their needles.
///
/// A log source with several selectors (Sysmon's process creation and
/// Security's 4688) has its rules compiled once per selector, with fields
/// renamed and values untouched: the same needle lists come back under
/// other field names, and the automaton of one serves them all (building
/// them was a quarter of loading SigmaHQ's Windows rules). Threads share
/// it: the first to ask for a list builds it while the others wait.
#[derive(Default)]
pub struct Automata {
    built: Mutex<HashMap<Vec<String>, Arc<Slot>>>,
}

/// An automaton being built or built; `None` inside when it could not be.
type Slot = OnceLock<Option<AhoCorasick>>;

impl Automata {
    /// The automaton of `needles` (sorted, distinct), built on first
    /// request; `None` when there are too many for one automaton.
    fn get(&self, needles: Vec<String>) -> Option<AhoCorasick> {
        let slot = match self.built.lock() {
            Ok(mut built) => match built.get(&needles) {
                Some(slot) => Arc::clone(slot),
                None => Arc::clone(built.entry(needles.clone()).or_default()),
            },
            // A thread panicked while holding the lock: build unshared.
            Err(_) => return automaton(&needles),
        };
        slot.get_or_init(|| automaton(&needles)).clone()
    }
}

impl fmt::Debug for Automata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.built.lock().map_or(0, |built| built.len());
        f.debug_struct("Automata").field("built", &count).finish()
    }
}

/// One automaton finding every needle, in overlapping positions too. The
/// crate picks its kind by size: a DFA for the many small sets (fastest to
/// scan), a contiguous NFA for the big ones, whose DFA would cost more to
/// build than it saves. Forcing the NFA everywhere cost a tenth of the
/// matching on SigmaHQ's Windows rules.
fn automaton(needles: &[String]) -> Option<AhoCorasick> {
    AhoCorasickBuilder::new()
        .match_kind(MatchKind::Standard)
        .build(needles)
        .ok()
}

/// A necessary condition: one of the scopes holds its needle.
type Needles = Vec<(Scope, String)>;

/// How many of a rule's necessary conditions are checked (all must hold).
const CONDITIONS_PER_RULE: usize = 2;

impl Prefilter {
    /// Builds the prefilter of `rules` (their predicate trees, as
    /// [`CompiledRule::predicates`](crate::matcher::CompiledRule::predicates)
    /// gives them); candidates are reported by index into `rules`.
    pub fn new(rules: &[&Expr]) -> Prefilter {
        Prefilter::sharing(rules, &Automata::default())
    }

    /// As [`new`](Self::new), taking automata from `automata` when one was
    /// already built for the same needles, and leaving new ones there.
    pub fn sharing(rules: &[&Expr], automata: &Automata) -> Prefilter {
        let words = rules.len().div_ceil(64);
        let mut always = Candidates {
            bits: vec![0; words],
        };
        let mut one_condition = always.clone();
        let mut by_field: BTreeMap<Scope, BTreeMap<String, Vec<(u32, u8)>>> = BTreeMap::new();
        for (index, rule) in rules.iter().enumerate() {
            let index = u32::try_from(index).unwrap_or(u32::MAX);
            let mut found = conditions(rule);
            found.retain(|needles| !needles.is_empty());
            found.sort_by_key(|needles| std::cmp::Reverse(score(needles)));
            found.truncate(CONDITIONS_PER_RULE);
            match found.len() {
                0 => always.insert(index),
                1 => one_condition.insert(index),
                _ => {}
            }
            for (slot, needles) in found.into_iter().enumerate() {
                let slot = u8::try_from(slot).unwrap_or(0);
                for (scope, needle) in needles {
                    let owners = by_field.entry(scope).or_default().entry(needle);
                    owners.or_default().push((index, slot));
                }
            }
        }

        let mut scans = Vec::new();
        for (field, needles) in by_field {
            let texts: Vec<String> = needles.keys().cloned().collect();
            match automata.get(texts) {
                Some(automaton) => scans.push(FieldScan {
                    scope: field,
                    automaton,
                    owners: needles.into_values().collect(),
                }),
                // Too many needles for the automaton: its rules are always
                // evaluated instead.
                None => needles
                    .values()
                    .flatten()
                    .for_each(|&(index, _)| always.insert(index)),
            }
        }
        Prefilter {
            rule_count: rules.len(),
            always: always.bits,
            one_condition: one_condition.bits,
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
        let mut found = [
            Candidates {
                bits: vec![0; self.always.len()],
            },
            Candidates {
                bits: self.one_condition.clone(),
            },
        ];
        for scan in &self.scans {
            match &scan.scope {
                Scope::Field(field) => {
                    if let Some(value) = event.get_bytes(field.as_bytes()) {
                        scan.scan(value, event, 0, &mut found);
                    }
                }
                Scope::Everywhere => scan.scan_text(event.keyword_text(), &mut found),
            }
        }

        // A rule may match if it has no condition, or both hold.
        let [first, second] = found;
        let bits = self
            .always
            .iter()
            .zip(first.bits)
            .zip(second.bits)
            .map(|((always, a), b)| always | (a & b))
            .collect();
        Candidates { bits }
    }
}

impl FieldScan {
    /// Marks the owners of every needle found in any scalar of `value`,
    /// read as the matcher reads it (arrays member by member, strings
    /// folded, numbers in decimal, booleans as `true`/`false`).
    fn scan(&self, value: &Value, event: &Event, depth: usize, found: &mut [Candidates; 2]) {
        if let Value::Array(items) = value {
            if depth < MAX_DEPTH {
                for item in items {
                    self.scan(item, event, depth + 1, found);
                }
            }
            return;
        }
        self.scan_scalar(value, event, found);
    }

    fn scan_scalar(&self, value: &Value, event: &Event, found: &mut [Candidates; 2]) {
        let number;
        let text = match value {
            Value::String(s) => event.folded(s),
            Value::Bool(true) => "true",
            Value::Bool(false) => "false",
            Value::Number(n) => {
                number = n.to_string();
                number.as_str()
            }
            Value::Null | Value::Object(_) | Value::Array(_) => return,
        };
        self.scan_text(text, found);
    }

    /// Marks the owners of every needle found in `text`.
    fn scan_text(&self, text: &str, found: &mut [Candidates; 2]) {
        for hit in self.automaton.find_overlapping_iter(text) {
            for &(rule, slot) in self
                .owners
                .get(hit.pattern().as_usize())
                .into_iter()
                .flatten()
            {
                if let Some(set) = found.get_mut(usize::from(slot)) {
                    set.insert(rule);
                }
            }
        }
    }
}

/// Necessary conditions of `expr` that are independent of one another:
/// one per child of an AND (nested ANDs flattened), else the one of
/// [`necessary`]. Every match satisfies all of them.
fn conditions(expr: &Expr) -> Vec<Needles> {
    match expr {
        Expr::And(items) => items.iter().flat_map(conditions).collect(),
        Expr::Search { body, .. } => conditions(body),
        other => necessary(other).into_iter().collect(),
    }
}

/// The most selective necessary condition found for `expr`: a list of
/// `(scope, needle)` pairs, one of which every match holds.
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
            let scope = match &predicate.target {
                Target::Field { name, .. } if !name.contains('.') => Scope::Field(name.clone()),
                Target::Field { .. } => return None,
                Target::Keywords => Scope::Everywhere,
            };
            let patterns = match &predicate.operation {
                Operation::Match { patterns, .. } => patterns,
                Operation::Regex { patterns, flags } => {
                    let mut needles = Vec::new();
                    for pattern in patterns {
                        for needle in regex_needles(pattern, *flags)? {
                            if scope == Scope::Everywhere
                                && needle.contains(crate::event::KEYWORD_SEPARATOR)
                            {
                                return None;
                            }
                            needles.push((scope.clone(), needle));
                        }
                    }
                    return (!needles.is_empty()).then_some(needles);
                }
                _ => return None,
            };
            if patterns.is_empty() {
                return None;
            }
            // The keyword text ends each value with the separator: a
            // needle holding it could span two values.
            let spans_values = |needle: &str| {
                scope == Scope::Everywhere && needle.contains(crate::event::KEYWORD_SEPARATOR)
            };
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
                    .filter(|needle| !needle.is_empty() && !spans_values(needle))?;
                needles.push((scope.clone(), longest));
            }
            Some(needles)
        }
    }
}

/// Folded needles one of which every text `pattern` matches contains, if
/// the regex shows any.
///
/// Read off the regex's syntax tree in folded space: a literal is its
/// folded text, and a class whose characters all fold to the same text (as
/// `(?i)` makes of `[eE]`) is that text too, so `(?i)WerFault` gives
/// `werfault`. A concatenation's adjacent pieces of known text join into a
/// run (zero-width assertions keep them adjacent); a piece that may be
/// absent or is unknown ends the run. The best run or sub-condition of a
/// concatenation is kept; an alternation needs one from every branch.
/// The text a match covers is part of the event value, so its fold is part
/// of the value's fold: the needle is found whenever the regex matches.
/// Patterns the linear engine cannot parse (look-around) give none.
fn regex_needles(pattern: &str, flags: crate::modifier::RegexFlags) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(flags.ignore_case)
        .multi_line(flags.multi_line)
        .dot_matches_new_line(flags.dot_all)
        .build()
        .parse(pattern)
        .ok()?;
    match regex_info(&hir, 0) {
        RegexInfo::Exact(text) => (!text.is_empty()).then(|| vec![text]),
        RegexInfo::Contains(needles) => needles,
    }
}

/// What a piece of a regex says about the text it matches, folded.
enum RegexInfo {
    /// The piece matches exactly this text (empty for an assertion).
    Exact(String),
    /// Every match of the piece contains one of these needles (none known:
    /// `None`). Never holds an empty needle.
    Contains(Option<Vec<String>>),
}

/// Classes with more characters than this are not examined.
const CLASS_LIMIT: u32 = 16;

fn regex_info(hir: &regex_syntax::hir::Hir, depth: usize) -> RegexInfo {
    use regex_syntax::hir::{Class, HirKind};

    if depth > MAX_DEPTH {
        return RegexInfo::Contains(None);
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => RegexInfo::Exact(String::new()),
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) => RegexInfo::Exact(fold(text).into_owned()),
            Err(_) => RegexInfo::Contains(None),
        },
        HirKind::Class(Class::Unicode(class)) => {
            let mut folded: Option<String> = None;
            let mut count = 0u32;
            for range in class.ranges() {
                count += u32::from(range.end()) - u32::from(range.start()) + 1;
                if count > CLASS_LIMIT {
                    return RegexInfo::Contains(None);
                }
                for code in u32::from(range.start())..=u32::from(range.end()) {
                    let Some(c) = char::from_u32(code) else {
                        return RegexInfo::Contains(None);
                    };
                    let lower: String = c.to_lowercase().collect();
                    match &folded {
                        None => folded = Some(lower),
                        Some(seen) if *seen == lower => {}
                        Some(_) => return RegexInfo::Contains(None),
                    }
                }
            }
            match folded {
                Some(text) => RegexInfo::Exact(text),
                None => RegexInfo::Contains(None),
            }
        }
        HirKind::Class(Class::Bytes(_)) => RegexInfo::Contains(None),
        HirKind::Capture(capture) => regex_info(&capture.sub, depth + 1),
        HirKind::Repetition(repetition) => {
            if repetition.min == 0 {
                return RegexInfo::Contains(None);
            }
            match regex_info(&repetition.sub, depth + 1) {
                RegexInfo::Exact(text) if repetition.max == Some(1) => RegexInfo::Exact(text),
                RegexInfo::Exact(text) => RegexInfo::Contains(usable(vec![text])),
                contains => contains,
            }
        }
        HirKind::Concat(items) => {
            let mut best: Option<Vec<String>> = None;
            let mut run = String::new();
            let mut exact = true;
            for item in items {
                match regex_info(item, depth + 1) {
                    RegexInfo::Exact(text) => run.push_str(&text),
                    RegexInfo::Contains(needles) => {
                        exact = false;
                        keep_better(&mut best, usable(vec![std::mem::take(&mut run)]));
                        keep_better(&mut best, needles);
                    }
                }
            }
            if exact {
                return RegexInfo::Exact(run);
            }
            keep_better(&mut best, usable(vec![run]));
            RegexInfo::Contains(best)
        }
        HirKind::Alternation(items) => {
            let mut all = Vec::new();
            for item in items {
                let needles = match regex_info(item, depth + 1) {
                    RegexInfo::Exact(text) => usable(vec![text]),
                    RegexInfo::Contains(needles) => needles,
                };
                let Some(needles) = needles else {
                    return RegexInfo::Contains(None);
                };
                all.extend(needles);
            }
            all.sort_unstable();
            all.dedup();
            RegexInfo::Contains(usable(all))
        }
    }
}

/// `needles` as a condition: none if empty or if any needle is empty (an
/// empty needle is found in every text).
fn usable(needles: Vec<String>) -> Option<Vec<String>> {
    (!needles.is_empty() && needles.iter().all(|n| !n.is_empty())).then_some(needles)
}

/// Keeps in `best` the more selective of it and `other`.
fn keep_better(best: &mut Option<Vec<String>>, other: Option<Vec<String>>) {
    let Some(other) = other else {
        return;
    };
    let rank = |needles: &[String]| {
        let shortest = needles.iter().map(String::len).min().unwrap_or(0);
        (shortest, std::cmp::Reverse(needles.len()))
    };
    if best.as_ref().is_none_or(|b| rank(&other) > rank(b)) {
        *best = Some(other);
    }
}

/// How selective a condition is: its shortest needle first (short needles
/// are found everywhere), then fewer needles.
fn score(needles: &Needles) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = needles.iter().map(|(_, n)| n.len()).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(needles.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modifier::RegexFlags;
    use proptest::prelude::*;

    fn needles(pattern: &str, ignore_case: bool) -> Option<Vec<String>> {
        let flags = RegexFlags {
            ignore_case,
            ..RegexFlags::default()
        };
        regex_needles(pattern, flags)
    }

    #[test]
    fn regex_literals_become_folded_needles() {
        let some = |list: &[&str]| Some(list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(needles(r"ipconfig\s+/all", false), some(&["ipconfig"]));
        assert_eq!(needles(r"\$PSHome\[\s*\d", false), some(&["$pshome["]));
        // `(?i)` classes fold to one letter, except `s`, which also takes
        // the long s (ſ), whose fold is itself: the run breaks there.
        assert_eq!(
            needles(r"(?i)\.exe\s+werfaultsecure\.exe", false),
            some(&["ecure.exe"])
        );
        assert_eq!(needles("WerFault", true), some(&["werfault"]));
        assert_eq!(needles("(?i)K", false), some(&["k"]));
        assert_eq!(needles("a|Bc", false), some(&["a", "bc"]));
        assert_eq!(needles("x(?:ab|cd)+y", false), some(&["ab", "cd"]));
        assert_eq!(needles(r"\bnet\b\s", false), some(&["net"]));
        assert_eq!(needles("a?b", false), some(&["b"]));
        assert_eq!(needles("(?:ab){2,3}", false), some(&["ab"]));
        // Nothing every match must hold.
        assert_eq!(needles(".*", false), None);
        assert_eq!(needles("^$", false), None);
        assert_eq!(needles("a|.", false), None);
        assert_eq!(needles("(?:^|x)", false), None);
        assert_eq!(needles("[a-z]+", false), None);
        // Look-around: not the linear engine's syntax.
        assert_eq!(needles("foo(?!bar)", false), None);
    }

    fn prefilter_of(detection: &str) -> (Prefilter, crate::matcher::CompiledRule) {
        use crate::matcher::{CompileOptions, CompiledRule};
        use crate::rule::SigmaFile;
        let source = format!("title: t\ndetection:\n{detection}");
        let file = SigmaFile::parse("t.yml", source.as_str());
        let rule = file.rules().next().expect("rule");
        let compiled = CompiledRule::compile(rule, &CompileOptions::default()).expect("ok");
        (Prefilter::new(&[compiled.predicates()]), compiled)
    }

    #[test]
    fn both_conditions_of_a_rule_must_hold() {
        let (prefilter, compiled) = prefilter_of(
            "  sel:\n    Image|endswith: '\\rundll32.exe'\n    CommandLine|contains: '#1'\n  \
             condition: sel\n",
        );
        let event = |image: &str, cli: &str| {
            Event::new(serde_json::json!({ "Image": image, "CommandLine": cli }))
        };
        let cases = [
            ("C:\\W\\RUNDLL32.EXE", "a.dat,#1", true),
            ("C:\\W\\rundll32.exe", "a.dat", false),
            ("C:\\W\\cmd.exe", "a.dat,#1", false),
        ];
        for (image, cli, expected) in cases {
            let event = event(image, cli);
            assert_eq!(
                prefilter.candidates(&event).contains(0),
                expected,
                "{image} {cli}"
            );
            assert_eq!(compiled.matches(&event), expected);
        }
    }

    #[test]
    fn renamed_fields_share_one_automaton_and_still_scan_their_own_field() {
        use crate::matcher::{CompileOptions, CompiledRule};
        use crate::rule::SigmaFile;
        let source = "title: t\ndetection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n  \
                      condition: sel\n";
        let file = SigmaFile::parse("t.yml", source);
        let rule = file.rules().next().expect("rule");
        let renamed = CompileOptions {
            field_map: [("Image".to_owned(), "NewProcessName".to_owned())].into(),
            ..CompileOptions::default()
        };
        let plain = CompiledRule::compile(rule, &CompileOptions::default()).expect("ok");
        let security = CompiledRule::compile(rule, &renamed).expect("ok");

        let automata = Automata::default();
        let first = Prefilter::sharing(&[plain.predicates()], &automata);
        let second = Prefilter::sharing(&[security.predicates()], &automata);

        assert_eq!(automata.built.lock().map(|b| b.len()).ok(), Some(1));
        let sysmon = Event::new(serde_json::json!({ "Image": "C:\\W\\whoami.exe" }));
        let event_4688 = Event::new(serde_json::json!({ "NewProcessName": "C:\\W\\whoami.exe" }));
        assert!(first.candidates(&sysmon).contains(0));
        assert!(!first.candidates(&event_4688).contains(0));
        assert!(second.candidates(&event_4688).contains(0));
        assert!(!second.candidates(&sysmon).contains(0));
    }

    #[test]
    fn keywords_are_looked_for_in_every_value() {
        let (prefilter, compiled) = prefilter_of(
            "  keywords:\n    - 'sekurlsa::'\n    - 'Kiwi Legit'\n  filter:\n    EventID: 15\n  \
             condition: keywords and not filter\n",
        );
        assert_eq!(prefilter.filtered(), 1);
        let nested = Event::new(serde_json::json!({
            "EventID": 1, "Event": {"EventData": {"Data": ["x", {"deep": "KIWI LEGIT printer"}]}}
        }));
        assert!(prefilter.candidates(&nested).contains(0));
        assert!(compiled.matches(&nested));
        let number = Event::new(serde_json::json!({"EventID": 1, "n": [1, true, null]}));
        assert!(!prefilter.candidates(&number).contains(0));
        assert!(!compiled.matches(&number));

        // A needle spanning two values' text is not looked for.
        let (prefilter, _) = prefilter_of("  keywords:\n    - \"a\\0b\"\n  condition: keywords\n");
        assert_eq!(prefilter.filtered(), 0);
    }

    #[test]
    fn a_regex_rule_is_prefiltered_on_its_field() {
        use crate::matcher::{CompileOptions, CompiledRule};
        use crate::rule::SigmaFile;
        let source = "title: t\ndetection:\n  sel:\n    CommandLine|re: 'route\\s+print'\n  \
                      condition: sel\n";
        let file = SigmaFile::parse("t.yml", source);
        let rule = file.rules().next().expect("rule");
        let compiled = CompiledRule::compile(rule, &CompileOptions::default()).expect("ok");
        let prefilter = Prefilter::new(&[compiled.predicates()]);
        assert_eq!(prefilter.filtered(), 1);
        let event = |text: &str| Event::new(serde_json::json!({ "CommandLine": text }));
        assert!(prefilter.candidates(&event("x ROUTE print")).contains(0));
        assert!(!compiled.matches(&event("x ROUTE print")));
        assert!(prefilter.candidates(&event("route  print")).contains(0));
        assert!(compiled.matches(&event("route  print")));
        assert!(!prefilter.candidates(&event("rout print")).contains(0));
    }

    fn regex_piece() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "a", "B", "s", "k", "é", "ß", ".", r"\s", r"\d", "[aB]", "(?:a|Bc)", "x?", "é+",
            "(?i:s)", "(?i:k)", "(?i:é)", "ſ", "K", "^", "$", r"\b", "(?:ab)*", "[^a]",
        ])
        .prop_map(str::to_owned)
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 2000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Whenever a regex matches, its needles are in the folded text.
        #[test]
        fn regex_needles_are_necessary(
            pieces in prop::collection::vec(regex_piece(), 1..6),
            ignore_case in any::<bool>(),
            text in prop::collection::vec(
                prop::sample::select(vec![
                    "a", "A", "b", "B", "c", "s", "S", "ſ", "k", "K", "K", "é", "É", "ß",
                    "ẞ", " ", "1", "x",
                ]),
                0..12,
            ),
        ) {
            let pattern = pieces.concat();
            let text = text.concat();
            let regex = regex::RegexBuilder::new(&pattern)
                .case_insensitive(ignore_case)
                .build()
                .expect("valid");
            if let Some(found) = needles(&pattern, ignore_case) {
                if regex.is_match(&text) {
                    let folded = fold(&text);
                    prop_assert!(
                        found.iter().any(|n| folded.contains(n.as_str())),
                        "{pattern} matches {text:?} but none of {found:?} is in it"
                    );
                }
            }
        }
    }
}
