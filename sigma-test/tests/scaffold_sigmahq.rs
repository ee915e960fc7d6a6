//! Scaffolding every SigmaHQ rule that has a regression test: each case
//! file (written to a temporary directory) must pass when run, its positive
//! case matching and its negative cases not. Without `../shared` (or
//! `$SIGMA_SHARED`) the test is skipped.

use std::path::{Path, PathBuf};

use sigma_core::rule::SigmaFile;
use sigma_test::discover;
use sigma_test::runner::{self, Outcome, RunOptions};
use sigma_test::scaffold::scaffold;

mod common;
use common::shared;

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yml") {
            out.push(path);
        }
    }
}

#[test]
fn scaffolded_cases_of_regression_rules_pass() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared not found");
        return;
    };
    let mut files = Vec::new();
    yaml_files(&shared.join("sigmahq/rules"), &mut files);

    let work = std::env::temp_dir().join(format!("sigma-scaffold-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(work.join(".git")).expect("temp dir");
    let mut paths = vec![work.clone()];
    let mut refused = Vec::new();
    for path in files {
        let Ok(file) = SigmaFile::read(&path) else {
            continue;
        };
        let Some(rule) = file.rules().next() else {
            continue;
        };
        if rule.header.get("regression_tests_path").is_none() {
            continue;
        }
        let Some(id) = rule.header.id.as_ref().map(|i| i.value.clone()) else {
            continue;
        };
        match scaffold(rule, &id) {
            Ok(yaml) => {
                std::fs::write(work.join(format!("{id}.yml")), yaml).expect("write");
                paths.push(path.clone());
            }
            Err(message) => refused.push(format!("{}: {message}", path.display())),
        }
    }

    let corpus = discover::discover(&paths).expect("discover");
    let options = RunOptions {
        regression: false,
        ..RunOptions::default()
    };
    let results = runner::run(
        &sigma_test::engine::SigmaEngine::default(),
        &corpus,
        &options,
        &|| {},
    );
    let failed: Vec<String> = results
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Passed))
        .map(|r| format!("{} :: {}: {:?}", r.source.display(), r.case, r.outcome))
        .collect();
    let _ = std::fs::remove_dir_all(&work);
    let positives = results
        .iter()
        .filter(|r| r.case.starts_with("matches"))
        .count();
    eprintln!(
        "{} rules scaffolded, {} cases run ({positives} positive), {} refused",
        corpus.case_files.len(),
        results.len(),
        refused.len()
    );
    for line in &refused {
        eprintln!("  refused: {line}");
    }
    assert!(
        corpus.case_files.len() >= 190,
        "only {}",
        corpus.case_files.len()
    );
    assert!(failed.is_empty(), "{failed:#?}");
    assert!(refused.is_empty(), "{refused:#?}");
}
