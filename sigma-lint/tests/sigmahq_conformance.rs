//! SigmaHQ conformance: lint the rule folders of the SigmaHQ snapshot as
//! SigmaHQ's CI checks them (`--preset sigmahq` with its own
//! `tests/sigma_cli_conf.yml`). SigmaHQ's CI passes on that snapshot, so
//! every error reported here must be one of the exceptions documented in
//! `docs/lint-conformance.md`: a defect of the reference tools, listed
//! with the rule and why our finding is right.

mod common;

use std::collections::BTreeMap;

use sigma_lint::finding::Severity;
use sigma_lint::settings::{Preset, Settings};
use sigma_lint::{checks, lint, sigma_cli};

/// The documented exceptions: (file name, check code). Each must also
/// appear in `docs/lint-conformance.md`.
const EXCEPTIONS: &[(&str, &str)] = &[(
    "proc_creation_win_xwizard_runwizard_com_object_exec.yml",
    "S001",
)];

#[test]
fn errors_are_only_the_documented_exceptions() {
    let Some(shared) = common::shared() else {
        return;
    };
    let sigmahq = shared.join("sigmahq");
    let folders = [
        "rules",
        "rules-compliance",
        "rules-dfir",
        "rules-emerging-threats",
        "rules-placeholder",
        "rules-threat-hunting",
    ];
    let roots: Vec<_> = folders
        .iter()
        .map(|f| sigmahq.join(f))
        .filter(|p| p.is_dir())
        .collect();
    let (paths, errors) = lint::discover(&roots);
    assert!(errors.is_empty(), "{errors:?}");

    let mut settings = Settings {
        preset: Preset::SigmaHq,
        ..Settings::default()
    };
    let config = std::fs::read_to_string(sigmahq.join("tests").join("sigma_cli_conf.yml"))
        .expect("sigma_cli_conf.yml is readable");
    sigma_cli::apply(&config, &mut settings).expect("sigma_cli_conf.yml applies");
    let outcome = lint::lint_paths(&paths, &settings, checks::ALL);

    let mut counts: BTreeMap<(Severity, &str, &str), usize> = BTreeMap::new();
    for finding in &outcome.findings {
        *counts
            .entry((finding.severity, finding.code, finding.name))
            .or_default() += 1;
    }
    eprintln!(
        "{} files, {} findings",
        outcome.files,
        outcome.findings.len()
    );
    for ((severity, code, name), count) in counts.iter().rev() {
        eprintln!("{:<7} {code} {name:<30} {count}", severity.as_str());
    }

    // SigmaHQ's yamllint passes on these folders, so the checks that stand
    // for its rules must find nothing at all, warnings included.
    let yamllint_codes = [
        "A003", "A004", "A005", "A008", "A009", "A010", "A011", "A012", "A013", "A014", "A015",
        "A016",
    ];
    let yamllint: Vec<String> = outcome
        .findings
        .iter()
        .filter(|f| yamllint_codes.contains(&f.code))
        .map(|f| {
            format!(
                "{}:{} [{}] {}",
                f.path.display(),
                f.line(),
                f.code,
                f.message
            )
        })
        .collect();
    assert!(
        yamllint.is_empty(),
        "findings where SigmaHQ's yamllint passes:\n{}",
        yamllint.join("\n")
    );

    // Every escaped wildcard of the snapshot is excluded by rule id in
    // sigma_cli_conf.yml (`escaped_wildcard`).
    let escaped: Vec<String> = outcome
        .findings
        .iter()
        .filter(|f| f.code == "H010")
        .map(|f| format!("{}:{}", f.path.display(), f.line()))
        .collect();
    assert!(escaped.is_empty(), "H010 despite exclusions: {escaped:?}");

    let errors: Vec<(String, &str, String)> = outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            let file = f
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                file,
                f.code,
                format!("{}:{} {}", f.line(), f.column(), f.message),
            )
        })
        .collect();
    for (file, code, what) in &errors {
        eprintln!("error {code} {file}:{what}");
    }
    let unexpected: Vec<String> = errors
        .iter()
        .filter(|(file, code, _)| !EXCEPTIONS.contains(&(file.as_str(), *code)))
        .map(|(file, code, what)| format!("{file} [{code}] {what}"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "errors SigmaHQ's CI does not raise:\n{}",
        unexpected.join("\n")
    );
    assert_eq!(
        errors.len(),
        EXCEPTIONS.len(),
        "the error count must equal the documented exceptions"
    );

    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/lint-conformance.md"),
    )
    .expect("docs/lint-conformance.md is readable");
    for (file, code) in EXCEPTIONS {
        assert!(
            docs.contains(file) && docs.contains(code),
            "{file} [{code}] is not documented in docs/lint-conformance.md"
        );
    }
}
