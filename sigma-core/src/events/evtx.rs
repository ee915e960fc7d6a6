//! The Windows `.evtx` reader.
//!
//! Records are rendered to JSON with attributes kept inline under
//! `#attributes`, the layout SigmaHQ's regression `.json` files use, so one
//! flattening ([`super::windows`]) serves both.

use std::path::Path;

use ::evtx::{EvtxParser, ParserSettings};
use serde_json::Value;

use super::EventError;

/// Reads every record of the `.evtx` file at `path`, in record order.
///
/// A damaged record stops the read with an error naming its index: a partial
/// list of events would make a "no match" verdict look trustworthy.
pub fn read(path: &Path) -> Result<Vec<Value>, EventError> {
    let mut events = Vec::new();
    read_batches(path, usize::MAX, &mut |batch| events.extend(batch))?;
    Ok(events)
}

/// Reads the records of the `.evtx` file at `path` in order, handing them
/// to `each` `batch` at a time, so that a stream of files holds one batch
/// in memory instead of a whole file. A damaged record stops the read with
/// an error naming its index; the batches before it were handed over.
pub fn read_batches(
    path: &Path,
    batch: usize,
    each: &mut dyn FnMut(Vec<Value>),
) -> Result<(), EventError> {
    let parser = EvtxParser::from_path(path)
        .map_err(|e| EventError::new(path, format!("cannot open as .evtx: {e}")))?;
    let settings = ParserSettings::new().separate_json_attributes(false);
    let mut parser = parser.with_configuration(settings);

    let batch = batch.max(1);
    let mut events = Vec::new();
    for (index, record) in parser.records_json_value().enumerate() {
        match record {
            Ok(record) => events.push(record.data),
            Err(e) => {
                let message = format!("cannot read record: {e}");
                return Err(EventError::new(path, message).event(index));
            }
        }
        if events.len() >= batch {
            each(std::mem::take(&mut events));
        }
    }
    if !events.is_empty() {
        each(events);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hand_over_every_record_in_order() {
        let Some(path) = shared_evtx() else {
            eprintln!("skipped: ../shared not found (set SIGMA_SHARED)");
            return;
        };
        let whole = read(&path).expect("readable");
        let mut batches = Vec::new();
        read_batches(&path, 2, &mut |batch| batches.push(batch)).expect("readable");
        assert!(batches.iter().all(|b| !b.is_empty() && b.len() <= 2));
        assert_eq!(batches.concat(), whole);
    }

    /// One `.evtx` file of SigmaHQ's regression data, when `../shared` is there.
    fn shared_evtx() -> Option<std::path::PathBuf> {
        let shared = std::env::var_os("SIGMA_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared")
            });
        let data = shared.join("sigmahq/regression_data");
        walk_evtx(&data)
    }

    fn walk_evtx(dir: &Path) -> Option<std::path::PathBuf> {
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                if let Some(found) = walk_evtx(&path) {
                    return Some(found);
                }
            } else if path.extension().is_some_and(|e| e == "evtx") {
                return Some(path);
            }
        }
        None
    }

    #[test]
    fn a_file_that_is_not_evtx_is_an_error() {
        let dir = std::env::temp_dir().join(format!("sigma-evtx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("fake.evtx");
        std::fs::write(&path, b"this is not an event log").unwrap();
        let error = read(&path).unwrap_err();
        assert!(error.message.starts_with("cannot open as .evtx"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
