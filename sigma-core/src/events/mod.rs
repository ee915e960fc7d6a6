//! Events: reading them from files, and presenting Windows events under the
//! field names that rules use.
//!
//! Every reader yields plain JSON objects ([`serde_json::Value`]) so that the
//! matcher sees one shape whatever the file format was. Windows events, as
//! the `evtx` crate and SigmaHQ's `.json` renderings lay them out
//! (`Event.System.*`, `Event.EventData.*`), are flattened by [`windows`] so
//! that `Image`, `EventID`, `Channel` and `Provider_Name` are top-level
//! fields.
//!
//! ```
//! use sigma_core::events::{self, EventFormat};
//!
//! let events = events::parse_str(EventFormat::Json, "e.json", r#"[{"a": 1}, {"a": 2}]"#).unwrap();
//! assert_eq!(events.len(), 2);
//! ```

pub mod evtx;
pub mod json;
pub mod windows;
pub mod yaml;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::span::{Location, Span};

/// The largest text event file (JSON, JSONL, YAML) that is read.
///
/// Text files are read whole; a bigger file is almost certainly a mistake
/// (a log archive given by accident) and would only exhaust memory.
/// `.evtx` files are read chunk by chunk and have no such limit.
pub const MAX_TEXT_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The formats events can be read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventFormat {
    /// One JSON object, an array of objects, or objects one after another.
    Json,
    /// One JSON object per line (read like [`EventFormat::Json`]).
    Jsonl,
    /// One YAML document per event, or a document holding a list of events.
    Yaml,
    /// A Windows event log file.
    Evtx,
}

impl EventFormat {
    /// The format a file's extension names, if it names one we read.
    pub fn from_path(path: &Path) -> Option<Self> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "json" => Some(EventFormat::Json),
            "jsonl" | "ndjson" => Some(EventFormat::Jsonl),
            "yml" | "yaml" => Some(EventFormat::Yaml),
            "evtx" => Some(EventFormat::Evtx),
            _ => None,
        }
    }
}

/// Why events could not be read from a file.
#[derive(Clone, Debug, PartialEq, thiserror::Error, miette::Diagnostic)]
pub struct EventError {
    /// What is wrong; lowercase, no trailing period.
    pub message: String,
    /// The file.
    pub path: PathBuf,
    /// Where in a text file, when known.
    #[label("here")]
    pub span: Option<Span>,
    /// Which event (0-based), when the problem belongs to one event.
    pub index: Option<usize>,
}

impl EventError {
    /// An error about the file as a whole.
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        EventError {
            message: message.into(),
            path: path.to_owned(),
            span: None,
            index: None,
        }
    }

    /// The same error, pointing at `span`.
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// The same error, about event `index`.
    pub fn event(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(span) = self.span {
            write!(f, ":{}", span.location)?;
        }
        if let Some(index) = self.index {
            write!(f, " (event {index})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Reads every event of the file at `path`, in the format its extension
/// names, and flattens Windows events (see [`windows::flatten`]).
pub fn read_file(path: &Path) -> Result<Vec<serde_json::Value>, EventError> {
    let Some(format) = EventFormat::from_path(path) else {
        let message = "unknown event file type (expected .json, .jsonl, .yml, .yaml or .evtx)";
        return Err(EventError::new(path, message));
    };

    let events = match format {
        EventFormat::Evtx => evtx::read(path)?,
        EventFormat::Json | EventFormat::Jsonl | EventFormat::Yaml => {
            let text = read_text(path)?;
            parse_raw(format, path, &text)?
        }
    };
    Ok(events.into_iter().map(windows::flatten).collect())
}

/// Parses events of a text `format` from `text`, read from `path`, and
/// flattens Windows events. `.evtx` is binary: use [`read_file`].
pub fn parse_str(
    format: EventFormat,
    path: impl AsRef<Path>,
    text: &str,
) -> Result<Vec<serde_json::Value>, EventError> {
    let events = parse_raw(format, path.as_ref(), text)?;
    Ok(events.into_iter().map(windows::flatten).collect())
}

fn parse_raw(
    format: EventFormat,
    path: &Path,
    text: &str,
) -> Result<Vec<serde_json::Value>, EventError> {
    match format {
        EventFormat::Json | EventFormat::Jsonl => json::parse(path, text),
        EventFormat::Yaml => yaml::parse(path, text),
        EventFormat::Evtx => Err(EventError::new(
            path,
            ".evtx is a binary format and cannot be parsed from text",
        )),
    }
}

/// Reads a text file with a size cap and a clear message for bad UTF-8.
fn read_text(path: &Path) -> Result<String, EventError> {
    let io_error = |e: std::io::Error| EventError::new(path, format!("cannot read: {e}"));
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    if size > MAX_TEXT_FILE_BYTES {
        let message = format!("file is {size} bytes; the limit is {MAX_TEXT_FILE_BYTES}");
        return Err(EventError::new(path, message));
    }

    let bytes = std::fs::read(path).map_err(io_error)?;
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        EventError::new(
            path,
            format!("not valid UTF-8 (first bad byte at offset {at})"),
        )
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(text)
}

/// The span of the character at 1-based `line` and `column` of `text`
/// (columns counted in characters), for parsers that report only those.
pub(crate) fn span_at(text: &str, line: usize, column: usize) -> Span {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(at, _)| at + 1)
    };
    let rest = text.get(line_start..).unwrap_or_default();
    let offset = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(at, _)| at);
    let start = line_start + offset;
    let end = text
        .get(start..)
        .and_then(|s| s.chars().next())
        .map_or(start, |c| start + c.len_utf8());
    Span {
        start,
        end,
        location: Location {
            line: line as u32,
            column: column.max(1) as u32,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(
            EventFormat::from_path(Path::new("a/b.JSON")),
            Some(EventFormat::Json)
        );
        assert_eq!(
            EventFormat::from_path(Path::new("b.jsonl")),
            Some(EventFormat::Jsonl)
        );
        assert_eq!(
            EventFormat::from_path(Path::new("b.yaml")),
            Some(EventFormat::Yaml)
        );
        assert_eq!(
            EventFormat::from_path(Path::new("b.evtx")),
            Some(EventFormat::Evtx)
        );
        assert_eq!(EventFormat::from_path(Path::new("b.txt")), None);
    }

    #[test]
    fn span_at_counts_characters_on_the_line() {
        let text = "ab\né x\n";
        let span = span_at(text, 2, 3);
        assert_eq!(&text[span.start..span.end], "x");
        assert_eq!(span.location, Location { line: 2, column: 3 });
    }

    #[test]
    fn unknown_extension_is_an_error_naming_the_file() {
        let error = read_file(Path::new("events.csv")).unwrap_err();
        assert!(error
            .to_string()
            .starts_with("events.csv: unknown event file type"));
    }

    #[test]
    fn missing_file_is_an_error_not_a_panic() {
        let error = read_file(Path::new("/nonexistent/x.json")).unwrap_err();
        assert!(error.message.starts_with("cannot read"), "{error}");
    }

    #[test]
    fn invalid_utf8_names_the_offset() {
        let dir = std::env::temp_dir().join(format!("sigma-events-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.json");
        std::fs::write(&path, b"{\"a\": \"\xff\"}").unwrap();
        let error = read_file(&path).unwrap_err();
        assert_eq!(
            error.message,
            "not valid UTF-8 (first bad byte at offset 7)"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
