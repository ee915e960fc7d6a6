//! `sigma-lint`: flags, wiring and the exit code. The work is in the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};
use sigma_lint::check::CheckMeta;
use sigma_lint::finding::{Applicability, Severity};
use sigma_lint::report::{self, Format};
use sigma_lint::settings::{Preset, Settings};

/// mimalloc instead of the system allocator: YAML trees and findings are
/// many small allocations made on every thread, where glibc's malloc spent
/// much of a corpus run growing and trimming its arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use sigma_lint::{checks, config, fix, lint, sigma_cli};

/// Lints Sigma detection rules, with a line and column for every finding.
#[derive(Debug, Parser)]
#[command(name = "sigma-lint", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Files or directories to lint. Below a directory, every `*.yml` and
    /// `*.yaml` file (hidden ones skipped) that has a document with a
    /// `title`, `detection`, `logsource`, `correlation` or `filter` key at
    /// its root; other YAML (test cases, data) is skipped with a note. A
    /// file named here is always linted. A folder named like a subcommand
    /// must be written as a path: `./checks`, not `checks`.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,

    /// Output format; machine formats go to stdout.
    #[arg(long, value_enum, default_value = "pretty")]
    format: Format,

    /// The lowest severity that makes the run fail (exit 1); default
    /// `warning`, so informational findings are shown but do not fail.
    #[arg(long, value_parser = parse_severity)]
    fail_level: Option<Severity>,

    /// Conventions beyond the specification: `spec` or `sigmahq`.
    #[arg(long, value_parser = parse_preset)]
    preset: Option<Preset>,

    /// Checks to run instead of the defaults (codes, prefixes or names).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,

    /// Checks to run on top of the defaults.
    #[arg(long, value_delimiter = ',')]
    extend_select: Vec<String>,

    /// Checks not to run.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,

    /// The configuration file (default: `.sigma-lint.yml` found upward).
    #[arg(long)]
    config: Option<PathBuf>,

    /// Do not read any `.sigma-lint.yml`.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,

    /// A sigma-cli `--validation-config` file to take checks and exclusions from.
    #[arg(long)]
    validation_config: Option<PathBuf>,

    /// "Today" for the date checks, YYYY-MM-DD (default: not checked).
    #[arg(long, value_parser = parse_day)]
    today: Option<NaiveDate>,

    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,

    /// Apply the safe fixes in place, then report what is left.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,

    /// Print the fixes as a unified diff instead of a report; change nothing.
    #[arg(long)]
    diff: bool,

    /// With --fix or --diff, also apply fixes that may change what a rule matches.
    #[arg(long)]
    unsafe_fixes: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Lists the checks, or prints one check's documentation.
    Checks {
        /// A check's code or name.
        check: Option<String>,
    },
}

fn parse_severity(text: &str) -> Result<Severity, String> {
    Severity::parse(text).ok_or_else(|| format!("`{text}` is not error, warning or info"))
}

fn parse_preset(text: &str) -> Result<Preset, String> {
    Preset::parse(text).ok_or_else(|| format!("`{text}` is not a preset (spec, sigmahq)"))
}

fn parse_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| format!("`{text}`: {e}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Checks { check }) => list_checks(check.as_deref()),
        None => run(&cli),
    }
}

fn list_checks(check: Option<&str>) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let Some(wanted) = check else {
        let rows: Vec<&CheckMeta> = checks::metas().collect();
        for meta in rows {
            let group = match meta.group {
                sigma_lint::check::Group::Correctness => "correctness",
                sigma_lint::check::Group::Suspicious => "suspicious",
                sigma_lint::check::Group::Convention => "convention",
                sigma_lint::check::Group::Pedantic => "pedantic (off)",
            };
            let _ = writeln!(
                out,
                "{}  {:<28} {:<8} {:<8} {:<15} {}",
                meta.code,
                meta.name,
                meta.severity.as_str(),
                meta.scope.as_str(),
                group,
                meta.summary()
            );
        }
        return ExitCode::SUCCESS;
    };
    match checks::find(wanted) {
        Some(check) => {
            let meta = check.meta();
            let _ = writeln!(out, "# {} {}\n", meta.code, meta.name);
            let _ = writeln!(
                out,
                "Family {} ({:?}), group {:?}, default severity {}, scope {}, fix {:?}.\n",
                meta.family.letter(),
                meta.family,
                meta.group,
                meta.severity.as_str(),
                meta.scope.as_str(),
                meta.fix
            );
            let _ = write!(out, "{}", meta.markdown());
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("sigma-lint: no check is called `{wanted}`; `sigma-lint checks` lists them");
            ExitCode::from(2)
        }
    }
}

fn settings(cli: &Cli) -> Result<(Settings, Option<Severity>), String> {
    let mut settings = Settings::default();
    let mut fail_level = None;

    let config_path = match (&cli.config, cli.no_config) {
        (Some(path), _) => Some(path.clone()),
        (None, true) => None,
        (None, false) => std::env::current_dir().ok().and_then(|d| config::find(&d)),
    };
    if let Some(path) = config_path {
        let options = config::read(&path).map_err(|e| e.to_string())?;
        fail_level = options.fail_level;
        options
            .apply(&mut settings)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }

    if let Some(path) = &cli.validation_config {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let import = sigma_cli::apply(&text, &mut settings)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if !import.unmapped.is_empty() {
            eprintln!(
                "sigma-lint: note: these pySigma validators have no sigma-lint check yet: {}",
                import.unmapped.join(", ")
            );
        }
    }

    if let Some(preset) = cli.preset {
        settings.preset = preset;
    }
    if !cli.select.is_empty() {
        settings.select = cli.select.clone();
    }
    settings
        .extend_select
        .extend(cli.extend_select.iter().cloned());
    settings.ignore.extend(cli.ignore.iter().cloned());
    settings.today = cli.today;
    for selector in settings
        .select
        .iter()
        .chain(&settings.extend_select)
        .chain(&settings.ignore)
    {
        if selector.trim().is_empty() {
            return Err(
                "an empty check selector names no check; give a code (`C004`), \
                 a prefix (`D`) or a name (`invalid-id`)"
                    .to_owned(),
            );
        }
        let known = selector == "all"
            || checks::metas().any(|m| sigma_lint::settings::selects(selector, m));
        if !known {
            return Err(format!(
                "`{selector}` names no check; `sigma-lint checks` lists them"
            ));
        }
    }
    Ok((settings, cli.fail_level.or(fail_level)))
}

fn run(cli: &Cli) -> ExitCode {
    let (settings, fail_level) = match settings(cli) {
        Ok(found) => found,
        Err(message) => {
            eprintln!("sigma-lint: {message}");
            return ExitCode::from(2);
        }
    };
    let fail_level = fail_level.unwrap_or(Severity::Warning);

    // Walked files are read once, while linting, to tell Sigma from other
    // YAML.
    let found = lint::walk(&cli.paths);
    let errors = &found.errors;
    for (path, error) in errors {
        eprintln!("sigma-lint: {}: {error}", path.display());
    }
    // A folder without YAML among others is only noted (SigmaHQ's `rules*`
    // may match one); a run that finds nothing at all to lint fails below,
    // so that a mistyped path cannot pass a CI job.
    for dir in &found.empty_dirs {
        eprintln!("sigma-lint: note: {}: no YAML file found", dir.display());
    }

    let files = found.files.len();
    let show_progress = !cli.no_progress && std::io::stderr().is_terminal() && files > 200;
    let bar = indicatif::ProgressBar::new(files as u64);
    if !show_progress {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let run = lint::lint_discovered(&found, &settings, checks::ALL, &|| bar.inc(1));
    bar.finish_and_clear();
    let outcome = run.outcome;
    if !run.skipped.is_empty() {
        eprintln!(
            "sigma-lint: note: skipped {} YAML {} with no Sigma document \
             (no title, detection, logsource, correlation or filter key at the root)",
            run.skipped.len(),
            if run.skipped.len() == 1 {
                "file"
            } else {
                "files"
            }
        );
    }

    let nothing_linted = outcome.files == 0;
    if nothing_linted {
        eprintln!("sigma-lint: no Sigma file found in the paths given");
    }
    if cli.diff {
        let failed = !errors.is_empty() || nothing_linted;
        return show_diff(&outcome.findings, cli.unsafe_fixes, failed);
    }
    let mut findings = outcome.findings;
    let mut failed_writes = false;
    if cli.fix {
        (findings, failed_writes) = fix_in_rounds(findings, &found, &settings, cli.unsafe_fixes);
    }

    let color = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let reporter = report::reporter(cli.format, color);
    // Buffered: stdout flushes at every newline, and a pretty JSON report
    // of the corpus is tens of thousands of lines.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = reporter
        .report(&findings, outcome.files, &mut out)
        .and_then(|()| std::io::Write::flush(&mut out));
    if let Err(error) = written {
        if error.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("sigma-lint: cannot write the report: {error}");
            return ExitCode::from(2);
        }
    }

    if !errors.is_empty() || nothing_linted || failed_writes {
        return ExitCode::from(2);
    }
    if findings.iter().any(|f| f.severity >= fail_level) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// How many times `--fix` lints and fixes again. A fix that touches the
/// bytes of another one (a blank CRLF line removed while every `\r` is
/// rewritten) waits for the next round; a handful of rounds settles any
/// real file, and the bound stops two fixes that undo each other.
const FIX_ROUNDS: usize = 10;

/// `--fix`: applies the fixes, and while some fixable finding of a changed
/// file was held back by an overlap, lints again and fixes again. Returns
/// what is left to report and whether a write failed.
fn fix_in_rounds(
    mut findings: Vec<sigma_lint::finding::Finding>,
    found: &lint::Discovery,
    settings: &Settings,
    unsafe_fixes: bool,
) -> (Vec<sigma_lint::finding::Finding>, bool) {
    use std::collections::BTreeSet;
    use std::path::Path;
    use std::sync::Arc;

    let mut failed_writes = false;
    let mut fixed = 0;
    let mut changed: BTreeSet<Arc<Path>> = BTreeSet::new();
    for round in 1..=FIX_ROUNDS {
        let plan = fix::plan(&findings, unsafe_fixes);
        let mut written = BTreeSet::new();
        for file in &plan.files {
            match fix::write(file) {
                Ok(()) => {
                    written.insert(Arc::clone(&file.path));
                }
                Err(message) => {
                    eprintln!("sigma-lint: {message}");
                    failed_writes = true;
                }
            }
        }
        let applies = |f: &sigma_lint::finding::Finding| {
            f.fix
                .as_ref()
                .is_some_and(|x| unsafe_fixes || x.applicability == Applicability::Safe)
        };
        let of_written = |f: &sigma_lint::finding::Finding| written.contains(&f.path);
        fixed += findings
            .iter()
            .zip(&plan.resolved)
            .filter(|(f, resolved)| **resolved && of_written(f))
            .count();
        let held_back = findings
            .iter()
            .zip(&plan.resolved)
            .any(|(f, resolved)| !resolved && of_written(f) && applies(f));
        changed.extend(written.iter().cloned());

        let last = !held_back || failed_writes || round == FIX_ROUNDS;
        if written.is_empty() {
            break;
        }
        // The files changed: what is left is read from them again, at its
        // new place, with what the fixes themselves may have brought.
        findings = lint::lint_discovered(found, settings, checks::ALL, &|| {})
            .outcome
            .findings;
        if last {
            break;
        }
    }
    eprintln!(
        "sigma-lint: fixed {} in {}",
        counted(fixed, "finding"),
        counted(changed.len(), "file")
    );
    (findings, failed_writes)
}

/// `--diff`: the fixes as a unified diff on stdout; exit 1 when there is
/// any, so CI can ask "is everything fixed?".
fn show_diff(
    findings: &[sigma_lint::finding::Finding],
    unsafe_fixes: bool,
    failed: bool,
) -> ExitCode {
    let plan = fix::plan(findings, unsafe_fixes);
    let mut out = std::io::stdout().lock();
    for file in &plan.files {
        let diff = fix::unified_diff(&file.path, &file.before, &file.after);
        if let Err(error) = out.write_all(diff.as_bytes()) {
            if error.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("sigma-lint: cannot write the diff: {error}");
            }
            return ExitCode::from(2);
        }
    }
    let fixable = plan.resolved.iter().filter(|r| **r).count();
    // Unsafe fixes are left out of the diff; say so, or an empty diff
    // reads as "nothing to fix".
    let hidden = findings
        .iter()
        .filter(|f| {
            f.fix
                .as_ref()
                .is_some_and(|x| !unsafe_fixes && x.applicability == Applicability::Unsafe)
        })
        .count();
    let hint = if hidden == 0 {
        String::new()
    } else {
        format!(" ({hidden} more with --unsafe-fixes)")
    };
    eprintln!(
        "sigma-lint: {} fixable in {}{hint}",
        counted(fixable, "finding"),
        counted(plan.files.len(), "file")
    );
    if failed {
        ExitCode::from(2)
    } else if plan.files.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// `count` and `noun`, the noun in the plural unless the count is one.
fn counted(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
