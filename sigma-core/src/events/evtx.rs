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
    check_layout(path, parser.header().chunk_count)?;
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

/// The file header's size; chunks follow it.
const HEADER_BYTES: u64 = 4096;

/// Every chunk's size.
const CHUNK_BYTES: u64 = 65536;

/// What every chunk starts with.
const CHUNK_SIGNATURE: &[u8; 8] = b"ElfChnk\0";

/// Refuses a file the parser would read as fewer records than it holds:
/// the evtx crate stops without an error at a chunk cut short or blanked
/// (a copy interrupted, a disk error), and a "no match" over it would be
/// trusted. A file must end on a chunk boundary, and the chunks its header
/// announces must be there and signed.
fn check_layout(path: &Path, announced: u16) -> Result<(), EventError> {
    use std::io::{Read, Seek, SeekFrom};

    let refuse = |message: String| Err(EventError::new(path, message));
    let mut file = std::fs::File::open(path)
        .map_err(|e| EventError::new(path, format!("cannot read: {e}")))?;
    let length = file
        .metadata()
        .map_err(|e| EventError::new(path, format!("cannot read: {e}")))?
        .len();
    let body = length.saturating_sub(HEADER_BYTES);
    if body % CHUNK_BYTES != 0 {
        let chunk = body / CHUNK_BYTES;
        return refuse(format!(
            "the file is cut short: it ends {} bytes into chunk {chunk} (offset {length}); \
             a chunk is {CHUNK_BYTES} bytes",
            body % CHUNK_BYTES
        ));
    }
    if body / CHUNK_BYTES < u64::from(announced) {
        return refuse(format!(
            "the file is cut short: its header announces {announced} chunks, it holds {}",
            body / CHUNK_BYTES
        ));
    }

    for chunk in 0..u64::from(announced) {
        let offset = HEADER_BYTES + chunk * CHUNK_BYTES;
        let mut signature = [0_u8; 8];
        let read = file
            .seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut signature));
        if read.is_err() || &signature != CHUNK_SIGNATURE {
            return refuse(format!(
                "chunk {chunk} (offset {offset}) does not start with the chunk signature \
                 `ElfChnk`: the file is damaged"
            ));
        }
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

    #[test]
    fn a_file_cut_short_or_blanked_is_an_error_not_an_empty_log() {
        let Some(path) = shared_evtx() else {
            eprintln!("skipped: ../shared not found (set SIGMA_SHARED)");
            return;
        };
        let bytes = std::fs::read(&path).expect("readable");
        let dir = std::env::temp_dir().join(format!("sigma-evtx-cut-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, data: &[u8]| {
            let file = dir.join(name);
            std::fs::write(&file, data).unwrap();
            file
        };

        let half = write("half.evtx", &bytes[..bytes.len() / 2]);
        let error = read(&half).unwrap_err();
        assert!(
            error.message.starts_with("the file is cut short"),
            "{error}"
        );

        let header_only = write("header.evtx", &bytes[..4096]);
        assert!(read(&header_only)
            .unwrap_err()
            .message
            .contains("announces"));

        let mut blank = bytes.clone();
        blank[4096..4096 + 8].fill(0);
        let blanked = write("blank.evtx", &blank);
        let error = read(&blanked).unwrap_err();
        assert!(
            error.message.starts_with("chunk 0 (offset 4096)"),
            "{error}"
        );

        assert!(!read(&path).expect("the original reads").is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
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
