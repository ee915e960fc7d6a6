//! The SigmaHQ snapshot of `../shared/sigmahq` as a test: every rule
//! compiles (only undefined `expand` placeholders may stop one), no rule in
//! any folder (deprecated and unsupported included) makes the compiler
//! panic, and every regression event file matches its rule.
//!
//! Skipped, with a message, when `../shared` (or `$SIGMA_SHARED`) is absent.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use sigma_core::event::Event;
use sigma_core::matcher::{CompileOptions, CompiledRule, Prefilter};
use sigma_core::rule::SigmaFile;

mod common;
use common::shared;

fn collect(dir: &Path, extension: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, extension, out);
        } else if path.extension().is_some_and(|e| e == extension) {
            out.push(path);
        }
    }
}

/// SigmaHQ's regression JSON is the evtx rendering; rules name the fields
/// of `System` and `EventData` directly.
fn flatten(record: &Value) -> Value {
    let event = record.get("Event").unwrap_or(record);
    let mut flat = Map::new();
    if let Some(Value::Object(system)) = event.get("System") {
        for (key, value) in system {
            match value {
                Value::Object(inner) => {
                    if let Some(text) = inner.get("#text") {
                        flat.insert(key.clone(), text.clone());
                    }
                }
                other => {
                    flat.insert(key.clone(), other.clone());
                }
            }
        }
    }
    if let Some(Value::Object(data)) = event.get("EventData") {
        for (key, value) in data {
            flat.insert(key.clone(), value.clone());
        }
    }
    Value::Object(flat)
}

#[test]
fn sigmahq_rules_compile_and_match_their_regression_events() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared not found");
        return;
    };
    let root = shared.join("sigmahq");
    let options = CompileOptions::default();
    let mut failures = Vec::new();
    let mut compiled_by_id = std::collections::HashMap::new();
    let mut total = 0;

    for folder in [
        "rules",
        "rules-emerging-threats",
        "rules-threat-hunting",
        "rules-compliance",
        "rules-dfir",
        "rules-placeholder",
        "deprecated",
        "unsupported",
    ] {
        let mut paths = Vec::new();
        collect(&root.join(folder), "yml", &mut paths);
        let strict = folder.starts_with("rules");
        for path in paths {
            let Ok(file) = SigmaFile::read(&path) else {
                failures.push(format!("{}: unreadable", path.display()));
                continue;
            };
            for rule in file.rules() {
                total += 1;
                match CompiledRule::compile(rule, &options) {
                    Ok(compiled) => {
                        if let Some(id) = &rule.header.id {
                            compiled_by_id.insert(id.value.clone(), compiled);
                        }
                    }
                    Err(errors) if strict => {
                        for error in errors
                            .iter()
                            .filter(|e| !e.message.starts_with("placeholder"))
                        {
                            failures.push(format!("{}:{error}", path.display()));
                        }
                    }
                    Err(_) => {}
                }
            }
        }
    }

    let mut jsons = Vec::new();
    collect(&root.join("regression_data"), "json", &mut jsons);
    let mut checked = 0;
    for json in &jsons {
        let id = json
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let Some(rule) = compiled_by_id.get(id) else {
            continue;
        };
        let text = std::fs::read_to_string(json).unwrap_or_default();
        let events: Vec<Event> = serde_json::Deserializer::from_str(&text)
            .into_iter::<Value>()
            .map_while(Result::ok)
            .map(|v| Event::new(flatten(&v)))
            .collect();
        checked += 1;
        if !events.iter().any(|e| rule.matches(e)) {
            failures.push(format!("{}: no event matches rule {id}", json.display()));
        }
    }

    eprintln!("{total} rules compiled, {checked} regression files checked");
    assert!(total > 3000, "only {total} rules found");
    assert!(checked > 100, "only {checked} regression files checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The cross-rule prefilter never drops a match: over every SigmaHQ rule
/// and every regression event, a rule that matches is always a candidate,
/// so the prefiltered verdicts equal evaluating every rule.
#[test]
fn prefilter_keeps_every_sigmahq_match() {
    let Some(shared) = shared() else {
        eprintln!("skipped: ../shared not found");
        return;
    };
    let root = shared.join("sigmahq");
    let options = CompileOptions::default();
    let mut paths = Vec::new();
    collect(&root.join("rules"), "yml", &mut paths);
    paths.sort();
    let mut rules = Vec::new();
    for path in &paths {
        let Ok(file) = SigmaFile::read(path) else {
            continue;
        };
        for rule in file.rules() {
            if let Ok(compiled) = CompiledRule::compile(rule, &options) {
                rules.push(compiled);
            }
        }
    }
    let trees: Vec<_> = rules.iter().map(CompiledRule::predicates).collect();
    let prefilter = Prefilter::new(&trees);

    let mut jsons = Vec::new();
    collect(&root.join("regression_data"), "json", &mut jsons);
    jsons.sort();
    let (mut events, mut matches, mut skipped, mut missed) = (0, 0, 0, Vec::new());
    for json in &jsons {
        let text = std::fs::read_to_string(json).unwrap_or_default();
        let stream = serde_json::Deserializer::from_str(&text).into_iter::<Value>();
        for value in stream.map_while(Result::ok) {
            let event = Event::new(flatten(&value));
            let candidates = prefilter.candidates(&event);
            events += 1;
            skipped += rules.len() - candidates.len();
            for (index, rule) in rules.iter().enumerate() {
                if rule.matches(&event) {
                    matches += 1;
                    if !candidates.contains(index) {
                        missed.push(format!("{}: rule #{index}", json.display()));
                    }
                }
            }
        }
    }

    eprintln!(
        "{} rules, {} prefiltered; {events} events, {matches} matches, {skipped} of {} \
         evaluations skipped",
        rules.len(),
        prefilter.filtered(),
        events * rules.len()
    );
    assert!(missed.is_empty(), "matches dropped:\n{}", missed.join("\n"));
    assert!(
        events > 100 && matches > 100,
        "{events} events, {matches} matches"
    );
    // Most rules must be ruled out on most events, or the prefilter gains
    // nothing.
    assert!(
        skipped * 10 > events * rules.len() * 7,
        "only {skipped} skipped"
    );
}
