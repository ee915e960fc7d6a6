//! `--placeholders FILE`: the values of `expand` placeholders.
//!
//! ```yaml
//! Workstations: [WS01, WS02]     # %Workstations% -> either value
//! userdomain: CORP               # one value may be written bare
//! ```

use std::collections::HashMap;
use std::path::Path;

use sigma_core::yaml::{self, Value};

use crate::problem::InputError;

/// Reads a placeholder file: a mapping of names (without `%`) to a value or
/// a list of values. Every problem is reported with its place.
pub fn read(path: &Path) -> Result<HashMap<String, Vec<String>>, Vec<InputError>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![InputError::file(path, format!("cannot read: {e}"))])?;
    parse(path, &text)
}

/// Parses a placeholder file's `text`, read from `path`.
pub fn parse(path: &Path, text: &str) -> Result<HashMap<String, Vec<String>>, Vec<InputError>> {
    let documents = yaml::parse(text).map_err(|e| {
        vec![InputError::at(
            path,
            e.span,
            format!("invalid YAML: {}", e.message),
        )]
    })?;
    let Some(root) = documents.into_iter().find_map(|d| d.root) else {
        return Ok(HashMap::new());
    };
    let Some(entries) = root.as_mapping() else {
        let message = "a placeholder file is a mapping of names to values";
        return Err(vec![InputError::at(path, root.span, message)]);
    };

    let mut placeholders = HashMap::new();
    let mut errors = Vec::new();
    for (key, value) in entries {
        let Some(name) = key.as_str().map(|n| n.trim_matches('%')) else {
            errors.push(InputError::at(
                path,
                key.span,
                "a placeholder name must be text",
            ));
            continue;
        };
        let items = match &value.value {
            Value::Sequence(items) => items.as_slice(),
            Value::Scalar(_) => std::slice::from_ref(value),
            Value::Mapping(_) => {
                let message = format!("`{name}` must be a value or a list of values");
                errors.push(InputError::at(path, value.span, message));
                continue;
            }
        };
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            match item.as_str() {
                Some(text) if !item.is_null() => values.push(text.to_owned()),
                _ => errors.push(InputError::at(path, item.span, "a value must be text")),
            }
        }
        placeholders.insert(name.to_owned(), values);
    }
    if errors.is_empty() {
        Ok(placeholders)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lists_and_bare_values() {
        let text = "Workstations: [WS01, WS02]\n'%userdomain%': CORP\n";
        let map = parse(Path::new("p.yml"), text).unwrap();
        assert_eq!(map["Workstations"], vec!["WS01", "WS02"]);
        assert_eq!(map["userdomain"], vec!["CORP"]);
    }

    #[test]
    fn problems_are_located() {
        let errors = parse(Path::new("p.yml"), "a: {b: 1}\nc: [x, ~]\n").unwrap_err();
        let found: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            vec![
                "p.yml:1:4: `a` must be a value or a list of values",
                "p.yml:2:8: a value must be text",
            ]
        );
    }
}
