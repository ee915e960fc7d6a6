//! Drives the `sigma-lint` binary: exit codes, formats, stdout vs stderr.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const GOOD: &str = "\
title: Whoami Execution
id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    condition: selection
level: medium
";

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("sigma-lint-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Dir(dir)
    }

    fn file(&self, name: &str, text: &str) -> &Self {
        std::fs::write(self.0.join(name), text).expect("temp file");
        self
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sigma-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

#[test]
fn clean_findings_and_usage_exit_codes() {
    let dir = Dir::new("exit");
    dir.file("good.yml", GOOD);
    let clean = run(&dir.0, &["--format", "concise", "."]);
    assert_eq!(
        clean.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&clean.stdout)
    );
    assert!(clean.stdout.is_empty());

    let bad = GOOD
        .replace("5e3ba1c4-", "zz-")
        .replace("Whoami", "Hostname");
    dir.file("bad.yml", &bad);
    let found = run(&dir.0, &["--format", "concise", "."]);
    assert_eq!(found.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&found.stdout);
    assert_eq!(
        stdout.trim(),
        "./bad.yml:2:5: error[C004] `zz-3c1f-4f16-9c2e-2d6a1b8a7f10` is not a UUID"
    );

    let ignored = run(
        &dir.0,
        &["--format", "concise", "--ignore", "invalid-id", "."],
    );
    assert_eq!(ignored.status.code(), Some(0));

    let usage = run(&dir.0, &["--format", "nonsense", "."]);
    assert_eq!(usage.status.code(), Some(2));
    let unknown_check = run(&dir.0, &["--select", "Z999", "."]);
    assert_eq!(unknown_check.status.code(), Some(2));
    let missing = run(&dir.0, &["no-such-dir"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-dir"));
}

#[test]
fn machine_formats_go_to_stdout() {
    let dir = Dir::new("formats");
    dir.file("bad.yml", &GOOD.replace("level: medium", "level: severe"));

    let json = run(&dir.0, &["--format", "json", "."]);
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json on stdout");
    assert_eq!(parsed[0]["code"], "C009");
    assert_eq!(parsed[0]["line"], 10);
    assert_eq!(parsed[0]["column"], 8);

    let sarif = run(&dir.0, &["--format", "sarif", "."]);
    let parsed: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("sarif on stdout");
    assert_eq!(parsed["version"], "2.1.0");
    let result = &parsed["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "C009");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        10
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad.yml"
    );
    let rules = parsed["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let a005 = rules.iter().find(|r| r["id"] == "A005");
    assert_eq!(
        a005.map(|r| &r["properties"]["scope"]),
        Some(&"sigmahq".into())
    );

    let github = run(&dir.0, &["--format", "github", "."]);
    let line = String::from_utf8_lossy(&github.stdout);
    assert!(
        line.starts_with("::error file=./bad.yml,line=10,col=8,"),
        "{line}"
    );

    let pretty = run(&dir.0, &["."]);
    let text = String::from_utf8_lossy(&pretty.stdout);
    assert!(
        text.contains("level: severe") && text.contains("──────"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "NO_COLOR is honoured");
}

#[test]
fn configuration_and_inline_suppression() {
    let dir = Dir::new("config");
    dir.file("bad.yml", &GOOD.replace("level: medium", "level: severe"));
    dir.file(
        ".sigma-lint.yml",
        "severity: {invalid-status-or-level: warning}\n",
    );
    let warned = run(
        &dir.0,
        &["--format", "concise", "--fail-level", "error", "."],
    );
    assert_eq!(warned.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&warned.stdout).contains("warning[C009]"));

    dir.file(".sigma-lint.yml", "ignor: [C009]\n");
    let broken = run(&dir.0, &["."]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains(".sigma-lint.yml:1:1"));

    dir.file(".sigma-lint.yml", "preset: spec\n");
    dir.file(
        "bad.yml",
        &GOOD.replace("level: medium", "level: severe  # sigma-lint: ignore[C009]"),
    );
    let quiet = run(&dir.0, &["--format", "concise", "."]);
    assert_eq!(
        quiet.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&quiet.stdout)
    );
}

#[test]
fn checks_are_documented() {
    let dir = Dir::new("docs");
    let list = run(&dir.0, &["checks"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("G004  unused-search-identifier")),
        "{text}"
    );
    let one = run(&dir.0, &["checks", "unused-search-identifier"]);
    let text = String::from_utf8_lossy(&one.stdout);
    assert!(
        text.contains("## What it does") && text.contains("## Known problems"),
        "{text}"
    );
    assert_eq!(run(&dir.0, &["checks", "nope"]).status.code(), Some(2));

    // One spelling of the SigmaHQ scope, as in `--preset sigmahq`.
    let listed = String::from_utf8_lossy(&list.stdout).into_owned();
    let a005 = listed.lines().find(|l| l.starts_with("A005 "));
    assert!(a005.is_some_and(|l| l.contains(" sigmahq ")), "{a005:?}");
    let one = run(&dir.0, &["checks", "A005"]);
    let text = String::from_utf8_lossy(&one.stdout);
    assert!(text.contains(", scope sigmahq,"), "{text}");
}

#[test]
fn fix_and_diff() {
    let dir = Dir::new("fix");
    // Trailing blanks (safe fix), a YAML 1.1 `010` (unsafe fix: quoting
    // changes what the rule matches), no final line break (safe fix).
    let before = GOOD
        .replace("Execution\n", "Execution  \n")
        .replace("'\\whoami.exe'", "'\\whoami.exe'\n        Port: 010")
        .trim_end()
        .to_owned();
    dir.file("r.yml", &before);
    let path = dir.0.join("r.yml");

    let diff = run(
        &dir.0,
        &["--no-config", "--extend-select", "A005", "--diff", "r.yml"],
    );
    assert_eq!(diff.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&diff.stdout);
    assert!(stdout.starts_with("--- a/r.yml\n+++ b/r.yml\n"), "{stdout}");
    assert!(stdout.contains("-title: Whoami Execution  \n"), "{stdout}");
    assert!(stdout.contains("+title: Whoami Execution\n"), "{stdout}");
    assert!(
        !stdout.contains("'010'"),
        "unsafe fix shown without --unsafe-fixes"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), before);

    let fixed = run(
        &dir.0,
        &[
            "--no-config",
            "--extend-select",
            "A005",
            "--fix",
            "--format",
            "concise",
            "r.yml",
        ],
    );
    let after = std::fs::read_to_string(&path).unwrap_or_default();
    let expected = format!("{}\n", before.replace("Execution  ", "Execution"));
    assert_eq!(after, expected);
    let report = String::from_utf8_lossy(&fixed.stdout);
    assert!(
        report.contains("[A004]"),
        "the unsafe finding is still reported: {report}"
    );
    assert!(!report.contains("[A005]"), "{report}");
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    assert_eq!(stderr.trim(), "sigma-lint: fixed 2 findings in 1 file");

    let unsafe_run = run(
        &dir.0,
        &[
            "--no-config",
            "--extend-select",
            "A005",
            "--fix",
            "--unsafe-fixes",
            "r.yml",
        ],
    );
    assert_eq!(unsafe_run.status.code(), Some(0), "{unsafe_run:?}");
    let after = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(after, expected.replace("Port: 010", "Port: '010'"));

    let nothing = run(
        &dir.0,
        &["--no-config", "--extend-select", "A005", "--diff", "r.yml"],
    );
    assert_eq!(nothing.status.code(), Some(0));
    assert!(nothing.stdout.is_empty());
}

/// What `--fix` reports as left is read from the fixed file: a finding
/// below a removed line is reported at its new line, as a plain run would.
#[test]
fn after_fix_the_report_is_of_the_fixed_file() {
    let dir = Dir::new("fix-report");
    let before = GOOD
        .replace("logsource:\n", "\n\n\nlogsource:\n")
        .replace("'\\whoami.exe'", "'\\whoami.exe'\n        Port: 010");
    dir.file("r.yml", &before);
    let args = [
        "--no-config",
        "--extend-select",
        "A009",
        "--format",
        "concise",
    ];

    let fixed = run(&dir.0, &[&args[..], &["--fix", "r.yml"]].concat());
    let after = std::fs::read_to_string(dir.0.join("r.yml")).unwrap_or_default();
    assert!(!after.contains("\n\n\n\n"), "{after}");
    let fresh = run(&dir.0, &[&args[..], &["r.yml"]].concat());

    let report = String::from_utf8_lossy(&fixed.stdout);
    assert_eq!(report, String::from_utf8_lossy(&fresh.stdout));
    let line_of_port = after.lines().position(|l| l.contains("Port")).unwrap_or(0) + 1;
    assert!(
        report.contains(&format!("r.yml:{line_of_port}:")),
        "{report}"
    );
}

#[test]
fn diff_headers_apply_from_the_working_directory() {
    let dir = Dir::new("diff-paths");
    dir.file("r.yml", &GOOD.replace("Execution\n", "Execution \n"));
    let absolute = dir.0.join("r.yml").display().to_string();
    let args = ["--no-config", "--extend-select", "A005", "--diff"];
    for path in ["./r.yml", absolute.as_str()] {
        let out = run(&dir.0, &[&args[..], &[path]].concat());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.starts_with("--- a/r.yml\n+++ b/r.yml\n"), "{stdout}");
        assert_eq!(out.status.code(), Some(1), "{path}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim(), "sigma-lint: 1 finding fixable in 1 file");
    }

    // Outside the working directory: the absolute path, one slash.
    let elsewhere = run(Path::new("/"), &[&args[..], &[absolute.as_str()]].concat());
    let stdout = String::from_utf8_lossy(&elsewhere.stdout);
    let expected = format!("--- a{absolute}\n+++ b{absolute}\n");
    assert!(stdout.starts_with(&expected), "{stdout}");

    // Only unsafe fixes: nothing to show, but they are named.
    dir.file(
        "r.yml",
        &GOOD.replace("level: medium", "level: medium\nx: |\n  a "),
    );
    let hidden = run(&dir.0, &[&args[..], &["r.yml"]].concat());
    assert_eq!(hidden.status.code(), Some(0));
    assert!(hidden.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&hidden.stderr);
    assert_eq!(
        stderr.trim(),
        "sigma-lint: 0 findings fixable in 0 files (1 more with --unsafe-fixes)"
    );
}

/// Removing a blank CRLF line and rewriting its `\r` touch the same byte,
/// so one pass cannot take both fixes: `--fix` lints again and finishes.
#[test]
fn fix_settles_line_breaks_and_blank_lines_together() {
    let dir = Dir::new("fix-rounds");
    let before = GOOD
        .replace("level: medium\n", "\n\n\n\nlevel: medium\n\n\n\n")
        .replace('\n', "\r\n");
    dir.file("r.yml", &before);
    let path = dir.0.join("r.yml");

    let args = [
        "--no-config",
        "--preset",
        "sigmahq",
        "--select",
        "A",
        "--fix",
        "--format",
        "concise",
        "r.yml",
    ];
    let fixed = run(&dir.0, &args);
    let report = String::from_utf8_lossy(&fixed.stdout);
    assert_eq!(fixed.status.code(), Some(0), "{report}");
    assert!(report.is_empty(), "{report}");
    let after = std::fs::read_to_string(&path).unwrap_or_default();
    let expected = GOOD.replace("level: medium\n", "\n\nlevel: medium\n\n\n");
    assert_eq!(after, expected);

    let again = run(
        &dir.0,
        &[
            "--no-config",
            "--preset",
            "sigmahq",
            "--select",
            "A",
            "--diff",
            "r.yml",
        ],
    );
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stdout.is_empty());
}

#[test]
fn directories_skip_yaml_that_is_not_sigma() {
    let dir = Dir::new("notsigma");
    for sub in ["rules", "cases", "regression_data/rules/r"] {
        std::fs::create_dir_all(dir.0.join(sub)).expect("temp dir");
    }
    dir.file(
        "rules/proc_whoami.yml",
        &GOOD.replace("level: medium", "level: severe"),
    );
    // A sigma-test case file with the rule's file name, and a SigmaHQ
    // regression `info.yml`: neither is a Sigma document.
    dir.file(
        "cases/proc_whoami.yml",
        "rule: ../rules/proc_whoami.yml\ncases:\n  - name: hit\n    events: []\n",
    );
    dir.file(
        "regression_data/rules/r/info.yml",
        "id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10\nrule_metadata:\n  - title: T\n",
    );

    let walked = run(&dir.0, &["--format", "concise", "."]);
    let stdout = String::from_utf8_lossy(&walked.stdout);
    assert_eq!(
        stdout.trim(),
        "./rules/proc_whoami.yml:10:8: error[C009] `severe` is not a valid level"
    );
    assert_eq!(walked.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&walked.stderr).contains("skipped 2 YAML files"),
        "{}",
        String::from_utf8_lossy(&walked.stderr)
    );

    // B003 (duplicate file name) would pair the rule with the case file.
    let sigmahq = run(&dir.0, &["--format", "concise", "--preset", "sigmahq", "."]);
    let stdout = String::from_utf8_lossy(&sigmahq.stdout);
    assert!(!stdout.is_empty() && !stdout.contains("B003"), "{stdout}");
    assert!(
        stdout
            .lines()
            .all(|l| l.starts_with("./rules/proc_whoami.yml:")),
        "{stdout}"
    );

    // Named on the command line, a file is linted whatever it holds.
    let named = run(&dir.0, &["--format", "concise", "cases/proc_whoami.yml"]);
    assert!(
        String::from_utf8_lossy(&named.stdout).contains("cases/proc_whoami.yml:"),
        "{}",
        String::from_utf8_lossy(&named.stdout)
    );
}

#[test]
fn info_findings_do_not_fail_by_default() {
    let dir = Dir::new("info");
    let tagged = GOOD.replace(
        "level: medium",
        "level: medium\ntags:\n    - attack.persistence\n    - attack.t1059.001",
    );
    dir.file("r.yml", &tagged);

    let default = run(&dir.0, &["--format", "concise", "--no-config", "."]);
    let stdout = String::from_utf8_lossy(&default.stdout);
    assert!(stdout.contains("info[D006]"), "{stdout}");
    assert_eq!(default.status.code(), Some(0), "{stdout}");

    let strict = run(&dir.0, &["--no-config", "--fail-level", "info", "."]);
    assert_eq!(strict.status.code(), Some(1));

    let help = run(&dir.0, &["--help"]);
    let help = String::from_utf8_lossy(&help.stdout).replace(char::is_whitespace, " ");
    assert!(help.contains("default `warning`"), "{help}");
    let words = help.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("must be written as a path: `./checks`"),
        "{words}"
    );
}

#[test]
fn unusable_paths_and_selectors_are_usage_errors() {
    let dir = Dir::new("paths");
    for args in [&["/dev/null"][..], &["no-such-file.yml"]] {
        let out = run(&dir.0, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(args[0]), "{stderr}");
    }

    let empty = run(&dir.0, &["."]);
    assert_eq!(empty.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&empty.stderr);
    assert_eq!(
        stderr.trim(),
        "sigma-lint: note: .: no YAML file found\n\
         sigma-lint: no Sigma file found in the paths given"
    );

    // Beside a folder with rules, a folder without YAML is only a note
    // (SigmaHQ's `rules*` may match one).
    std::fs::create_dir_all(dir.0.join("none")).unwrap_or_default();
    std::fs::create_dir_all(dir.0.join("some")).unwrap_or_default();
    std::fs::write(dir.0.join("some/r.yml"), GOOD).unwrap_or_default();
    let mixed = run(&dir.0, &["none", "some"]);
    assert_eq!(mixed.status.code(), Some(0), "{mixed:?}");
    let stderr = String::from_utf8_lossy(&mixed.stderr);
    assert_eq!(stderr.trim(), "sigma-lint: note: none: no YAML file found");
    std::fs::remove_dir_all(dir.0.join("none")).unwrap_or_default();
    std::fs::remove_dir_all(dir.0.join("some")).unwrap_or_default();

    // YAML that holds no Sigma document is not a Sigma file.
    let other = run(&dir.file("other.yml", "a: 1\n").0, &["."]);
    assert_eq!(other.status.code(), Some(2), "{other:?}");
    std::fs::remove_file(dir.0.join("other.yml")).unwrap_or_default();

    // A named empty file is linted, not skipped, and fails.
    let named = run(
        &dir.file("empty.yml", "").0,
        &["--format", "concise", "./empty.yml"],
    );
    assert_eq!(named.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&named.stdout);
    assert_eq!(
        stdout.trim(),
        "./empty.yml:1:1: error[C001] the file is empty"
    );
    assert!(named.stderr.is_empty(), "{named:?}");
    std::fs::remove_file(dir.0.join("empty.yml")).unwrap_or_default();

    let summary = run(&dir.file("r.yml", GOOD).0, &["."]);
    let stdout = String::from_utf8_lossy(&summary.stdout);
    assert_eq!(
        stdout.trim(),
        "1 file checked: 0 errors, 0 warnings, 0 infos"
    );

    for selector in ["", ","] {
        let out = run(&dir.0, &["--select", selector, "."]);
        assert_eq!(out.status.code(), Some(2), "--select {selector:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("empty check selector"), "{stderr}");
    }

    assert_eq!(run(&dir.0, &["checks", "NOPE"]).status.code(), Some(2));

    let config = run(&dir.0, &["--config", "no-such-config.yml", "."]);
    assert_eq!(config.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&config.stderr);
    assert!(
        stderr.starts_with("sigma-lint: no-such-config.yml: cannot read the configuration: "),
        "{stderr}"
    );
}
