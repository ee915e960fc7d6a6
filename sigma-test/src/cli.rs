//! The command line: flags, wiring and exit codes. The work is done by the
//! other modules; this one only connects them.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use sigma_core::logsource::LogSourceMap;

use crate::bench;
use crate::discover;
use crate::engine::SigmaEngine;
use crate::pipe::QuietPipe;
use crate::placeholders;
use crate::quality::CoverageFormat;
use crate::report::{self, Format};
use crate::runner::{self, RunOptions, Summary};

/// Exit code: every case passed.
pub const EXIT_PASS: u8 = 0;
/// Exit code: a case failed (or could not run because its input is broken).
pub const EXIT_FAIL: u8 = 1;
/// Exit code: bad usage or an I/O error before anything could run.
pub const EXIT_ERROR: u8 = 2;

/// Run Sigma rules against their test cases.
///
/// Finds rules (YAML files with `detection`) and case files (YAML files with
/// `rule` and `cases`) under PATHS, runs every case, and the SigmaHQ
/// regression tests of every rule with a `regression_tests_path`. Prints one
/// line per case and ends with `N passed, N failed` (`, N skipped` when some
/// were skipped).
///
/// Exit status: 0 when every case passed, 1 when one failed, 2 on a usage or
/// I/O error.
#[derive(Debug, Parser)]
#[command(name = "sigma-test", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    test: TestArgs,
}

#[derive(Debug, Args)]
struct TestArgs {
    /// Rule and case directories or files [default: .]
    ///
    /// A directory named like the subcommand `match` must be written `./match`.
    paths: Vec<PathBuf>,

    /// Output format; `json` prints one document and the summary to stderr.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Leave passing and skipped cases out of the report, in every format
    /// (the summary still counts them).
    #[arg(short, long)]
    quiet: bool,

    /// Skip the rules' SigmaHQ regression tests (`regression_tests_path`).
    #[arg(long)]
    no_regression: bool,

    /// Fail when regression data that a rule names does not exist. Without
    /// it, missing data is reported as missing and counted as skipped, so a
    /// partial copy of a rule repository still runs what it has.
    #[arg(long)]
    require_data: bool,

    #[command(flatten)]
    quality: QualityArgs,

    #[command(flatten)]
    common: CommonArgs,
}

/// Fuzzing, coverage and mutation, after the cases. With `--format json`
/// their reports go to stderr, so that stdout stays one JSON document.
/// `.sigma-test.yml` in the current directory may set them for a repo.
#[derive(Clone, Debug, Args)]
struct QualityArgs {
    /// Fuzz every rule's condition: it can match, each filter can apply,
    /// each selection matters, irrelevant changes change nothing.
    #[arg(long)]
    fuzz: bool,

    /// List every fuzz goal left without a witness (at most 10 are listed
    /// without it; more are only counted).
    #[arg(short, long)]
    verbose: bool,

    /// Inputs drawn per property and rule, 1 or more [default: 16].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    fuzz_cases: Option<u32>,

    /// Seed of the fuzzer (same seed, same run) [default: 0].
    #[arg(long, value_name = "SEED")]
    seed: Option<u64>,

    /// Report which selection values and filters the cases exercise.
    #[arg(long)]
    coverage: bool,

    /// Format of the coverage report (implies --coverage) [default: text].
    /// A json, lcov or cobertura report without --coverage-output is the
    /// only thing on stdout: the case report, the summary line and the
    /// other reports then go to stderr.
    #[arg(long, value_enum, value_name = "FORMAT")]
    coverage_format: Option<CoverageFormat>,

    /// Write the coverage report to FILE instead of stdout (implies
    /// --coverage).
    #[arg(long, value_name = "FILE")]
    coverage_output: Option<PathBuf>,

    /// Fail when total coverage is below PERCENT, 0 to 100 (implies
    /// --coverage).
    #[arg(long, value_name = "PERCENT", value_parser = crate::config::parse_percent)]
    min_coverage: Option<f64>,

    /// Run mutants of every rule and list those its cases do not catch.
    #[arg(long)]
    mutate: bool,

    /// Fail when the mutation score is below PERCENT, 0 to 100 (implies
    /// --mutate).
    #[arg(long, value_name = "PERCENT", value_parser = crate::config::parse_percent)]
    min_mutation_score: Option<f64>,
}

impl QualityArgs {
    /// The flags, with the repository's config where a flag is not given.
    fn with_config(&self, config: &crate::config::RepoConfig) -> QualityArgs {
        let mut out = self.clone();
        out.fuzz |= config.fuzz.unwrap_or(false);
        out.fuzz_cases = out.fuzz_cases.or(config.fuzz_cases);
        out.seed = out.seed.or(config.seed);
        out.min_coverage = out.min_coverage.or(config.min_coverage);
        out.min_mutation_score = out.min_mutation_score.or(config.min_mutation_score);
        out
    }

    /// Whether coverage is recorded: asked for, or implied by a flag that
    /// only means something with it.
    fn coverage_wanted(&self) -> bool {
        self.coverage
            || self.coverage_format.is_some()
            || self.coverage_output.is_some()
            || self.min_coverage.is_some()
    }

    /// The coverage report's format.
    fn coverage_format(&self) -> CoverageFormat {
        self.coverage_format.unwrap_or(CoverageFormat::Text)
    }
}

#[derive(Debug, Args)]
struct CommonArgs {
    /// A log-source mapping file that extends the default (entries with the
    /// same product/category/service replace it). Repeatable.
    #[arg(long, value_name = "FILE")]
    logsources: Vec<PathBuf>,

    /// Start from an empty log-source mapping instead of the Windows default.
    #[arg(long)]
    no_default_logsources: bool,

    /// Values of `expand` placeholders: a YAML mapping of names to a value
    /// or a list of values.
    #[arg(long, value_name = "FILE")]
    placeholders: Option<PathBuf>,

    /// Worker threads [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    threads: Option<usize>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Route events to rules by log source and count matches (benchmarks).
    ///
    /// Prints each rule's match count (or only the total) to stdout, and the
    /// rule-load time and events per second to stderr.
    Match(MatchArgs),
    /// Write a first case file for a rule: one positive case from a built
    /// event, one negative case per filter; all passing.
    Scaffold(ScaffoldArgs),
}

#[derive(Debug, Args)]
struct ScaffoldArgs {
    /// The rule file.
    rule: PathBuf,

    /// Write the case file here instead of to stdout (refuses to overwrite).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct MatchArgs {
    /// Rule directories or files.
    #[arg(long, required = true, num_args = 1.., value_name = "DIR")]
    rules: Vec<PathBuf>,

    /// Event files (.evtx .json .jsonl .yml), or directories to search for
    /// .evtx, .json and .jsonl files.
    #[arg(long, required = true, num_args = 1.., value_name = "PATH")]
    events: Vec<PathBuf>,

    /// Print only the total number of matches.
    #[arg(long)]
    total: bool,

    /// Evaluate every routed rule on every event, without the cross-rule
    /// prefilter (to compare speed, or to rule the prefilter out).
    #[arg(long)]
    no_prefilter: bool,

    #[command(flatten)]
    common: CommonArgs,
}

/// Parses the command line and runs; returns the exit code.
pub fn main() -> u8 {
    let cli = Cli::parse();
    let common = match &cli.command {
        Some(Command::Match(args)) => &args.common,
        Some(Command::Scaffold(args)) => return run_scaffold(args),
        None => &cli.test.common,
    };
    if let Some(threads) = common.threads {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
        {
            eprintln!("sigma-test: cannot set {threads} threads: {e}");
            return EXIT_ERROR;
        }
    }
    let logsources = match load_logsources(common) {
        Ok(map) => map,
        Err(()) => return EXIT_ERROR,
    };
    let mut engine = SigmaEngine::default();
    if let Some(path) = &common.placeholders {
        match placeholders::read(path) {
            Ok(values) => engine.placeholders = values,
            Err(errors) => {
                for error in errors {
                    eprintln!("sigma-test: {error}");
                }
                return EXIT_ERROR;
            }
        }
    }
    let engine = &engine;

    match cli.command {
        Some(Command::Match(args)) => {
            let options = bench::Options {
                total_only: args.total,
                prefilter: !args.no_prefilter,
            };
            bench::run(engine, &args.rules, &args.events, options, &logsources)
        }
        Some(Command::Scaffold(args)) => run_scaffold(&args),
        None => run_tests(engine, &cli.test, logsources),
    }
}

fn run_scaffold(args: &ScaffoldArgs) -> u8 {
    let file = match sigma_core::rule::SigmaFile::read(&args.rule) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("sigma-test: cannot read {}: {e}", args.rule.display());
            return EXIT_ERROR;
        }
    };
    let Some(rule) = file.rules().next() else {
        eprintln!(
            "sigma-test: {} holds no detection rule",
            args.rule.display()
        );
        return EXIT_ERROR;
    };
    let reference = crate::scaffold::reference(rule, &args.rule, args.output.as_deref());
    let yaml = match crate::scaffold::scaffold(rule, &reference) {
        Ok(yaml) => yaml,
        Err(message) => {
            eprintln!("sigma-test: {}: {message}", args.rule.display());
            return EXIT_FAIL;
        }
    };
    let written = match &args.output {
        Some(path) if path.exists() => {
            eprintln!("sigma-test: {} exists; not overwritten", path.display());
            return EXIT_ERROR;
        }
        Some(path) => std::fs::write(path, yaml),
        None => QuietPipe::new(std::io::stdout().lock()).write_all(yaml.as_bytes()),
    };
    match written {
        Ok(()) => EXIT_PASS,
        Err(e) => {
            eprintln!("sigma-test: cannot write the case file: {e}");
            EXIT_ERROR
        }
    }
}

fn load_logsources(common: &CommonArgs) -> Result<LogSourceMap, ()> {
    let mut map = if common.no_default_logsources {
        LogSourceMap::default()
    } else {
        LogSourceMap::default_windows()
    };
    for path in &common.logsources {
        match LogSourceMap::read(path) {
            Ok(user) => map.extend(user),
            Err(errors) => {
                for error in errors {
                    eprintln!("sigma-test: {error}");
                }
                return Err(());
            }
        }
    }
    Ok(map)
}

fn run_tests(engine: &SigmaEngine, args: &TestArgs, logsources: LogSourceMap) -> u8 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let corpus = match discover::discover(&paths) {
        Ok(corpus) => corpus,
        Err(error) => {
            eprintln!("sigma-test: {error}");
            return EXIT_ERROR;
        }
    };
    for path in &corpus.empty_paths {
        eprintln!(
            "sigma-test: note: {}: no rule and no case file found",
            path.display()
        );
    }
    let options = RunOptions {
        logsources,
        regression: !args.no_regression,
        skip_missing_data: !args.require_data,
    };

    let progress = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(runner::job_count(&corpus, &options) as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rules")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let tick = || {
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    };
    let quality = match crate::config::RepoConfig::read(Path::new(".")) {
        Ok(config) => args.quality.with_config(&config),
        Err(message) => {
            eprintln!("sigma-test: {message}");
            return EXIT_ERROR;
        }
    };
    let quality = &quality;
    let coverage = quality
        .coverage_wanted()
        .then(|| crate::coverage::CoverageEngine::with_placeholders(engine.placeholders.clone()));
    let results = match &coverage {
        Some(recording) => runner::run(recording, &corpus, &options, &tick),
        None => runner::run(engine, &corpus, &options, &tick),
    };
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }

    // A machine-readable coverage report on stdout must be all of stdout:
    // everything else goes to stderr then.
    let coverage_on_stdout = coverage.is_some()
        && quality.coverage_output.is_none()
        && quality.coverage_format() != CoverageFormat::Text;
    let summary = Summary::of(&results);
    let mut report_out: Box<dyn Write> = if coverage_on_stdout {
        Box::new(anstream::stderr())
    } else {
        Box::new(QuietPipe::new(anstream::stdout().lock()))
    };
    let written = match args.format {
        Format::Text => report::write_text(&mut report_out, &results, args.quiet),
        Format::Json => {
            eprintln!("{summary}");
            report::write_json(&mut report_out, &results, args.quiet)
        }
    };
    if let Err(e) = written.and_then(|()| report_out.flush()) {
        eprintln!("sigma-test: cannot write the report: {e}");
        return EXIT_ERROR;
    }
    drop(report_out);

    // With a JSON report on stdout, the other reports go to stderr.
    let mut extra: Box<dyn Write> = match args.format {
        Format::Text if !coverage_on_stdout => Box::new(QuietPipe::new(anstream::stdout())),
        Format::Text | Format::Json => Box::new(std::io::stderr()),
    };
    let mut coverage_out: Box<dyn Write> = match args.format {
        Format::Json if !coverage_on_stdout => Box::new(std::io::stderr()),
        Format::Text | Format::Json => Box::new(QuietPipe::new(anstream::stdout())),
    };
    let gates = run_quality(
        quality,
        &corpus,
        &options,
        engine,
        coverage.as_ref(),
        &mut extra,
        &mut coverage_out,
    );
    let gates_failed = match gates {
        Ok(failed) => failed,
        Err(e) => {
            eprintln!("sigma-test: cannot write a report: {e}");
            return EXIT_ERROR;
        }
    };

    // The process ends next: freeing thousands of parsed rule trees one
    // node at a time costs a tenth of a SigmaHQ-sized run, for nothing.
    std::mem::forget(results);
    std::mem::forget(corpus);
    if summary.failed > 0 || gates_failed {
        EXIT_FAIL
    } else {
        EXIT_PASS
    }
}

/// Fuzzing, coverage and mutation as asked; whether a gate failed.
fn run_quality(
    quality: &QualityArgs,
    corpus: &discover::Corpus,
    options: &RunOptions,
    engine: &SigmaEngine,
    coverage: Option<&crate::coverage::CoverageEngine>,
    out: &mut dyn Write,
    coverage_out: &mut dyn Write,
) -> std::io::Result<bool> {
    let mut failed = false;
    if quality.fuzz {
        let fuzz = crate::fuzz::FuzzOptions {
            cases: quality
                .fuzz_cases
                .unwrap_or(crate::fuzz::FuzzOptions::default().cases),
            seed: quality.seed.unwrap_or_default(),
        };
        failed |= crate::quality::fuzz_corpus(corpus, &fuzz, quality.verbose, out)? > 0;
    }
    if let Some(recording) = coverage {
        let report = crate::coverage::report(recording, corpus);
        failed |= crate::quality::write_coverage(
            &report,
            quality.coverage_format(),
            quality.coverage_output.as_deref(),
            quality.min_coverage,
            coverage_out,
        )?;
        coverage_out.flush()?;
    }
    if quality.mutate || quality.min_mutation_score.is_some() {
        let placeholders = &engine.placeholders;
        let minimum = quality.min_mutation_score;
        failed |= crate::quality::mutate_corpus(corpus, options, placeholders, minimum, out)?;
    }
    out.flush()?;
    Ok(failed)
}

/// How long since `start`, for the timing lines on stderr.
pub(crate) fn elapsed_ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}
