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

/// How many goals without a witness the fuzz summary lists on its own;
/// more are only counted, unless `verbose` asks for all of them.
const UNKNOWN_LISTED: usize = 10;

/// Fuzzes every rule of the corpus; writes failures (each with a ready
/// case), the goals left without a witness (all with `verbose`, else when
/// there are few) and a summary. Returns the number of failed properties
/// plus the rules that do not compile.
pub fn fuzz_corpus(
    corpus: &Corpus,
    options: &FuzzOptions,
    verbose: bool,
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
    let seconds = started.elapsed().as_secs_f64();
    write_fuzz(&reports, options, verbose, seconds, out)
}

/// Writes what [`fuzz_corpus`] found in `reports` (rule path, its fuzz
/// report or `None` when it does not compile); returns the failure count.
fn write_fuzz(
    reports: &[(String, Option<RuleFuzz>)],
    options: &FuzzOptions,
    verbose: bool,
    seconds: f64,
    out: &mut dyn Write,
) -> io::Result<usize> {
    let (mut checked, mut failed, mut skipped) = (0, 0, 0);
    let mut unknown = Vec::new();
    for (path, report) in reports {
        let Some(report) = report else {
            // A rule the fuzzer cannot compile is a failure, named, so that
            // a fuzz-only CI job goes red too.
            skipped += 1;
            writeln!(out, "fuzz {path}: not compiled (the rule does not compile)")?;
            continue;
        };
        checked += report.checked;
        unknown.extend(report.unknown.iter().map(|goal| (path, goal)));
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

    if verbose || unknown.len() <= UNKNOWN_LISTED {
        for (path, (property, subject)) in &unknown {
            writeln!(
                out,
                "fuzz {path}: {} ({subject}): no witness within budget (neither proven nor \
                 refuted)",
                property.name()
            )?;
        }
    }
    let rules = reports.len();
    let hint = if verbose || unknown.len() <= UNKNOWN_LISTED {
        ""
    } else {
        " (-v lists them)"
    };
    writeln!(
        out,
        "fuzz: {rules} rule{}, {checked} properties, {failed} failed, {} without a witness \
         within budget{hint}, {skipped} not compiled; {seconds:.1} s ({:.1} ms per rule, {} \
         cases per property, seed {})",
        if rules == 1 { "" } else { "s" },
        unknown.len(),
        seconds * 1000.0 / rules.max(1) as f64,
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
    let score = report.score();
    match score {
        Some(score) => writeln!(out, "mutation score: {killed}/{total} ({score:.1}%)")?,
        None if report.not_judged.is_empty() => {
            writeln!(out, "mutation score: n/a (no rule has a mutant)")?
        }
        None => writeln!(out, "mutation score: n/a (no mutant could be judged)")?,
    }
    if !report.not_judged.is_empty() {
        let n = report.not_judged.len();
        writeln!(
            out,
            "mutation: {n} rule{} not judged, {} cases fail as written: {}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "its" } else { "their" },
            report.not_judged.join(", ")
        )?;
    }
    // No score is no gate: the cases that keep rules from being judged
    // fail the run already.
    let below = match (minimum, score) {
        (Some(minimum), Some(score)) if score + 1e-9 < minimum => {
            eprintln!(
                "sigma-test: mutation score {score:.1}% is below --min-mutation-score \
                 {minimum:.1}%"
            );
            true
        }
        _ => false,
    };
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
        let failed = fuzz_corpus(&corpus, &FuzzOptions::default(), false, &mut out).unwrap();
        let _ = std::fs::remove_dir_all(&dir);

        assert_eq!(failed, 1);
        let text = String::from_utf8(out).unwrap();
        let path = dir.join("broken.yml").display().to_string();
        assert!(
            text.contains(&format!("fuzz {path}: not compiled")),
            "{text}"
        );
        assert!(text.contains("1 not compiled"), "{text}");
        assert!(text.contains("fuzz: 1 rule, 0 properties"), "{text}");
    }

    fn unknown_goals(rules: usize) -> Vec<(String, Option<RuleFuzz>)> {
        (0..rules)
            .map(|i| {
                let report = RuleFuzz {
                    checked: 2,
                    unknown: vec![(fuzz::Property::ExclusionApplies, format!("filter_{i}"))],
                    failures: Vec::new(),
                };
                (format!("rules/r{i}.yml"), Some(report))
            })
            .collect()
    }

    fn written(reports: &[(String, Option<RuleFuzz>)], verbose: bool) -> String {
        let mut out = Vec::new();
        let failed = write_fuzz(reports, &FuzzOptions::default(), verbose, 0.0, &mut out);
        assert_eq!(failed.unwrap(), 0);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn goals_without_a_witness_are_named_when_few_or_verbose() {
        let few = written(&unknown_goals(2), false);
        assert!(
            few.contains(
                "fuzz rules/r1.yml: exclusion can apply (filter_1): no witness within budget"
            ),
            "{few}"
        );
        assert!(
            few.contains("fuzz: 2 rules, 4 properties, 0 failed, 2 without"),
            "{few}"
        );

        let many = written(&unknown_goals(11), false);
        assert!(!many.contains("fuzz rules/r0.yml"), "{many}");
        assert!(many.contains("11 without a witness within budget (-v lists them)"));

        let verbose = written(&unknown_goals(11), true);
        assert_eq!(verbose.matches("no witness within budget").count(), 11);
        assert!(!verbose.contains("-v lists them"), "{verbose}");
    }
}
