//! The JSON and JSONL reader.
//!
//! One reader serves every JSON layout seen in practice: a single object, an
//! array of objects, and objects written one after another, whether one per
//! line (JSONL) or pretty-printed back to back (as SigmaHQ's regression
//! `.json` files hold several events).
//!
//! [`parse`] takes a whole text. A JSONL stream of any size is read with
//! [`LineBatches`] a batch of lines at a time and each line parsed with
//! [`parse_line`], so memory stays bounded by the batch, not the file.

use std::io::{self, BufRead};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{span_at, windows, EventError};
use crate::span::Span;

/// Parses every event of `text`, read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<Vec<Value>, EventError> {
    let mut events = Vec::new();
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    let mut start = 0;
    loop {
        let value = match stream.next() {
            None => break,
            Some(Ok(value)) => value,
            Some(Err(error)) => {
                let span = span_at(text, error.line(), error.column());
                let message = format!("invalid JSON: {}", without_position(&error));
                return Err(EventError::new(path, message).at(span).event(events.len()));
            }
        };
        let value_start = start + leading_whitespace(text.get(start..).unwrap_or_default());
        start = stream.byte_offset();

        match value {
            Value::Object(_) => events.push(value),
            Value::Array(items) => {
                for item in items {
                    if !item.is_object() {
                        return Err(not_an_object(path, text, value_start, &item, events.len()));
                    }
                    events.push(item);
                }
            }
            other => return Err(not_an_object(path, text, value_start, &other, events.len())),
        }
    }
    Ok(events)
}

/// The longest line of a JSONL stream: a longer one is an error for that
/// line (an event of 16 MiB is a mistake), not an unbounded allocation.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// One line of a JSONL stream, as read.
#[derive(Clone, Debug, Default)]
pub struct RawLine {
    /// 1-based line number in the file.
    pub number: usize,
    /// Byte offset of the line's start in the file.
    pub offset: usize,
    /// The line without its end (`\n`, `\r\n`); empty when too long.
    pub bytes: Vec<u8>,
    /// The line was longer than [`MAX_LINE_BYTES`] and was skipped.
    pub too_long: bool,
}

/// Reads a JSONL stream a batch of lines at a time.
///
/// Lines are handed out raw so that parsing, the expensive part, can run
/// in parallel over a batch while the file is read serially.
#[derive(Debug)]
pub struct LineBatches<R> {
    reader: R,
    path: PathBuf,
    number: usize,
    offset: usize,
}

impl<R: BufRead> LineBatches<R> {
    /// A reader of the stream `reader`, which was opened from `path`.
    pub fn new(path: &Path, reader: R) -> Self {
        LineBatches {
            reader,
            path: path.to_owned(),
            number: 0,
            offset: 0,
        }
    }

    /// Replaces the content of `batch` with up to `max` next lines; `false`
    /// when the stream had no line left. A read error ends the stream.
    pub fn next_batch(&mut self, batch: &mut Vec<RawLine>, max: usize) -> Result<bool, EventError> {
        batch.clear();
        while batch.len() < max.max(1) {
            let mut line = RawLine {
                number: self.number + 1,
                offset: self.offset,
                ..RawLine::default()
            };
            let read = self.read_line(&mut line).map_err(|e| {
                EventError::new(&self.path, format!("cannot read line {}: {e}", line.number))
            })?;
            if read == 0 {
                break;
            }
            self.number += 1;
            self.offset += read;
            if line.number == 1 && line.bytes.starts_with(b"\xef\xbb\xbf") {
                line.bytes.drain(..3);
            }
            batch.push(line);
        }
        Ok(!batch.is_empty())
    }

    /// Reads one line into `line`; the bytes consumed (0 at the end).
    fn read_line(&mut self, line: &mut RawLine) -> io::Result<usize> {
        let mut consumed = 0;
        loop {
            let available = match self.reader.fill_buf() {
                Ok(buffer) => buffer,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let (part, used, ended) = match memchr::memchr(b'\n', available) {
                Some(at) => (available.get(..at).unwrap_or_default(), at + 1, true),
                None => (available, available.len(), false),
            };
            if !line.too_long && line.bytes.len() + part.len() > MAX_LINE_BYTES {
                line.too_long = true;
                line.bytes = Vec::new();
            }
            if !line.too_long {
                line.bytes.extend_from_slice(part);
            }
            self.reader.consume(used);
            consumed += used;
            if ended {
                break;
            }
        }
        if line.bytes.last() == Some(&b'\r') {
            line.bytes.pop();
        }
        Ok(consumed)
    }
}

/// The events of one line of a JSONL stream read from `path`, Windows
/// events flattened: none for a blank line, usually one. Errors point at
/// the line and column in the file; they carry no event index, since the
/// events before the line may not have been counted yet.
pub fn parse_line(path: &Path, line: &RawLine) -> Result<Vec<Value>, EventError> {
    let at_line = |column: usize| Span {
        start: line.offset,
        end: line.offset,
        location: crate::span::Location {
            line: u32::try_from(line.number).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        },
    };
    if line.too_long {
        let message = format!("line longer than {MAX_LINE_BYTES} bytes");
        return Err(EventError::new(path, message).at(at_line(1)));
    }
    let text = std::str::from_utf8(&line.bytes).map_err(|e| {
        let at = line.offset + e.valid_up_to();
        EventError::new(
            path,
            format!("not valid UTF-8 (first bad byte at offset {at})"),
        )
        .at(at_line(1))
    })?;
    let events = parse(path, text).map_err(|mut error| {
        if let Some(span) = error.span.as_mut() {
            span.start += line.offset;
            span.end += line.offset;
            span.location.line = at_line(1).location.line;
        }
        error.index = None;
        error
    })?;
    Ok(events.into_iter().map(windows::flatten).collect())
}

fn not_an_object(path: &Path, text: &str, at: usize, value: &Value, index: usize) -> EventError {
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    let before = text.get(..at).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let message = format!("an event must be a JSON object, found {kind}");
    EventError::new(path, message)
        .at(span_at(text, line, column))
        .event(index)
}

fn leading_whitespace(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// serde_json appends " at line L column C"; the span already says where.
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Vec<Value> {
        parse(Path::new("e.json"), text).unwrap()
    }

    #[test]
    fn reads_one_object_an_array_and_a_stream() {
        assert_eq!(parse_ok(r#"{"a": 1}"#), vec![serde_json::json!({"a": 1})]);
        assert_eq!(parse_ok(r#"[{"a": 1}, {"a": 2}]"#).len(), 2);
        let stream = "{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n";
        assert_eq!(parse_ok(stream)[1]["a"], 2);
        assert_eq!(parse_ok("{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n").len(), 3);
        assert!(parse_ok("  \n").is_empty());
    }

    #[test]
    fn syntax_error_is_located() {
        let error = parse(Path::new("e.json"), "{\"a\": 1}\n{\"b\": }\n").unwrap_err();
        let span = error.span.unwrap();
        assert_eq!((span.location.line, span.location.column), (2, 7));
        assert_eq!(error.index, Some(1));
        assert!(
            error.message.starts_with("invalid JSON: expected value"),
            "{error}"
        );
    }

    #[test]
    fn non_object_event_is_located() {
        let error = parse(Path::new("e.jsonl"), "{\"a\": 1}\n  \"text\"\n").unwrap_err();
        assert_eq!(
            error.message,
            "an event must be a JSON object, found a string"
        );
        let span = error.span.unwrap();
        assert_eq!((span.location.line, span.location.column), (2, 3));
        assert_eq!(error.index, Some(1));
    }

    fn batches(text: &[u8], max: usize) -> Vec<Vec<RawLine>> {
        let mut reader = LineBatches::new(Path::new("e.jsonl"), text);
        let mut all = Vec::new();
        let mut batch = Vec::new();
        while reader.next_batch(&mut batch, max).unwrap() {
            all.push(batch.clone());
        }
        all
    }

    #[test]
    fn lines_come_in_batches_with_numbers_and_offsets() {
        let text = b"\xef\xbb\xbf{\"a\": 1}\r\n\n{\"a\": 2}\n{\"a\": 3}";
        let found = batches(text, 2);
        assert_eq!(found.len(), 2);
        let lines: Vec<&RawLine> = found.iter().flatten().collect();
        let numbers: Vec<usize> = lines.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4]);
        assert_eq!(lines[0].bytes, b"{\"a\": 1}");
        assert!(lines[1].bytes.is_empty());
        assert_eq!((lines[2].offset, lines[3].offset), (14, 23));
        assert_eq!(lines[3].bytes, b"{\"a\": 3}");
        let events: Vec<Value> = lines
            .iter()
            .flat_map(|l| parse_line(Path::new("e.jsonl"), l).unwrap())
            .collect();
        assert_eq!(events.len(), 3);
        assert_eq!(events[2]["a"], 3);
    }

    #[test]
    fn a_bad_line_is_located_in_the_file() {
        let text = b"{\"a\": 1}\n{\"a\": 2}\n{\"b\": }\n";
        let lines: Vec<RawLine> = batches(text, 10).concat();
        let error = parse_line(Path::new("e.jsonl"), &lines[2]).unwrap_err();
        let span = error.span.unwrap();
        assert_eq!((span.location.line, span.location.column), (3, 7));
        assert_eq!(&text[span.start..span.end], b"}");
        assert!(error.message.starts_with("invalid JSON"), "{error}");

        let bad = RawLine {
            number: 7,
            offset: 100,
            bytes: b"{\"a\": \"\xff\"}".to_vec(),
            too_long: false,
        };
        let error = parse_line(Path::new("e.jsonl"), &bad).unwrap_err();
        assert_eq!(
            error.message,
            "not valid UTF-8 (first bad byte at offset 107)"
        );
        assert_eq!(error.span.unwrap().location.line, 7);
    }

    #[test]
    fn an_overlong_line_is_skipped_with_an_error() {
        let mut text = vec![b' '; MAX_LINE_BYTES + 10];
        text.extend_from_slice(b"\n{\"a\": 1}\n");
        let lines: Vec<RawLine> = batches(&text, 10).concat();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].too_long && lines[0].bytes.is_empty());
        let error = parse_line(Path::new("e.jsonl"), &lines[0]).unwrap_err();
        assert!(error.message.starts_with("line longer than"), "{error}");
        assert_eq!(
            parse_line(Path::new("e.jsonl"), &lines[1]).unwrap().len(),
            1
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        let error = parse(Path::new("e.json"), &text).unwrap_err();
        assert!(error.message.contains("recursion limit"), "{error}");
    }
}
