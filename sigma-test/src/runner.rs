//! Rules x cases -> results, in parallel.
//!
//! Planning is sequential and cheap: every case file is tied to its rule and
//! every rule with a `regression_tests_path` gets its SigmaHQ tests. Running
//! is one job per rule (rayon): the rule is compiled once per field mapping
//! its log source needs, and each case's events are routed and judged.
//!
//! Routing: inline events are the rule's events as written. Events read from
//! files are routed when they are Windows events: the rule's log source must
//! be known to the [`LogSourceMap`] ("logsource not mapped" otherwise), only
//! the events it covers are judged, with that selector's field renames.
//! Events of other shapes (generic JSON) are judged as they are.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use sigma_core::events::{self, windows};
use sigma_core::logsource::{Coverage, LogSourceKey, LogSourceMap};
use sigma_core::matcher::CompileErrorKind;
use sigma_core::rule::{Rule, SigmaDocument, SigmaFile};
use sigma_core::span::Location;

use crate::case_file::{Case, CaseInput, Expect};
use crate::discover::{self, Corpus, RuleEntry};
use crate::engine::{Engine, EngineError};
use crate::problem::InputError;
use crate::regression::{self, RegressionTest};

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The log-source mapping for routing file events.
    pub logsources: LogSourceMap,
    /// Whether to run the rules' SigmaHQ regression tests.
    pub regression: bool,
    /// Whether regression data that does not exist is reported as missing
    /// and skipped (the default, so a partial copy of a rule repository runs
    /// what it has) rather than failed.
    pub skip_missing_data: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            logsources: LogSourceMap::default_windows(),
            regression: true,
            skip_missing_data: true,
        }
    }
}

/// Where a result comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A case of a case file.
    Case,
    /// A SigmaHQ regression test.
    Regression,
    /// A file that could not be used at all.
    Input,
}

/// The outcome of one case.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// As expected.
    Passed,
    /// Not as expected, or could not run; says why.
    Failed(Failure),
    /// Not run, with the reason.
    Skipped(String),
}

/// Why a case failed.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Failure {
    /// The explanation, one line.
    pub message: String,
    /// What the case expected, when a verdict was reached.
    pub expected: Option<String>,
    /// What happened.
    pub actual: Option<String>,
    /// The event file involved.
    pub file: Option<PathBuf>,
    /// The event (0-based index in the file) the failure is about.
    pub event_index: Option<usize>,
}

impl Failure {
    fn error(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            ..Failure::default()
        }
    }
}

/// The result of one case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseResult {
    /// The rule file, when the case could be tied to one.
    pub rule_path: Option<PathBuf>,
    /// The rule's id, else its title.
    pub rule_name: Option<String>,
    /// The case file or `info.yml` the case is written in.
    pub source: PathBuf,
    /// Where in `source`.
    pub location: Option<Location>,
    /// The case's name.
    pub case: String,
    /// Where it comes from.
    pub origin: Origin,
    /// What happened.
    pub outcome: Outcome,
}

/// Counts of outcomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Passed cases.
    pub passed: usize,
    /// Failed cases.
    pub failed: usize,
    /// Skipped cases.
    pub skipped: usize,
}

impl Summary {
    /// Counts `results`.
    pub fn of(results: &[CaseResult]) -> Self {
        let mut summary = Summary::default();
        for result in results {
            match result.outcome {
                Outcome::Passed => summary.passed += 1,
                Outcome::Failed(_) => summary.failed += 1,
                Outcome::Skipped(_) => summary.skipped += 1,
            }
        }
        summary
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} passed, {} failed", self.passed, self.failed)?;
        if self.skipped > 0 {
            write!(f, ", {} skipped", self.skipped)?;
        }
        Ok(())
    }
}

enum Work {
    Case { source: PathBuf, case: Case },
    Regression,
}

struct Job {
    rule: RuleEntry,
    work: Vec<Work>,
}

/// Plans and runs every case of `corpus`. `on_job_done` is called after each
/// rule (for a progress bar).
pub fn run<E: Engine>(
    engine: &E,
    corpus: &Corpus,
    options: &RunOptions,
    on_job_done: &(dyn Fn() + Sync),
) -> Vec<CaseResult> {
    let (jobs, mut results) = plan(corpus, options);
    let ran: Vec<Vec<CaseResult>> = jobs
        .par_iter()
        .map(|job| {
            let results = run_job(engine, job, options);
            on_job_done();
            results
        })
        .collect();
    results.extend(ran.into_iter().flatten());

    // One order whatever the scheduling: by rule (or file), then where the
    // case is written. The sort is stable, so a file's cases keep theirs.
    results.sort_by(|a, b| {
        let key = |r: &CaseResult| {
            let rule = r.rule_path.clone().unwrap_or_else(|| r.source.clone());
            (
                rule,
                r.source.clone(),
                r.location.map(|l| (l.line, l.column)),
            )
        };
        key(a).cmp(&key(b))
    });
    results
}

/// How many rule jobs [`run`] will run (for a progress bar's length).
pub fn job_count(corpus: &Corpus, options: &RunOptions) -> usize {
    plan(corpus, options).0.len()
}

fn plan(corpus: &Corpus, options: &RunOptions) -> (Vec<Job>, Vec<CaseResult>) {
    let mut results: Vec<CaseResult> = corpus.errors.iter().map(input_failure).collect();
    let mut jobs: Vec<Job> = Vec::new();
    let mut index: HashMap<(PathBuf, usize), usize> = HashMap::new();
    let mut job_for = |jobs: &mut Vec<Job>, rule: &RuleEntry| -> usize {
        let key = (rule.file.path.clone(), rule.document);
        *index.entry(key).or_insert_with(|| {
            jobs.push(Job {
                rule: rule.clone(),
                work: Vec::new(),
            });
            jobs.len() - 1
        })
    };

    for case_file in &corpus.case_files {
        results.extend(case_file.errors.iter().map(input_failure));
        let rule = match &case_file.rule {
            Some(reference) => resolve_rule(corpus, &case_file.path, &case_file.scope, reference),
            None => Err(None),
        };
        let rule = match rule {
            Ok(rule) => rule,
            Err(Some(error)) => {
                // A bad rule reference is one failure of the file, said
                // once, not repeated for each case that could not run.
                let message = match case_file.cases.len() {
                    0 => error.message.clone(),
                    1 => format!("{}; its case did not run", error.message),
                    n => format!("{}; its {n} cases did not run", error.message),
                };
                results.push(CaseResult {
                    rule_path: None,
                    rule_name: None,
                    source: case_file.path.clone(),
                    location: error.span.map(|s| s.location),
                    case: "(rule)".to_owned(),
                    origin: Origin::Input,
                    outcome: Outcome::Failed(Failure::error(message)),
                });
                for broken in &case_file.broken {
                    results.push(broken_result(None, &broken.name, &broken.error));
                }
                continue;
            }
            Err(None) => {
                // The file's own errors already say there is no `rule`;
                // every case of it fails, counted.
                let message = "the case file names no rule".to_owned();
                for case in &case_file.cases {
                    results.push(CaseResult {
                        rule_path: None,
                        rule_name: None,
                        source: case_file.path.clone(),
                        location: Some(case.span.location),
                        case: case.name.clone(),
                        origin: Origin::Case,
                        outcome: Outcome::Failed(Failure::error(message.clone())),
                    });
                }
                for broken in &case_file.broken {
                    results.push(broken_result(None, &broken.name, &broken.error));
                }
                continue;
            }
        };

        for broken in &case_file.broken {
            results.push(broken_result(Some(&rule), &broken.name, &broken.error));
        }
        let job = job_for(&mut jobs, &rule);
        if let Some(job) = jobs.get_mut(job) {
            job.work
                .extend(case_file.cases.iter().map(|case| Work::Case {
                    source: case_file.path.clone(),
                    case: case.clone(),
                }));
        }
    }

    // Every rule gets a job, cases or not: a rule that does not compile must
    // fail the run even when nothing tests it.
    for rule in &corpus.rules {
        job_for(&mut jobs, rule);
    }

    if options.regression {
        for rule in &corpus.rules {
            let has_regression = rule
                .rule()
                .is_some_and(|r| r.header.get("regression_tests_path").is_some());
            if has_regression {
                let job = job_for(&mut jobs, rule);
                if let Some(job) = jobs.get_mut(job) {
                    job.work.push(Work::Regression);
                }
            }
        }
    }
    (jobs, results)
}

/// The rule a case file names: a path (relative to the case file, then to
/// its repository) or an id among the discovered rules.
fn resolve_rule(
    corpus: &Corpus,
    case_path: &Path,
    scope: &crate::repo::Scope,
    reference: &sigma_core::span::Spanned<String>,
) -> Result<RuleEntry, Option<InputError>> {
    let root = scope.root.as_path();
    let text = reference.value.as_str();
    let looks_like_path = text.ends_with(".yml") || text.ends_with(".yaml") || text.contains('/');
    let error = |message: String| Err(Some(InputError::at(case_path, reference.span, message)));
    if !looks_like_path {
        if let Some(file) = corpus.correlation_by_id(text) {
            return error(format!(
                "`{text}` is a correlation rule ({}); correlation rules are not supported yet",
                file.display()
            ));
        }
        match corpus.rules_by_id(text).as_slice() {
            [] => {}
            [rule] => return Ok((*rule).clone()),
            [first, rest @ ..] => {
                let other = rest.iter().find(|r| !Arc::ptr_eq(&r.file, &first.file));
                if let Some(other) = other {
                    return error(format!(
                        "the id `{text}` is ambiguous: rules in {} and {} share it",
                        first.file.path.display(),
                        other.file.path.display()
                    ));
                }
                return Ok((*first).clone());
            }
        }
        if let Some(rule) = mirrored_rule(case_path, root, text) {
            return Ok(rule);
        }
        let message = format!(
            "no rule with id `{text}` among the rules given (add the rules' directory \
             to the command line, or name the rule by path)"
        );
        return Err(Some(InputError::at(case_path, reference.span, message)));
    }

    let base = case_path.parent().unwrap_or(Path::new("."));
    let candidates = [base.join(text), root.join(text)];
    let Some(path) = candidates.into_iter().find(|p| p.is_file()) else {
        let message = format!("rule file `{text}` not found");
        return Err(Some(InputError::at(case_path, reference.span, message)));
    };
    if !scope.contains(&path) {
        let message = format!(
            "rule file `{text}` lies outside the repository ({}) and the paths given",
            root.display()
        );
        return Err(Some(InputError::at(case_path, reference.span, message)));
    }
    let known = corpus.rule_by_path(&path);
    let has_correlation = match known {
        Some(rule) => holds_correlation(&rule.file),
        None => SigmaFile::read(&path).is_ok_and(|file| holds_correlation(&file)),
    };
    if has_correlation {
        return error(format!(
            "`{text}` holds a correlation rule; correlation rules are not supported yet"
        ));
    }
    if let Some(rule) = known {
        return Ok(rule.clone());
    }
    let mut rules = discover::load_rule_file(&path, root)
        .map_err(|e| Some(InputError::at(case_path, reference.span, e.to_string())))?;
    if rules.is_empty() {
        return Err(Some(InputError::at(
            case_path,
            reference.span,
            "no rule in that file",
        )));
    }
    Ok(rules.swap_remove(0))
}

fn holds_correlation(file: &SigmaFile) -> bool {
    file.documents
        .iter()
        .any(|d| matches!(d, SigmaDocument::Correlation(_)))
}

/// The rule at the path a case file mirrors (`cases/a/b.yml` ->
/// `rules/a/b.yml` under the repository root), if it has id `id`: so that
/// `sigma-test cases/a/b.yml` works without naming the rules' directory.
fn mirrored_rule(case_path: &Path, root: &Path, id: &str) -> Option<RuleEntry> {
    let absolute = crate::repo::normalise(&crate::repo::absolute(case_path));
    let relative = absolute.strip_prefix(root).ok()?;
    let mut parts = relative.components();
    if parts.next()?.as_os_str() != "cases" {
        return None;
    }
    let candidate = root.join("rules").join(parts.as_path());
    let rules = discover::load_rule_file(&candidate, root).ok()?;
    rules
        .into_iter()
        .find(|r| r.id().is_some_and(|mine| mine.eq_ignore_ascii_case(id)))
}

fn input_failure(error: &InputError) -> CaseResult {
    CaseResult {
        rule_path: None,
        rule_name: None,
        source: error.path.clone(),
        location: error.span.map(|s| s.location),
        case: "(file)".to_owned(),
        origin: Origin::Input,
        outcome: Outcome::Failed(Failure::error(error.message.clone())),
    }
}

fn broken_result(rule: Option<&RuleEntry>, name: &str, error: &InputError) -> CaseResult {
    CaseResult {
        rule_path: rule.map(|r| r.file.path.clone()),
        rule_name: rule.and_then(|r| r.rule().map(|r| r.display_name().to_owned())),
        source: error.path.clone(),
        location: error.span.map(|s| s.location),
        case: name.to_owned(),
        origin: Origin::Case,
        outcome: Outcome::Failed(Failure::error(error.message.clone())),
    }
}

/// Why a rule did not compile: the reasons as one message, and whether
/// each of them is an `expand` placeholder without values.
#[derive(Clone, Debug)]
struct CompileFailure {
    message: String,
    placeholders_only: bool,
}

/// One rule's compiled forms, by field mapping, and its log source.
struct RuleRun<'a, E: Engine> {
    engine: &'a E,
    rule: &'a Rule,
    rule_path: &'a Path,
    coverage: Option<Coverage>,
    key: LogSourceKey,
    compiled: HashMap<BTreeMap<String, String>, Result<E::Compiled, CompileFailure>>,
    skip_missing_data: bool,
}

impl<E: Engine> RuleRun<'_, E> {
    fn compiled(
        &mut self,
        fields: &BTreeMap<String, String>,
    ) -> Result<&E::Compiled, CompileFailure> {
        if !self.compiled.contains_key(fields) {
            let result = self.engine.compile(self.rule, fields).map_err(|errors| {
                let reasons: Vec<String> = errors
                    .iter()
                    .map(|e| {
                        format!(
                            "{}:{}: {}",
                            self.rule_path.display(),
                            e.span.location,
                            e.message
                        )
                    })
                    .collect();
                CompileFailure {
                    message: format!("the rule does not compile: {}", reasons.join("; ")),
                    placeholders_only: errors
                        .iter()
                        .all(|e| e.kind == CompileErrorKind::MissingPlaceholder),
                }
            });
            self.compiled.insert(fields.clone(), result);
        }
        match self.compiled.get(fields) {
            Some(Ok(compiled)) => Ok(compiled),
            Some(Err(failure)) => Err(failure.clone()),
            None => Err(CompileFailure {
                message: "the rule could not be compiled".to_owned(),
                placeholders_only: false,
            }),
        }
    }

    /// Judges `events` (from `file`, or inline when `None`) against the
    /// expectation.
    fn judge(
        &mut self,
        events: Vec<serde_json::Value>,
        file: Option<&Path>,
        expect: Expect,
        count: Option<Count>,
    ) -> Outcome {
        let total = events.len();
        let no_renames = BTreeMap::new();
        let mut matched = Vec::new();
        let mut covered = 0;
        for (index, value) in events.into_iter().enumerate() {
            let routed = file.is_some() && windows::system(&value).is_some();
            let fields = if routed {
                let Some(coverage) = &self.coverage else {
                    return Outcome::Failed(Failure {
                        message: format!(
                            "logsource not mapped ({}): the rule's Windows events are unknown; \
                             add it to a --logsources file",
                            self.key
                        ),
                        file: file.map(Path::to_path_buf),
                        ..Failure::default()
                    });
                };
                match coverage.selector_for(&value) {
                    Some(selector) => selector.fields.clone(),
                    None => continue,
                }
            } else {
                no_renames.clone()
            };
            covered += 1;

            let engine = self.engine;
            let event = engine.event(value);
            let compiled = match self.compiled(&fields) {
                Ok(compiled) => compiled,
                Err(failure) => return Outcome::Failed(Failure::error(failure.message)),
            };
            match engine.matches(compiled, &event) {
                Ok(true) => matched.push(index),
                Ok(false) => {}
                Err(EngineError { message, span, .. }) => {
                    return Outcome::Failed(Failure {
                        message: format!(
                            "the event could not be judged: {}:{}: {message}",
                            self.rule_path.display(),
                            span.location
                        ),
                        file: file.map(Path::to_path_buf),
                        event_index: Some(index),
                        ..Failure::default()
                    })
                }
            }
        }
        verdict(expect, count, &matched, total, covered, file)
    }
}

/// How many matching events an expectation asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Count {
    /// Exactly this many: a case file's `count`, written by the rule's
    /// own author for its own data.
    Exactly(usize),
    /// At least this many: SigmaHQ's `match_count`, which its regression
    /// runner treats as a floor (more matches only warn there), so a rule
    /// that grows to catch one more event of the file still passes.
    AtLeast(usize),
}

fn verdict(
    expect: Expect,
    count: Option<Count>,
    matched: &[usize],
    total: usize,
    covered: usize,
    file: Option<&Path>,
) -> Outcome {
    let source = file.map_or_else(|| "the event".to_owned(), |f| f.display().to_string());
    let coverage_note = match file {
        Some(_) if covered < total => {
            format!(" ({total} events, {covered} of them covered by the rule's logsource)")
        }
        Some(_) => format!(" ({total} events)"),
        None => String::new(),
    };
    let failure = |message: String, expected: String, actual: String, index: Option<usize>| {
        Outcome::Failed(Failure {
            message,
            expected: Some(expected),
            actual: Some(actual),
            file: file.map(Path::to_path_buf),
            event_index: index,
        })
    };

    match (expect, count) {
        (Expect::Match, Some(Count::AtLeast(wanted))) if matched.len() < wanted => failure(
            format!(
                "expected at least {wanted} matching events, got {}{}{coverage_note}",
                matched.len(),
                list_indices(matched)
            ),
            format!("at least {wanted} matches"),
            format!("{} matches{}", matched.len(), list_indices(matched)),
            matched.first().copied(),
        ),
        (Expect::Match, Some(Count::Exactly(wanted))) if matched.len() != wanted => failure(
            format!(
                "expected exactly {wanted} matching events, got {}{}{coverage_note}",
                matched.len(),
                list_indices(matched)
            ),
            format!("{wanted} matches"),
            format!("{} matches{}", matched.len(), list_indices(matched)),
            matched.first().copied(),
        ),
        (Expect::Match, None) if matched.is_empty() => failure(
            match file {
                Some(_) => {
                    format!("expected a match, but no event of {source} matched{coverage_note}")
                }
                None => "expected a match, but the event did not match".to_owned(),
            },
            "match".to_owned(),
            "no-match".to_owned(),
            None,
        ),
        (Expect::NoMatch, _) if !matched.is_empty() => {
            let first = matched.first().copied();
            let which = match file {
                Some(_) => format!(
                    "event {} of {source} matched{}",
                    first.unwrap_or_default(),
                    list_indices(matched)
                ),
                None => "the event matched".to_owned(),
            };
            failure(
                format!("expected no match, but {which}"),
                "no-match".to_owned(),
                "match".to_owned(),
                first,
            )
        }
        _ => Outcome::Passed,
    }
}

fn list_indices(indices: &[usize]) -> String {
    if indices.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = indices.iter().take(10).map(ToString::to_string).collect();
    let more = if indices.len() > 10 { ", ..." } else { "" };
    format!(" (events {}{more})", shown.join(", "))
}

fn run_job<E: Engine>(engine: &E, job: &Job, options: &RunOptions) -> Vec<CaseResult> {
    let Some(rule) = job.rule.rule() else {
        return Vec::new();
    };
    let key = LogSourceKey::of(&rule.logsource);
    let mut run = RuleRun {
        engine,
        rule,
        rule_path: &job.rule.file.path,
        coverage: options.logsources.resolve(&key),
        key,
        compiled: HashMap::new(),
        skip_missing_data: options.skip_missing_data,
    };
    let result =
        |source: &Path, location: Option<Location>, case: String, origin, outcome| CaseResult {
            rule_path: Some(job.rule.file.path.clone()),
            rule_name: Some(rule.display_name().to_owned()),
            source: source.to_path_buf(),
            location,
            case,
            origin,
            outcome,
        };

    // Compiled once with the rule's own field names, so that a rule without
    // cases (or whose events all miss its log source) still reports it.
    let mut results = Vec::new();
    if let Err(CompileFailure {
        message,
        placeholders_only,
    }) = run.compiled(&BTreeMap::new())
    {
        let location = rule.detection.span.map(|s| s.location);
        // In a Sigma v1 collection (`action: global`), the status is written
        // once, in the first document, for every rule of the file.
        let status = rule.header.status.as_ref().or_else(|| {
            job.rule
                .file
                .documents
                .first()
                .and_then(|d| d.header().status.as_ref())
        });
        let retired = status.filter(|s| matches!(s.value.as_str(), "deprecated" | "unsupported"));
        let outcome = if let Some(status) = retired {
            // The rule's own author says it cannot run as written.
            Outcome::Skipped(format!("status `{}`: {message}", status.value))
        } else if placeholders_only {
            // Placeholders are a deployment's to fill (SigmaHQ leaves them to
            // a conversion pipeline): without values the rule cannot run,
            // but nothing in it is wrong. Its cases, if any, still fail.
            Outcome::Skipped(format!(
                "{message}; give the placeholders' values with --placeholders FILE"
            ))
        } else {
            Outcome::Failed(Failure::error(message))
        };
        let path = job.rule.file.path.as_path();
        results.push(result(
            path,
            location,
            "(compile)".into(),
            Origin::Case,
            outcome,
        ));
    }
    for work in &job.work {
        match work {
            Work::Case { source, case } => {
                let outcome = match &case.input {
                    CaseInput::Inline(event) => run.judge(
                        vec![event.clone()],
                        None,
                        case.expect,
                        case.count.map(Count::Exactly),
                    ),
                    CaseInput::File(path) => match events::read_file(&path.value) {
                        Ok(events) => run.judge(
                            events,
                            Some(&path.value),
                            case.expect,
                            case.count.map(Count::Exactly),
                        ),
                        Err(error) => Outcome::Failed(Failure {
                            message: error.to_string(),
                            file: Some(path.value.clone()),
                            event_index: error.index,
                            ..Failure::default()
                        }),
                    },
                };
                let location = Some(case.span.location);
                results.push(result(
                    source,
                    location,
                    case.name.clone(),
                    Origin::Case,
                    outcome,
                ));
            }
            Work::Regression => {
                for (source, location, name, outcome) in run_regression(&mut run, &job.rule) {
                    results.push(result(&source, location, name, Origin::Regression, outcome));
                }
            }
        }
    }
    results
}

/// Regression data that `info.yml` or the rule names but that does not
/// exist: a failure, unless the user runs a partial copy on purpose.
fn missing_data(skip: bool, path: &Path) -> Outcome {
    let message = format!(
        "regression data missing: `{}` does not exist",
        path.display()
    );
    if skip {
        Outcome::Skipped(message)
    } else {
        Outcome::Failed(Failure {
            message,
            file: Some(path.to_path_buf()),
            ..Failure::default()
        })
    }
}

type RegressionResult = (PathBuf, Option<Location>, String, Outcome);

fn run_regression<E: Engine>(run: &mut RuleRun<'_, E>, entry: &RuleEntry) -> Vec<RegressionResult> {
    let Some(node) = run.rule.header.get("regression_tests_path") else {
        return Vec::new();
    };
    let Some(relative) = node.as_str().filter(|t| !t.trim().is_empty()) else {
        let failure = Failure::error("`regression_tests_path` must be a path");
        let source = entry.file.path.clone();
        let location = Some(node.span.location);
        return vec![(
            source,
            location,
            "regression".into(),
            Outcome::Failed(failure),
        )];
    };
    let root = regression::rule_repo_root(&entry.file.path, relative, &entry.base);
    let info_path = crate::repo::normalise(&root.join(relative));
    let rule_location = Some(node.span.location);
    if !crate::repo::is_inside(&info_path, &root) {
        let failure = Failure::error(format!("`{relative}` lies outside the rule repository"));
        let source = entry.file.path.clone();
        return vec![(
            source,
            rule_location,
            "regression".into(),
            Outcome::Failed(failure),
        )];
    }
    if !info_path.is_file() {
        let source = entry.file.path.clone();
        let outcome = missing_data(run.skip_missing_data, &info_path);
        return vec![(source, rule_location, "regression".into(), outcome)];
    }

    let info = match regression::read_info(&info_path, &root) {
        Ok(info) => info,
        Err(error) => {
            let failure = Failure::error(error.to_string());
            return vec![(
                info_path,
                None,
                "regression".into(),
                Outcome::Failed(failure),
            )];
        }
    };
    let mut results: Vec<RegressionResult> = info
        .errors
        .iter()
        .map(|e| {
            let failure = Failure::error(e.message.clone());
            let location = e.span.map(|s| s.location);
            (
                info_path.clone(),
                location,
                "regression".into(),
                Outcome::Failed(failure),
            )
        })
        .collect();
    // Data copied for one rule and linked from another tests the wrong rule.
    let rule_id = run.rule.header.id.as_ref().map(|id| id.value.as_str());
    if let (Some(rule_id), Some((_, span))) = (rule_id, info.rule_ids.first()) {
        if !info
            .rule_ids
            .iter()
            .any(|(id, _)| id.eq_ignore_ascii_case(rule_id))
        {
            let named: Vec<&str> = info.rule_ids.iter().map(|(id, _)| id.as_str()).collect();
            let failure = Failure::error(format!(
                "this info.yml is for rule {}, not for {rule_id}",
                named.join(", ")
            ));
            let location = Some(span.location);
            results.push((
                info_path.clone(),
                location,
                "regression".into(),
                Outcome::Failed(failure),
            ));
        }
    }
    if info.tests.is_empty() && info.errors.is_empty() {
        let reason = "info.yml lists no regression tests".to_owned();
        results.push((
            info_path,
            None,
            "regression".into(),
            Outcome::Skipped(reason),
        ));
        return results;
    }

    for test in &info.tests {
        results.extend(run_regression_test(run, &info_path, test));
    }
    results
}

fn run_regression_test<E: Engine>(
    run: &mut RuleRun<'_, E>,
    info_path: &Path,
    test: &RegressionTest,
) -> Vec<RegressionResult> {
    let location = Some(test.span.location);
    let mut files = vec![test.path.clone()];
    let json = test.path.with_extension("json");
    if test.path.is_file() && json.is_file() && json != test.path {
        files.push(json);
    }

    let mut results = Vec::new();
    for file in files {
        let extension = file
            .extension()
            .map_or(String::new(), |e| e.to_string_lossy().into());
        let name = format!("{} (.{extension})", test.name);
        let outcome = if !file.is_file() {
            missing_data(run.skip_missing_data, &file)
        } else {
            match events::read_file(&file) {
                Ok(events) => run.judge(
                    events,
                    Some(&file),
                    Expect::Match,
                    test.match_count.map(Count::AtLeast),
                ),
                Err(error) => Outcome::Failed(Failure {
                    message: error.to_string(),
                    file: Some(file.clone()),
                    event_index: error.index,
                    ..Failure::default()
                }),
            }
        };
        results.push((info_path.to_path_buf(), location, name, outcome));
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigma_core::rule::{DetectionBody, SigmaFile};
    use sigma_core::span::Span;

    /// A deliberately tiny engine for the runner's own logic: a rule
    /// matches when every `field: value` of its first search identifier
    /// equals the event's field (through the renames). The real matcher is
    /// tested in sigma-core and end to end in `tests/`.
    struct EqualityEngine;

    impl Engine for EqualityEngine {
        type Compiled = Vec<(String, String)>;
        type Event = serde_json::Value;

        fn compile(
            &self,
            rule: &Rule,
            fields: &BTreeMap<String, String>,
        ) -> Result<Self::Compiled, Vec<EngineError>> {
            let Some(DetectionBody::Map { items, .. }) =
                rule.detection.identifiers.first().map(|i| &i.body)
            else {
                return Err(vec![EngineError::new("only a map", Span::default())]);
            };
            Ok(items
                .iter()
                .filter_map(|item| {
                    let field = item.field.as_ref()?.value.clone();
                    let field = fields.get(&field).cloned().unwrap_or(field);
                    Some((field, item.values.first()?.text().to_owned()))
                })
                .collect())
        }

        fn event(&self, value: serde_json::Value) -> Self::Event {
            value
        }

        fn matches(&self, rule: &Self::Compiled, event: &Self::Event) -> Result<bool, EngineError> {
            Ok(rule.iter().all(|(field, wanted)| {
                event.get(field).is_some_and(|v| match v {
                    serde_json::Value::String(s) => s.eq_ignore_ascii_case(wanted),
                    other => wanted.as_str() == other.to_string().as_str(),
                })
            }))
        }
    }

    fn rule(text: &str) -> RuleRun<'static, EqualityEngine> {
        let file = Box::leak(Box::new(SigmaFile::parse("r.yml", text.to_owned())));
        let rule = file.rules().next().unwrap();
        let key = LogSourceKey::of(&rule.logsource);
        RuleRun {
            engine: &EqualityEngine,
            rule,
            rule_path: Path::new("r.yml"),
            coverage: LogSourceMap::default_windows().resolve(&key),
            key,
            compiled: HashMap::new(),
            skip_missing_data: false,
        }
    }

    const PROCESS_RULE: &str = "title: t
logsource: {product: windows, category: process_creation}
detection:
  selection: {Image: 'C:\\x.exe'}
  condition: selection
";

    fn windows_event(channel: &str, id: u64, data: serde_json::Value) -> serde_json::Value {
        windows::flatten(serde_json::json!({"Event": {
            "System": {"EventID": id, "Channel": channel}, "EventData": data}}))
    }

    #[test]
    fn file_events_are_routed_and_renamed() {
        let mut run = rule(PROCESS_RULE);
        let sysmon = "Microsoft-Windows-Sysmon/Operational";
        let events = vec![
            windows_event(sysmon, 1, serde_json::json!({"Image": "c:\\x.exe"})),
            windows_event(sysmon, 3, serde_json::json!({"Image": "C:\\x.exe"})),
            windows_event(
                "Security",
                4688,
                serde_json::json!({"NewProcessName": "C:\\x.exe"}),
            ),
        ];
        let file = Path::new("e.json");
        assert_eq!(
            run.judge(
                events.clone(),
                Some(file),
                Expect::Match,
                Some(Count::Exactly(2))
            ),
            Outcome::Passed
        );

        assert_eq!(
            run.judge(
                events.clone(),
                Some(file),
                Expect::Match,
                Some(Count::AtLeast(1))
            ),
            Outcome::Passed,
            "a floor of one passes with two"
        );
        let Outcome::Failed(floor) = run.judge(
            events.clone(),
            Some(file),
            Expect::Match,
            Some(Count::AtLeast(3)),
        ) else {
            panic!("a floor of three fails with two");
        };
        assert!(floor
            .message
            .starts_with("expected at least 3 matching events, got 2"));

        let Outcome::Failed(failure) =
            run.judge(events, Some(file), Expect::Match, Some(Count::Exactly(3)))
        else {
            panic!("three matches are not expected");
        };
        assert_eq!(
            failure.message,
            "expected exactly 3 matching events, got 2 (events 0, 2) (3 events, 2 of them \
             covered by the rule's logsource)"
        );
        assert_eq!(failure.actual.as_deref(), Some("2 matches (events 0, 2)"));
    }

    #[test]
    fn inline_events_are_not_routed() {
        let mut run = rule(PROCESS_RULE);
        let event = serde_json::json!({"Image": "C:\\x.exe"});
        assert_eq!(
            run.judge(vec![event.clone()], None, Expect::Match, None),
            Outcome::Passed
        );
        let Outcome::Failed(failure) = run.judge(vec![event], None, Expect::NoMatch, None) else {
            panic!("the event matches");
        };
        assert_eq!(failure.message, "expected no match, but the event matched");

        let other = serde_json::json!({"Image": "C:\\y.exe"});
        let Outcome::Failed(failure) = run.judge(vec![other], None, Expect::Match, None) else {
            panic!("the event does not match");
        };
        assert_eq!(
            failure.message,
            "expected a match, but the event did not match"
        );
    }

    #[test]
    fn an_unmapped_logsource_is_reported_for_windows_events() {
        let mut run = rule(
            "title: t\nlogsource: {product: windows, category: file_access}\n\
             detection: {selection: {a: 1}, condition: selection}\n",
        );
        let event = windows_event("Security", 4663, serde_json::json!({"a": 1}));
        let Outcome::Failed(failure) =
            run.judge(vec![event], Some(Path::new("e.evtx")), Expect::Match, None)
        else {
            panic!("not mapped");
        };
        assert!(
            failure
                .message
                .starts_with("logsource not mapped (product: windows, category: file_access)"),
            "{}",
            failure.message
        );
        let generic = serde_json::json!({"a": 1});
        let outcome = run.judge(
            vec![generic],
            Some(Path::new("e.json")),
            Expect::Match,
            None,
        );
        assert_eq!(outcome, Outcome::Passed);
    }

    #[test]
    fn compile_errors_fail_the_case_with_the_rule_location() {
        let mut run =
            rule("title: t\nlogsource: {product: x}\ndetection:\n  k: [a]\n  condition: k\n");
        let Outcome::Failed(failure) =
            run.judge(vec![serde_json::json!({})], None, Expect::Match, None)
        else {
            panic!("does not compile");
        };
        assert_eq!(
            failure.message,
            "the rule does not compile: r.yml:0:0: only a map"
        );
    }

    #[test]
    fn a_rule_that_does_not_compile_fails_even_without_cases() {
        let dir = std::env::temp_dir().join(format!("sigma-compile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("broken.yml"),
            "title: t\nlogsource: {product: x}\ndetection:\n  selection: {a: 1}\n  \
             condition: selection and\n",
        )
        .unwrap();
        let corpus = discover::discover(std::slice::from_ref(&dir)).unwrap();
        let engine = crate::engine::SigmaEngine::default();
        let results = run(&engine, &corpus, &RunOptions::default(), &|| {});
        std::fs::remove_dir_all(&dir).unwrap();

        assert_eq!(results.len(), 1, "{results:?}");
        let result = &results[0];
        assert_eq!(result.case, "(compile)");
        assert_eq!(
            result.location.map(|l| l.line),
            Some(4),
            "the detection body"
        );
        let Outcome::Failed(failure) = &result.outcome else {
            panic!("a compile error is a failure: {:?}", result.outcome);
        };
        assert!(
            failure.message.starts_with("the rule does not compile: ")
                && failure.message.contains("broken.yml:5:"),
            "{}",
            failure.message
        );
        assert_eq!(Summary::of(&results).failed, 1);
    }

    #[test]
    fn missing_data_fails_unless_skipped_on_purpose() {
        let path = Path::new("regression_data/x/info.yml");
        let message = "regression data missing: `regression_data/x/info.yml` does not exist";
        assert_eq!(
            missing_data(true, path),
            Outcome::Skipped(message.to_owned())
        );
        let Outcome::Failed(failure) = missing_data(false, path) else {
            panic!("a failure by default");
        };
        assert_eq!(failure.message, message);
    }

    #[test]
    fn a_compile_failure_knows_whether_only_placeholders_lack_values() {
        let failure = |detection: &str| {
            let text = format!("title: t\nlogsource: {{product: x}}\ndetection:\n{detection}");
            let file = SigmaFile::parse("r.yml", text);
            let rule = file.rules().next().unwrap();
            let engine = crate::engine::SigmaEngine::default();
            let mut run = RuleRun {
                engine: &engine,
                rule,
                rule_path: Path::new("r.yml"),
                coverage: None,
                key: LogSourceKey::of(&rule.logsource),
                compiled: HashMap::new(),
                skip_missing_data: false,
            };
            run.compiled(&BTreeMap::new())
                .expect_err("does not compile")
        };
        let only =
            failure("  a:\n    X|expand: '%dc%'\n    Y|expand: '%admins%'\n  condition: a\n");
        assert!(only.placeholders_only);
        assert_eq!(
            only.message,
            "the rule does not compile: r.yml:5:15: placeholder `%dc%` is not defined; \
             r.yml:6:15: placeholder `%admins%` is not defined"
        );
        let mixed = failure("  a:\n    X|expand: '%dc%'\n    Y|bogus: z\n  condition: a\n");
        assert!(!mixed.placeholders_only, "{}", mixed.message);
    }

    #[test]
    fn summary_line() {
        let summary = Summary {
            passed: 3,
            failed: 1,
            skipped: 0,
        };
        assert_eq!(summary.to_string(), "3 passed, 1 failed");
        let summary = Summary {
            passed: 3,
            failed: 0,
            skipped: 2,
        };
        assert_eq!(summary.to_string(), "3 passed, 0 failed, 2 skipped");
    }
}
