//! The project's JSON Schemas (`schemas/`), compiled once per run.
//!
//! Each schema is embedded in the binary and compiled on first use with
//! format assertion on (so `format: uuid` is checked), then shared by
//! every thread.

use std::sync::OnceLock;

use jsonschema::Validator;

/// Which document a schema describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// A detection rule.
    Rule,
    /// A correlation rule.
    Correlation,
    /// A meta filter.
    Filter,
    /// A `.sigma-lint.yml` file.
    LintConfig,
    /// A sigma-test case file.
    TestCases,
}

impl SchemaKind {
    /// The schema's text.
    pub fn text(self) -> &'static str {
        match self {
            SchemaKind::Rule => include_str!("../../schemas/sigma-rule.schema.json"),
            SchemaKind::Correlation => include_str!("../../schemas/sigma-correlation.schema.json"),
            SchemaKind::Filter => include_str!("../../schemas/sigma-filter.schema.json"),
            SchemaKind::LintConfig => include_str!("../../schemas/sigma-lint-config.schema.json"),
            SchemaKind::TestCases => include_str!("../../schemas/sigma-test-cases.schema.json"),
        }
    }

    /// The schema's file name under `schemas/`.
    pub fn file_name(self) -> &'static str {
        match self {
            SchemaKind::Rule => "sigma-rule.schema.json",
            SchemaKind::Correlation => "sigma-correlation.schema.json",
            SchemaKind::Filter => "sigma-filter.schema.json",
            SchemaKind::LintConfig => "sigma-lint-config.schema.json",
            SchemaKind::TestCases => "sigma-test-cases.schema.json",
        }
    }
}

fn compile(kind: SchemaKind) -> Validator {
    // The schemas are ours and compiled in: failing to build one is a bug
    // in the repository, caught by `every_schema_compiles`.
    let schema: serde_json::Value = serde_json::from_str(kind.text())
        .unwrap_or_else(|e| panic!("schemas/{} is not JSON: {e}", kind.file_name()));
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schemas/{} does not compile: {e}", kind.file_name()))
}

/// The compiled validator for `kind`.
pub fn validator(kind: SchemaKind) -> &'static Validator {
    static RULE: OnceLock<Validator> = OnceLock::new();
    static CORRELATION: OnceLock<Validator> = OnceLock::new();
    static FILTER: OnceLock<Validator> = OnceLock::new();
    static CONFIG: OnceLock<Validator> = OnceLock::new();
    static CASES: OnceLock<Validator> = OnceLock::new();
    let cell = match kind {
        SchemaKind::Rule => &RULE,
        SchemaKind::Correlation => &CORRELATION,
        SchemaKind::Filter => &FILTER,
        SchemaKind::LintConfig => &CONFIG,
        SchemaKind::TestCases => &CASES,
    };
    cell.get_or_init(|| compile(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_schema_compiles() {
        for kind in [
            SchemaKind::Rule,
            SchemaKind::Correlation,
            SchemaKind::Filter,
            SchemaKind::LintConfig,
            SchemaKind::TestCases,
        ] {
            let _ = validator(kind);
        }
    }

    #[test]
    fn rule_schema_checks_values_inside_identifiers() {
        let rule = json!({"title": "t", "logsource": {"product": "windows"},
            "detection": {"s": {"a": {"nested": 1}}, "condition": "s"}});
        assert!(!validator(SchemaKind::Rule).is_valid(&rule));
        let rule = json!({"title": "t", "logsource": {"product": "windows"},
            "detection": {"s": {"a": [1, "x", null]}, "condition": "s"}});
        assert!(validator(SchemaKind::Rule).is_valid(&rule));
    }

    #[test]
    fn correlation_conditions_are_real_constraints() {
        let good = json!({"title": "t", "correlation": {"type": "value_count", "rules": ["a"],
            "timespan": "5m", "group-by": ["x"], "condition": {"gte": 3, "field": "User"}}});
        assert!(validator(SchemaKind::Correlation).is_valid(&good));
        let no_field = json!({"title": "t", "correlation": {"type": "value_count", "rules": ["a"],
            "timespan": "5m", "condition": {"gte": 3}}});
        assert!(!validator(SchemaKind::Correlation).is_valid(&no_field));
        let no_operator = json!({"title": "t", "correlation": {"type": "event_count",
            "rules": ["a"], "timespan": "5m", "condition": {"field": "x"}}});
        assert!(!validator(SchemaKind::Correlation).is_valid(&no_operator));
    }

    #[test]
    fn case_files_need_an_event_or_a_file() {
        let good = json!({"rule": "r", "cases": [{"name": "n", "expect": "match", "event": {}}]});
        assert!(validator(SchemaKind::TestCases).is_valid(&good));
        let bad = json!({"rule": "r", "cases": [{"name": "n", "expect": "maybe"}]});
        assert!(!validator(SchemaKind::TestCases).is_valid(&bad));
    }
}
