//! SigmaHQ's own regression data, run as SigmaHQ runs it: every rule with a
//! `regression_tests_path` must match its `.evtx` (and the `.json` beside
//! it) at least once, or at least `match_count` times.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Instant;

use sigma_test::discover;
use sigma_test::engine::SigmaEngine;
use sigma_test::runner::{self, CaseResult, Origin, Outcome, RunOptions};

mod common;
use common::shared;

/// Both tests read one run: discovery of ~4,000 rules is the slow part.
fn results(shared: &Path) -> &'static (Vec<CaseResult>, usize, f64) {
    static RUN: OnceLock<(Vec<CaseResult>, usize, f64)> = OnceLock::new();
    RUN.get_or_init(|| {
        let start = Instant::now();
        let corpus = discover::discover(&[shared.join("sigmahq")]).unwrap();
        let results = runner::run(
            &SigmaEngine::default(),
            &corpus,
            &RunOptions::default(),
            &|| {},
        );
        (results, corpus.rules.len(), start.elapsed().as_secs_f64())
    })
}

#[test]
fn sigmahq_regression_data() {
    let Some(shared) = shared() else {
        return;
    };
    let (results, rule_count, seconds) = results(&shared);

    let regression: Vec<_> = results
        .iter()
        .filter(|r| r.origin == Origin::Regression)
        .collect();
    let mut rules = BTreeMap::new();
    let (mut passed, mut missing, mut failed) = (0, Vec::new(), Vec::new());
    for result in &regression {
        rules.insert(result.rule_path.clone(), ());
        match &result.outcome {
            Outcome::Passed => passed += 1,
            Outcome::Failed(f) if f.message.starts_with("regression data missing") => {
                missing.push(result)
            }
            Outcome::Failed(f) => failed.push((result, f)),
            Outcome::Skipped(m) if m.starts_with("regression data missing") => missing.push(result),
            Outcome::Skipped(_) => {}
        }
    }
    eprintln!(
        "{} rules with regression tests, {} results: {passed} passed, {} failed, {} with \
         data missing from the snapshot ({:.0} ms with {} rules loaded)",
        rules.len(),
        regression.len(),
        failed.len(),
        missing.len(),
        seconds * 1000.0,
        rule_count
    );
    for (result, failure) in &failed {
        eprintln!(
            "  FAIL {} :: {}: {}",
            result.rule_name.as_deref().unwrap_or("?"),
            result.case,
            failure.message
        );
    }

    let present = passed + failed.len();
    assert!(present >= 250, "only {present} regression tests with data");
    assert!(*rule_count > 3000, "{rule_count} rules loaded");
    assert!(passed * 100 >= present * 90, "{passed} of {present} passed");

    // Every test whose data is present passes, from the .evtx and the
    // .json alike. Four info.yml files declare a `match_count` below what
    // the rule really matches (1 where 3 events match); SigmaHQ's runner
    // treats the count as a floor, and so do we.
    assert!(
        failed.is_empty(),
        "{} regression tests failed",
        failed.len()
    );
    assert_eq!(passed, present);
    let json = regression
        .iter()
        .filter(|r| r.case.ends_with("(.json)"))
        .count();
    let evtx = regression
        .iter()
        .filter(|r| r.case.ends_with("(.evtx)"))
        .count();
    assert!(
        json >= 130 && evtx >= 130,
        "{json} .json and {evtx} .evtx results"
    );
}

#[test]
fn evtx_and_json_give_the_same_verdicts() {
    let Some(shared) = shared() else {
        return;
    };
    let (results, ..) = results(&shared);

    let mut verdicts: BTreeMap<(String, String), Vec<(String, bool)>> = BTreeMap::new();
    for result in results.iter().filter(|r| r.origin == Origin::Regression) {
        let Some(test) = result
            .case
            .strip_suffix(" (.evtx)")
            .or(result.case.strip_suffix(" (.json)"))
        else {
            continue;
        };
        let rule = result.rule_name.clone().unwrap_or_default();
        let passed = result.outcome == Outcome::Passed;
        verdicts
            .entry((rule, test.to_owned()))
            .or_default()
            .push((result.case.clone(), passed));
    }
    let pairs: Vec<_> = verdicts.values().filter(|v| v.len() == 2).collect();
    assert!(pairs.len() >= 130, "{} .evtx/.json pairs", pairs.len());
    for pair in pairs {
        assert_eq!(pair[0].1, pair[1].1, "{pair:?}");
    }
}
