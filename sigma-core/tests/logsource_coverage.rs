//! The default log-source mapping knows every Windows log source that
//! SigmaHQ's rules use, except the two with no event-log channel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sigma_core::logsource::{LogSourceKey, LogSourceMap};
use sigma_core::rule::SigmaFile;

mod common;
use common::shared;

fn yaml_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "yml") {
            found.push(path);
        }
    }
}

#[test]
fn every_windows_log_source_of_sigmahq_is_mapped() {
    let Some(shared) = shared() else {
        return;
    };
    let mut files = Vec::new();
    for dir in [
        "rules",
        "rules-emerging-threats",
        "rules-threat-hunting",
        "rules-compliance",
    ] {
        yaml_files(&shared.join("sigmahq").join(dir), &mut files);
    }

    let map = LogSourceMap::default_windows();
    let mut unmapped: BTreeMap<String, usize> = BTreeMap::new();
    let mut mapped = 0;
    for path in &files {
        let file = SigmaFile::read(path).unwrap();
        for rule in file.rules() {
            let key = LogSourceKey::of(&rule.logsource);
            if key.product.as_deref() != Some("windows") {
                continue;
            }
            if map.resolve(&key).is_some() {
                mapped += 1;
            } else {
                *unmapped.entry(key.to_string()).or_default() += 1;
            }
        }
    }
    eprintln!("{mapped} Windows rules mapped; not mapped: {unmapped:?}");
    assert!(mapped > 2800, "{mapped}");
    let names: Vec<&str> = unmapped.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        vec![
            "product: windows, category: file_access",
            "product: windows, category: file_rename",
        ]
    );
}

#[test]
fn the_regression_data_log_sources_are_mapped() {
    let map = LogSourceMap::default_windows();
    let categories = [
        "process_creation",
        "registry_set",
        "registry_event",
        "registry_delete",
        "file_event",
        "image_load",
        "process_access",
        "pipe_created",
    ];
    for category in categories {
        let key = LogSourceKey::new(Some("windows"), Some(category), None);
        assert!(map.resolve(&key).is_some(), "{category}");
    }
    for service in ["security", "sysmon", "wmi", "windefend", "taskscheduler"] {
        let key = LogSourceKey::new(Some("windows"), None, Some(service));
        assert!(map.resolve(&key).is_some(), "{service}");
    }
}
