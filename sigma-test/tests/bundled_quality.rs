//! The project's own `rules/` and `cases/`: every property holds when
//! fuzzed, the cases cover every selection value and filter, and they kill
//! every mutant.

use std::path::PathBuf;

use sigma_test::coverage::{self, CoverageEngine};
use sigma_test::discover;
use sigma_test::fuzz::{fuzz_rule, FuzzOptions};
use sigma_test::mutate;
use sigma_test::runner::{self, RunOptions, Summary};

fn bundled() -> discover::Corpus {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    discover::discover(&[root.join("rules"), root.join("cases")]).expect("rules/ and cases/")
}

#[test]
fn bundled_rules_pass_every_fuzz_property() {
    let corpus = bundled();
    assert!(corpus.rules.len() >= 4);
    for entry in &corpus.rules {
        let rule = entry.rule().expect("a rule");
        let report = fuzz_rule(rule, &FuzzOptions { cases: 64, seed: 3 }).expect("compiles");
        assert_eq!(report.failures, Vec::new(), "{}", entry.file.path.display());
        assert!(report.unknown.is_empty(), "{}", entry.file.path.display());
        assert!(report.checked >= 2);
    }
}

#[test]
fn bundled_cases_cover_everything() {
    let corpus = bundled();
    let engine = CoverageEngine::default();
    let results = runner::run(&engine, &corpus, &RunOptions::default(), &|| {});
    assert_eq!(Summary::of(&results).failed, 0);
    let report = coverage::report(&engine, &corpus);
    let (hit, total) = report.totals();
    assert!(total >= 16, "{total}");
    assert_eq!(hit, total, "{report:#?}");
}

#[test]
fn bundled_cases_kill_every_mutant() {
    let corpus = bundled();
    let report = mutate::run(&corpus, &RunOptions::default(), &Default::default());
    let (killed, total) = report.counts();
    assert!(total >= 30, "{total}");
    assert_eq!(killed, total, "{report:#?}");
}
