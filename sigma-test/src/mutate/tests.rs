use super::*;
use sigma_core::rule::SigmaFile;

fn tree(detection: &str) -> Expr {
    let file = SigmaFile::parse("t.yml", format!("title: t\ndetection:\n{detection}"));
    let rule = file.rules().next().expect("a rule");
    ir::lower(rule, &CompileOptions::default()).expect("compiles")
}

#[test]
fn every_kind_of_mutant_is_made() {
    let tree = tree(
        "  sel:\n    Image|endswith: ['\\a.exe', '\\b.exe']\n    CommandLine|contains|all: ['x', \
         'y']\n  filter:\n    User|contains: admin\n  condition: sel and not filter\n",
    );
    let names: Vec<String> = mutants(&tree).into_iter().map(|m| m.description).collect();
    assert_eq!(
        names,
        vec![
            "drop the selection `sel`",
            "drop the filter `filter`",
            "remove the value at line 4 column 22 (`sel`)",
            "remove the value at line 4 column 32 (`sel`)",
            "OR -> AND (add `all`) for the list at line 4 column 22 (`sel`)",
            "remove the value at line 5 column 32 (`sel`)",
            "remove the value at line 5 column 37 (`sel`)",
            "AND -> OR (drop `all`) for the list at line 5 column 32 (`sel`)",
            "`contains` -> `startswith` at line 5 column 32 (`sel`)",
            "`contains` -> `startswith` at line 5 column 37 (`sel`)",
            "`contains` -> `startswith` at line 7 column 20 (`filter`)",
        ]
    );
}

#[test]
fn mutants_change_what_matches() {
    let tree = tree("  sel:\n    CommandLine|contains: 'evil'\n  condition: sel\n");
    let all = mutants(&tree);
    assert_eq!(all.len(), 1);
    let compiled = CompiledRule::from_predicates(all[0].tree.clone()).unwrap();
    let event = |v| Event::new(v);
    assert!(compiled.matches(&event(serde_json::json!({"CommandLine": "EVIL x"}))));
    assert!(!compiled.matches(&event(serde_json::json!({"CommandLine": "x evil"}))));
}

/// A fresh repository (`name` tells tests apart) holding `r.yml`: a
/// selection on `Cmd` and a filter on `User`.
fn repo_with_rule(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sigma-mut-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    std::fs::write(
        dir.join("r.yml"),
        "title: t\nlogsource: {category: x}\ndetection:\n  sel:\n    Cmd|contains: evil\n  \
         filter:\n    User: admin\n  condition: sel and not filter\n",
    )
    .unwrap();
    dir
}

#[test]
fn weak_cases_leave_survivors() {
    let dir = repo_with_rule("weak");
    let corpus = crate::discover::discover(std::slice::from_ref(&dir)).unwrap();
    let report = run(&corpus, &RunOptions::default(), &HashMap::new());
    assert_eq!(report.counts(), (0, 3), "no cases: every mutant survives");
    assert_eq!(report.score(), Some(0.0));

    let weak = "rule: r.yml\ncases:\n  - name: a\n    expect: match\n    event: {Cmd: evil}\n";
    std::fs::write(dir.join("c.yml"), weak).unwrap();
    let corpus = crate::discover::discover(std::slice::from_ref(&dir)).unwrap();
    let report = run(&corpus, &RunOptions::default(), &HashMap::new());
    assert_eq!(report.counts(), (0, 3));
    assert_eq!(
        report.rules[0].survivors,
        vec![
            "drop the selection `sel`",
            "drop the filter `filter`",
            "`contains` -> `startswith` at line 5 column 19 (`sel`)"
        ]
    );

    let strong = format!(
        "{weak}  - name: b\n    expect: match\n    event: {{Cmd: 'x evil'}}\n  - name: admin\n    \
         expect: no-match\n    event: {{Cmd: evil, User: admin}}\n  - name: benign\n    \
         expect: no-match\n    event: {{Cmd: fine}}\n"
    );
    std::fs::write(dir.join("c.yml"), strong).unwrap();
    let corpus = crate::discover::discover(std::slice::from_ref(&dir)).unwrap();
    let report = run(&corpus, &RunOptions::default(), &HashMap::new());
    assert_eq!(report.counts(), (3, 3));
    assert_eq!(report.score(), Some(100.0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn rules_whose_cases_fail_give_no_score() {
    let dir = repo_with_rule("fail");
    let failing = "rule: r.yml\ncases:\n  - {name: a, expect: match, event: {Cmd: fine}}\n";
    std::fs::write(dir.join("c.yml"), failing).unwrap();
    let corpus = crate::discover::discover(std::slice::from_ref(&dir)).unwrap();
    let report = run(&corpus, &RunOptions::default(), &HashMap::new());

    assert_eq!(report.counts(), (0, 0));
    assert_eq!(report.score(), None);
    assert_eq!(
        report.not_judged,
        vec![dir.join("r.yml").display().to_string()]
    );
    let mut out = Vec::new();
    let below = crate::quality::mutate_corpus(
        &corpus,
        &RunOptions::default(),
        &HashMap::new(),
        None,
        &mut out,
    );
    assert!(!below.unwrap());
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8(out).unwrap();
    let expected = "mutation score: n/a (no mutant could be judged)\n\
                    mutation: 1 rule not judged, its cases fail as written: ";
    assert!(text.starts_with(expected), "{text}");

    let single = "title: t\nlogsource: {category: x}\ndetection:\n  sel: {Cmd: evil}\n  \
                  condition: sel\n";
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("r.yml"), single).unwrap();
    let corpus = crate::discover::discover(std::slice::from_ref(&dir)).unwrap();
    let mut out = Vec::new();
    let options = RunOptions::default();
    crate::quality::mutate_corpus(&corpus, &options, &HashMap::new(), Some(100.0), &mut out)
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text, "mutation score: n/a (no rule has a mutant)\n");
}
