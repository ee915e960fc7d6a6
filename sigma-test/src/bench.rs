//! `sigma-test match`: route events to rules by log source and count
//! matches, for benchmarks and for trying a rule set on real logs.
//!
//! Rules are grouped by log source, so each event is checked once per
//! distinct log source (a few dozen), not once per rule (thousands).
//! Windows events go to the rules whose log source covers them, with that
//! selector's field renames. Events of other shapes go to the rules whose
//! log source the mapping does not know and that are not Windows rules:
//! there is nothing to route them by. Windows rules with an unknown log
//! source are reported and not run. Events no rule could see (a flat
//! `{"EventID": 1, ...}` is not the Windows layout) and regexes that hit
//! their backtracking limit (counted as no match) are said once at the end,
//! on stderr, with their counts.
//!
//! A JSONL file is streamed: a batch of lines is read while the previous
//! one is parsed and matched in parallel, so peak memory is the rules plus
//! two batches, whatever the file's size. Match counts do not depend on the
//! order events are matched in; bad lines are reported in file order.
//! `.evtx`, `.json` and YAML files are read whole (SigmaHQ's are a few MiB
//! at most; the text readers refuse files over 256 MiB).
//!
//! Routing decisions are remembered per event origin (channel, provider,
//! event id): a stream holds a few dozen origins, and deciding anew meant
//! asking every log source's selectors for every event.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use rayon::prelude::*;
use sigma_core::events::json::{self, LineBatches, RawLine};
use sigma_core::events::{self, windows, EventError, EventFormat};
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
    let corpus = match discover::discover_keeping(rule_paths, discover::Keep::TypedModel) {
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

    let matching = Matching {
        engine,
        groups: &groups,
        routes: RwLock::new(HashMap::new()),
        rule_count: corpus.rules.len(),
    };
    let mut counts = vec![0u64; corpus.rules.len()];
    let mut unseen = Tally::new(corpus.rules.len());
    let mut event_count = 0;
    let mut read_failed = false;
    let match_start = Instant::now();
    for path in event_files(event_paths) {
        // A file that cannot be opened is an I/O error, not a bad event:
        // the run would count matches over less than was asked.
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(e) => {
                eprintln!("sigma-test: cannot read {}: {e}", path.display());
                return EXIT_ERROR;
            }
        };
        let mut tally = match EventFormat::from_path(&path) {
            Some(EventFormat::Jsonl) => matching.stream_jsonl(&path, file),
            Some(EventFormat::Evtx) => matching.stream_evtx(&path),
            _ => matching.whole_file(&path),
        };
        event_count += tally.events;
        read_failed |= tally.failed;
        counts
            .iter_mut()
            .zip(std::mem::take(&mut tally.counts))
            .for_each(|(x, y)| *x += y);
        unseen = unseen.merge(tally);
    }
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
        "read and matched {event_count} events in {:.1} ms ({rate:.0} events/s), \
         {total} matches",
        seconds * 1000.0
    );
    warn_unseen(&unseen, &names);

    // The process ends next: freeing thousands of compiled rules and their
    // parsed files one allocation at a time took a tenth of a run's rule
    // loading, for memory the exit returns at once.
    std::mem::forget(groups);
    std::mem::forget(corpus);
    if read_failed {
        EXIT_FAIL
    } else {
        EXIT_PASS
    }
}

/// Says on stderr, once per run, what was counted as no match without a
/// rule judging it: events no rule could see, and rules whose regex hit
/// its backtracking limit. Silence there would read as "nothing matched".
fn warn_unseen(unseen: &Tally, names: &[String]) {
    if unseen.unrouted_flat > 0 {
        eprintln!(
            "sigma-test: warning: {} events were routed to no rule: they are not Windows \
             events in the `Event.System` layout (a flat `{{\"EventID\": 1, \"Channel\": ...}}` \
             is not), so only rules with a non-Windows log source could see them, and none \
             was given",
            unseen.unrouted_flat
        );
    }
    if unseen.unrouted_windows > 0 {
        eprintln!(
            "sigma-test: note: {} Windows events came from a channel, provider or event id \
             that no given rule's log source covers",
            unseen.unrouted_windows
        );
    }
    if unseen.over_limit > 0 {
        eprintln!(
            "sigma-test: warning: on {} events a rule's regex hit its backtracking limit; \
             counted as no match:",
            unseen.over_limit
        );
        for (count, name) in unseen.over_limit_by_rule.iter().zip(names) {
            if *count > 0 {
                eprintln!("sigma-test:   {count}\t{name}");
            }
        }
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

    // What to compile: one rule set per selector of each mapped log source,
    // and one generic set.
    let mut jobs: Vec<(usize, Option<Selector>, Vec<usize>)> = Vec::new();
    let mut generic = Vec::new();
    let mut unmapped = 0;
    let mut group_count = 0;
    for (key, rules) in by_key {
        match logsources.resolve(&key) {
            Some(coverage) => {
                for selector in coverage.selectors {
                    jobs.push((group_count, Some(selector), rules.clone()));
                }
                group_count += 1;
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
            None => generic.extend(rules),
        }
    }
    jobs.push((group_count, None, generic));

    // Rule sets are compiled in parallel, and the rules of each set too;
    // errors are reported after, in the order of a serial run.
    let none = BTreeMap::new();
    let built: Vec<_> = jobs
        .into_par_iter()
        .map(|(group, selector, rules)| {
            let fields = selector.as_ref().map_or(&none, |s| &s.fields);
            let results: Vec<_> = rules
                .par_iter()
                .filter_map(|&index| {
                    let rule = corpus.rules.get(index)?.rule()?;
                    Some((index, engine.compile(rule, fields)))
                })
                .collect();
            let mut compiled = Vec::with_capacity(results.len());
            let mut failed = Vec::new();
            for (index, result) in results {
                match result {
                    Ok(rule) => compiled.push((index, rule)),
                    Err(errors) => failed.push((index, errors)),
                }
            }
            let rules = CompiledRules::new(engine, compiled, prefilter);
            (group, selector, rules, failed)
        })
        .collect();

    let mut groups: Vec<Group<E::Compiled>> = (0..=group_count)
        .map(|group| Group {
            selectors: (group < group_count).then(Vec::new),
            generic: CompiledRules::new(engine, Vec::new(), false),
        })
        .collect();
    let mut compile_errors = 0;
    for (group, selector, rules, failed) in built {
        for (index, errors) in failed {
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
        }
        let Some(target) = groups.get_mut(group) else {
            continue;
        };
        match (selector, &mut target.selectors) {
            (Some(selector), Some(selectors)) => selectors.push((selector, rules)),
            _ => target.generic = rules,
        }
    }
    (groups, unmapped, compile_errors)
}

/// How many lines of a JSONL stream are read, then parsed and matched in
/// parallel, at a time: enough to keep every thread busy, few enough that
/// memory does not grow with the file (a few MiB of events).
const BATCH_LINES: usize = 2048;

/// Bad lines reported per file; the rest are only counted.
const ERRORS_SHOWN: usize = 20;

/// The rules, the routing of events to them, and the counting.
struct Matching<'a, E: Engine> {
    engine: &'a E,
    groups: &'a Groups<E::Compiled>,
    /// Routing decisions by where a Windows event comes from.
    routes: RwLock<RouteCache>,
    rule_count: usize,
}

/// Routes by a hash of their key, each bucket checked against the key.
type RouteCache = HashMap<u64, Vec<(RouteKey, Arc<[Route]>)>>;

/// What routing reads of a Windows event (besides a selector's extra
/// conditions, checked per event).
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct RouteKey {
    channel: Option<String>,
    provider: Option<String>,
    event_id: Option<u64>,
}

/// For one group, the selectors that accept the event's origin, in file
/// order: the first whose conditions also hold applies.
struct Route {
    group: usize,
    selectors: Vec<usize>,
}

/// The outcome of matching a file, or a part of one.
struct Tally {
    counts: Vec<u64>,
    events: usize,
    /// Events outside the Windows `Event.System` layout, when no rule
    /// takes generic events: no rule could see them.
    unrouted_flat: usize,
    /// Windows events whose origin no log source of the rules covers.
    unrouted_windows: usize,
    /// Events on which some rule's regex hit its backtracking limit
    /// (counted as no match for that rule).
    over_limit: usize,
    /// Per rule, the events on which it hit the limit.
    over_limit_by_rule: Vec<u64>,
    errors: Vec<EventError>,
    /// Errors beyond those kept in `errors`.
    more_errors: usize,
    failed: bool,
}

impl Tally {
    fn new(rules: usize) -> Self {
        Tally {
            counts: vec![0; rules],
            events: 0,
            unrouted_flat: 0,
            unrouted_windows: 0,
            over_limit: 0,
            over_limit_by_rule: vec![0; rules],
            errors: Vec::new(),
            more_errors: 0,
            failed: false,
        }
    }

    fn error(&mut self, error: EventError) {
        self.failed = true;
        if self.errors.len() < ERRORS_SHOWN {
            self.errors.push(error);
        } else {
            self.more_errors += 1;
        }
    }

    /// `self` then `other`, in input order.
    fn merge(mut self, other: Tally) -> Tally {
        self.absorb(other);
        self
    }

    /// Adds `other`, which comes after `self` in input order.
    fn absorb(&mut self, other: Tally) {
        self.counts
            .iter_mut()
            .zip(other.counts)
            .for_each(|(x, y)| *x += y);
        self.events += other.events;
        self.unrouted_flat += other.unrouted_flat;
        self.unrouted_windows += other.unrouted_windows;
        self.over_limit += other.over_limit;
        self.over_limit_by_rule
            .iter_mut()
            .zip(other.over_limit_by_rule)
            .for_each(|(x, y)| *x += y);
        self.failed |= other.failed;
        self.more_errors += other.more_errors;
        for error in other.errors {
            self.error(error);
        }
    }

    /// Prints the errors kept, in input order, and forgets them.
    fn report(&mut self, path: &Path) {
        for error in self.errors.drain(..) {
            eprintln!("sigma-test: {error}");
        }
        if self.more_errors > 0 {
            eprintln!(
                "sigma-test: {}: {} more bad events not shown",
                path.display(),
                self.more_errors
            );
            self.more_errors = 0;
        }
    }
}

impl<E: Engine> Matching<'_, E> {
    /// Reads a JSONL file batch by batch: the next batch is read while the
    /// current one is parsed and matched, so memory stays bounded.
    fn stream_jsonl(&self, path: &Path, file: File) -> Tally {
        let mut reader = LineBatches::new(path, BufReader::with_capacity(1 << 20, file));
        let mut total = Tally::new(self.rule_count);
        let (mut current, mut next) = (Vec::new(), Vec::new());
        let mut more = self.next_batch(&mut reader, &mut current, &mut total);
        while more {
            let (read, mut tally) = rayon::join(
                || reader.next_batch(&mut next, BATCH_LINES),
                || self.match_lines(path, &current),
            );
            tally.report(path);
            total.absorb(tally);
            more = match read {
                Ok(more) => more,
                Err(error) => {
                    total.error(error);
                    false
                }
            };
            std::mem::swap(&mut current, &mut next);
        }
        total.report(path);
        total
    }

    fn next_batch<R: std::io::BufRead>(
        &self,
        reader: &mut LineBatches<R>,
        batch: &mut Vec<RawLine>,
        tally: &mut Tally,
    ) -> bool {
        match reader.next_batch(batch, BATCH_LINES) {
            Ok(more) => more,
            Err(error) => {
                tally.error(error);
                false
            }
        }
    }

    fn match_lines(&self, path: &Path, lines: &[RawLine]) -> Tally {
        lines
            .par_iter()
            .with_min_len(16)
            .fold(
                || Tally::new(self.rule_count),
                |mut tally, line| {
                    match json::parse_line(path, line) {
                        Ok(values) => {
                            for value in values {
                                tally.events += 1;
                                self.count(value, &mut tally);
                            }
                        }
                        Err(error) => tally.error(error),
                    }
                    tally
                },
            )
            .reduce(|| Tally::new(self.rule_count), Tally::merge)
    }

    /// An `.evtx` file is read a batch of records at a time, each batch
    /// matched in parallel, so memory holds one batch, not the whole file
    /// (a few MiB of records become tens of MiB of JSON values).
    fn stream_evtx(&self, path: &Path) -> Tally {
        let mut total = Tally::new(self.rule_count);
        let read = events::evtx::read_batches(path, BATCH_LINES, &mut |batch| {
            let values = batch.into_iter().map(windows::flatten).collect();
            let tally = self.match_values(values);
            total.absorb(tally);
        });
        if let Err(error) = read {
            total.error(error);
        }
        total.report(path);
        total
    }

    /// JSON and YAML files are read whole (they are small), then matched
    /// in parallel.
    fn whole_file(&self, path: &Path) -> Tally {
        let values = match events::read_file(path) {
            Ok(values) => values,
            Err(error) => {
                let mut tally = Tally::new(self.rule_count);
                tally.error(error);
                tally.report(path);
                return tally;
            }
        };
        self.match_values(values)
    }

    fn match_values(&self, values: Vec<serde_json::Value>) -> Tally {
        values
            .into_par_iter()
            .with_min_len(16)
            .fold(
                || Tally::new(self.rule_count),
                |mut tally, value| {
                    tally.events += 1;
                    self.count(value, &mut tally);
                    tally
                },
            )
            .reduce(|| Tally::new(self.rule_count), Tally::merge)
    }

    /// The routes of a Windows event from `system`, remembered per origin.
    fn routes(&self, system: &windows::System<'_>) -> Arc<[Route]> {
        let key = RouteKey {
            channel: system.channel.map(str::to_owned),
            provider: system.provider.map(str::to_owned),
            event_id: system.event_id,
        };
        let hash = {
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            (system.channel, system.provider, system.event_id).hash(&mut hasher);
            hasher.finish()
        };
        let known = |map: &RouteCache| {
            map.get(&hash)?
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, routes)| Arc::clone(routes))
        };
        if let Some(found) = self.routes.read().ok().and_then(|map| known(&map)) {
            return found;
        }

        let routes: Arc<[Route]> = self
            .groups
            .iter()
            .enumerate()
            .filter_map(|(group, g)| {
                let selectors: Vec<usize> = g
                    .selectors
                    .iter()
                    .flatten()
                    .enumerate()
                    .filter(|(_, (s, _))| s.covers_system(system))
                    .map(|(i, _)| i)
                    .collect();
                (!selectors.is_empty()).then_some(Route { group, selectors })
            })
            .collect();
        if let Ok(mut map) = self.routes.write() {
            map.entry(hash)
                .or_default()
                .push((key, Arc::clone(&routes)));
        }
        routes
    }

    fn count(&self, value: serde_json::Value, tally: &mut Tally) {
        // Which compiled rules apply is decided on the JSON; the engine's
        // event is built once, after.
        let mut applicable: Vec<&CompiledRules<E::Compiled>> = Vec::new();
        let system = windows::system(&value);
        let windows = system.is_some();
        match system {
            Some(system) => {
                for route in self.routes(&system).iter() {
                    let Some(selectors) = self
                        .groups
                        .get(route.group)
                        .and_then(|g| g.selectors.as_ref())
                    else {
                        continue;
                    };
                    let chosen = route
                        .selectors
                        .iter()
                        .filter_map(|&i| selectors.get(i))
                        .find(|(s, _)| s.holds_conditions(&value));
                    if let Some((_, rules)) = chosen {
                        applicable.push(rules);
                    }
                }
            }
            None => {
                for group in self.groups.iter().filter(|g| g.selectors.is_none()) {
                    applicable.push(&group.generic);
                }
            }
        }
        applicable.retain(|set| !set.rules.is_empty());
        if applicable.is_empty() {
            if windows {
                tally.unrouted_windows += 1;
            } else {
                tally.unrouted_flat += 1;
            }
            return;
        }
        let engine = self.engine;
        let event = engine.event(value);
        let mut over_limit = false;
        for set in applicable {
            let candidates = match (&set.prefilter, engine.prefilter_event(&event)) {
                (Some(prefilter), Some(seen)) => Some(prefilter.candidates(seen)),
                _ => None,
            };
            for (position, (index, compiled)) in set.rules.iter().enumerate() {
                if candidates.as_ref().is_some_and(|c| !c.contains(position)) {
                    continue;
                }
                match engine.matches(compiled, &event) {
                    Ok(true) => {
                        if let Some(count) = tally.counts.get_mut(*index) {
                            *count += 1;
                        }
                    }
                    Ok(false) => {}
                    Err(_) => {
                        over_limit = true;
                        if let Some(count) = tally.over_limit_by_rule.get_mut(*index) {
                            *count += 1;
                        }
                    }
                }
            }
        }
        tally.over_limit += usize::from(over_limit);
    }
}
