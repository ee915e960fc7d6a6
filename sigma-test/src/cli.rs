//! The command line: flags, wiring and exit codes. The work is done by the
//! other modules; this one only connects them.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use sigma_core::logsource::LogSourceMap;

use crate::bench;
use crate::discover;
use crate::engine::Engine;
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

    /// Print only failures (and the summary line).
    #[arg(short, long)]
    quiet: bool,

    /// Skip the rules' SigmaHQ regression tests (`regression_tests_path`).
    #[arg(long)]
    no_regression: bool,

    #[command(flatten)]
    common: CommonArgs,
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
}

#[derive(Debug, Args)]
struct MatchArgs {
    /// Rule directories or files.
    #[arg(long, required = true, num_args = 1.., value_name = "DIR")]
    rules: Vec<PathBuf>,

    /// Event files (.evtx .json .jsonl .yml).
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    events: Vec<PathBuf>,

    /// Print only the total number of matches.
    #[arg(long)]
    total: bool,

    #[command(flatten)]
    common: CommonArgs,
}

/// Parses the command line and runs; returns the exit code.
pub fn main<E: Engine>(engine: &E) -> u8 {
    let cli = Cli::parse();
    let common = match &cli.command {
        Some(Command::Match(args)) => &args.common,
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

    match cli.command {
        Some(Command::Match(args)) => {
            bench::run(engine, &args.rules, &args.events, args.total, &logsources)
        }
        None => run_tests(engine, &cli.test, logsources),
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

fn run_tests<E: Engine>(engine: &E, args: &TestArgs, logsources: LogSourceMap) -> u8 {
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
    let options = RunOptions {
        logsources,
        regression: !args.no_regression,
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
    let results = runner::run(engine, &corpus, &options, &tick);
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }

    let summary = Summary::of(&results);
    let mut stdout = anstream::stdout().lock();
    let written = match args.format {
        Format::Text => report::write_text(&mut stdout, &results, args.quiet),
        Format::Json => {
            eprintln!("{summary}");
            report::write_json(&mut stdout, &results)
        }
    };
    if let Err(e) = written.and_then(|()| stdout.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("sigma-test: cannot write the report: {e}");
            return EXIT_ERROR;
        }
    }
    if summary.failed > 0 {
        EXIT_FAIL
    } else {
        EXIT_PASS
    }
}

/// How long since `start`, for the timing lines on stderr.
pub(crate) fn elapsed_ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}
