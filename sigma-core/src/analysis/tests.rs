use super::*;
use crate::rule::SigmaFile;
use serde_json::json;

fn analyse(detection: &str) -> (SigmaFile, Analysis) {
    let source = format!("title: t\ndetection:\n{detection}");
    let file = SigmaFile::parse("t.yml", source);
    let analysis = {
        let rule = file.rules().next().expect("a rule");
        Analysis::new(rule, &CompileOptions::default()).expect("compiles")
    };
    (file, analysis)
}

fn kinds(detection: &str) -> Vec<(FindingKind, String)> {
    let (file, analysis) = analyse(detection);
    let rule = file.rules().next().expect("a rule");
    semantic_findings(rule, &analysis)
        .into_iter()
        .map(|f| (f.kind, file.source[f.span.start..f.span.end].to_owned()))
        .collect()
}

#[test]
fn stages_split_selections_and_each_filter() {
    let (_, analysis) = analyse(
        "  sel: {a: 1}\n  other: {b: 2}\n  filter_x: {c: 3}\n  filter_y: {d: 4}\n  \
         condition: sel and other and not 1 of filter_*\n",
    );
    let shape: Vec<(StageKind, String)> =
        analysis.stages.iter().map(|s| (s.kind, s.name())).collect();
    assert_eq!(
        shape,
        vec![
            (StageKind::Required, "sel".to_owned()),
            (StageKind::Required, "other".to_owned()),
            (StageKind::Exclusion, "filter_x".to_owned()),
            (StageKind::Exclusion, "filter_y".to_owned()),
        ]
    );
}

#[test]
fn witness_satisfies_selection_and_avoids_filter() {
    let (_, analysis) = analyse(
        "  sel:\n    Image|endswith: '\\rundll32.exe'\n    CommandLine|contains|all: [',', \
         'Start']\n  filter:\n    Image|startswith: 'C:\\Windows\\'\n  condition: sel and not \
         filter\n",
    );
    let witness = analysis.witness();
    let event = witness.witness().expect("a witness");
    assert!(analysis.matches(event), "{event}");
    assert_eq!(event["Image"], json!("\\rundll32.exe"));
    assert_eq!(event["CommandLine"], json!(",Start"));
}

#[test]
fn exclusion_and_stage_events_are_built() {
    let (_, analysis) = analyse(
        "  sel:\n    EventID: 4688\n    CommandLine|contains: ' -enc '\n  filter:\n    \
         ParentImage|endswith: '\\ccm.exe'\n  condition: sel and not filter\n",
    );
    let applies = analysis.exclusion_applies(1, &Fill::plain());
    let event = applies.witness().expect("an excluded event");
    assert!(!analysis.matches(event));
    assert_eq!(event["ParentImage"], json!("\\ccm.exe"));
    assert_eq!(event["EventID"], json!(4688));
    let broken = analysis.stage_breaks(0, &Fill::plain());
    assert!(!analysis.matches(broken.witness().expect("a broken event")));
}

#[test]
fn contradictions_are_proven() {
    // Two exact values for one field.
    let (_, a) =
        analyse("  sel:\n    EventID: 1\n  other:\n    EventID: 2\n  condition: sel and other\n");
    assert!(matches!(a.witness(), Outcome::Impossible(_)));
    // Bounds with no number between.
    let (_, a) =
        analyse("  sel:\n    n|gt: 10\n  other:\n    n|lt: 5\n  condition: sel and other\n");
    assert!(matches!(a.witness(), Outcome::Impossible(_)));
    // Null against a value.
    let (_, a) =
        analyse("  sel:\n    x: null\n    y: 1\n  o:\n    x: 'a'\n  condition: sel and o\n");
    assert!(matches!(a.witness(), Outcome::Impossible(_)));
    // Different case under `cased` is not a contradiction for a plain value.
    let (_, a) =
        analyse("  sel:\n    x: 'abc'\n  o:\n    x|cased: 'ABC'\n  condition: sel and o\n");
    assert!(a.witness().witness().is_some());
}

#[test]
fn number_and_text_tests_are_not_confused() {
    // `04688` passes both: no false proof.
    let (_, a) = analyse("  sel:\n    n: 4688\n  o:\n    n: '04688'\n  condition: sel and o\n");
    assert!(!matches!(a.witness(), Outcome::Impossible(_)));
}

#[test]
fn findings_name_the_right_places() {
    let found = kinds(
        "  sel:\n    Image|endswith: '\\cmd.exe'\n  filter:\n    Image|contains: 'cmd'\n  \
         condition: sel and not filter\n",
    );
    assert_eq!(
        found,
        vec![(FindingKind::ExclusionSuppressesAll, "filter".to_owned())]
    );

    let found = kinds(
        "  sel:\n    Image|endswith: '\\cmd.exe'\n  filter:\n    Image|endswith: '\\pwsh.exe'\n  \
         condition: sel and not filter\n",
    );
    assert_eq!(
        found,
        vec![(FindingKind::DeadExclusion, "filter".to_owned())]
    );

    let found = kinds(
        "  sel:\n    CommandLine|contains:\n      - 'abc'\n      - 'abcd'\n  condition: sel\n",
    );
    assert_eq!(
        found,
        vec![(FindingKind::RedundantValue, "'abcd'".to_owned())]
    );

    let found = kinds("  sel:\n    a|contains|all: 'x'\n    b|windash: 'y z'\n  condition: sel\n");
    assert_eq!(
        found,
        vec![
            (FindingKind::UselessModifier, "all".to_owned()),
            (FindingKind::UselessModifier, "windash".to_owned())
        ]
    );

    let found = kinds(
        "  sel:\n    Image|endswith: '\\cmd.exe'\n  img:\n    Image|contains: 'cmd'\n  \
         condition: sel and img\n",
    );
    assert!(
        found.contains(&(FindingKind::ImpliedStage, "img".to_owned())),
        "{found:?}"
    );
}

#[test]
fn regex_keyword_and_fieldref_witnesses() {
    let (_, a) = analyse(
        "  sel:\n    CommandLine|re: '^cmd\\.exe /c [a-z]{3}$'\n  kw:\n    - 'mimikatz'\n  \
         ref:\n    Target|fieldref: Source\n  condition: sel and kw and ref\n",
    );
    let event = a.witness();
    let event = event.witness().expect("witness");
    assert!(a.matches(event), "{event}");
}

/// Minimal rules of our own with the shapes of findings checked by hand
/// in the SigmaHQ snapshot (see the report of `tests/corpus_analysis.rs`).
#[test]
fn findings_seen_in_the_corpus() {
    let messages = |detection: &str| -> Vec<(FindingKind, String, String)> {
        let (file, analysis) = analyse(detection);
        let rule = file.rules().next().expect("a rule");
        semantic_findings(rule, &analysis)
            .into_iter()
            .map(|f| {
                (
                    f.kind,
                    file.source[f.span.start..f.span.end].to_owned(),
                    f.message,
                )
            })
            .collect()
    };

    // A filter another filter already covers (case-insensitively).
    let found = messages(
        "  sel:\n    EventID: 7\n  filter_a:\n    Cmd|contains: ['StopJob', 'StartJob']\n  \
         filter_b:\n    Cmd|contains: 'startjob'\n  condition: sel and not 1 of filter_*\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0, found[0].1.as_str()),
        (FindingKind::DeadExclusion, "filter_b")
    );
    assert!(
        found[0].2.contains("other filters already remove"),
        "{}",
        found[0].2
    );

    // A filter whose end contradicts the selection's end.
    let found = messages(
        "  sel:\n    Path|endswith: '.log'\n  filter:\n    Path|startswith: 'D:\\Logs\\'\n    \
         Path|endswith: '\\Logs\\'\n  condition: sel and not filter\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].2.contains("contradicts the selection"),
        "{}",
        found[0].2
    );

    // Null and empty filters beside a selection that needs text.
    let found = messages(
        "  sel:\n    Cmd|endswith: '\\a.exe'\n  filter_empty:\n    Cmd: ''\n  filter_null:\n    \
         Cmd: null\n  condition: sel and not 1 of filter_*\n",
    );
    let names: Vec<&str> = found.iter().map(|f| f.1.as_str()).collect();
    assert_eq!(names, vec!["filter_empty", "filter_null"]);

    // `1 of sel_*` that includes a selection also required on its own.
    let found = messages(
        "  sel_ext:\n    Cmd|contains: '.js'\n  sel_dir:\n    Cmd|contains: '\\Temp\\'\n  \
         condition: 1 of sel_* and sel_ext\n",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, FindingKind::ImpliedStage);

    // A keyword that contains another keyword of the same list.
    let found =
        messages("  kw:\n    - 'nc -e /bin/sh'\n    - 'x; nc -e /bin/sh'\n  condition: kw\n");
    assert_eq!(
        found
            .iter()
            .map(|f| (f.0, f.1.as_str()))
            .collect::<Vec<_>>(),
        vec![(FindingKind::RedundantValue, "'x; nc -e /bin/sh'")]
    );

    // `windash` on a slash glued to a word, and `contains` on `*`.
    let found = messages(
        "  sel:\n    Cmd|contains|windash: 'run/q'\n    Err|contains: '*'\n  condition: sel\n",
    );
    let kinds: Vec<(FindingKind, &str)> = found.iter().map(|f| (f.0, f.1.as_str())).collect();
    assert_eq!(
        kinds,
        vec![
            (FindingKind::UselessModifier, "windash"),
            (FindingKind::UselessModifier, "contains")
        ]
    );
}

/// `impossible` must give exactly what the full search gives when that is
/// `Impossible`, and nothing otherwise, for every goal the linter asks.
fn assert_decide_agrees(analysis: &Analysis) {
    let mut goals = vec![Goal::Match];
    goals.extend((0..analysis.stages.len()).map(Goal::Flip));
    for goal in goals {
        let full = match analysis.solve(&analysis.goal(goal), &Fill::plain()) {
            Outcome::Impossible(conflict) => Some(conflict),
            _ => None,
        };
        assert_eq!(analysis.goal_impossible(goal), full, "{goal:?}");
    }
}

#[test]
fn deciding_agrees_with_the_full_search() {
    for detection in [
        // Witnesses everywhere.
        "  sel:\n    Image|endswith: '\\cmd.exe'\n  filter:\n    Image|startswith: 'C:\\'\n  \
         condition: sel and not filter\n",
        // A filter implied by the selection.
        "  sel:\n    Image|endswith: '\\cmd.exe'\n  filter:\n    Image|contains: 'cmd'\n  \
         condition: sel and not filter\n",
        // A stage the other implies.
        "  sel:\n    Image|endswith: '\\cmd.exe'\n  other:\n    Image|endswith: '.exe'\n  \
         condition: sel and other\n",
        // Fixed values that inert literals rule out one by one.
        "  sel:\n    CommandLine|windash: '-a'\n  filter:\n    CommandLine: ['-a', '/a', \
         '\u{2013}a', '\u{2014}a', '\u{2015}a']\n  condition: sel and not filter\n",
        // Presence against a value, and an empty list.
        "  sel:\n    a: null\n  other:\n    a|exists: true\n  condition: sel and other\n",
        "  sel:\n    a: []\n  condition: sel\n",
    ] {
        let (_, analysis) = analyse(detection);
        assert_decide_agrees(&analysis);
    }
}

#[test]
fn fixed_values_excluded_by_failing_tests_never_match() {
    // Each filter value is a test that must fail ("inert"); only together
    // do they leave no windash variant of `-a`.
    let found = kinds(
        "  sel:\n    CommandLine|windash: '-a'\n  filter:\n    CommandLine: ['-a', '/a', \
         '\u{2013}a', '\u{2014}a', '\u{2015}a']\n  condition: sel and not filter\n",
    );
    assert_eq!(
        found.first().map(|(k, _)| *k),
        Some(FindingKind::ExclusionSuppressesAll)
    );
    let fewer = kinds(
        "  sel:\n    CommandLine|windash: '-a'\n  filter:\n    CommandLine: ['-a', '/a', \
         '\u{2013}a', '\u{2014}a']\n  condition: sel and not filter\n",
    );
    assert!(
        fewer
            .iter()
            .all(|(k, _)| *k != FindingKind::ExclusionSuppressesAll),
        "{fewer:?}"
    );
}

#[test]
fn a_long_list_that_must_fail_is_checked_in_one_pass() {
    // 5,000 values that must all fail when the selection is flipped: the
    // search walks them once (quadratic checking took seconds here).
    let values: Vec<String> = (0..5000).map(|i| format!("'h{i:05}'")).collect();
    let detection = format!(
        "  sel:\n    Hashes|contains: [{}]\n  condition: sel\n",
        values.join(", ")
    );
    let (_, analysis) = analyse(&detection);
    assert_decide_agrees(&analysis);
    assert!(analysis.goal_impossible(Goal::Flip(0)).is_none());
}

#[test]
fn matchers_are_built_on_first_use_and_agree() {
    let (_, analysis) = analyse(
        "  sel:\n    Image|endswith: '\\cmd.exe'\n  filter:\n    CommandLine|re: 'a+b'\n  \
         condition: sel and not filter\n",
    );
    assert!(analysis.matches(&json!({"Image": "C:\\cmd.exe"})));
    assert!(!analysis.matches(&json!({"Image": "C:\\cmd.exe", "CommandLine": "xaab"})));
    let event = Event::new(json!({"CommandLine": "aab"}));
    assert!(analysis.stage_holds(1, &event));
    assert!(!analysis.stage_holds(0, &event));
}

#[test]
fn a_regex_that_does_not_compile_fails_the_analysis_at_its_value() {
    let source = "title: t\ndetection:\n  sel:\n    a|re: '(('\n  condition: sel\n";
    let file = SigmaFile::parse("t.yml", source);
    let rule = file.rules().next().expect("a rule");
    let errors = Analysis::new(rule, &CompileOptions::default()).expect_err("bad regex");
    let matcher = crate::matcher::CompiledRule::compile(rule, &CompileOptions::default())
        .expect_err("bad regex");
    assert_eq!(errors, matcher);
    assert_eq!(&source[errors[0].span.start..errors[0].span.end], "'(('");
}

/// Sixteen filters of two tests each, then one the flipped goal requires:
/// walked in condition order, each of the 65,536 ways to fail the first
/// sixteen meets the last one's test only at the end.
fn thrashing_rule(last: &str) -> String {
    let mut detection = String::from("  sel:\n    Image|endswith: '.exe'\n");
    for i in 1..=16 {
        detection.push_str(&format!(
            "  filter_{i:02}:\n    Image|startswith: 'C:\\A{i}\\'\n    \
             CommandLine|contains: 'x{i}'\n"
        ));
    }
    detection.push_str(&format!(
        "  filter_last:\n{last}  condition: sel and not 1 of filter_*\n"
    ));
    detection
}

#[test]
fn a_thrashing_walk_is_settled_by_the_probe() {
    let (_, analysis) = analyse(&thrashing_rule("    Image: 'C:\\A1\\b.exe'\n"));
    let last = analysis.stages.len() - 1;
    // The full walk gives up (budget); the probe finds a branch that
    // fails `filter_01` by its command line instead.
    assert_eq!(
        analysis.solve(&analysis.goal(Goal::Flip(last)), &Fill::plain()),
        Outcome::Unknown
    );
    assert_decide_agrees(&analysis);

    // Here no branch exists, the probe finds none, and the full walk
    // still decides (it too runs out of budget: "unknown", no finding).
    let (_, analysis) = analyse(&thrashing_rule(
        "    Image: 'C:\\A1\\b.exe'\n    CommandLine: 'x1'\n",
    ));
    assert_decide_agrees(&analysis);
}

#[test]
fn a_spent_step_budget_withholds_every_finding_but_says_so() {
    let detection = "  sel:\n    Image|endswith: '\\cmd.exe'\n  filter:\n    \
                     Image|endswith: '\\powershell.exe'\n  condition: sel and not filter\n";
    assert_eq!(
        kinds(detection),
        vec![(FindingKind::DeadExclusion, "filter".to_owned())]
    );

    let (file, analysis) = analyse(detection);
    let analysis = analysis.with_step_budget(1);
    let rule = file.rules().next().expect("a rule");
    let found = semantic_findings(rule, &analysis);

    assert!(analysis.over_budget());
    let spans: Vec<(FindingKind, &str)> = found
        .iter()
        .map(|f| (f.kind, &file.source[f.span.start..f.span.end]))
        .collect();
    assert_eq!(spans, vec![(FindingKind::OverBudget, "sel and not filter")]);
    assert!(
        found[0].message.contains("undecided"),
        "{}",
        found[0].message
    );
}

#[test]
fn an_exact_value_no_spelling_of_which_a_case_sensitive_regex_matches_never_matches() {
    let rule = |regex: &str| {
        format!(
            "  sel:\n    CommandLine: 'RunWizard'\n    CommandLine|re: '{regex}'\n  \
             condition: sel\n"
        )
    };
    let never = |regex: &str| {
        kinds(&rule(regex))
            .iter()
            .any(|(kind, _)| *kind == FindingKind::NeverMatches)
    };

    assert!(never(r"\{[0-9A-F]{8}-"));
    assert!(never("^Wizard"));
    // `RUNWIZARD` is a spelling the exact value lets through.
    assert!(!never("WIZ"));
    assert!(!never("^Run"));
}

/// Rules testers built to break the fixed-value proof: each can match.
#[test]
fn regexes_are_judged_on_every_spelling_of_a_fixed_value() {
    let can_match = [
        "  sel:\n    CommandLine: 'runwizard'\n    CommandLine|re: '(?i)^(?-i:R)un'\n  \
         condition: sel\n",
        "  sel:\n    CommandLine: 'runwizard'\n    CommandLine|re|i: '^(?-i:R)un'\n  \
         condition: sel\n",
        "  sel:\n    CommandLine: 'RUNWIZARD'\n    CommandLine|re|i: '^run(?-i:w)'\n  \
         condition: sel\n",
        "  sel:\n    CommandLine: 'İ'\n    CommandLine|re|i: '^.{2}$'\n  condition: sel\n",
        "  sel:\n    CommandLine: 'İ'\n    CommandLine|re: '^i'\n  condition: sel\n",
        // A negated class is no superset under case folding: `ABC` passes.
        "  sel:\n    F: abc\n    F|re: '^[^a-z]+$'\n  condition: sel\n",
        "  sel:\n    F: abc\n    F|re: '^\\P{Ll}+$'\n  condition: sel\n",
        "  sel:\n    F: ab\n    F|re: '^(?![a-z])..$'\n  condition: sel\n",
        // `k` is also spelled with the Kelvin sign, which is not ASCII.
        "  sel:\n    F: k\n    F|re: '^[^\\x00-\\x7F]$'\n  condition: sel\n",
    ];
    for detection in can_match {
        let found = kinds(detection);
        assert!(
            !found
                .iter()
                .any(|(kind, _)| *kind == FindingKind::NeverMatches),
            "{detection}: {found:?}"
        );
    }

    // No spelling of the value passes: still proven.
    for never in [
        "  sel:\n    CommandLine: 'RunWizard'\n    CommandLine|re|i: '^wizard'\n  \
         condition: sel\n",
        "  sel:\n    F: abc\n    F|re: '^[^a-zA-Z]+$'\n  condition: sel\n",
        "  sel:\n    F: s\n    F|re: '^[^sS]$'\n  condition: sel\n",
    ] {
        assert!(
            kinds(never)
                .iter()
                .any(|(kind, _)| *kind == FindingKind::NeverMatches),
            "{never}"
        );
    }
}
