//! A deliberately broken rule gets exactly one located finding per fault,
//! and a broken file does not stop the others.

use sigma_lint::settings::Settings;
use sigma_lint::{checks, lint};

const BROKEN: &str = "\
title: Whoami Run From a Web Server
id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f1
status: test
date: 2024-02-30
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    filter_admin:
        User: admin
    condition: selection and not fliter_admin
level: high
";

const NOT_YAML: &str =
    "title: x\ndetection:\n  selection:\n    Image: 'unclosed\n  condition: selection\n";

const GOOD: &str = "\
title: Whoami Execution
id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10
status: test
date: 2024-02-28
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    condition: selection
level: high
";

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("temp file is writable");
}

#[test]
fn one_located_finding_per_fault() {
    let dir = std::env::temp_dir().join(format!("sigma-lint-broken-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    write(&dir, "broken.yml", BROKEN);
    write(&dir, "not_yaml.yml", NOT_YAML);
    write(&dir, "good.yml", GOOD);
    let bad_bytes = dir.join("bad_bytes.yml");
    std::fs::write(&bad_bytes, b"title: \xff\n").expect("temp file");

    let (paths, errors) = lint::discover(std::slice::from_ref(&dir));
    assert!(errors.is_empty());
    let outcome = lint::lint_paths(&paths, &Settings::default(), checks::ALL);
    let _ = std::fs::remove_dir_all(&dir);

    let found: Vec<(String, &str, u32, u32)> = outcome
        .findings
        .iter()
        .map(|f| {
            let file = f
                .path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (file, f.code, f.line(), f.column())
        })
        .collect();
    let expected = [
        // At the bad byte.
        ("bad_bytes.yml".to_owned(), "A001", 1, 8),
        ("broken.yml".to_owned(), "C004", 2, 5),
        ("broken.yml".to_owned(), "C010", 4, 7),
        // `filter_admin` is unused because the condition misspells it.
        ("broken.yml".to_owned(), "G004", 11, 5),
        ("broken.yml".to_owned(), "G002", 13, 34),
        ("not_yaml.yml".to_owned(), "A002", 4, 12),
    ];
    assert_eq!(found, expected, "{:#?}", outcome.findings);
    assert_eq!(outcome.files, 4);
    assert!(!found.iter().any(|(file, ..)| file == "good.yml"));
}

/// Every prefix of a rule (a file cut off anywhere) is linted by every
/// check without a panic, and every finding still has a place.
#[test]
fn truncated_files_never_panic() {
    use std::path::Path;
    use std::sync::Arc;

    use sigma_core::rule::SigmaFile;
    use sigma_lint::settings::Preset;

    let settings = Settings {
        preset: Preset::SigmaHq,
        select: vec!["all".into()],
        ..Settings::default()
    };
    let text = format!("{BROKEN}---\n{GOOD}tags: [attack.t1562.001, attack.Execution]\n");
    let mut cut = 0;
    for (at, _) in text.char_indices().step_by(3) {
        let prefix = &text[..at];
        let path: Arc<Path> = Arc::from(Path::new("rules/proc_creation_win_cut.yml"));
        let file = SigmaFile::parse("rules/proc_creation_win_cut.yml", prefix);
        for f in lint::lint_files(&[(path, file)], &settings, checks::ALL) {
            assert!(f.line() >= 1 && f.column() >= 1, "{f:?}");
            assert!(f.span.end <= prefix.len(), "{f:?}");
        }
        cut += 1;
    }
    assert!(cut > 200);
}

/// A broken second document hides nothing of the first: its findings
/// are reported with the syntax error.
#[test]
fn a_broken_second_document_keeps_the_first_ones_findings() {
    use std::path::Path;
    use std::sync::Arc;

    use sigma_core::rule::SigmaFile;

    let first = GOOD.replace("date: 2024-02-28", "date: 2024-02-28\nmodified: 2023-01-01");
    let text = format!("{first}---\n{NOT_YAML}");
    let path: Arc<Path> = Arc::from(Path::new("rules/two.yml"));
    let file = SigmaFile::parse("rules/two.yml", text);
    let findings = lint::lint_files(&[(path, file)], &Settings::default(), checks::ALL);
    let mut found: Vec<(&str, u32)> = findings.iter().map(|f| (f.code, f.line())).collect();
    found.sort_by_key(|(_, line)| *line);
    assert_eq!(found, [("C011", 5), ("A002", 18)]);
}
