//! Which predicates a rule's cases exercise.
//!
//! Coverage is recorded while the ordinary run judges events: the
//! [`CoverageEngine`] wraps the matcher and, for every event, notes
//!
//! - each value of a required selection that holds in an event the rule
//!   matches (a positive case reaches it); a negated value (`neq`, or a
//!   value under a `not` inside the selection) when its negated test holds
//!   and the event has the field: a positive case holds the field with
//!   another value (an event without the field passes the test without
//!   comparing anything, so it exercises nothing), and
//! - each exclusion that alone stops an event the rest of the rule would
//!   match (a negative case that would match without it).
//!
//! A rule is fully covered when every value and every exclusion was hit.
//! Reports: text, JSON, lcov (`DA:` per line) and Cobertura XML, which CI
//! tools render; `--min-coverage` turns the total into a gate.
//!
//! Rules are told apart by address, so only rules of the run's corpus are
//! reported (a rule a case file loads from outside it is judged but not
//! counted).
//!
//! Known limit: hits are recorded as each event is judged, before the
//! runner compares the verdict with the case's `expect`, so a failing case
//! (a negative case whose event matched) still counts what it reached. The
//! run fails on that case anyway, so no gate passes on it. What it would
//! take: hits held per case and kept only once the runner reports that the
//! case passed (a hook on [`Engine`] called after each verdict).

mod report;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use sigma_core::analysis::{Analysis, StageKind};
use sigma_core::event::Event;
use sigma_core::matcher::ir::{Expr, Predicate, Target as IrTarget};
use sigma_core::matcher::CompileOptions;
use sigma_core::rule::{DetectionBody, Rule};

use crate::engine::{Engine, EngineError};

pub use report::{write_cobertura, write_json, write_lcov, write_text};

/// One thing a case should exercise.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Target {
    /// `value` or `exclusion`.
    pub kind: TargetKind,
    /// The search identifier.
    pub identifier: String,
    /// The value as written, or the exclusion's name.
    pub text: String,
    /// Whether the value is negated (`neq`, or under a `not` inside its
    /// selection): an event exercises it by holding the field with
    /// another value.
    pub negated: bool,
    /// 1-based line in the rule file.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// How many events hit it.
    pub hits: usize,
}

/// What a [`Target`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A value of a required selection: needs a matching event.
    Value,
    /// An exclusion: needs an event only it stops.
    Exclusion,
}

/// The coverage of one rule.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct RuleCoverage {
    /// Targets by byte offset in the rule file.
    pub targets: BTreeMap<usize, Target>,
}

impl RuleCoverage {
    /// (hit, total).
    pub fn counts(&self) -> (usize, usize) {
        let hit = self.targets.values().filter(|t| t.hits > 0).count();
        (hit, self.targets.len())
    }
}

/// Wraps the matcher and records coverage.
#[derive(Debug, Default)]
pub struct CoverageEngine {
    /// Values of `expand` placeholders, as for the plain engine.
    pub placeholders: HashMap<String, Vec<String>>,
    seen: Mutex<HashMap<usize, RuleCoverage>>,
}

/// A rule compiled for coverage: its analysis and its address.
pub struct Covered {
    analysis: Analysis,
    key: usize,
}

impl CoverageEngine {
    /// An engine filling `expand` placeholders from `placeholders`.
    pub fn with_placeholders(placeholders: HashMap<String, Vec<String>>) -> CoverageEngine {
        CoverageEngine {
            placeholders,
            seen: Mutex::default(),
        }
    }

    /// The coverage of `rule` (empty when no event reached it).
    pub fn of(&self, rule: &Rule) -> RuleCoverage {
        let key = rule as *const Rule as usize;
        let targets = targets_of(rule, &self.placeholders);
        let seen = self
            .seen
            .lock()
            .map(|s| s.get(&key).cloned())
            .ok()
            .flatten();
        match seen {
            Some(seen) => seen,
            None => targets.unwrap_or_default(),
        }
    }

    fn record(&self, key: usize, update: impl FnOnce(&mut RuleCoverage)) {
        if let Ok(mut seen) = self.seen.lock() {
            if let Some(coverage) = seen.get_mut(&key) {
                update(coverage);
            }
        }
    }
}

/// The targets of `rule`, none hit yet; `None` if it does not compile.
fn targets_of(rule: &Rule, placeholders: &HashMap<String, Vec<String>>) -> Option<RuleCoverage> {
    let options = CompileOptions {
        placeholders: placeholders.clone(),
        ..CompileOptions::default()
    };
    let analysis = Analysis::new(rule, &options).ok()?;
    Some(targets_of_analysis(rule, &analysis))
}

fn targets_of_analysis(rule: &Rule, analysis: &Analysis) -> RuleCoverage {
    let mut coverage = RuleCoverage::default();
    for stage in &analysis.stages {
        match stage.kind {
            StageKind::Required => for_each_polar(&stage.expr, false, &mut |p, negated| {
                let span = p.origin.value;
                coverage
                    .targets
                    .entry(span.start)
                    .or_insert_with(|| Target {
                        kind: TargetKind::Value,
                        identifier: p.origin.identifier.clone(),
                        text: value_text(rule, span),
                        negated,
                        line: span.location.line,
                        column: span.location.column,
                        hits: 0,
                    });
            }),
            StageKind::Exclusion => {
                let name = stage.name();
                let span = stage
                    .identifiers
                    .first()
                    .and_then(|i| rule.detection.identifier(i))
                    .map_or(rule.header.span, |i| i.name.span);
                coverage
                    .targets
                    .entry(span.start)
                    .or_insert_with(|| Target {
                        kind: TargetKind::Exclusion,
                        identifier: name.clone(),
                        text: name,
                        negated: false,
                        line: span.location.line,
                        column: span.location.column,
                        hits: 0,
                    });
            }
        }
    }
    coverage
}

/// The rule value written at `span`, as text.
fn value_text(rule: &Rule, span: sigma_core::span::Span) -> String {
    fn find(body: &DetectionBody, span: sigma_core::span::Span) -> Option<String> {
        match body {
            DetectionBody::Map { items, .. } => items.iter().find_map(|item| {
                item.values
                    .iter()
                    .find(|v| v.span == span)
                    .map(|v| format!("{}: {}", item.key.value, quoted(v.text())))
            }),
            DetectionBody::List { elements, .. } => elements.iter().find_map(|e| find(e, span)),
            DetectionBody::Keyword(value) => (value.span == span).then(|| quoted(value.text())),
            DetectionBody::Invalid(_) => None,
        }
    }
    rule.detection
        .identifiers
        .iter()
        .find_map(|i| find(&i.body, span))
        .unwrap_or_default()
}

/// `text` in single quotes (YAML style, `'` doubled) when it would not
/// read back as written: empty, or with a space at either end (`' -all'`
/// shown bare lost its leading space in the report).
fn quoted(text: &str) -> String {
    let bare = !text.is_empty() && text.trim() == text && !text.starts_with('\'');
    if bare {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

impl Engine for CoverageEngine {
    type Compiled = Covered;
    type Event = Event;

    fn compile(
        &self,
        rule: &Rule,
        fields: &std::collections::BTreeMap<String, String>,
    ) -> Result<Covered, Vec<EngineError>> {
        let options = CompileOptions {
            field_map: fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            placeholders: self.placeholders.clone(),
        };
        let analysis = Analysis::new(rule, &options).map_err(crate::engine::engine_errors)?;
        let key = rule as *const Rule as usize;
        if let Ok(mut seen) = self.seen.lock() {
            seen.entry(key)
                .or_insert_with(|| targets_of_analysis(rule, &analysis));
        }
        Ok(Covered { analysis, key })
    }

    fn event(&self, value: serde_json::Value) -> Event {
        Event::new(value)
    }

    fn matches(&self, rule: &Covered, event: &Event) -> Result<bool, EngineError> {
        let analysis = &rule.analysis;
        // The matcher is compiled on first use; an analysis exists only
        // for a rule that compiles, so `None` does not happen.
        let verdict = analysis
            .matcher()
            .map_or(Ok(false), |matcher| matcher.try_matches(event))
            .map_err(EngineError::from)?;

        let holds: Vec<bool> = (0..analysis.stages.len())
            .map(|i| analysis.stage_holds(i, event))
            .collect();
        let mut hit = Vec::new();
        if verdict {
            for (i, stage) in analysis.stages.iter().enumerate() {
                if stage.kind == StageKind::Required && holds.get(i) == Some(&true) {
                    for_each_polar(&stage.expr, false, &mut |p, negated| {
                        if exercised(analysis, p, negated, event) {
                            hit.push(p.origin.value.start);
                        }
                    });
                }
            }
        } else {
            let required_hold = analysis
                .stages
                .iter()
                .zip(&holds)
                .all(|(s, h)| s.kind == StageKind::Exclusion || *h);
            let applying: Vec<usize> = analysis
                .stages
                .iter()
                .zip(&holds)
                .enumerate()
                .filter(|(_, (s, h))| s.kind == StageKind::Exclusion && **h)
                .map(|(i, _)| i)
                .collect();
            // Only the exclusion that alone stops the match is exercised.
            if let ([only], true) = (applying.as_slice(), required_hold) {
                hit.push(exclusion_offset(
                    analysis,
                    *only,
                    &rule_targets(self, rule.key),
                ));
            }
        }
        if !hit.is_empty() {
            self.record(rule.key, |coverage| {
                for offset in hit {
                    if let Some(target) = coverage.targets.get_mut(&offset) {
                        target.hits += 1;
                    }
                }
            });
        }
        Ok(verdict)
    }
}

/// Calls `visit` on every predicate of `expr` with whether it sits under
/// an odd number of `not`s (`negated` says whether `expr` itself does).
fn for_each_polar<'a>(expr: &'a Expr, negated: bool, visit: &mut impl FnMut(&'a Predicate, bool)) {
    match expr {
        Expr::And(items) | Expr::Or(items) => {
            items.iter().for_each(|i| for_each_polar(i, negated, visit));
        }
        Expr::Not(inner) => for_each_polar(inner, !negated, visit),
        Expr::Search { body, .. } => for_each_polar(body, negated, visit),
        Expr::Predicate(p) => visit(p, negated),
    }
}

/// Whether `event`, which the rule matches, exercises `predicate`: it
/// holds; or, negated, it fails on a field the event has.
fn exercised(analysis: &Analysis, predicate: &Predicate, negated: bool, event: &Event) -> bool {
    let holds = analysis.predicate_holds(predicate, event);
    if !negated {
        return holds;
    }
    let has_field = match &predicate.target {
        IrTarget::Field { name, .. } => event.get(name).is_some_and(|v| !v.is_null()),
        IrTarget::Keywords => true,
    };
    !holds && has_field
}

fn rule_targets(engine: &CoverageEngine, key: usize) -> Vec<(usize, String)> {
    engine
        .seen
        .lock()
        .ok()
        .and_then(|seen| {
            seen.get(&key).map(|c| {
                c.targets
                    .iter()
                    .filter(|(_, t)| t.kind == TargetKind::Exclusion)
                    .map(|(o, t)| (*o, t.identifier.clone()))
                    .collect()
            })
        })
        .unwrap_or_default()
}

fn exclusion_offset(analysis: &Analysis, index: usize, targets: &[(usize, String)]) -> usize {
    let name = analysis
        .stages
        .get(index)
        .map(|s| s.name())
        .unwrap_or_default();
    targets
        .iter()
        .find(|(_, n)| *n == name)
        .map_or(usize::MAX, |(o, _)| *o)
}

/// The whole run's coverage, per rule path.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct CoverageReport {
    /// (rule path, rule name, its coverage), in path order.
    pub rules: Vec<(String, String, RuleCoverage)>,
}

impl CoverageReport {
    /// (hit, total) over every rule.
    pub fn totals(&self) -> (usize, usize) {
        self.rules.iter().fold((0, 0), |(h, t), (_, _, c)| {
            let (hit, total) = c.counts();
            (h + hit, t + total)
        })
    }

    /// The total as a percentage (100 when there is nothing to cover).
    pub fn percent(&self) -> f64 {
        let (hit, total) = self.totals();
        if total == 0 {
            100.0
        } else {
            hit as f64 * 100.0 / total as f64
        }
    }
}

/// The report for every rule of `corpus` after a run with `engine`.
pub fn report(engine: &CoverageEngine, corpus: &crate::discover::Corpus) -> CoverageReport {
    let mut out = CoverageReport::default();
    for entry in &corpus.rules {
        let Some(rule) = entry.rule() else {
            continue;
        };
        let coverage = engine.of(rule);
        out.rules.push((
            entry.file.path.display().to_string(),
            rule.display_name().to_owned(),
            coverage,
        ));
    }
    out
}

#[cfg(test)]
mod tests;
