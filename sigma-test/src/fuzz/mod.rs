//! Fuzzing a rule's condition: proptest strategies built from its
//! predicates, and the properties of `design.md` checked with the matcher.
//!
//! For each rule, the analysis (`sigma_core::analysis`) searches once for
//! a witness of each goal (the rule matches; exclusion *i* applies; stage
//! *i* fails) and keeps its literals. proptest then draws [`FuzzInput`]s:
//! the fill of every wildcard and `contains` gap (random text), a
//! letter-case mask, padding, an unrelated field. Each input rebuilds the
//! witness and checks:
//!
//! 1. the rule matches it;
//! 2. with exclusion *i* applied, it does not match;
//! 3. with required stage *i* broken, it does not match;
//! 4. case flips (where every test of the field ignores case), padding
//!    around `contains` values (where no test could start to fail), an
//!    unrelated field, flag dashes swapped among `windash`'s dashes (where
//!    every test lists all variants), numbers written as strings, the byte
//!    offset of `base64offset` values inside base64 text (where every test
//!    of the field is a positive `base64offset|contains`): the rule still
//!    matches;
//! 5. the compiled matcher and the reference evaluator agree on every
//!    event built.
//!
//! A goal the analysis proves impossible fails its property at once (the
//! rule never fires; a filter is dead; a stage adds nothing). A failure
//! found by drawing is shrunk by proptest to a minimal input and reported
//! with its event as a ready case ([`case::case_yaml`]).
//!
//! Runs are reproducible: the seed (and the rule's id) fix every draw, and
//! every proptest setting is set here rather than read from `PROPTEST_*`.

pub mod case;
mod facts;

use std::cell::RefCell;

use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use serde_json::{Map, Value};
use sigma_core::analysis::{Analysis, Fill, Goal, Outcome, StageKind};
use sigma_core::matcher::CompileOptions;
use sigma_core::modifier::WINDASH_CHARS;
use sigma_core::reference;
use sigma_core::rule::Rule;

pub use facts::{Facts, FieldFacts};

/// How hard and how to fuzz.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FuzzOptions {
    /// Inputs drawn per property and rule.
    pub cases: u32,
    /// The seed; with the rule's id it fixes every draw.
    pub seed: u64,
}

impl Default for FuzzOptions {
    fn default() -> Self {
        FuzzOptions { cases: 16, seed: 0 }
    }
}

/// A property of `design.md`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Property {
    /// 1: the rule can match.
    CanMatch,
    /// 2: every exclusion can apply.
    ExclusionApplies,
    /// 3: every required stage matters.
    StageMatters,
    /// 4: changes that must not matter do not.
    Invariance,
    /// 5: the matcher and the reference evaluator agree.
    Agreement,
}

impl Property {
    /// Short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Property::CanMatch => "rule can match",
            Property::ExclusionApplies => "exclusion can apply",
            Property::StageMatters => "stage matters",
            Property::Invariance => "irrelevant change",
            Property::Agreement => "matcher agrees with reference",
        }
    }
}

/// One failed property.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertyFailure {
    /// Which property.
    pub property: Property,
    /// The stage or change involved (`filter_main_msiexec`, `case of
    /// CommandLine`).
    pub subject: String,
    /// What went wrong.
    pub message: String,
    /// The minimal event, when there is one, and the verdict it should get.
    pub event: Option<(Value, bool)>,
}

impl PropertyFailure {
    /// The failure as a case to paste into the rule's case file.
    pub fn case_yaml(&self) -> Option<String> {
        let (event, should_match) = self.event.as_ref()?;
        let name = format!("fuzz: {} ({})", self.property.name(), self.subject);
        Some(case::case_yaml(&name, *should_match, event))
    }
}

/// What fuzzing one rule found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleFuzz {
    /// Properties checked (each goal counts once).
    pub checked: usize,
    /// Goals for which no witness was found within the search budget
    /// (neither checked nor failed), with the stage they are about.
    pub unknown: Vec<(Property, String)>,
    /// What failed.
    pub failures: Vec<PropertyFailure>,
}

/// One drawn input: how to fill the witness and which harmless changes to
/// make.
#[derive(Clone, Debug)]
pub struct FuzzInput {
    /// Wildcard fill.
    pub fill: Fill,
    /// Letter-case flips, cycled over the characters.
    pub flips: Vec<bool>,
    /// Text added before `contains` values.
    pub before: String,
    /// Text added after them.
    pub after: String,
    /// An unrelated field's value.
    pub extra: String,
    /// The dash put in place of flag dashes.
    pub dash: char,
    /// How many bytes come before the first `base64offset` value (taken
    /// modulo 3: the three offsets base64 tells apart).
    pub offset: u8,
}

/// The strategy for [`FuzzInput`]: short printable texts, so that shrunk
/// failures read well.
pub fn input_strategy() -> impl Strategy<Value = FuzzInput> {
    let text = "[a-zA-Z0-9 ._:/\\\\-]{0,6}";
    (
        text,
        prop::char::range('a', 'z'),
        any::<u8>(),
        prop::collection::vec(any::<bool>(), 1..8),
        text,
        text,
        text,
        prop::sample::select(WINDASH_CHARS.to_vec()),
        0u8..3,
    )
        .prop_map(
            |(run, one, regex_seed, flips, before, after, extra, dash, offset)| FuzzInput {
                fill: Fill {
                    run,
                    one,
                    regex_seed,
                },
                flips,
                before,
                after,
                extra,
                dash,
                offset,
            },
        )
}

/// Fuzzes one rule. A rule that does not compile is not fuzzed (the test
/// run reports why it does not compile).
pub fn fuzz_rule(rule: &Rule, options: &FuzzOptions) -> Option<RuleFuzz> {
    let compile = CompileOptions::default();
    let analysis = Analysis::new(rule, &compile).ok()?;
    let facts = Facts::of(rule, &analysis);
    let cx = Context {
        rule,
        compile: &compile,
        analysis: &analysis,
        facts: &facts,
    };
    let mut report = RuleFuzz::default();
    let seed = options.seed ^ fnv(rule.header.id.as_ref().map_or("", |i| i.value.as_str()));

    let mut goals = vec![(Goal::Match, Property::CanMatch, "the rule".to_owned())];
    for (index, stage) in analysis.stages.iter().enumerate() {
        let property = match stage.kind {
            StageKind::Exclusion => Property::ExclusionApplies,
            StageKind::Required => Property::StageMatters,
        };
        goals.push((Goal::Flip(index), property, stage.name()));
    }

    for (goal, property, subject) in goals {
        report.checked += 1;
        let (outcome, plan) = analysis.plan(goal);
        match outcome {
            Outcome::Impossible(conflict) => {
                let message = match property {
                    Property::CanMatch => format!("no event can match: {}", conflict.message),
                    Property::ExclusionApplies => format!(
                        "the filter can never apply to an event the rest of the rule picks: {}",
                        conflict.message
                    ),
                    _ => format!(
                        "no event passes the other stages and fails this one: {}",
                        conflict.message
                    ),
                };
                report.failures.push(PropertyFailure {
                    property,
                    subject,
                    message,
                    event: None,
                });
                continue;
            }
            Outcome::Unknown => {
                report.unknown.push((property, subject));
                continue;
            }
            Outcome::Witness(_) => {}
        }

        let should_match = goal == Goal::Match;
        let check = |input: &FuzzInput| cx.check(&plan, goal, should_match, input);
        if let Some(failure) = run_property(options, seed, &check) {
            report
                .failures
                .push(failure.with_subject(property, &subject));
        }
    }
    Some(report)
}

/// What one drawn input did wrong: the property, the change, the message,
/// the event and the verdict it should have had.
struct Violation {
    property: Property,
    change: Option<String>,
    message: String,
    event: Value,
    should_match: bool,
}

impl Violation {
    fn with_subject(self, goal_property: Property, subject: &str) -> PropertyFailure {
        let subject = match &self.change {
            Some(change) => format!("{subject}; {change}"),
            None => subject.to_owned(),
        };
        let property = if self.property == Property::Agreement {
            Property::Agreement
        } else if self.change.is_some() {
            Property::Invariance
        } else {
            goal_property
        };
        PropertyFailure {
            property,
            subject,
            message: self.message,
            event: Some((self.event, self.should_match)),
        }
    }
}

fn run_property(
    options: &FuzzOptions,
    seed: u64,
    check: &dyn Fn(&FuzzInput) -> Option<Violation>,
) -> Option<Violation> {
    let config = Config {
        cases: options.cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        max_shrink_iters: 512,
        max_shrink_time: 2_000,
        max_local_rejects: 1_000,
        max_global_rejects: 1_000,
        max_flat_map_regens: 1_000,
        max_default_size_range: 100,
        verbose: 0,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let first = RefCell::new(None);
    let result = runner.run(&input_strategy(), |input| match check(&input) {
        Some(violation) => {
            let message = violation.message.clone();
            first.borrow_mut().get_or_insert(violation);
            Err(TestCaseError::fail(message))
        }
        None => Ok(()),
    });
    match result {
        Ok(()) => None,
        // Re-run the shrunk input for its event and message.
        Err(TestError::Fail(_, minimal)) => check(&minimal).or_else(|| first.into_inner()),
        Err(TestError::Abort(_)) => None,
    }
}

struct Context<'a> {
    rule: &'a Rule,
    compile: &'a CompileOptions,
    analysis: &'a Analysis,
    facts: &'a Facts,
}

impl Context<'_> {
    /// The violations of one input for one goal, the first one found.
    fn check(
        &self,
        plan: &sigma_core::analysis::Plan<'_>,
        goal: Goal,
        should_match: bool,
        input: &FuzzInput,
    ) -> Option<Violation> {
        let event = plan.event(&input.fill)?;
        if let Some(v) = self.verdict(&event, should_match, None) {
            return Some(v);
        }
        if goal != Goal::Match {
            return None;
        }

        let mut changes: Vec<(String, Value)> = Vec::new();
        if let Some(flipped) = self.flip_case(&event, &input.flips) {
            changes.push(("letter case".to_owned(), flipped));
        }
        if let Some(padded) = self.pad(&event, &input.before, &input.after) {
            changes.push(("text around contains values".to_owned(), padded));
        }
        if self.facts.extra_fields_free {
            let mut extra = event.clone();
            if let Value::Object(map) = &mut extra {
                let name = (0..)
                    .map(|i| format!("FuzzUnrelated{i}"))
                    .find(|n| !self.facts.fields.contains_key(n) && !map.contains_key(n))
                    .unwrap_or_default();
                map.insert(name, Value::String(input.extra.clone()));
            }
            changes.push(("an unrelated field".to_owned(), extra));
        }
        if let Some(dashed) = self.swap_dashes(&event, input.dash) {
            changes.push(("windash dash variants".to_owned(), dashed));
        }
        if let Some(shifted) = self.shift_offsets(&event, input.offset, &input.extra) {
            changes.push(("base64 offsets".to_owned(), shifted));
        }
        if let Some(stringified) = numbers_as_strings(&event) {
            changes.push(("numbers written as strings".to_owned(), stringified));
        }
        changes
            .into_iter()
            .find_map(|(change, changed)| self.verdict(&changed, true, Some(change)))
    }

    /// Checks the verdict of `event` and the reference's agreement.
    fn verdict(
        &self,
        event: &Value,
        should_match: bool,
        change: Option<String>,
    ) -> Option<Violation> {
        let compiled = self.analysis.matches(event);
        let wrapped = sigma_core::event::Event::new(event.clone());
        let reference = reference::evaluate(self.rule, self.compile, &wrapped);
        if let Ok(expected) = reference {
            if expected != compiled {
                return Some(Violation {
                    property: Property::Agreement,
                    change,
                    message: format!(
                        "the matcher says {compiled}, the reference evaluator {expected}"
                    ),
                    event: event.clone(),
                    should_match: expected,
                });
            }
        }
        if compiled == should_match {
            return None;
        }
        let message = match (&change, should_match) {
            (Some(change), _) => format!("changing {change} changed the verdict to no match"),
            (None, true) => "the witness does not match".to_owned(),
            (None, false) => "the event matches although it should not".to_owned(),
        };
        Some(Violation {
            property: Property::CanMatch,
            change,
            message,
            event: event.clone(),
            should_match,
        })
    }

    fn flip_case(&self, event: &Value, flips: &[bool]) -> Option<Value> {
        let Value::Object(map) = event else {
            return None;
        };
        if flips.is_empty() || !self.facts.keywords_case_free {
            return None;
        }
        let mut out = Map::new();
        let mut changed = false;
        let mut at = 0usize;
        for (name, value) in map {
            let free = self.facts.fields.get(name).is_none_or(|f| f.case_free);
            let value = match value {
                Value::String(text) if free => {
                    let flipped: String = text
                        .chars()
                        .map(|c| {
                            at += 1;
                            let flip = flips.get(at % flips.len()).copied().unwrap_or(false);
                            if flip && c.is_ascii_alphabetic() {
                                changed = true;
                                if c.is_ascii_lowercase() {
                                    c.to_ascii_uppercase()
                                } else {
                                    c.to_ascii_lowercase()
                                }
                            } else {
                                c
                            }
                        })
                        .collect();
                    Value::String(flipped)
                }
                other => other.clone(),
            };
            out.insert(name.clone(), value);
        }
        changed.then_some(Value::Object(out))
    }

    /// Every flag dash of dash-free fields becomes `dash`.
    fn swap_dashes(&self, event: &Value, dash: char) -> Option<Value> {
        let Value::Object(map) = event else {
            return None;
        };
        let mut out = map.clone();
        let mut changed = false;
        for (name, value) in out.iter_mut() {
            let free = self.facts.fields.get(name).is_some_and(|f| f.dash_free);
            let Value::String(text) = value else { continue };
            if !free {
                continue;
            }
            let cells: Vec<Option<char>> = text.chars().map(Some).collect();
            let slots = facts::flag_positions(&cells);
            if slots.is_empty() {
                continue;
            }
            *text = text
                .chars()
                .enumerate()
                .map(|(i, c)| if slots.contains(&i) { dash } else { c })
                .collect();
            changed = true;
        }
        changed.then_some(Value::Object(out))
    }

    /// Every field whose tests are all `base64offset|contains` becomes the
    /// base64 of all its values, the first one `offset` bytes in and each
    /// next one after `filler`: any offset must match.
    fn shift_offsets(&self, event: &Value, offset: u8, filler: &str) -> Option<Value> {
        let Value::Object(map) = event else {
            return None;
        };
        let mut out = map.clone();
        let mut changed = false;
        for (name, facts) in &self.facts.fields {
            if facts.offset_values.is_empty() {
                continue;
            }
            let mut plain: Vec<u8> = b"xyz"
                .iter()
                .copied()
                .take(usize::from(offset % 3))
                .collect();
            for value in &facts.offset_values {
                plain.extend_from_slice(value);
                plain.extend_from_slice(filler.as_bytes());
            }
            let encoded = base64::engine::general_purpose::STANDARD.encode(&plain);
            out.insert(name.clone(), Value::String(encoded));
            changed = true;
        }
        changed.then_some(Value::Object(out))
    }

    fn pad(&self, event: &Value, before: &str, after: &str) -> Option<Value> {
        let Value::Object(map) = event else {
            return None;
        };
        if before.is_empty() && after.is_empty() {
            return None;
        }
        let mut out = map.clone();
        let mut changed = false;
        for (name, value) in out.iter_mut() {
            let paddable = self.facts.fields.get(name).is_some_and(|f| f.paddable);
            if let (true, Value::String(text)) = (paddable, &mut *value) {
                *text = format!("{before}{text}{after}");
                changed = true;
            }
        }
        changed.then_some(Value::Object(out))
    }
}

fn numbers_as_strings(event: &Value) -> Option<Value> {
    let Value::Object(map) = event else {
        return None;
    };
    let mut out = map.clone();
    let mut changed = false;
    for value in out.values_mut() {
        if let Value::Number(n) = value {
            *value = Value::String(n.to_string());
            changed = true;
        }
    }
    changed.then_some(Value::Object(out))
}

/// FNV-1a: a stable hash of the rule's id for its seed (std's hasher is
/// not stable across releases).
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests;
