//! Every matching case of `../shared/cases/` (files not named `*-lint-*`)
//! as a test: the rule is compiled and each event's verdict checked.
//!
//! All failures are collected and reported together. Correlation cases are
//! recognised and reported as not supported yet; they never count as
//! passed. Without `../shared` (or `$SIGMA_SHARED`) the test is skipped.

use std::path::PathBuf;

use sigma_core::event::Event;
use sigma_core::matcher::{CompileOptions, CompiledRule};
use sigma_core::rule::{SigmaDocument, SigmaFile};
use sigma_core::yaml;

mod common;
use common::shared;

struct Outcome {
    passed: usize,
    correlations: Vec<String>,
    failures: Vec<String>,
}

fn run_case(name: &str, source: &str, outcome: &mut Outcome) {
    let documents = match yaml::parse(source) {
        Ok(documents) => documents,
        Err(e) => return outcome.failures.push(format!("{name}: case YAML: {e}")),
    };
    let Some(root) = documents.into_iter().next().and_then(|d| d.root) else {
        return outcome.failures.push(format!("{name}: empty case file"));
    };
    let Some(rule_text) = root.get("rule").and_then(|r| r.as_str()) else {
        return outcome.failures.push(format!("{name}: no `rule:` string"));
    };
    let Some(events) = root.get("events").and_then(|e| e.as_sequence()) else {
        return outcome.failures.push(format!("{name}: no `events:` list"));
    };

    let file = SigmaFile::parse(format!("{name}#rule"), rule_text);
    match file.documents.first() {
        Some(SigmaDocument::Correlation(correlation)) => {
            let kind = correlation.kind.as_ref().map_or("?", |k| k.value.as_str());
            eprintln!(
                "{name}: correlation ({kind}) recognised; correlations are not supported yet"
            );
            outcome.correlations.push(name.to_owned());
            return;
        }
        Some(SigmaDocument::Rule(_)) => {}
        _ => {
            return outcome
                .failures
                .push(format!("{name}: the rule is not a detection rule"))
        }
    }
    let Some(rule) = file.rules().next() else {
        return outcome.failures.push(format!("{name}: no rule"));
    };
    let compiled = match CompiledRule::compile(rule, &CompileOptions::default()) {
        Ok(compiled) => compiled,
        Err(errors) => {
            let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
            return outcome
                .failures
                .push(format!("{name}: does not compile: {}", messages.join("; ")));
        }
    };

    for (index, item) in events.iter().enumerate() {
        let expect = item.get("expect").and_then(|e| e.as_str());
        let Some(event) = item.get("event") else {
            outcome
                .failures
                .push(format!("{name} event {index}: no `event`"));
            continue;
        };
        let wanted = match expect {
            Some("match") => true,
            Some("no-match") => false,
            other => {
                outcome
                    .failures
                    .push(format!("{name} event {index}: bad expect {other:?}"));
                continue;
            }
        };
        let event = Event::new(event.to_json());
        let reference = sigma_core::reference::evaluate(rule, &CompileOptions::default(), &event);
        match compiled.try_matches(&event) {
            Ok(verdict) if verdict == wanted => outcome.passed += 1,
            Ok(verdict) => outcome.failures.push(format!(
                "{name} event {index}: expected {}, got {} ({})",
                expect.unwrap_or_default(),
                if verdict { "match" } else { "no-match" },
                event.value()
            )),
            Err(error) => outcome
                .failures
                .push(format!("{name} event {index}: error {error}")),
        }
        if reference != Ok(wanted) {
            outcome.failures.push(format!(
                "{name} event {index}: the reference evaluator says {reference:?}"
            ));
        }
    }
}

#[test]
fn shared_matching_cases() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared not found");
        return;
    };
    let mut paths: Vec<PathBuf> = std::fs::read_dir(shared.join("cases"))
        .expect("cases directory is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "yml"))
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().contains("-lint-"))
        })
        .collect();
    paths.sort();
    assert!(
        !paths.is_empty(),
        "no matching cases found in {}",
        shared.display()
    );

    let mut outcome = Outcome {
        passed: 0,
        correlations: Vec::new(),
        failures: Vec::new(),
    };
    for path in &paths {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        match std::fs::read_to_string(path) {
            Ok(source) => run_case(&name, &source, &mut outcome),
            Err(e) => outcome.failures.push(format!("{name}: {e}")),
        }
    }

    eprintln!(
        "{} cases, {} events passed, {} correlation cases not supported yet: {}",
        paths.len(),
        outcome.passed,
        outcome.correlations.len(),
        outcome.correlations.join(", ")
    );
    assert!(
        outcome.failures.is_empty(),
        "{} failures:\n{}",
        outcome.failures.len(),
        outcome.failures.join("\n")
    );
}
