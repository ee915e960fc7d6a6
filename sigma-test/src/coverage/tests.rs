use super::*;
use crate::discover;
use crate::runner::{self, RunOptions};

fn run(rule: &str, cases: &str) -> CoverageReport {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("sigma-cov-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("r.yml"), rule).unwrap();
    std::fs::write(dir.join("r_cases.yml"), cases).unwrap();
    let corpus = discover::discover(std::slice::from_ref(&dir)).unwrap();
    let engine = CoverageEngine::default();
    let results = runner::run(&engine, &corpus, &RunOptions::default(), &|| {});
    assert!(runner::Summary::of(&results).failed == 0, "{results:?}");
    let report = report(&engine, &corpus);
    let _ = std::fs::remove_dir_all(&dir);
    report
}

const RULE: &str = "title: t\nid: 0e4f1a9c-36b4-4c38-9a37-3f6d1c0b1f10\nlogsource: {category: x}\n\
detection:\n  selection:\n    Image|endswith:\n      - '\\a.exe'\n      - '\\b.exe'\n  \
filter:\n    User: admin\n  condition: selection and not filter\n";

#[test]
fn values_and_exclusions_are_counted() {
    let cases =
        "rule: r.yml\ncases:\n  - name: a\n    expect: match\n    event: {Image: 'C:\\a.exe'}\n";
    let report = run(RULE, cases);
    assert_eq!(report.totals(), (1, 3));
    let targets: Vec<(TargetKind, usize)> = report.rules[0]
        .2
        .targets
        .values()
        .map(|t| (t.kind, t.hits))
        .collect();
    assert_eq!(
        targets,
        vec![
            (TargetKind::Value, 1),
            (TargetKind::Value, 0),
            (TargetKind::Exclusion, 0)
        ]
    );

    let cases = "rule: r.yml\ncases:\n  - name: a\n    expect: match\n    event: {Image: 'C:\\a.exe'}\n  \
                 - name: b\n    expect: match\n    event: {Image: 'C:\\b.exe'}\n  \
                 - name: admin\n    expect: no-match\n    event: {Image: 'C:\\b.exe', User: admin}\n";
    let report = run(RULE, cases);
    assert_eq!(report.totals(), (3, 3));
    assert_eq!(report.percent(), 100.0);
}

#[test]
fn lcov_and_cobertura_name_lines() {
    let cases =
        "rule: r.yml\ncases:\n  - name: a\n    expect: match\n    event: {Image: 'C:\\a.exe'}\n";
    let report = run(RULE, cases);
    let mut lcov = Vec::new();
    write_lcov(&mut lcov, &report).unwrap();
    let lcov = String::from_utf8(lcov).unwrap();
    assert!(
        lcov.contains("DA:7,1\nDA:8,0\nDA:9,0\nLF:3\nLH:1\n"),
        "{lcov}"
    );
    let mut xml = Vec::new();
    write_cobertura(&mut xml, &report).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert!(xml.contains("<line number=\"8\" hits=\"0\"/>"), "{xml}");
    assert!(xml.contains("line-rate=\"0.3333\""), "{xml}");
}

#[test]
fn a_rule_without_cases_covers_nothing_of_its_targets() {
    let dir = std::env::temp_dir().join(format!("sigma-cov-none-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(dir.join("r.yml"), RULE).unwrap();
    let expand = "title: e\nlogsource: {category: x}\ndetection:\n  \
                  selection: {Host|expand: '%Hosts%'}\n  condition: selection\n";
    std::fs::write(dir.join("e.yml"), expand).unwrap();
    let corpus = discover::discover(std::slice::from_ref(&dir)).unwrap();
    let placeholders = HashMap::from([("Hosts".to_owned(), vec!["a".to_owned()])]);
    let engine = CoverageEngine::with_placeholders(placeholders);
    let _ = runner::run(&engine, &corpus, &RunOptions::default(), &|| {});
    let report = report(&engine, &corpus);
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(report.totals(), (0, 4), "{report:?}");
    assert_eq!(report.percent(), 0.0);
}

const NEQ_RULE: &str = "title: t\nid: 0e4f1a9c-36b4-4c38-9a37-3f6d1c0b1f11\n\
logsource: {category: x}\ndetection:\n  selection:\n    F|neq: SYSTEM\n  condition: selection\n";

#[test]
fn a_negated_value_is_covered_by_a_positive_case_holding_another_value() {
    let absent = "rule: r.yml\ncases:\n  - {name: empty, expect: match, event: {}}\n";
    let report = run(NEQ_RULE, absent);
    assert_eq!(report.totals(), (0, 1), "a missing field compares nothing");
    let mut text = Vec::new();
    write_text(&mut text, &report).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains(
            "negated value `F|neq: SYSTEM` of `selection` is exercised by no positive case \
             (one holding the field with another value)"
        ),
        "{text}"
    );

    let other = "rule: r.yml\ncases:\n  - {name: empty, expect: match, event: {}}\n  \
                 - {name: bob, expect: match, event: {F: bob}}\n  \
                 - {name: system, expect: no-match, event: {F: SYSTEM}}\n";
    let report = run(NEQ_RULE, other);
    assert_eq!(report.totals(), (1, 1));
    assert_eq!(report.percent(), 100.0);
    let target = report.rules[0].2.targets.values().next().unwrap();
    assert_eq!((target.negated, target.hits), (true, 1));
}

#[test]
fn values_with_edge_spaces_are_quoted() {
    let rule = "title: t\nid: 0e4f1a9c-36b4-4c38-9a37-3f6d1c0b1f12\nlogsource: {category: x}\n\
                detection:\n  selection:\n    CommandLine|contains|windash:\n      - ' -all'\n      \
                - plain\n  condition: selection\n";
    let cases = "rule: r.yml\ncases:\n  - {name: p, expect: match, event: {CommandLine: plain}}\n";
    let report = run(rule, cases);
    let texts: Vec<&str> = report.rules[0]
        .2
        .targets
        .values()
        .map(|t| t.text.as_str())
        .collect();
    assert_eq!(
        texts,
        vec![
            "CommandLine|contains|windash: ' -all'",
            "CommandLine|contains|windash: plain"
        ]
    );
    assert_eq!(quoted(""), "''");
    assert_eq!(quoted("it's "), "'it''s '");
}
