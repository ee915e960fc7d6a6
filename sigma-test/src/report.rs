//! Writing results: a readable list with the summary line, or JSON.
//!
//! Reporters write to any `Write`, so tests capture them; colour codes are
//! written unconditionally and stripped by the caller's stream
//! (`anstream`) when stdout is not a terminal or `NO_COLOR` is set. The
//! summary line is always plain: scripts read it.

use std::io::{self, Write};

use owo_colors::OwoColorize;
use serde_json::json;

use crate::runner::{CaseResult, Outcome, Summary};

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per case, reasons under failures, then `N passed, N failed`.
    Text,
    /// One JSON document with every result and the counts.
    Json,
}

/// Writes `results` as text. With `failures_only`, passing and skipped
/// cases are left out (the summary still counts them).
pub fn write_text(
    out: &mut dyn Write,
    results: &[CaseResult],
    failures_only: bool,
) -> io::Result<()> {
    for result in results {
        let subject = subject(result);
        match &result.outcome {
            Outcome::Passed if !failures_only => {
                writeln!(out, "{} {subject}", "PASS".green())?;
            }
            Outcome::Skipped(reason) if !failures_only => {
                writeln!(out, "{} {subject}: {reason}", "SKIP".yellow())?;
            }
            Outcome::Passed | Outcome::Skipped(_) => {}
            Outcome::Failed(failure) => {
                writeln!(out, "{} {subject}", "FAIL".red().bold())?;
                // The message already says what was expected and what
                // happened; `expected`/`actual` are for JSON readers.
                writeln!(out, "     {}", failure.message)?;
                if let Some(file) = &failure.file {
                    match failure.event_index {
                        Some(index) => writeln!(out, "     event {index} of {}", file.display())?,
                        None => writeln!(out, "     events from {}", file.display())?,
                    }
                }
                let place = match result.location {
                    Some(location) => format!("{}:{location}", result.source.display()),
                    None => result.source.display().to_string(),
                };
                writeln!(out, "     {} {place}", "at".dimmed())?;
            }
        }
    }
    writeln!(out, "{}", Summary::of(results))
}

fn subject(result: &CaseResult) -> String {
    let rule = match (&result.rule_path, &result.rule_name) {
        (Some(path), Some(name)) => format!("{} ({name})", path.display()),
        (Some(path), None) => path.display().to_string(),
        (None, _) => result.source.display().to_string(),
    };
    format!("{rule} :: {}", result.case)
}

/// Writes `results` as one JSON document. With `failures_only`, passing
/// and skipped cases are left out of `results`, as in text (`summary`
/// still counts them).
pub fn write_json(
    out: &mut dyn Write,
    results: &[CaseResult],
    failures_only: bool,
) -> io::Result<()> {
    let items: Vec<serde_json::Value> = results
        .iter()
        .filter(|result| !failures_only || matches!(result.outcome, Outcome::Failed(_)))
        .map(|result| {
            let (status, failure, reason) = match &result.outcome {
                Outcome::Passed => ("pass", None, None),
                Outcome::Failed(failure) => ("fail", Some(failure), None),
                Outcome::Skipped(reason) => ("skip", None, Some(reason)),
            };
            json!({
                "status": status,
                "rule": result.rule_name,
                "rule_path": result.rule_path,
                "case": result.case,
                "origin": result.origin,
                "source": result.source,
                "line": result.location.map(|l| l.line),
                "column": result.location.map(|l| l.column),
                "reason": failure.map(|f| f.message.as_str()).or(reason.map(String::as_str)),
                "expected": failure.and_then(|f| f.expected.as_deref()),
                "actual": failure.and_then(|f| f.actual.as_deref()),
                "file": failure.and_then(|f| f.file.as_ref()),
                "event_index": failure.and_then(|f| f.event_index),
            })
        })
        .collect();
    let document = json!({"results": items, "summary": Summary::of(results)});
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{Failure, Origin};
    use sigma_core::span::Location;
    use std::path::PathBuf;

    fn results() -> Vec<CaseResult> {
        let base = CaseResult {
            rule_path: Some(PathBuf::from("rules/r.yml")),
            rule_name: Some("abc".into()),
            source: PathBuf::from("cases/r.yml"),
            location: Some(Location { line: 4, column: 5 }),
            case: "fires".into(),
            origin: Origin::Case,
            outcome: Outcome::Passed,
        };
        let failed = CaseResult {
            case: "quiet".into(),
            outcome: Outcome::Failed(Failure {
                message: "expected no match, but event 2 of e.json matched".into(),
                expected: Some("no-match".into()),
                actual: Some("match".into()),
                file: Some(PathBuf::from("e.json")),
                event_index: Some(2),
            }),
            ..base.clone()
        };
        vec![base, failed]
    }

    #[test]
    fn text_lists_cases_reasons_and_ends_with_the_summary() {
        let mut out = Vec::new();
        write_text(&mut out, &results(), false).unwrap();
        let raw = String::from_utf8(out).unwrap();
        let text = anstream::adapter::strip_str(&raw).to_string();
        let expected = "PASS rules/r.yml (abc) :: fires
FAIL rules/r.yml (abc) :: quiet
     expected no match, but event 2 of e.json matched
     event 2 of e.json
     at cases/r.yml:4:5
1 passed, 1 failed
";
        assert_eq!(text, expected);
    }

    #[test]
    fn json_carries_every_field() {
        let mut out = Vec::new();
        write_json(&mut out, &results(), false).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            value["summary"],
            json!({"passed": 1, "failed": 1, "skipped": 0})
        );
        assert_eq!(value["results"][1]["status"], "fail");
        assert_eq!(value["results"][1]["event_index"], 2);
        assert_eq!(value["results"][1]["line"], 4);
        assert_eq!(value["results"][0]["origin"], "case");
    }

    #[test]
    fn quiet_json_leaves_passing_cases_out_but_counts_them() {
        let mut out = Vec::new();
        write_json(&mut out, &results(), true).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let cases: Vec<&str> = value["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["case"].as_str())
            .collect();
        assert_eq!(cases, vec!["quiet"]);
        assert_eq!(
            value["summary"],
            json!({"passed": 1, "failed": 1, "skipped": 0})
        );
    }
}
