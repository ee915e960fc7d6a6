//! Analyses every rule of the SigmaHQ snapshot (`../shared/sigmahq/rules*`)
//! and prints what it found: how many rules have a witness, which can never
//! fire, which exclusions are dead, and the semantic findings by kind.
//!
//! The test fails if any witness does not match its rule (the witness is
//! checked by the analysis itself, so that would be a bug in it), or if the
//! share of rules with a witness drops below 97%, or if the cheap
//! impossibility check the linter uses (`Analysis::goal_impossible`) ever
//! disagrees with the full search on a goal the linter asks. Run with `--nocapture` to
//! read the lists. Without `../shared` (or `$SIGMA_SHARED`) it is skipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use sigma_core::analysis::{semantic_findings, Analysis, Fill, FindingKind, Goal, Outcome};
use sigma_core::matcher::CompileOptions;
use sigma_core::rule::SigmaFile;

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
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(path);
        }
    }
}

/// Placeholder values for `expand` rules, so that they compile.
fn options() -> CompileOptions {
    let mut options = CompileOptions::default();
    for name in [
        "Admins_Workstations",
        "Administrators",
        "DomainControllers",
        "ServiceAccounts",
    ] {
        options
            .placeholders
            .insert(name.to_owned(), vec![format!("{name}-value")]);
    }
    options
}

#[test]
fn every_sigmahq_rule_is_analysed() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared not found");
        return;
    };
    let root = shared.join("sigmahq");
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(&root) else {
        eprintln!("skipped: ../shared/sigmahq not found");
        return;
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("rules"))
        })
        .collect();
    dirs.sort();
    for dir in &dirs {
        yaml_files(dir, &mut files);
    }

    let options = options();
    let started = Instant::now();
    let (mut rules, mut not_compiled, mut witnessed, mut unknown) = (0, 0, 0, 0);
    let mut never = Vec::new();
    let mut bad_witness = Vec::new();
    let mut disagreements = Vec::new();
    let mut costliest = (0, String::new());
    let mut slowest = Vec::new();
    let mut findings: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for path in &files {
        let Ok(file) = SigmaFile::read(path) else {
            continue;
        };
        let short = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        for rule in file.rules() {
            rules += 1;
            let rule_started = Instant::now();
            let Ok(analysis) = Analysis::new(rule, &options) else {
                not_compiled += 1;
                continue;
            };
            match analysis.witness() {
                Outcome::Witness(event) => {
                    witnessed += 1;
                    if !analysis.matches(&event) {
                        bad_witness.push(short.clone());
                    }
                }
                Outcome::Impossible(conflict) => {
                    never.push(format!("{short}: {}", conflict.message));
                }
                Outcome::Unknown => unknown += 1,
            }
            let goals =
                std::iter::once(Goal::Match).chain((0..analysis.stages.len()).map(Goal::Flip));
            for goal in goals {
                let full = match analysis.solve(&analysis.goal(goal), &Fill::plain()) {
                    Outcome::Impossible(conflict) => Some(conflict),
                    _ => None,
                };
                if analysis.goal_impossible(goal) != full {
                    disagreements.push(format!("{short}: {goal:?}"));
                }
            }
            let found = semantic_findings(rule, &analysis);
            if analysis.steps_spent() > costliest.0 {
                costliest = (analysis.steps_spent(), short.clone());
            }
            assert!(!analysis.over_budget(), "{short} is over the step budget");
            for finding in found {
                let line = finding.span.location.line;
                findings
                    .entry(format!("{:?}", finding.kind))
                    .or_default()
                    .push(format!("{short}:{line}: {}", finding.message));
            }
            slowest.push((rule_started.elapsed().as_secs_f64(), short.clone()));
        }
    }
    let elapsed = started.elapsed();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    eprintln!(
        "costliest analysis: {} steps ({short}), budget {}",
        costliest.0,
        sigma_core::analysis::RULE_STEP_BUDGET,
        short = costliest.1
    );
    for (seconds, name) in slowest.iter().take(8) {
        eprintln!("slow: {:.0} ms {name}", seconds * 1000.0);
    }

    eprintln!(
        "{rules} rules in {} files, {:.1} s: {witnessed} with a witness, {} never fire, \
         {unknown} unknown, {not_compiled} do not compile",
        files.len(),
        elapsed.as_secs_f64(),
        never.len()
    );
    for line in &never {
        eprintln!("  never fires: {line}");
    }
    for (kind, list) in &findings {
        eprintln!("{kind}: {}", list.len());
        for line in list.iter().take(40) {
            eprintln!("  {line}");
        }
    }
    let dead = findings
        .get(&format!("{:?}", FindingKind::DeadExclusion))
        .map_or(0, Vec::len);
    eprintln!("dead exclusions: {dead}");

    assert!(
        disagreements.is_empty(),
        "the impossibility check disagrees with the search: {disagreements:?}"
    );
    assert!(
        bad_witness.is_empty(),
        "witnesses that do not match: {bad_witness:?}"
    );
    assert!(
        rules > 3000,
        "only {rules} rules found under {}",
        root.display()
    );
    let compiled = rules - not_compiled;
    assert!(
        witnessed * 100 >= compiled * 97,
        "only {witnessed} of {compiled} rules have a witness"
    );
}
