//! `sigma-test match`: route events to rules by log source and count
//! matches, for benchmarks and for trying a rule set on real logs.
//!
//! Rules are grouped by log source, so each event is checked once per
//! distinct log source (a few dozen), not once per rule (thousands).
//! Windows events go to the rules whose log source covers them, with that
//! selector's field renames. Events of other shapes go to the rules whose
//! log source the mapping does not know and that are not Windows rules:
//! there is nothing to route them by. Windows rules with an unknown log
//! source are reported and not run.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use rayon::prelude::*;
use sigma_core::events::{self, windows, EventFormat};
use sigma_core::logsource::{LogSourceKey, LogSourceMap, Selector};

use crate::cli::{elapsed_ms, EXIT_ERROR, EXIT_FAIL, EXIT_PASS};
use crate::discover;
use crate::engine::Engine;
use crate::pipe::QuietPipe;
use sigma_core::matcher::Prefilter;

/// Rules compiled for one selector's field renames, by index in the
/// corpus, with the engine's cross-rule prefilter over them if any.
struct CompiledRules<C> {
    rules: Vec<(usize, C)>,
    prefilter: Option<Prefilter>,
}

impl<C> CompiledRules<C> {
    fn new<E: Engine<Compiled = C>>(engine: &E, rules: Vec<(usize, C)>, prefilter: bool) -> Self {
        let prefilter = if prefilter {
            let compiled: Vec<&C> = rules.iter().map(|(_, c)| c).collect();
            engine.prefilter(&compiled)
        } else {
            None
        };
        CompiledRules { rules, prefilter }
    }
}

/// How `run` works and reports.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Print only the total number of matches.
    pub total_only: bool,
    /// Use the engine's cross-rule prefilter (same verdicts, fewer rules
    /// evaluated per event).
    pub prefilter: bool,
}

/// A group of rules that share a log source.
struct Group<C> {
    /// The kinds of event it covers, each with the rules compiled for its
    /// field renames; `None` for the generic group (non-Windows events).
    selectors: Option<Vec<(Selector, CompiledRules<C>)>>,
    /// For the generic group: the rules, compiled with no renames.
    generic: CompiledRules<C>,
}

/// Runs the subcommand; returns the exit code.
pub fn run<E: Engine>(
    engine: &E,
    rule_paths: &[PathBuf],
    event_paths: &[PathBuf],
    options: Options,
    logsources: &LogSourceMap,
) -> u8 {
    let total_only = options.total_only;
    let load_start = Instant::now();
    let corpus = match discover::discover(rule_paths) {
        Ok(corpus) => corpus,
        Err(error) => {
            eprintln!("sigma-test: {error}");
            return EXIT_ERROR;
        }
    };
    for error in &corpus.errors {
        eprintln!("sigma-test: {error}");
    }
    let names: Vec<String> = corpus
        .rules
        .iter()
        .map(|r| {
            let name = r.rule().map_or("?", |rule| rule.display_name());
            format!("{}\t{name}", r.file.path.display())
        })
        .collect();

    let (groups, unmapped, compile_errors) =
        build_groups(engine, &corpus, logsources, options.prefilter);
    let (compiled, filtered) = prefilter_coverage(&groups);
    eprintln!(
        "loaded {} rules in {:.1} ms ({} Windows rules with an unmapped logsource not run, \
         {compile_errors} compile errors; {filtered} of {compiled} compiled rules prefiltered)",
        corpus.rules.len(),
        elapsed_ms(load_start),
        unmapped
    );

    let read_start = Instant::now();
    let mut all_events = Vec::new();
    let mut read_failed = false;
    for path in event_files(event_paths) {
        // A file that cannot be opened is an I/O error, not a bad event:
        // the run would count matches over less than was asked.
        if let Err(e) = std::fs::File::open(&path) {
            eprintln!("sigma-test: cannot read {}: {e}", path.display());
            return EXIT_ERROR;
        }
        match events::read_file(&path) {
            Ok(events) => all_events.extend(events.into_iter().map(|v| {
                let is_windows = windows::system(&v).is_some();
                (is_windows, v)
            })),
            Err(error) => {
                eprintln!("sigma-test: {error}");
                read_failed = true;
            }
        }
    }
    eprintln!(
        "read {} events in {:.1} ms",
        all_events.len(),
        elapsed_ms(read_start)
    );

    let event_count = all_events.len();
    let match_start = Instant::now();
    let counts = all_events
        .into_par_iter()
        .fold(
            || vec![0u64; corpus.rules.len()],
            |mut counts, (is_windows, value)| {
                count_event(engine, &groups, is_windows, value, &mut counts);
                counts
            },
        )
        .reduce(
            || vec![0u64; corpus.rules.len()],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        );
    let seconds = match_start.elapsed().as_secs_f64();

    let total: u64 = counts.iter().sum();
    let mut out = QuietPipe::new(std::io::stdout().lock());
    let written = if total_only {
        writeln!(out, "{total}")
    } else {
        counts
            .iter()
            .zip(&names)
            .filter(|(count, _)| **count > 0)
            .try_for_each(|(count, name)| writeln!(out, "{count}\t{name}"))
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        eprintln!("sigma-test: cannot write the counts: {e}");
        return EXIT_ERROR;
    }
    let rate = if seconds > 0.0 {
        event_count as f64 / seconds
    } else {
        0.0
    };
    eprintln!(
        "matched {event_count} events in {:.1} ms ({rate:.0} events/s), {total} matches",
        seconds * 1000.0
    );
    if read_failed {
        EXIT_FAIL
    } else {
        EXIT_PASS
    }
}

/// The event files named, with directories walked for `.evtx`, `.json` and
/// `.jsonl` files (not YAML: a directory of logs may hold configuration).
fn event_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let walker = walkdir::WalkDir::new(path).sort_by_file_name();
        for entry in walker.into_iter().flatten() {
            let format = events::EventFormat::from_path(entry.path());
            let wanted = matches!(
                format,
                Some(EventFormat::Evtx | EventFormat::Json | EventFormat::Jsonl)
            );
            if entry.file_type().is_file() && wanted {
                files.push(entry.into_path());
            }
        }
    }
    files
}

type Groups<C> = Vec<Group<C>>;

/// How many compiled rules there are, and how many have a prefilter.
fn prefilter_coverage<C>(groups: &Groups<C>) -> (usize, usize) {
    let mut sets: Vec<&CompiledRules<C>> = vec![];
    for group in groups {
        sets.push(&group.generic);
        for (_, rules) in group.selectors.iter().flatten() {
            sets.push(rules);
        }
    }
    sets.iter().fold((0, 0), |(all, filtered), set| {
        let some = set.prefilter.as_ref().map_or(0, Prefilter::filtered);
        (all + set.rules.len(), filtered + some)
    })
}

fn build_groups<E: Engine>(
    engine: &E,
    corpus: &discover::Corpus,
    logsources: &LogSourceMap,
    prefilter: bool,
) -> (Groups<E::Compiled>, usize, usize) {
    let mut by_key: BTreeMap<LogSourceKey, Vec<usize>> = BTreeMap::new();
    for (index, entry) in corpus.rules.iter().enumerate() {
        if let Some(rule) = entry.rule() {
            by_key
                .entry(LogSourceKey::of(&rule.logsource))
                .or_default()
                .push(index);
        }
    }

    let mut groups = Vec::new();
    let mut generic = Vec::new();
    let mut unmapped = 0;
    let mut compile_errors = 0;
    let mut compile = |index: usize, fields: &BTreeMap<String, String>| {
        let rule = corpus.rules.get(index).and_then(|r| r.rule())?;
        match engine.compile(rule, fields) {
            Ok(compiled) => Some((index, compiled)),
            Err(errors) => {
                compile_errors += 1;
                let path = corpus
                    .rules
                    .get(index)
                    .map(|r| r.file.path.display().to_string());
                for error in errors {
                    let path = path.as_deref().unwrap_or("?");
                    eprintln!(
                        "sigma-test: {path}:{}: {}",
                        error.span.location, error.message
                    );
                }
                None
            }
        }
    };

    for (key, rules) in by_key {
        match logsources.resolve(&key) {
            Some(coverage) => {
                let selectors = coverage
                    .selectors
                    .into_iter()
                    .map(|selector| {
                        let compiled = rules
                            .iter()
                            .filter_map(|&i| compile(i, &selector.fields))
                            .collect();
                        (selector, CompiledRules::new(engine, compiled, prefilter))
                    })
                    .collect();
                groups.push(Group {
                    selectors: Some(selectors),
                    generic: CompiledRules::new(engine, Vec::new(), false),
                });
            }
            None if key.product.as_deref() == Some("windows") => {
                for rule in rules.iter().filter_map(|&i| corpus.rules.get(i)) {
                    eprintln!(
                        "sigma-test: {}: logsource not mapped ({key})",
                        rule.file.path.display()
                    );
                }
                unmapped += rules.len();
            }
            None => {
                let none = BTreeMap::new();
                generic.extend(rules.iter().filter_map(|&i| compile(i, &none)));
            }
        }
    }
    groups.push(Group {
        selectors: None,
        generic: CompiledRules::new(engine, generic, prefilter),
    });
    (groups, unmapped, compile_errors)
}

fn count_event<E: Engine>(
    engine: &E,
    groups: &Groups<E::Compiled>,
    is_windows: bool,
    value: serde_json::Value,
    counts: &mut [u64],
) {
    // Which compiled rules apply is decided on the JSON; the engine's event
    // is built once, after.
    let mut applicable: Vec<&CompiledRules<E::Compiled>> = Vec::new();
    for group in groups {
        match (&group.selectors, is_windows) {
            (Some(selectors), true) => {
                if let Some((_, rules)) = selectors.iter().find(|(s, _)| s.covers(&value)) {
                    applicable.push(rules);
                }
            }
            (None, false) => applicable.push(&group.generic),
            _ => {}
        }
    }
    applicable.retain(|set| !set.rules.is_empty());
    if applicable.is_empty() {
        return;
    }
    let event = engine.event(value);
    for set in applicable {
        let candidates = match (&set.prefilter, engine.prefilter_event(&event)) {
            (Some(prefilter), Some(seen)) => Some(prefilter.candidates(seen)),
            _ => None,
        };
        for (position, (index, compiled)) in set.rules.iter().enumerate() {
            if candidates.as_ref().is_some_and(|c| !c.contains(position)) {
                continue;
            }
            if engine.matches(compiled, &event).unwrap_or(false) {
                if let Some(count) = counts.get_mut(*index) {
                    *count += 1;
                }
            }
        }
    }
}
