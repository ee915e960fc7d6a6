//! `sigma-test scaffold RULE`: a first case file for a rule with none.
//!
//! The analysis builds one event the rule matches (a positive case) and,
//! for each exclusion, an event the rest of the rule picks and that
//! exclusion takes back (a negative case), each named after what it
//! exercises. Every case passes by construction: the events are checked
//! with the matcher before they are written. A filter that can never apply
//! gets a comment instead of a case.

use std::path::{Component, Path, PathBuf};

use sigma_core::analysis::{Analysis, Fill, Outcome, StageKind};
use sigma_core::matcher::CompileOptions;
use sigma_core::rule::Rule;

use crate::fuzz::case::{case_yaml, scalar};

/// The case file for `rule`, naming it as `reference` (its id, or a path
/// relative to where the case file will live).
pub fn scaffold(rule: &Rule, reference: &str) -> Result<String, String> {
    let analysis = Analysis::new(rule, &CompileOptions::default()).map_err(|errors| {
        let reasons: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.span.location, e.message))
            .collect();
        format!("the rule does not compile: {}", reasons.join("; "))
    })?;
    let witness = match analysis.witness() {
        Outcome::Witness(event) => event,
        Outcome::Impossible(conflict) => {
            return Err(format!("no event can match the rule: {}", conflict.message))
        }
        Outcome::Unknown => {
            return Err(
                "no matching event was found within the search budget; write the \
                        positive case by hand"
                    .to_owned(),
            )
        }
    };

    let selections: Vec<String> = analysis
        .stages
        .iter()
        .filter(|s| s.kind == StageKind::Required)
        .map(|s| s.name())
        .collect();
    let mut out = format!(
        "rule: {}\ncases:\n",
        scalar(&serde_json::Value::String(reference.into()))
    );
    out.push_str(&case_yaml(
        &format!("matches {}", selections.join(" and ")),
        true,
        &witness,
    ));
    for (index, stage) in analysis.stages.iter().enumerate() {
        if stage.kind != StageKind::Exclusion {
            continue;
        }
        match analysis.exclusion_applies(index, &Fill::plain()) {
            Outcome::Witness(event) if !analysis.matches(&event) => {
                out.push_str(&case_yaml(
                    &format!("excluded by {}", stage.name()),
                    false,
                    &event,
                ));
            }
            Outcome::Impossible(conflict) => out.push_str(&format!(
                "  # {} can never apply: {}\n",
                stage.name(),
                conflict.message
            )),
            _ => out.push_str(&format!(
                "  # no event for {} was found within the search budget\n",
                stage.name()
            )),
        }
    }
    Ok(out)
}

/// How to name `rule_path` from a case file at `case_path`: the rule's id
/// when it has one, else the relative path.
pub fn reference(rule: &Rule, rule_path: &Path, case_path: Option<&Path>) -> String {
    if let Some(id) = &rule.header.id {
        return id.value.clone();
    }
    let Some(case_dir) = case_path.and_then(Path::parent) else {
        return rule_path.display().to_string();
    };
    relative(rule_path, case_dir).display().to_string()
}

/// `target` relative to the directory `from` (both made absolute).
fn relative(target: &Path, from: &Path) -> PathBuf {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .map(|a| crate::repo::normalise(&a))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let (target, from) = (absolute(target), absolute(from));
    let t: Vec<Component> = target.components().collect();
    let f: Vec<Component> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..f.len() {
        out.push("..");
    }
    for part in t.iter().skip(common) {
        out.push(part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigma_core::rule::SigmaFile;

    #[test]
    fn one_positive_and_one_negative_per_filter() {
        let source =
            "title: t\nid: 5d0a3c1e-7b7e-4c61-9d3a-1f2e3d4c5b6a\ndetection:\n  selection:\n    \
                      Image|endswith: '\\schtasks.exe'\n    CommandLine|contains: '/create'\n  \
                      filter_main_msi:\n    ParentImage|endswith: '\\msiexec.exe'\n  \
                      condition: selection and not 1 of filter_main_*\n";
        let file = SigmaFile::parse("r.yml", source);
        let rule = file.rules().next().unwrap();
        let yaml = scaffold(rule, "5d0a3c1e-7b7e-4c61-9d3a-1f2e3d4c5b6a").unwrap();
        assert_eq!(
            yaml,
            "rule: '5d0a3c1e-7b7e-4c61-9d3a-1f2e3d4c5b6a'\ncases:\n  - name: 'matches selection'\n    \
             expect: match\n    event:\n      Image: '\\schtasks.exe'\n      CommandLine: \
             '/create'\n  - name: 'excluded by filter_main_msi'\n    expect: no-match\n    \
             event:\n      Image: '\\schtasks.exe'\n      CommandLine: '/create'\n      \
             ParentImage: '\\msiexec.exe'\n"
        );
    }

    #[test]
    fn relative_paths_climb_out_of_the_case_directory() {
        let path = relative(Path::new("/r/rules/win/a.yml"), Path::new("/r/cases/win"));
        assert_eq!(path, PathBuf::from("../../rules/win/a.yml"));
    }
}
