//! The JSON and JSONL reader.
//!
//! One reader serves every JSON layout seen in practice: a single object, an
//! array of objects, and objects written one after another, whether one per
//! line (JSONL) or pretty-printed back to back (as SigmaHQ's regression
//! `.json` files hold several events).

use std::path::Path;

use serde_json::Value;

use super::{span_at, EventError};

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

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        let error = parse(Path::new("e.json"), &text).unwrap_err();
        assert!(error.message.contains("recursion limit"), "{error}");
    }
}
