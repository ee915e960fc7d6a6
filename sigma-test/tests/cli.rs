//! The `sigma-test` binary, end to end: the project's own rules and cases,
//! broken inputs, exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sigma_test(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sigma-test"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// How many cases the bundled case files hold, read straight from the YAML,
/// so adding a case changes the expectation without editing this test.
fn cases_in(path: &Path) -> usize {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.path());
        return entries.iter().map(|e| cases_in(&e.path())).sum();
    }
    if path.extension().is_none_or(|e| e != "yml") {
        return 0;
    }
    let source = std::fs::read_to_string(path).unwrap();
    let documents = sigma_core::yaml::parse(&source).unwrap();
    documents
        .iter()
        .filter_map(|d| d.root.as_ref()?.get("cases")?.as_sequence().map(<[_]>::len))
        .sum()
}

fn last_line(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout.lines().last().unwrap_or_default().to_owned()
}

#[test]
fn the_projects_rules_pass_their_cases() {
    let output = sigma_test(&["rules", "cases"], &workspace());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let expected = cases_in(&workspace().join("cases"));
    assert!(expected >= 24, "the bundled cases shrank to {expected}");
    assert_eq!(
        last_line(&output),
        format!("{expected} passed, 0 failed"),
        "{stdout}"
    );
    assert_eq!(output.status.code(), Some(0));
    assert!(!stdout.contains('\u{1b}'), "NO_COLOR must give plain text");
    assert!(stdout.contains(
        "PASS rules/windows/process_creation/proc_creation_win_schtasks_create_from_temp.yml \
         (61ca49fa-957a-4ea8-9689-4be976a1a591) :: Security 4688 events use NewProcessName \
         and ParentProcessName"
    ));
}

#[test]
fn a_case_file_alone_finds_the_rule_it_mirrors() {
    let case = "cases/windows/registry_set/registry_set_run_key_script_host.yml";
    let output = sigma_test(&[case], &workspace());
    let expected = cases_in(&workspace().join(case));
    assert!(expected >= 5);
    assert_eq!(last_line(&output), format!("{expected} passed, 0 failed"));
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn json_format_has_the_counts() {
    let output = sigma_test(&["--format", "json", "rules", "cases"], &workspace());
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let expected = cases_in(&workspace().join("cases"));
    assert_eq!(
        value["summary"],
        serde_json::json!({"passed": expected, "failed": 0, "skipped": 0})
    );
    assert_eq!(value["results"].as_array().map(Vec::len), Some(expected));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim(),
        format!("{expected} passed, 0 failed")
    );
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let output = sigma_test(&["no/such/dir"], &workspace());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no/such/dir: no such file or directory"),
        "{stderr}"
    );
}

#[test]
fn a_path_with_nothing_to_run_is_a_usage_error() {
    let dir = scratch("nothing");
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::create_dir_all(dir.join("notes")).unwrap();
    std::fs::write(dir.join("notes/info.yml"), "title: not a rule\n").unwrap();
    std::fs::write(dir.join("rule.yml"), SIMPLE_RULE).unwrap();
    for path in ["empty", "notes"] {
        let output = sigma_test(&[path], &dir);
        assert_eq!(output.status.code(), Some(2), "{path}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            stderr.trim(),
            format!("sigma-test: {path}: no rule and no case file found")
        );
        assert!(output.stdout.is_empty(), "{path}");

        // Beside a path that holds a rule, it is only a note (SigmaHQ's
        // `rules*` may match such a folder).
        let output = sigma_test(&["rule.yml", path], &dir);
        assert_eq!(output.status.code(), Some(0), "{path}: {output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!(
                "sigma-test: note: {path}: no rule and no case file found"
            )),
            "{stderr}"
        );
    }
    let output = sigma_test(&["empty", "notes"], &dir);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim(),
        "sigma-test: empty, notes: no rule and no case file found"
    );

    let output = sigma_test(&["match", "--rules", "empty", "--events", "rule.yml"], &dir);
    assert_eq!(output.status.code(), Some(2));

    // Overlapping paths share their files: the inner one is not empty.
    let output = sigma_test(&[".", "rule.yml"], &dir);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn out_of_range_gates_and_budgets_are_usage_errors() {
    let dir = scratch("ranges");
    std::fs::write(dir.join("rule.yml"), SIMPLE_RULE).unwrap();
    for (flag, value) in [
        ("--min-coverage", "150"),
        ("--min-coverage", "-1"),
        ("--min-mutation-score", "100.5"),
        ("--fuzz-cases", "0"),
    ] {
        let arg = format!("{flag}={value}");
        let output = sigma_test(&[&arg, "--fuzz", "rule.yml"], &dir);
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("invalid value '{value}' for '{flag}")),
            "{stderr}"
        );
    }
    let output = sigma_test(&["--min-coverage", "100", "rule.yml"], &dir);
    assert_eq!(output.status.code(), Some(1), "no case covers the rule");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_coverage_format_implies_coverage() {
    let dir = scratch("cov-implied");
    std::fs::write(dir.join("rule.yml"), SIMPLE_RULE).unwrap();
    let output = sigma_test(&["--coverage-format", "lcov", "rule.yml"], &dir);
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        stdout,
        "TN:sigma-test\nSF:rule.yml\nDA:5,0\nLF:1\nLH:0\nend_of_record\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn quiet_json_lists_only_failures() {
    let dir = scratch("quiet-json");
    std::fs::write(dir.join("rule.yml"), SIMPLE_RULE).unwrap();
    std::fs::write(
        dir.join("case.yml"),
        "rule: rule.yml\ncases:\n  - {name: hit, expect: match, event: {a: 1}}\n  \
         - {name: wrong, expect: match, event: {a: 2}}\n",
    )
    .unwrap();
    let output = sigma_test(&["-q", "--format", "json", "."], &dir);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let cases: Vec<&str> = value["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["case"].as_str())
        .collect();
    assert_eq!(cases, vec!["wrong"]);
    assert_eq!(value["summary"]["passed"], 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A scratch repository: one rule, one good case file, and broken inputs
/// of every kind; the broken ones fail with a location, the rest run.
#[test]
fn broken_inputs_are_located_and_the_run_goes_on() {
    let dir = std::env::temp_dir().join(format!("sigma-test-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("cases/data")).unwrap();
    let write = |path: &str, text: &str| std::fs::write(dir.join(path), text).unwrap();
    write(
        "rule.yml",
        "title: t\nid: 7d1e6c0a-0000-4000-8000-000000000001\nlogsource: {product: x}\n\
         detection:\n  selection: {Image|endswith: '\\evil.exe'}\n  condition: selection\n",
    );
    write(
        "cases/good.yml",
        "rule: 7d1e6c0a-0000-4000-8000-000000000001\ncases:\n  \
         - name: fires\n    expect: match\n    \
         event: {Image: 'C:\\evil.exe'}\n  - name: bad json file\n    expect: match\n    \
         file: data/broken.json\n  - name: escapes the repository\n    expect: match\n    \
         file: ../../outside.json\n  - name: no such file\n    expect: no-match\n    \
         file: data/absent.jsonl\n",
    );
    write(
        "cases/data/broken.json",
        "{\"Image\": \"a\"}\n{\"Image\": }\n",
    );
    write("cases/syntax.yml", "rule: x\ncases:\n  - name: 'open\n");
    write(
        "cases/unknown-rule.yml",
        "rule: 00000000-dead-beef-0000-000000000000\ncases:\n  \
         - name: a\n    expect: match\n    event: {a: 1}\n",
    );

    let output = sigma_test(&["."], &dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert_eq!(last_line(&output), "1 passed, 5 failed", "{stdout}");
    for expected in [
        "PASS ./rule.yml (7d1e6c0a-0000-4000-8000-000000000001) :: fires",
        "cases/data/broken.json:2:11 (event 1): invalid JSON: expected value",
        "`../../outside.json` lies outside the repository",
        "at ./cases/good.yml:11:11",
        "cases/data/absent.jsonl: cannot read",
        "at ./cases/syntax.yml:3:11",
        "no rule with id `00000000-dead-beef-0000-000000000000` among the rules given",
    ] {
        assert!(
            stdout.contains(expected),
            "missing {expected:?} in\n{stdout}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn match_routes_events_to_rules_and_counts() {
    let output = sigma_test(
        &[
            "match",
            "--rules",
            "rules",
            "--events",
            "cases/data",
            "cases/data/security-4688.yml",
        ],
        &workspace(),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let mut lines: Vec<&str> = stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(
        lines,
        vec![
            "1\trules/windows/network_connection/net_connection_win_dfsvc_unusual_port.yml\t\
             19433d97-8378-43b1-aeca-85694b3b7e2d",
            "1\trules/windows/process_creation/proc_creation_win_schtasks_create_from_temp.yml\t\
             61ca49fa-957a-4ea8-9689-4be976a1a591",
            "1\trules/windows/registry_set/registry_set_run_key_script_host.yml\t\
             8869b100-32db-44c7-a26f-65f92d18b4d5",
            "2\trules/web/web_path_traversal_in_query.yml\tf2bf265b-1d13-440a-b2e6-7461b156e75f",
        ]
    );
    assert!(stderr.contains("loaded 4 rules in"), "{stderr}");
    assert!(stderr.contains("matched 14 events in"), "{stderr}");

    let total = sigma_test(
        &[
            "match",
            "--total",
            "--rules",
            "rules",
            "--events",
            "cases/data",
        ],
        &workspace(),
    );
    assert_eq!(String::from_utf8_lossy(&total.stdout).trim(), "4");
}

#[test]
fn a_broken_logsource_mapping_is_a_located_usage_error() {
    let dir = std::env::temp_dir().join(format!("sigma-test-map-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mapping = dir.join("map.yml");
    std::fs::write(
        &mapping,
        "logsources:\n  - logsource: {product: acme}\n    events: [{channel: [a], event_id: x}]\n",
    )
    .unwrap();
    let mapping_arg = mapping.to_string_lossy().into_owned();

    let output = sigma_test(
        &["--logsources", &mapping_arg, "rules", "cases"],
        &workspace(),
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{mapping_arg}:3:39: an event id must be a whole number"
        )),
        "{stderr}"
    );

    // A file that cannot be read has no place: the OS says why.
    let absent = dir.join("absent.yml");
    let absent_arg = absent.to_string_lossy().into_owned();
    let output = sigma_test(&["--logsources", &absent_arg, "rules"], &workspace());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let os_error = std::fs::read(&absent).unwrap_err();
    assert_eq!(
        stderr.trim(),
        format!("sigma-test: {absent_arg}: cannot read: {os_error}")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn expand_placeholders_come_from_a_file() {
    let dir = std::env::temp_dir().join(format!("sigma-test-expand-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let write = |path: &str, text: &str| std::fs::write(dir.join(path), text).unwrap();
    write(
        "rule.yml",
        "title: t\nid: 7d1e6c0a-0000-4000-8000-000000000002\nlogsource: {product: x}\n\
         detection:\n  selection: {WorkstationName|expand: '%Workstations%'}\n  \
         condition: selection\n",
    );
    write(
        "case.yml",
        "rule: 7d1e6c0a-0000-4000-8000-000000000002\ncases:\n  \
         - {name: listed, expect: match, event: {WorkstationName: WS02}}\n  \
         - {name: not listed, expect: no-match, event: {WorkstationName: WS09}}\n",
    );
    write("placeholders.yml", "Workstations: [WS01, WS02]\n");

    let with = sigma_test(&["--placeholders", "placeholders.yml", "."], &dir);
    assert_eq!(last_line(&with), "2 passed, 0 failed");

    let without = sigma_test(&["."], &dir);
    let stdout = String::from_utf8_lossy(&without.stdout);
    // Both cases fail; the rule itself cannot run without the values but is
    // not wrong, so its "(compile)" result is skipped with the reason.
    assert_eq!(last_line(&without), "0 passed, 2 failed, 1 skipped");
    assert!(stdout.contains("--placeholders FILE"), "{stdout}");
    assert!(
        stdout.contains("placeholder `%Workstations%` is not defined"),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A rule repository in the SigmaHQ layout: `regression_tests_path` is
/// relative to the repository root, and `info.yml` must be about this rule.
#[test]
fn regression_data_must_belong_to_the_rule() {
    let dir = std::env::temp_dir().join(format!("sigma-test-regr-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules/x")).unwrap();
    std::fs::create_dir_all(dir.join("regression_data/rules/x/r")).unwrap();
    let write = |path: &str, text: &str| std::fs::write(dir.join(path), text).unwrap();
    write(
        "rules/x/r.yml",
        "title: t\nid: 7d1e6c0a-0000-4000-8000-000000000003\nlogsource: {product: x}\n\
         detection:\n  selection: {a: 1}\n  condition: selection\n\
         regression_tests_path: regression_data/rules/x/r/info.yml\n",
    );
    write(
        "regression_data/rules/x/r/info.yml",
        "rule_metadata:\n    - id: 7d1e6c0a-0000-4000-8000-0000000000ff\n\
         regression_tests_info:\n    - name: Positive\n      type: evtx\n      \
         match_count: 2\n      path: regression_data/rules/x/r/events.json\n",
    );
    write(
        "regression_data/rules/x/r/events.json",
        "[{\"a\": 1}, {\"a\": 2}, {\"a\": 1}]",
    );

    let output = sigma_test(&["rules"], &dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(last_line(&output), "1 passed, 1 failed", "{stdout}");
    assert!(
        stdout.contains(
            "PASS rules/x/r.yml (7d1e6c0a-0000-4000-8000-000000000003) :: Positive (.json)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "this info.yml is for rule 7d1e6c0a-0000-4000-8000-0000000000ff, \
             not for 7d1e6c0a-0000-4000-8000-000000000003"
        ),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A temporary directory for one test, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sigma-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const SIMPLE_RULE: &str = "title: t\nid: 7d1e6c0a-0000-4000-8000-0000000000a1\n\
    logsource: {product: x}\ndetection:\n  selection: {a: 1}\n  condition: selection\n";

#[test]
fn machine_readable_coverage_is_all_of_stdout() {
    let dir = scratch("cov-stdout");
    std::fs::write(dir.join("rule.yml"), SIMPLE_RULE).unwrap();
    std::fs::write(
        dir.join("case.yml"),
        "rule: rule.yml\ncases:\n  - {name: hit, expect: match, event: {a: 1}}\n",
    )
    .unwrap();

    let output = sigma_test(&["--coverage", "--coverage-format", "json", "."], &dir);
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    assert!(report.is_object(), "{report}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("1 passed, 0 failed"), "{stderr}");

    let lcov = sigma_test(&["--coverage", "--coverage-format", "lcov", "."], &dir);
    let stdout = String::from_utf8_lossy(&lcov.stdout);
    assert!(
        stdout.starts_with("TN:") || stdout.starts_with("SF:"),
        "{stdout}"
    );
    assert!(!stdout.contains("passed"), "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Without `.git`, the repository is the deepest common ancestor of the
/// paths given: a case in `cases/` may name `../rules/x.yml` and
/// `../data/e.json`, whatever the current directory.
#[test]
fn without_git_the_verdict_does_not_depend_on_the_current_directory() {
    let dir = scratch("no-git");
    for sub in ["rules", "cases/deep", "data", "elsewhere/below"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join("rules/x.yml"), SIMPLE_RULE).unwrap();
    std::fs::write(dir.join("data/e.json"), "{\"a\": 1}\n").unwrap();
    std::fs::write(
        dir.join("cases/deep/c.yml"),
        "rule: ../../rules/x.yml\ncases:\n  - {name: inline, expect: match, event: {a: 1}}\n  \
         - {name: file, expect: match, file: ../../data/e.json}\n",
    )
    .unwrap();
    let rules = dir.join("rules");
    let cases = dir.join("cases");
    let args = [rules.to_str().unwrap(), cases.to_str().unwrap()];
    for cwd in [dir.clone(), dir.join("elsewhere/below"), workspace()] {
        let output = sigma_test(&args, &cwd);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            last_line(&output),
            "2 passed, 0 failed",
            "from {cwd:?}: {stdout}"
        );
        assert_eq!(output.status.code(), Some(0));
    }

    // The cases alone: the repository is `cases/`; the rule lies outside
    // it, said once for the file, located at `rule`; so does the data.
    let output = sigma_test(&[cases.to_str().unwrap()], &dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let expected = format!(
        "rule file `../../rules/x.yml` lies outside the repository ({}) and the paths given; \
         its case did not run",
        cases.display()
    );
    assert_eq!(stdout.matches(&expected).count(), 1, "{stdout}");
    assert!(stdout.contains("c.yml:1:7"), "{stdout}");
    assert!(
        stdout.contains("`../../data/e.json` lies outside"),
        "{stdout}"
    );
    assert_eq!(last_line(&output), "0 passed, 2 failed", "{stdout}");

    // A file outside every path given is refused, with its location.
    std::fs::write(
        dir.join("cases/deep/c.yml"),
        "rule: ../../rules/x.yml\ncases:\n  \
         - {name: out, expect: match, file: ../../../../../../../../etc/passwd.json}\n",
    )
    .unwrap();
    let output = sigma_test(&args, &dir.join("elsewhere"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("`../../../../../../../../etc/passwd.json` lies outside the repository"),
        "{stdout}"
    );
    assert!(stdout.contains("c.yml:3:38"), "{stdout}");
    assert_eq!(last_line(&output), "0 passed, 1 failed", "{stdout}");
    std::fs::remove_dir_all(&dir).unwrap();
}

const CORRELATION: &str = "title: base\nid: 7d1e6c0a-0000-4000-8000-0000000000b1\nname: base\n\
    logsource: {product: x}\ndetection:\n  selection: {a: 1}\n  condition: selection\n---\n\
    title: many\nid: 7d1e6c0a-0000-4000-8000-0000000000b2\ncorrelation:\n  type: event_count\n  \
    rules: [base]\n  group-by: [a]\n  timespan: 1h\n  condition: {gte: 2}\n";

#[test]
fn cases_of_a_correlation_rule_fail_by_path_and_by_id() {
    let dir = scratch("correlation");
    std::fs::write(dir.join("corr.yml"), CORRELATION).unwrap();
    let case = |rule: &str| {
        format!("rule: {rule}\ncases:\n  - {{name: c, expect: match, event: {{a: 1}}}}\n")
    };
    std::fs::write(dir.join("by_path.yml"), case("corr.yml")).unwrap();
    std::fs::write(
        dir.join("by_id.yml"),
        case("7d1e6c0a-0000-4000-8000-0000000000b2"),
    )
    .unwrap();

    let output = sigma_test(&["."], &dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(last_line(&output), "0 passed, 2 failed", "{stdout}");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout.contains(
            "`corr.yml` holds a correlation rule; correlation rules are not supported yet"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "`7d1e6c0a-0000-4000-8000-0000000000b2` is a correlation rule (./corr.yml); \
             correlation rules are not supported yet"
        ),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_case_naming_an_id_two_rules_share_fails_naming_both() {
    let dir = scratch("shared-id");
    std::fs::write(dir.join("a.yml"), SIMPLE_RULE).unwrap();
    std::fs::write(dir.join("b.yml"), SIMPLE_RULE).unwrap();
    std::fs::write(
        dir.join("c_cases.yml"),
        "rule: 7d1e6c0a-0000-4000-8000-0000000000a1\ncases:\n  \
         - {name: c, expect: match, event: {a: 1}}\n",
    )
    .unwrap();

    let output = sigma_test(&["."], &dir);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(last_line(&output), "0 passed, 1 failed", "{stdout}");
    assert!(
        stdout.contains(
            "the id `7d1e6c0a-0000-4000-8000-0000000000a1` is ambiguous: rules in ./a.yml and \
             ./b.yml share it"
        ),
        "{stdout}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs sigma-test with its stdout closed before it writes (`| head -0`).
fn with_closed_stdout(args: &[&str], dir: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sigma-test"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_is_quiet_and_keeps_the_runs_status() {
    let passing = with_closed_stdout(&["--fuzz", "rules", "cases"], &workspace());
    let stderr = String::from_utf8_lossy(&passing.stderr);
    assert_eq!(passing.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("cannot write"), "{stderr}");

    let dir = scratch("pipe");
    std::fs::write(dir.join("rule.yml"), SIMPLE_RULE).unwrap();
    std::fs::write(
        dir.join("case.yml"),
        "rule: rule.yml\ncases:\n  - {name: miss, expect: match, event: {a: 2}}\n",
    )
    .unwrap();
    let failing = with_closed_stdout(&["."], &dir);
    let stderr = String::from_utf8_lossy(&failing.stderr);
    assert_eq!(failing.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("cannot write"), "{stderr}");

    let counts = with_closed_stdout(
        &["match", "--rules", "rules", "--events", "cases/data"],
        &workspace(),
    );
    let stderr = String::from_utf8_lossy(&counts.stderr);
    assert_eq!(counts.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("cannot write"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A JSONL stream longer than a batch is counted whole, on one thread and
/// on two alike; a bad line in the middle is reported at its line and
/// fails the run without stopping it.
#[test]
fn match_streams_jsonl_and_reports_bad_lines_in_order() {
    let dir = std::env::temp_dir().join(format!("sigma-test-stream-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("rule.yml"),
        "title: Stream\nlogsource: {product: acme}\ndetection:\n  selection:\n    \
         user|endswith: admin\n  condition: selection\n",
    )
    .unwrap();
    let mut events = String::new();
    for i in 0..5000 {
        match i {
            1234 => events.push_str("{\"user\": }\n"),
            4321 => events.push_str("[1]\n"),
            _ if i % 7 == 0 => events.push_str(&format!("{{\"user\": \"Admin{i}\"}}\n")),
            _ if i % 5 == 0 => events.push_str("{\"user\": \"root-ADMIN\"}\n"),
            _ => events.push_str(&format!("{{\"user\": \"u{i}\"}}\n")),
        }
    }
    std::fs::write(dir.join("events.jsonl"), &events).unwrap();
    // Every fifth line but those that are also seventh ones, or bad.
    let expected = (0..5000)
        .filter(|i| i % 5 == 0 && i % 7 != 0 && *i != 1234 && *i != 4321)
        .count();

    for threads in ["1", "2"] {
        let output = sigma_test(
            &[
                "match",
                "--total",
                "--threads",
                threads,
                "--rules",
                "rule.yml",
                "--events",
                "events.jsonl",
            ],
            &dir,
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            expected.to_string()
        );
        let first = stderr
            .find("events.jsonl:1235:10: invalid JSON")
            .expect(&stderr);
        let second = stderr
            .find("events.jsonl:4322:1: an event must be a JSON object, found a number")
            .expect(&stderr);
        assert!(first < second, "in file order: {stderr}");
        assert!(
            stderr.contains("read and matched 4998 events in"),
            "{stderr}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn match_says_which_events_no_rule_could_judge() {
    let dir = scratch("match-unseen");
    std::fs::write(
        dir.join("win.yml"),
        "title: w\nlogsource: {product: windows, category: process_creation}\n\
         detection:\n  selection: {Image|endswith: '\\x.exe'}\n  condition: selection\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("flat.jsonl"),
        "{\"EventID\": 1, \"Channel\": \"Microsoft-Windows-Sysmon/Operational\", \
         \"Image\": \"C:\\\\x.exe\"}\n{\"EventID\": 1}\n",
    )
    .unwrap();
    let output = sigma_test(
        &["match", "--rules", "win.yml", "--events", "flat.jsonl"],
        &dir,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(output.stdout.is_empty());
    let warning = "sigma-test: warning: 2 events were routed to no rule: they are not \
                   Windows events in the `Event.System` layout";
    assert_eq!(stderr.matches(warning).count(), 1, "{stderr}");

    std::fs::write(
        dir.join("re.yml"),
        "title: r\nlogsource: {product: acme}\ndetection:\n  \
         selection: {F|re: '(?=(a|aa)+(\\1)c)'}\n  condition: selection\n",
    )
    .unwrap();
    let long = "a".repeat(60);
    std::fs::write(
        dir.join("re.jsonl"),
        format!("{{\"F\": \"{long}\"}}\n{{\"F\": \"b\"}}\n{{\"F\": \"{long}\"}}\n"),
    )
    .unwrap();
    let output = sigma_test(
        &["match", "--rules", "re.yml", "--events", "re.jsonl"],
        &dir,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "sigma-test: warning: on 2 events a rule's regex hit its backtracking limit; \
             counted as no match:\nsigma-test:   2\tre.yml\tr\n"
        ),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn match_with_a_missing_event_file_is_an_io_error() {
    let output = sigma_test(
        &["match", "--rules", "rules", "--events", "missing.evtx"],
        &workspace(),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("sigma-test: cannot read missing.evtx: No such file or directory"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("read 0 events"),
        "stops before matching: {stderr}"
    );
}

#[test]
fn a_broken_rule_fails_unless_its_status_retires_it() {
    let dir = std::env::temp_dir().join(format!("sigma-test-retired-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let rule = |status: &str| {
        format!(
            "title: Broken\nstatus: {status}\nlogsource: {{product: windows}}\n\
             detection:\n  selection: {{Image: a.exe}}\n  condition: selection and\n"
        )
    };
    std::fs::write(dir.join("rule.yml"), rule("test")).unwrap();
    let output = sigma_test(&["."], &dir);
    assert_eq!(last_line(&output), "0 passed, 1 failed");
    assert_eq!(output.status.code(), Some(1));

    std::fs::write(dir.join("rule.yml"), rule("unsupported")).unwrap();
    let output = sigma_test(&["."], &dir);
    assert_eq!(last_line(&output), "0 passed, 0 failed, 1 skipped");
    assert_eq!(output.status.code(), Some(0));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `match` streams `.evtx` records in batches: SigmaHQ's Sysmon
/// configuration-change test file holds one event, which its rule matches
/// once (`match_count: 1` in its `info.yml`), on one thread and on two.
#[test]
fn match_reads_evtx_and_counts_as_the_regression_data_says() {
    let shared = match std::env::var_os("SIGMA_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => workspace().join("../shared"),
    };
    let hq = shared.join("sigmahq");
    let data = hq.join(
        "regression_data/rules/windows/sysmon/sysmon_config_modification/\
         8ac03a65-6c84-4116-acad-dc1558ff7a77.evtx",
    );
    if !data.is_file() {
        eprintln!("skipped: ../shared not found");
        return;
    }
    let rules = hq.join("rules/windows/sysmon");
    for threads in ["1", "2"] {
        let args = [
            "match",
            "--rules",
            rules.to_str().unwrap_or_default(),
            "--events",
            data.to_str().unwrap_or_default(),
            "--total",
            "--threads",
            threads,
        ];
        let output = sigma_test(&args, &workspace());
        assert_eq!(output.status.code(), Some(0), "{output:?}");
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "1");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("read and matched 1 events"), "{stderr}");
    }
}
