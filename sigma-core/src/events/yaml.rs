//! The YAML event reader.
//!
//! Each document is one event, or a list of events. Scalars are read with
//! the YAML 1.2 core schema, except that a digit string with a leading zero
//! stays text: `Details: 00000429` in an event must not become `429`.
//!
//! A file is parsed whole, under the YAML tree's node budget
//! ([`crate::yaml::NODE_BUDGET`], 200,000 nodes, aliases expanded): a bigger
//! event file is refused with that limit in the message. Larger logs belong
//! in `.jsonl` (no node limit, only the byte limit of text files) or `.evtx`.

use std::path::Path;

use serde_json::{Map, Value as Json};

use super::EventError;
use crate::yaml::{self, Node, Resolved, Value};

/// Parses every event of `text`, read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<Vec<Json>, EventError> {
    let documents = yaml::parse(text).map_err(|error| {
        EventError::new(path, format!("invalid YAML: {}", error.message)).at(error.span)
    })?;

    let mut events = Vec::new();
    for document in documents {
        let Some(root) = document.root else {
            continue;
        };
        match &root.value {
            Value::Mapping(_) => events.push(to_json(&root)),
            Value::Sequence(items) => {
                for item in items {
                    if item.as_mapping().is_none() {
                        return Err(not_a_mapping(path, item, events.len()));
                    }
                    events.push(to_json(item));
                }
            }
            Value::Scalar(_) if root.is_null() => {}
            Value::Scalar(_) => return Err(not_a_mapping(path, &root, events.len())),
        }
    }
    Ok(events)
}

fn not_a_mapping(path: &Path, node: &Node, index: usize) -> EventError {
    let message = format!("an event must be a mapping, found {}", node.kind_name());
    EventError::new(path, message).at(node.span).event(index)
}

/// Converts an event node to JSON. Also used for events written inline in
/// other YAML files (test cases).
pub fn to_json(node: &Node) -> Json {
    match &node.value {
        Value::Scalar(scalar) => match scalar.resolve() {
            Resolved::Null => Json::Null,
            Resolved::Bool(b) => Json::Bool(b),
            Resolved::Int(_) | Resolved::Float(_) if has_leading_zero(&scalar.text) => {
                Json::String(scalar.text.clone())
            }
            Resolved::Int(i) => Json::from(i),
            Resolved::Float(f) => serde_json::Number::from_f64(f)
                .map_or_else(|| Json::String(scalar.text.clone()), Json::Number),
            Resolved::Str(s) => Json::String(s.to_owned()),
        },
        Value::Sequence(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Mapping(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (key, value) in entries {
                let key = key
                    .as_str()
                    .map_or_else(|| to_json(key).to_string(), str::to_owned);
                map.insert(key, to_json(value));
            }
            Json::Object(map)
        }
    }
}

fn has_leading_zero(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let mut bytes = digits.bytes();
    bytes.next() == Some(b'0') && bytes.next().is_some_and(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_big_event_file_names_the_limit_and_no_alias() {
        let text = "- {EventID: 1}\n".repeat(70_000);
        let error = parse(Path::new("big.yml"), &text).unwrap_err();
        // One sequence, then three nodes a line: node 200,001 is line
        // 66,667's key.
        assert_eq!(
            error.to_string(),
            "big.yml:66667:4: invalid YAML: the file has more than 200000 nodes (the limit)"
        );
    }

    #[test]
    fn documents_and_lists_are_events() {
        let text = "a: 1\n---\n- b: x\n- c: true\n---\n";
        let events = parse(Path::new("e.yml"), text).unwrap();
        assert_eq!(
            events,
            vec![json!({"a": 1}), json!({"b": "x"}), json!({"c": true})]
        );
    }

    #[test]
    fn scalars_keep_what_matching_needs() {
        let text = "Port: 8080\nQuoted: '8080'\nDetails: 00000429\nHex: 0x1F\nNothing: ~\n";
        let events = parse(Path::new("e.yml"), text).unwrap();
        let expected = json!({
            "Port": 8080, "Quoted": "8080", "Details": "00000429", "Hex": 31, "Nothing": null
        });
        assert_eq!(events, vec![expected]);
    }

    #[test]
    fn a_scalar_event_is_located() {
        let error = parse(Path::new("e.yml"), "a: 1\n---\n- {b: 2}\n- just text\n").unwrap_err();
        assert_eq!(error.message, "an event must be a mapping, found a string");
        assert_eq!(error.span.unwrap().location.line, 4);
        assert_eq!(error.index, Some(2));
    }

    #[test]
    fn a_syntax_error_is_located() {
        let error = parse(Path::new("e.yml"), "a: 'open\n").unwrap_err();
        assert!(error.message.starts_with("invalid YAML"), "{error}");
        assert!(error.span.is_some());
    }
}
