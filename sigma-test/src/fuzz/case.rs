//! Events written as ready cases: YAML a rule author can paste into the
//! rule's case file (`cases:` list items), used by the fuzzer's failure
//! reports and by `scaffold`.

use serde_json::Value;

/// One `cases:` item: `- name: ...`, `expect: ...`, `event: ...`, indented
/// by two spaces as under `cases:`.
pub fn case_yaml(name: &str, matches: bool, event: &Value) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "  - name: {}\n",
        scalar(&Value::String(name.to_owned()))
    ));
    let expect = if matches { "match" } else { "no-match" };
    out.push_str(&format!("    expect: {expect}\n"));
    match event {
        Value::Object(map) if !map.is_empty() => {
            out.push_str("    event:\n");
            for (key, value) in map {
                out.push_str(&format!("      {}: {}\n", key_text(key), inline(value)));
            }
        }
        _ => out.push_str("    event: {}\n"),
    }
    out
}

/// A value on one line: scalars as [`scalar`], arrays and objects in flow
/// style.
fn inline(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", key_text(k), inline(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        other => scalar(other),
    }
}

/// A mapping key: plain when it is a simple name, quoted otherwise.
fn key_text(key: &str) -> String {
    let simple = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    let reserved = matches!(
        key.to_ascii_lowercase().as_str(),
        "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n"
    );
    if simple && !reserved {
        key.to_owned()
    } else {
        scalar(&Value::String(key.to_owned()))
    }
}

/// A YAML scalar that reads back as exactly `value`: strings are always
/// quoted (so `true`, `0x10` or `null` stay text), single-quoted when
/// printable, else double-quoted with JSON escapes (a subset of YAML's).
pub fn scalar(value: &Value) -> String {
    match value {
        Value::String(text) => {
            let printable = text.chars().all(|c| !c.is_control());
            if printable {
                format!("'{}'", text.replace('\'', "''"))
            } else {
                serde_json::to_string(text).unwrap_or_else(|_| "''".to_owned())
            }
        }
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => inline(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_stay_strings() {
        let yaml = case_yaml(
            "it's here",
            true,
            &json!({"A": "true", "B": 7, "C": "line\nbreak", "D": null, "E": "x'y"}),
        );
        assert_eq!(
            yaml,
            "  - name: 'it''s here'\n    expect: match\n    event:\n      A: 'true'\n      \
             B: 7\n      C: \"line\\nbreak\"\n      D: null\n      E: 'x''y'\n"
        );
    }
}
