use super::*;
use sigma_core::rule::SigmaFile;

fn fuzz(detection: &str) -> RuleFuzz {
    let source =
        format!("title: t\nid: 11111111-2222-4333-8444-555555555555\ndetection:\n{detection}");
    let file = SigmaFile::parse("t.yml", source);
    let rule = file.rules().next().expect("a rule");
    fuzz_rule(rule, &FuzzOptions { cases: 64, seed: 7 }).expect("compiles")
}

#[test]
fn a_sound_rule_passes_every_property() {
    let report = fuzz(
        "  selection:\n    Image|endswith: '\\schtasks.exe'\n    CommandLine|contains|all:\n      \
         - '/create'\n      - '\\Temp\\'\n  filter:\n    ParentImage|endswith: '\\msiexec.exe'\n  \
         condition: selection and not filter\n",
    );
    assert_eq!(report.failures, Vec::new());
    assert_eq!(report.checked, 3);
    assert!(report.unknown.is_empty());
}

#[test]
fn a_dead_filter_fails_property_two() {
    let report = fuzz(
        "  selection:\n    Image|endswith: '\\cmd.exe'\n  filter:\n    Image|endswith: \
         '\\conhost.exe'\n  condition: selection and not filter\n",
    );
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].property, Property::ExclusionApplies);
    assert_eq!(report.failures[0].subject, "filter");
}

#[test]
fn case_sensitive_regex_is_not_case_flipped_but_insensitive_one_is() {
    // `cased` and a regex without `i`: flipping case is not claimed
    // harmless, so no invariance failure is reported.
    let report = fuzz(
        "  selection:\n    A|cased: 'Run'\n    B|re: '^x[a-z]+$'\n    C: 'mixed'\n  \
         condition: selection\n",
    );
    assert_eq!(report.failures, Vec::new());
}

#[test]
fn same_seed_same_report_and_failures_print_as_cases() {
    let detection = "  selection:\n    EventID: 1\n  other:\n    EventID: 2\n  \
                     condition: selection and other\n";
    let first = fuzz(detection);
    assert_eq!(first, fuzz(detection));
    assert_eq!(first.failures[0].property, Property::CanMatch);
    assert!(first.failures[0].case_yaml().is_none());
}

#[test]
fn violation_reports_carry_a_ready_case() {
    let failure = PropertyFailure {
        property: Property::Invariance,
        subject: "the rule; letter case".into(),
        message: "m".into(),
        event: Some((serde_json::json!({"Image": "C:\\X.EXE"}), true)),
    };
    assert_eq!(
        failure.case_yaml().unwrap(),
        "  - name: 'fuzz: irrelevant change (the rule; letter case)'\n    expect: match\n    \
         event:\n      Image: 'C:\\X.EXE'\n"
    );
}

#[test]
fn failures_shrink_to_a_minimal_input() {
    // A stand-in property that fails whenever the padding is 3 or more
    // characters long: the shrunk input is exactly 3 long.
    let check = |input: &FuzzInput| {
        (input.before.chars().count() >= 3).then(|| Violation {
            property: Property::Invariance,
            change: Some("padding".into()),
            message: input.before.clone(),
            event: serde_json::json!({ "x": input.before }),
            should_match: true,
        })
    };
    let found = run_property(
        &FuzzOptions {
            cases: 256,
            seed: 1,
        },
        1,
        &check,
    )
    .expect("fails");
    assert_eq!(found.message.chars().count(), 3, "{}", found.message);
}

#[test]
fn windash_fields_take_every_dash_and_plain_dashes_are_left_alone() {
    let source = "title: t\ndetection:\n  sel:\n    CommandLine|windash|contains: ' -enc '\n  \
                  plain:\n    Other|contains: ' -x'\n  condition: sel and plain\n";
    let file = SigmaFile::parse("t.yml", source);
    let rule = file.rules().next().unwrap();
    let analysis = sigma_core::analysis::Analysis::new(rule, &CompileOptions::default()).unwrap();
    let facts = Facts::of(rule, &analysis);
    assert!(facts.fields["CommandLine"].dash_free);
    assert!(!facts.fields["Other"].dash_free);
    let report = fuzz_rule(rule, &FuzzOptions { cases: 64, seed: 5 }).unwrap();
    assert_eq!(report.failures, Vec::new());
}

/// SigmaHQ's S3 Browser rule: `<NAME>/*` matches `<NAME>/x`, where `/x`
/// reads as a flag, so swapping its dash is not a change that must not
/// matter.
#[test]
fn a_dash_before_a_wildcard_may_start_a_flag() {
    let source = "title: t\ndetection:\n  sel:\n    Params|contains: '\"arn:aws:s3:::<B>/*\"'\n  \
                  condition: sel\n";
    let file = SigmaFile::parse("t.yml", source);
    let rule = file.rules().next().unwrap();
    let analysis = sigma_core::analysis::Analysis::new(rule, &CompileOptions::default()).unwrap();
    let facts = Facts::of(rule, &analysis);
    assert!(!facts.fields["Params"].dash_free);
    let report = fuzz_rule(rule, &FuzzOptions { cases: 64, seed: 0 }).unwrap();
    assert_eq!(report.failures, Vec::new());
}

#[test]
fn base64offset_fields_are_shifted_to_every_offset_and_still_match() {
    let source = "title: t\ndetection:\n  sel:\n    CommandLine|base64offset|contains:\n      \
                  - 'IEX'\n      - 'Invoke-Mimikatz'\n  wide:\n    ScriptBlock|wide|base64offset|\
                  contains: 'http'\n  mixed:\n    Other|base64offset|contains: 'abc'\n  \
                  plain:\n    Other|contains: 'zz'\n  condition: sel and wide and mixed and plain\n";
    let file = SigmaFile::parse("t.yml", source);
    let rule = file.rules().next().unwrap();
    let analysis = sigma_core::analysis::Analysis::new(rule, &CompileOptions::default()).unwrap();
    let facts = Facts::of(rule, &analysis);
    assert_eq!(
        facts.fields["CommandLine"].offset_values,
        vec![b"IEX".to_vec(), b"Invoke-Mimikatz".to_vec()]
    );
    assert_eq!(
        facts.fields["ScriptBlock"].offset_values,
        vec![b"h\0t\0t\0p\0".to_vec()]
    );
    // `Other` also has a plain `contains`: re-encoding it would break that.
    assert!(facts.fields["Other"].offset_values.is_empty());

    let cx = Context {
        rule,
        compile: &CompileOptions::default(),
        analysis: &analysis,
        facts: &facts,
    };
    // base64("abc") is "YWJj".
    let witness = serde_json::json!({"CommandLine": "", "ScriptBlock": "", "Other": "YWJj zz"});
    for offset in 0..3u8 {
        let shifted = cx.shift_offsets(&witness, offset, "--").expect("changed");
        let text = shifted["CommandLine"].as_str().unwrap();
        let plain = base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap();
        let first = plain.windows(3).position(|w| w == b"IEX").unwrap();
        assert_eq!(first, usize::from(offset));
        let second = plain
            .windows(15)
            .position(|w| w == b"Invoke-Mimikatz")
            .unwrap();
        assert_eq!(second, first + 5);
        assert_eq!(shifted["Other"], "YWJj zz");
        assert!(analysis.matches(&shifted), "offset {offset}: {shifted}");
    }

    let report = fuzz_rule(rule, &FuzzOptions { cases: 64, seed: 3 }).unwrap();
    assert_eq!(report.failures, Vec::new());
}
