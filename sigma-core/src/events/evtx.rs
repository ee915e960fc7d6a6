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
    let parser = EvtxParser::from_path(path)
        .map_err(|e| EventError::new(path, format!("cannot open as .evtx: {e}")))?;
    let settings = ParserSettings::new().separate_json_attributes(false);
    let mut parser = parser.with_configuration(settings);

    let mut events = Vec::new();
    for record in parser.records_json_value() {
        match record {
            Ok(record) => events.push(record.data),
            Err(e) => {
                let message = format!("cannot read record: {e}");
                return Err(EventError::new(path, message).event(events.len()));
            }
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

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
