//! The `.evtx` and SigmaHQ `.json` renderings of the same regression events
//! must flatten to the same fields, up to the differences SigmaHQ's export
//! introduces (GUID case and braces, time precision, trimmed trailing space).

use std::path::{Path, PathBuf};

use serde_json::Value;
use sigma_core::events;

mod common;
use common::shared;

fn evtx_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            evtx_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "evtx") {
            found.push(path);
        }
    }
}

/// The comparable text of a leaf: SigmaHQ's export upper-cases GUIDs and
/// drops their braces, keeps 6 digits of time and trims trailing space.
fn comparable(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.trim_end().to_owned(),
        other => other.to_string(),
    };
    let text = text
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_ascii_uppercase();
    match text.find('.') {
        Some(dot) if text.ends_with('Z') && text.len() > dot + 7 => {
            format!("{}Z", &text[..dot + 7])
        }
        _ => text,
    }
}

#[test]
fn evtx_and_json_flatten_alike() {
    let Some(shared) = shared() else {
        return;
    };
    let mut files = Vec::new();
    evtx_files(&shared.join("sigmahq/regression_data"), &mut files);
    assert!(!files.is_empty(), "no .evtx under regression_data");

    let (mut pairs, mut events_seen, mut mismatches) = (0, 0, Vec::new());
    for evtx in &files {
        let json = evtx.with_extension("json");
        if !json.exists() {
            continue;
        }
        let from_evtx = events::read_file(evtx).unwrap();
        let from_json = events::read_file(&json).unwrap();
        assert_eq!(from_evtx.len(), from_json.len(), "{}", evtx.display());
        pairs += 1;

        for (a, b) in from_evtx.iter().zip(&from_json) {
            events_seen += 1;
            let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
                panic!("events must be objects");
            };
            for (name, value) in a {
                if name == "Event" || name == "ParentCommandLine" && value.is_string() {
                    continue;
                }
                let other = b.get(name).map(comparable);
                if other.as_deref() != Some(comparable(value).as_str()) {
                    mismatches.push(format!("{} {name}: {value} vs {other:?}", json.display()));
                }
            }
            assert_eq!(a.len(), b.len(), "field count of {}", json.display());
        }
    }
    eprintln!(
        "{pairs} .evtx/.json pairs, {events_seen} events, {} mismatches",
        mismatches.len()
    );
    assert!(pairs >= 100, "{pairs}");
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

/// The shapes `../shared/evtx` holds beyond the regression set (see
/// dependencies.md section 2): EventID with Qualifiers, EventID typed as a
/// string, UserData, `EventData: null`, unnamed `Data`.
#[test]
fn every_sample_evtx_reads_and_flattens() {
    let Some(shared) = shared() else {
        return;
    };
    let mut files = Vec::new();
    evtx_files(&shared.join("evtx"), &mut files);
    files.sort();
    // Every third file: the shapes are spread over the whole set, and the
    // full 870 files take half a minute in a debug build.
    let files: Vec<_> = files.into_iter().step_by(3).collect();

    let (mut total, mut qualifiers, mut user_data, mut unnamed) = (0, 0, 0, 0);
    for file in &files {
        let events = events::read_file(file).unwrap();
        for event in &events {
            let system = &event["Event"]["System"];
            assert!(
                event.get("EventID").is_some_and(Value::is_u64),
                "{}",
                file.display()
            );
            // A data field wins over System: the System log's event 104
            // ("log cleared") names the cleared log in UserData `Channel`,
            // and SigmaHQ's rules for it filter on that value.
            let data_channel = ["EventData", "UserData"].iter().any(|section| {
                let data = &event["Event"][section];
                data.get("Channel").is_some()
                    || data
                        .as_object()
                        .is_some_and(|d| d.values().any(|e| e.get("Channel").is_some()))
            });
            if !data_channel {
                assert_eq!(
                    event.get("Channel"),
                    system.get("Channel"),
                    "{}",
                    file.display()
                );
            }
            if event.get("EventID_Qualifiers").is_some() {
                qualifiers += 1;
            }
            if let Some(Value::Object(elements)) = event["Event"].get("UserData") {
                let fields = elements.values().filter_map(Value::as_object).flatten();
                for (name, _) in fields.filter(|(name, _)| !name.starts_with('#')) {
                    assert!(event.get(name).is_some(), "{name} of {}", file.display());
                }
                user_data += 1;
            }
            if event["Event"]["EventData"]
                .get("Data")
                .is_some_and(Value::is_object)
            {
                assert!(
                    event.get("Data").is_some_and(|d| !d.is_object()),
                    "{}",
                    file.display()
                );
                unnamed += 1;
            }
        }
        total += events.len();
    }
    eprintln!(
        "{} sample .evtx files, {total} events: {qualifiers} with EventID qualifiers, \
         {user_data} with UserData, {unnamed} with unnamed Data",
        files.len()
    );
    assert!(total > 10_000 && qualifiers > 2_000 && user_data > 600 && unnamed > 1_500);
}
