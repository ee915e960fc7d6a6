//! What runs after the cases when asked: fuzzing, coverage and mutation
//! reports, and their gates. The CLI calls these; each writes its report
//! and says whether the run must fail.

use std::io::{self, Write};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use crate::coverage::{self, CoverageReport};
use crate::discover::Corpus;
use crate::fuzz::{self, FuzzOptions, RuleFuzz};
use crate::mutate::{self, MutationReport};
use crate::runner::RunOptions;

/// Output formats of the coverage report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CoverageFormat {
    /// Per rule, with what no case exercises.
    Text,
    /// One JSON document.
    Json,
    /// lcov tracefile.
    Lcov,
    /// Cobertura XML.
    Cobertura,
}

/// Fuzzes every rule of the corpus; writes failures (each with a ready
/// case) and a summary. Returns the number of failed properties plus the
/// rules that do not compile.
pub fn fuzz_corpus(
    corpus: &Corpus,
    options: &FuzzOptions,
    out: &mut dyn Write,
) -> io::Result<usize> {
    let started = Instant::now();
    let reports: Vec<(String, Option<RuleFuzz>)> = corpus
        .rules
        .par_iter()
        .filter_map(|entry| {
            let rule = entry.rule()?;
            Some((
                entry.file.path.display().to_string(),
                fuzz::fuzz_rule(rule, options),
            ))
        })
        .collect();

    let (mut checked, mut failed, mut unknown, mut skipped) = (0, 0, 0, 0);
    for (path, report) in &reports {
        let Some(report) = report else {
            // A rule the fuzzer cannot compile is a failure, named, so that
            // a fuzz-only CI job goes red too.
            skipped += 1;
            writeln!(out, "fuzz {path}: not compiled (the rule does not compile)")?;
            continue;
        };
        checked += report.checked;
        unknown += report.unknown.len();
        for failure in &report.failures {
            failed += 1;
            writeln!(
                out,
                "fuzz {path}: {} ({}): {}",
                failure.property.name(),
                failure.subject,
                failure.message
            )?;
            if let Some(case) = failure.case_yaml() {
                writeln!(out, "  ready case for the rule's case file:")?;
                for line in case.lines() {
                    writeln!(out, "  {line}")?;
                }
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    writeln!(
        out,
        "fuzz: {} rules, {checked} properties, {failed} failed, {unknown} without a witness \
         within budget, {skipped} not compiled; {:.1} s ({:.1} ms per rule, {} cases per \
         property, seed {})",
        reports.len(),
        seconds,
        seconds * 1000.0 / reports.len().max(1) as f64,
        options.cases,
        options.seed
    )?;
    Ok(failed + skipped)
}

/// Writes the coverage report in `format` to `path` (or `out`); `Ok(true)`
/// when the total is below `minimum`.
pub fn write_coverage(
    report: &CoverageReport,
    format: CoverageFormat,
    path: Option<&Path>,
    minimum: Option<f64>,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let mut file;
    let target: &mut dyn Write = match path {
        Some(path) => {
            file = std::fs::File::create(path)?;
            &mut file
        }
        None => out,
    };
    match format {
        CoverageFormat::Text => coverage::write_text(target, report)?,
        CoverageFormat::Json => coverage::write_json(target, report)?,
        CoverageFormat::Lcov => coverage::write_lcov(target, report)?,
        CoverageFormat::Cobertura => coverage::write_cobertura(target, report)?,
    }
    let below = minimum.is_some_and(|m| report.percent() + 1e-9 < m);
    if below {
        eprintln!(
            "sigma-test: coverage {:.1}% is below --min-coverage {:.1}%",
            report.percent(),
            minimum.unwrap_or_default()
        );
    }
    Ok(below)
}

/// Runs the mutants and writes survivors and the score; `Ok(true)` when
/// the score is below `minimum`.
pub fn mutate_corpus(
    corpus: &Corpus,
    options: &RunOptions,
    placeholders: &std::collections::HashMap<String, Vec<String>>,
    minimum: Option<f64>,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let report: MutationReport = mutate::run(corpus, options, placeholders);
    for rule in &report.rules {
        for survivor in &rule.survivors {
            writeln!(out, "mutant survived {}: {survivor}", rule.path)?;
        }
    }
    let (killed, total) = report.counts();
    writeln!(
        out,
        "mutation score: {killed}/{total} ({:.1}%)",
        report.score()
    )?;
    let below = minimum.is_some_and(|m| report.score() + 1e-9 < m);
    if below {
        eprintln!(
            "sigma-test: mutation score {:.1}% is below --min-mutation-score {:.1}%",
            report.score(),
            minimum.unwrap_or_default()
        );
    }
    Ok(below)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_counts_and_names_rules_that_do_not_compile() {
        let dir = std::env::temp_dir().join(format!("sigma-fuzz-nc-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let broken = "title: t\nlogsource: {product: x}\ndetection:\n  selection: {a: 1}\n  \
                      condition: selection and\n";
        std::fs::write(dir.join("broken.yml"), broken).unwrap();
        let corpus = crate::discover::discover(std::slice::from_ref(&dir)).unwrap();
        let mut out = Vec::new();
        let failed = fuzz_corpus(&corpus, &FuzzOptions::default(), &mut out).unwrap();
        let _ = std::fs::remove_dir_all(&dir);

        assert_eq!(failed, 1);
        let text = String::from_utf8(out).unwrap();
        let path = dir.join("broken.yml").display().to_string();
        assert!(
            text.contains(&format!("fuzz {path}: not compiled")),
            "{text}"
        );
        assert!(text.contains("1 not compiled"), "{text}");
    }
}
