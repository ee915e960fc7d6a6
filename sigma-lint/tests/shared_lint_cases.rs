//! Every `*-lint-*` case of `../shared/cases` must be reported by the
//! linter: a finding at the expected severity, and for every name the case
//! quotes ("notepad_child"), a finding of that severity whose message or
//! help names it. All checks run, so the harness needs no change when new
//! checks arrive; only [`PENDING`] does.

mod common;

use std::path::Path;
use std::sync::Arc;

use sigma_core::rule::SigmaFile;
use sigma_core::yaml;
use sigma_lint::finding::{Finding, Severity};
use sigma_lint::settings::Settings;
use sigma_lint::{checks, lint};

/// Lint cases whose subject no check covers yet (none today). Whoever adds
/// a check that covers one removes it here; the test fails when a pending
/// case starts passing, so the list stays true.
const PENDING: &[&str] = &[];

struct Case {
    file: String,
    rule: String,
    severity: Severity,
    names: Vec<String>,
    expectation: String,
}

fn read_case(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).expect("case file is readable");
    let documents = yaml::parse(&text).expect("case file is YAML");
    let root = documents
        .into_iter()
        .next()
        .and_then(|d| d.root)
        .expect("a mapping");
    let field = |key: &str| {
        root.get(key)
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_owned()
    };
    let expectation = field("expect_lint");
    let (severity, _) = expectation.split_once(' ').unwrap_or((&expectation, ""));
    let severity = Severity::parse(severity).expect("expect_lint starts with a severity");
    let names = expectation
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Case {
        file: path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned(),
        rule: field("rule"),
        severity,
        names,
        expectation,
    }
}

fn lint_rule(name: &str, rule: &str) -> Vec<Finding> {
    let path: Arc<Path> = Arc::from(Path::new(name));
    let file = SigmaFile::parse(name, rule);
    lint::lint_files(&[(path, file)], &Settings::default(), checks::ALL)
}

/// Why the findings do not satisfy the case, if they do not.
fn unmet(case: &Case, findings: &[Finding]) -> Option<String> {
    let at_severity: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.severity == case.severity)
        .collect();
    if at_severity.is_empty() {
        return Some(format!("no {} finding", case.severity.as_str()));
    }
    for name in &case.names {
        let named = at_severity.iter().any(|f| {
            f.message.contains(name.as_str())
                || f.help.as_deref().unwrap_or("").contains(name.as_str())
        });
        if !named {
            return Some(format!(
                "no {} finding names `{name}`",
                case.severity.as_str()
            ));
        }
    }
    None
}

#[test]
fn every_lint_case_is_reported() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut paths: Vec<_> = std::fs::read_dir(shared.join("cases"))
        .expect("cases/ is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("-lint-"))
        })
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no lint cases found");

    let mut failures = Vec::new();
    let mut passed = 0;
    for path in &paths {
        let case = read_case(path);
        let findings = lint_rule(&case.file, &case.rule);
        for f in &findings {
            assert!(
                f.line() >= 1 && f.column() >= 1,
                "{}: finding without a place: {f:?}",
                case.file
            );
        }
        let pending = PENDING.contains(&case.file.as_str());
        match (unmet(&case, &findings), pending) {
            (None, false) => passed += 1,
            (None, true) => {
                failures.push(format!("{}: now passes; remove it from PENDING", case.file))
            }
            (Some(_), true) => {}
            (Some(why), false) => {
                let got: Vec<String> = findings
                    .iter()
                    .map(|f| {
                        format!(
                            "{} {}[{}] {}",
                            f.line(),
                            f.severity.as_str(),
                            f.code,
                            f.message
                        )
                    })
                    .collect();
                failures.push(format!(
                    "{}: {why}\n  expected: {}\n  got: {got:#?}",
                    case.file, case.expectation
                ));
            }
        }
    }
    eprintln!("{passed} lint cases pass, {} pending", PENDING.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rules_of_the_matching_cases_have_no_errors() {
    let Some(shared) = common::shared() else {
        return;
    };
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(shared.join("cases"))
        .expect("cases/ is readable")
        .flatten()
    {
        let path = entry.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        if name.contains("-lint-") || !name.ends_with(".yml") {
            continue;
        }
        let case = std::fs::read_to_string(&path).expect("readable");
        let documents = yaml::parse(&case).expect("case file is YAML");
        let Some(root) = documents.into_iter().next().and_then(|d| d.root) else {
            continue;
        };
        let Some(rule) = root.get("rule").and_then(|n| n.as_str()) else {
            continue;
        };
        for f in lint_rule(&name, rule)
            .iter()
            .filter(|f| f.severity == Severity::Error)
        {
            failures.push(format!("{name}:{}: [{}] {}", f.line(), f.code, f.message));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
