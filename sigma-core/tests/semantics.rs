//! One test per row of `docs/semantics.md`: each states a construct's
//! meaning with events that must and must not match. The reference
//! evaluator is checked on every event too.

use serde_json::{json, Value};
use sigma_core::event::Event;
use sigma_core::matcher::{CompileError, CompileOptions, CompiledRule};
use sigma_core::reference;
use sigma_core::rule::SigmaFile;

/// Compiles `detection` (the YAML under `detection:`, indented by two)
/// and checks every `(event, expected)` pair with both evaluators.
fn check_with(options: &CompileOptions, detection: &str, cases: &[(Value, bool)]) {
    let source = format!("title: semantics\ndetection:\n{detection}");
    let file = SigmaFile::parse("semantics.yml", source.as_str());
    let rule = file.rules().next().expect("a rule");
    let compiled = match CompiledRule::compile(rule, options) {
        Ok(compiled) => compiled,
        Err(errors) => panic!("does not compile: {errors:?}\n{source}"),
    };
    for (value, expected) in cases {
        let event = Event::new(value.clone());
        assert_eq!(
            compiled.try_matches(&event),
            Ok(*expected),
            "compiled, event {value}\n{source}"
        );
        assert_eq!(
            reference::evaluate(rule, options, &event),
            Ok(*expected),
            "reference, event {value}\n{source}"
        );
    }
}

fn check(detection: &str, cases: &[(Value, bool)]) {
    check_with(&CompileOptions::default(), detection, cases);
}

/// The errors of a rule that must not compile, as (located text, message).
fn errors(detection: &str) -> Vec<(String, String)> {
    let source = format!("title: semantics\ndetection:\n{detection}");
    let file = SigmaFile::parse("semantics.yml", source.as_str());
    let rule = file.rules().next().expect("a rule");
    let errors: Vec<CompileError> =
        CompiledRule::compile(rule, &CompileOptions::default()).expect_err("must not compile");
    errors
        .into_iter()
        .map(|e| (source[e.span.start..e.span.end].to_owned(), e.message))
        .collect()
}

#[test]
fn semantics_string_equality_is_case_insensitive() {
    check(
        "  sel:\n    F: 'Admin'\n  condition: sel\n",
        &[
            (json!({"F": "ADMIN"}), true),
            (json!({"F": "admin"}), true),
            (json!({"F": "admins"}), false),
            (json!({"F": " admin"}), false),
        ],
    );
}

#[test]
fn semantics_unicode_lowercase_per_code_point() {
    check(
        "  sel:\n    F: 'straße'\n  condition: sel\n",
        &[
            (json!({"F": "STRA\u{1E9E}E"}), true),
            (json!({"F": "STRASSE"}), false),
        ],
    );
    check(
        "  sel:\n    F|contains: 'отчет'\n  condition: sel\n",
        &[
            (json!({"F": "ОТЧЕТ.docx"}), true),
            (json!({"F": "otchet"}), false),
        ],
    );
}

#[test]
fn semantics_star_matches_any_run_including_newline() {
    check(
        "  sel:\n    F: 'a*b'\n  condition: sel\n",
        &[
            (json!({"F": "ab"}), true),
            (json!({"F": "a\r\nxb"}), true),
            (json!({"F": "abc"}), false),
        ],
    );
}

#[test]
fn semantics_question_mark_is_one_character() {
    check(
        "  sel:\n    F: 'a?b'\n  condition: sel\n",
        &[
            (json!({"F": "a\nb"}), true),
            (json!({"F": "aéb"}), true),
            (json!({"F": "ab"}), false),
            (json!({"F": "axxb"}), false),
        ],
    );
}

#[test]
fn semantics_backslash_escapes() {
    check(
        "  sel:\n    F: 'C:\\Windows\\\\*'\n    G: 'a\\*b\\?'\n    H: 'end\\'\n  condition: sel\n",
        &[
            (
                json!({"F": "C:\\Windows\\x.exe", "G": "a*b?", "H": "end\\"}),
                true,
            ),
            (
                json!({"F": "C:\\Windows\\x.exe", "G": "axb?", "H": "end\\"}),
                false,
            ),
            (
                json!({"F": "C:\\Windowsx", "G": "a*b?", "H": "end\\"}),
                false,
            ),
        ],
    );
}

#[test]
fn semantics_brackets_are_literal() {
    check(
        "  sel:\n    F|contains: '[char]'\n  condition: sel\n",
        &[
            (json!({"F": "x [CHAR]0x41"}), true),
            (json!({"F": "c"}), false),
        ],
    );
}

#[test]
fn semantics_value_list_is_or() {
    check(
        "  sel:\n    F: [a, b]\n  condition: sel\n",
        &[
            (json!({"F": "a"}), true),
            (json!({"F": "B"}), true),
            (json!({"F": "c"}), false),
        ],
    );
}

#[test]
fn semantics_map_is_and() {
    check(
        "  sel:\n    F: a\n    G: b\n  condition: sel\n",
        &[
            (json!({"F": "a", "G": "b"}), true),
            (json!({"F": "a", "G": "c"}), false),
            (json!({"F": "a"}), false),
        ],
    );
}

#[test]
fn semantics_list_of_maps_is_or() {
    check(
        "  sel:\n    - F: a\n      G: b\n    - H: c\n  condition: sel\n",
        &[
            (json!({"F": "a", "G": "b"}), true),
            (json!({"H": "c"}), true),
            (json!({"F": "a", "H": "x"}), false),
        ],
    );
}

#[test]
fn semantics_contains_startswith_endswith() {
    check(
        "  sel:\n    F|contains: mid\n    G|startswith: pre\n    H|endswith: .exe\n  condition: sel\n",
        &[
            (json!({"F": "xMIDx", "G": "PREfix", "H": "a.EXE"}), true),
            (json!({"F": "mi d", "G": "PREfix", "H": "a.EXE"}), false),
            (json!({"F": "mid", "G": "xpre", "H": "a.EXE"}), false),
            (json!({"F": "mid", "G": "pre", "H": "a.exe "}), false),
        ],
    );
}

#[test]
fn semantics_contains_keeps_existing_edge_wildcards() {
    // `*abc` under contains is `*abc*`; an escaped edge star is literal.
    check(
        "  sel:\n    F|contains: '*abc'\n    G|contains: '\\*x'\n  condition: sel\n",
        &[
            (json!({"F": "zabcz", "G": "1*x2"}), true),
            (json!({"F": "zabcz", "G": "1x2"}), false),
        ],
    );
}

#[test]
fn semantics_all_makes_list_and() {
    check(
        "  sel:\n    F|contains|all: [' -nop ', ' -w hidden ']\n  condition: sel\n",
        &[
            (json!({"F": "ps -W HIDDEN -NOP -c"}), true),
            (json!({"F": "ps -nop -c"}), false),
        ],
    );
}

#[test]
fn semantics_cased() {
    check(
        "  sel:\n    F|contains|cased: 'FromBase64'\n  condition: sel\n",
        &[
            (json!({"F": "[x]::FromBase64String"}), true),
            (json!({"F": "[x]::frombase64string"}), false),
        ],
    );
}

#[test]
fn semantics_re_is_a_case_sensitive_search() {
    check(
        "  sel:\n    F|re: 'net\\s+view'\n  condition: sel\n",
        &[
            (json!({"F": "cmd /c net  view \\\\host"}), true),
            (json!({"F": "NET VIEW"}), false),
        ],
    );
}

#[test]
fn semantics_re_flags() {
    check(
        "  sel_i:\n    F|re|i: '^admin$'\n  sel_s:\n    G|re|s: 'a.b'\n  sel_m:\n    \
         H|re|m: '^x$'\n  condition: 1 of sel_*\n",
        &[
            (json!({"F": "ADMIN"}), true),
            (json!({"G": "a\nb"}), true),
            (json!({"H": "a\nx\nb"}), true),
            (json!({"F": "ADMINS", "G": "ab", "H": "a x"}), false),
        ],
    );
}

#[test]
fn semantics_re_position_modifiers_anchor() {
    check(
        "  sel:\n    F|re|startswith: 'ab'\n    G|re|endswith: 'yz'\n  condition: sel\n",
        &[
            (json!({"F": "abc", "G": "xyz"}), true),
            (json!({"F": "cab", "G": "xyz"}), false),
            (json!({"F": "abc", "G": "yza"}), false),
        ],
    );
}

#[test]
fn semantics_re_lookaround_and_backtrack_limit() {
    check(
        "  sel:\n    F|re: 'foo(?!bar)'\n  condition: sel\n",
        &[
            (json!({"F": "foobaz"}), true),
            (json!({"F": "foobar"}), false),
        ],
    );
    let source = "title: t\ndetection:\n  sel:\n    F|re: '(?=(a|aa)+(\\1)c)'\n  condition: sel\n";
    let file = SigmaFile::parse("t.yml", source);
    let rule = file.rules().next().expect("rule");
    let compiled = CompiledRule::compile(rule, &CompileOptions::default()).expect("compiles");
    let event = Event::new(json!({"F": "a".repeat(60)}));
    let error = compiled.try_matches(&event).expect_err("limit reached");
    assert_eq!(
        &source[error.span.start..error.span.end],
        "'(?=(a|aa)+(\\1)c)'"
    );
    assert!(!compiled.matches(&event));
}

#[test]
fn semantics_numbers_match_numeric_strings() {
    check(
        "  sel:\n    F: 4688\n    G: 1.5\n  condition: sel\n",
        &[
            (json!({"F": 4688, "G": 1.5}), true),
            (json!({"F": "4688", "G": "1.50"}), true),
            (json!({"F": 4688.0, "G": 1.5}), true),
            (json!({"F": "0x1250", "G": 1.5}), false),
            (json!({"F": "04688x", "G": 1.5}), false),
        ],
    );
}

#[test]
fn semantics_strings_match_number_text() {
    check(
        "  sel:\n    F: '5985'\n    G: 'true'\n  condition: sel\n",
        &[
            (json!({"F": 5985, "G": true}), true),
            (json!({"F": "5985", "G": "TRUE"}), true),
            (json!({"F": 5985.5, "G": true}), false),
        ],
    );
}

#[test]
fn semantics_booleans() {
    check(
        "  sel:\n    F: false\n  condition: sel\n",
        &[
            (json!({"F": false}), true),
            (json!({"F": "False"}), true),
            (json!({"F": 0}), false),
            (json!({"F": true}), false),
        ],
    );
}

#[test]
fn semantics_null_matches_missing_or_null() {
    check(
        "  sel:\n    F: null\n  condition: sel\n",
        &[
            (json!({}), true),
            (json!({"F": null}), true),
            (json!({"F": ""}), false),
            (json!({"F": "x"}), false),
        ],
    );
    check(
        "  sel:\n    F: ''\n  condition: sel\n",
        &[
            (json!({"F": ""}), true),
            (json!({"F": null}), false),
            (json!({}), false),
        ],
    );
}

#[test]
fn semantics_exists() {
    check(
        "  sel:\n    F|exists: true\n    G|exists: false\n  condition: sel\n",
        &[
            (json!({"F": null}), true),
            (json!({"F": ""}), true),
            (json!({}), false),
            (json!({"F": 1, "G": null}), false),
        ],
    );
}

#[test]
fn semantics_missing_field_and_not() {
    check(
        "  sel:\n    F: x\n  condition: not sel\n",
        &[(json!({}), true), (json!({"F": "X"}), false)],
    );
}

#[test]
fn semantics_dotted_field_names() {
    check(
        "  sel:\n    a.b: x\n  condition: sel\n",
        &[
            (json!({"a": {"b": "x"}}), true),
            (json!({"a.b": "x", "a": {"b": "y"}}), true),
            (json!({"a.b": "y", "a": {"b": "x"}}), false),
            (json!({"A": {"b": "x"}}), false),
        ],
    );
}

#[test]
fn semantics_arrays_match_any_member() {
    check(
        "  sel:\n    F|contains: err\n    G: 445\n  condition: sel\n",
        &[
            (json!({"F": ["ok", "ERROR"], "G": [139, 445]}), true),
            (json!({"F": ["ok"], "G": [445]}), false),
        ],
    );
}

#[test]
fn semantics_keywords_search_every_value() {
    check(
        "  keywords:\n    - 'evil*tool'\n    - 4625\n  condition: keywords\n",
        &[
            (json!({"a": {"b": ["x", "EVIL-TOOL.exe"]}}), true),
            (json!({"EventID": 4625}), true),
            (json!({"evil": "tool"}), false),
        ],
    );
}

#[test]
fn semantics_keywords_all() {
    check(
        "  keywords:\n    '|all': [one, two]\n  condition: keywords\n",
        &[
            (json!({"a": "ONE", "b": "two"}), true),
            (json!({"a": "one"}), false),
        ],
    );
}

#[test]
fn semantics_neq_negates_the_item() {
    check(
        "  sel:\n    F|neq: [SYSTEM, 'LOCAL SERVICE']\n  condition: sel\n",
        &[
            (json!({"F": "user01"}), true),
            (json!({}), true),
            (json!({"F": "system"}), false),
        ],
    );
}

#[test]
fn semantics_windash() {
    check(
        "  sel:\n    F|windash|contains: ' -foo-bar'\n  condition: sel\n",
        &[
            (json!({"F": "t.exe /foo-bar"}), true),
            (json!({"F": "t.exe \u{2013}foo-bar"}), true),
            (json!({"F": "t.exe /foo/bar"}), false),
        ],
    );
}

#[test]
fn semantics_base64() {
    check(
        "  sel:\n    F|base64|contains: 'http://'\n  condition: sel\n",
        &[
            (json!({"F": "x aHR0cDovLw== y"}), true),
            (json!({"F": "aHR0cDovL2V4YW1wbGUuY29t"}), false),
        ],
    );
}

#[test]
fn semantics_base64offset_fragments() {
    check(
        "  sel:\n    F|base64offset|contains: 'http://'\n  condition: sel\n",
        &[
            (json!({"F": "aHR0cDovL2V4YW1wbGUuY29t"}), true),
            (json!({"F": "eGh0dHA6Ly9h"}), true),
            (json!({"F": "aHR0cHM6Ly9h"}), false),
        ],
    );
}

#[test]
fn semantics_utf16_then_base64() {
    // base64(UTF-16LE("ping")) = cABpAG4AZwA=; utf16 adds FF FE first.
    check(
        "  sel_wide:\n    F|wide|base64: ping\n  sel_bom:\n    G|utf16|base64: ping\n  \
         condition: 1 of sel_*\n",
        &[
            (json!({"F": "cABpAG4AZwA="}), true),
            (json!({"G": "//5wAGkAbgBnAA=="}), true),
            (json!({"F": "cGluZw=="}), false),
        ],
    );
}

#[test]
fn semantics_cidr() {
    check(
        "  sel:\n    F|cidr: ['10.0.0.0/8', 'fd00::/8']\n  condition: sel\n",
        &[
            (json!({"F": "10.255.0.1"}), true),
            (json!({"F": "fd12::1"}), true),
            (json!({"F": "100.64.0.1"}), false),
            (json!({"F": "::ffff:10.1.2.3"}), false),
            (json!({"F": "not-an-ip"}), false),
        ],
    );
}

#[test]
fn semantics_numeric_comparisons() {
    check(
        "  sel:\n    F|gt: 1000\n    G|lte: 2.5\n  condition: sel\n",
        &[
            (json!({"F": 1001, "G": 2.5}), true),
            (json!({"F": "5000", "G": "-1"}), true),
            (json!({"F": 1000, "G": 2}), false),
            (json!({"F": "0x5000", "G": 2}), false),
        ],
    );
}

#[test]
fn semantics_time_parts() {
    check(
        "  sel:\n    T|hour: 23\n    T|month: 5\n  condition: sel\n",
        &[
            (json!({"T": "2024-05-01T23:30:00+02:00"}), true),
            (json!({"T": "2024-05-01 22:59:59"}), false),
            (json!({"T": "yesterday"}), false),
        ],
    );
}

#[test]
fn semantics_fieldref() {
    check(
        "  sel:\n    User|fieldref: ParentUser\n  sel_end:\n    Path|fieldref|endswith: Name\n  \
         condition: sel or sel_end\n",
        &[
            (json!({"User": "CORP\\a", "ParentUser": "corp\\A"}), true),
            (json!({"Path": "C:\\x\\tool.exe", "Name": "TOOL.EXE"}), true),
            (json!({"User": "CORP\\a", "ParentUser": "CORP\\b"}), false),
            (json!({"User": "CORP\\a"}), false),
        ],
    );
}

#[test]
fn semantics_expand_placeholders() {
    let mut options = CompileOptions::default();
    options
        .placeholders
        .insert("Admins".into(), vec!["adm_*".into(), "root".into()]);
    check_with(
        &options,
        "  sel:\n    User|expand: '%Admins%'\n  condition: sel\n",
        &[
            (json!({"User": "ADM_x"}), true),
            (json!({"User": "root"}), true),
            (json!({"User": "%Admins%"}), false),
        ],
    );
    let found = errors("  sel:\n    User|expand: '%Missing%'\n  condition: sel\n");
    assert_eq!(found[0].0, "'%Missing%'");
}

#[test]
fn semantics_condition_quantifiers() {
    check(
        "  sel_a:\n    A: 1\n  sel_b:\n    B: 1\n  _aux:\n    C: 1\n  \
         condition: 1 of sel_* and not all of them\n",
        &[
            (json!({"A": 1}), true),
            (json!({"A": 1, "B": 1}), false),
            (json!({"C": 1}), false),
        ],
    );
    check(
        "  a:\n    A: 1\n  b:\n    B: 1\n  c:\n    C: 1\n  condition: a or b and not c\n",
        &[
            (json!({"A": 1, "C": 1}), true),
            (json!({"B": 1, "C": 1}), false),
            (json!({"B": 1}), true),
        ],
    );
}

#[test]
fn semantics_condition_list_is_or() {
    check(
        "  a:\n    A: 1\n  b:\n    B: 1\n  condition:\n    - a\n    - b\n",
        &[(json!({"B": 1}), true), (json!({"C": 1}), false)],
    );
}

#[test]
fn semantics_invalid_rules_are_located_errors() {
    let found = errors("  sel:\n    F|contains|not: x\n  condition: sel or nope\n");
    let located: Vec<&str> = found.iter().map(|(text, _)| text.as_str()).collect();
    assert_eq!(located, ["not", "nope"]);
    let found = errors("  sel:\n    F|contains|fieldref: G\n  condition: sel\n");
    assert_eq!(found[0].0, "fieldref");
    let found = errors("  sel:\n    F|gt: '5'\n  condition: sel\n");
    assert_eq!(found[0].0, "'5'");
    let found = errors("  sel:\n    F|cidr: 192.168.1.5/24\n  condition: sel\n");
    assert!(found[0].1.contains("host bits"), "{}", found[0].1);
}

#[test]
fn semantics_field_map_renames() {
    let mut options = CompileOptions::default();
    options
        .field_map
        .insert("Image".into(), "NewProcessName".into());
    check_with(
        &options,
        "  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n",
        &[
            (json!({"NewProcessName": "C:\\cmd.exe"}), true),
            (json!({"Image": "C:\\cmd.exe"}), false),
        ],
    );
}

/// Every test the semantics table names exists here, and every test here
/// is named by the table.
#[test]
fn semantics_table_and_tests_agree() {
    let table = include_str!("../../docs/semantics.md");
    let tests = include_str!("semantics.rs");
    let named: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with('|'))
        .filter_map(|l| l.trim_end_matches('|').rsplit('|').next())
        .map(|cell| cell.trim().trim_matches('`'))
        .filter(|cell| cell.starts_with("semantics_"))
        .collect();
    assert!(named.len() > 30, "{named:?}");
    for name in &named {
        assert!(tests.contains(&format!("fn {name}()")), "no test `{name}`");
    }
    for line in tests.lines() {
        let Some(rest) = line.strip_prefix("fn semantics_") else {
            continue;
        };
        let name = format!("semantics_{}", rest.split('(').next().unwrap_or_default());
        if name != "semantics_table_and_tests_agree" {
            assert!(
                named.contains(&name.as_str()),
                "`{name}` is not in the table"
            );
        }
    }
}
