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
