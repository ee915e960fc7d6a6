use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use sigma_core::rule::SigmaDocument;
use sigma_core::yaml::Node;

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;
use crate::schema::{validator, SchemaKind};

crate::declare_check! {
    /// ## What it does
    /// Validates each YAML document against the project's JSON Schema for
    /// its kind (`schemas/sigma-rule.schema.json`, `-correlation`,
    /// `-filter`) and reports each violation at the value it concerns.
    ///
    /// ## Why it matters
    /// The schemas state the Sigma format in one place; a rule that breaks
    /// them breaks some tool. Unlike the specification's schemas, ours check
    /// the values inside search identifiers and correlation conditions.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///     Image: {endswith: 'x.exe'}
    ///   condition: selection
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    ///     Image|endswith: 'x.exe'
    /// ```
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Constraints that a dedicated check reports more precisely (`id`,
    /// dates, `status`, `level`, tags, `related`, duplicate list entries,
    /// missing `title`/`logsource`/`condition`, shapes the rule model already
    /// rejected) are left to those checks, so each fault is reported once.
    /// Documents that are neither rule, correlation nor filter (v1
    /// `action: global` parts) are not validated.
    ///
    /// ## References
    /// Sigma specification v2.1.0 JSON schemas and their defects.
    pub struct SchemaViolation {
        code: "L001",
        name: "schema-violation",
        family: Schema,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

/// Whether a dedicated check already reports this constraint.
fn covered(path: &str, keyword: &str, is_rule: bool) -> bool {
    let first = path.split('/').nth(1).unwrap_or("");
    const OWNED: &[&str] = &[
        "id", "date", "modified", "status", "level", "tags", "related", "title",
    ];
    OWNED.contains(&first)
        || (keyword == "uniqueItems" && matches!(first, "references" | "falsepositives" | "fields"))
        || (keyword == "required" && is_rule && (path.is_empty() || path == "/detection"))
}

/// Unescapes one JSON Pointer segment (RFC 6901).
fn segment(raw: &str) -> String {
    raw.replace("~1", "/").replace("~0", "~")
}

/// The node an instance path names, or the nearest ancestor that exists.
fn locate<'a>(root: &'a Node, path: &str) -> &'a Node {
    let segments: Vec<String> = path.split('/').skip(1).map(segment).collect();
    for keep in (0..=segments.len()).rev() {
        if let Some(node) = root.pointer(segments.iter().take(keep)) {
            return node;
        }
    }
    root
}

/// One line per `anyOf` branch, saying why it did not fit.
fn branch_reasons(error: &ValidationError<'_>) -> Option<String> {
    let ValidationErrorKind::AnyOf { context } = error.kind() else {
        return None;
    };
    let lines: Vec<String> = context
        .iter()
        .enumerate()
        .filter_map(|(index, branch)| {
            let first = branch.first()?;
            let at = first.instance_path().as_str();
            let at = if at.is_empty() {
                String::new()
            } else {
                format!(" at `{at}`")
            };
            Some(format!("shape {}{at}: {}", index + 1, first.masked()))
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

impl Check for SchemaViolation {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in cx.documents() {
            let kind = match document {
                SigmaDocument::Rule(_) => SchemaKind::Rule,
                SigmaDocument::Correlation(_) => SchemaKind::Correlation,
                SigmaDocument::Filter(_) => SchemaKind::Filter,
                SigmaDocument::Other(_) => continue,
            };
            let header = document.header();
            let Some(root) = &header.root else { continue };
            let json = root.to_json();
            let validator = validator(kind);
            if validator.is_valid(&json) {
                continue;
            }
            let is_rule = kind == SchemaKind::Rule;
            for error in validator.iter_errors(&json) {
                let path = error.instance_path().as_str();
                let keyword = error.kind().keyword();
                if covered(path, keyword, is_rule) {
                    continue;
                }
                let node = locate(root, path);
                // The rule model already reported a shape problem here or
                // inside this value (`document-structure`).
                let inside = |p: &sigma_core::rule::Problem| {
                    p.span == node.span
                        || (!path.is_empty()
                            && p.span.start >= node.span.start
                            && p.span.end <= node.span.end)
                };
                if header.problems.iter().any(inside) {
                    continue;
                }
                let place = if path.is_empty() {
                    "the document".to_owned()
                } else {
                    format!("`{path}`")
                };
                let mut finding = cx.finding(
                    &Self::META,
                    node.span,
                    format!(
                        "{place} does not fit {}: {}",
                        kind.file_name(),
                        error.masked()
                    ),
                );
                if let Some(reasons) = branch_reasons(&error) {
                    finding = finding.help(format!("none of the allowed shapes fits:\n{reasons}"));
                }
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn violations_are_located_at_the_value() {
        let source = "title: t\nlogsource: {product: windows}\ndetection:\n  s: 5\n  \
                      condition: s\ndescription: [a]\n";
        let found = findings_of("L001", source);
        let lines: Vec<u32> = found.iter().map(|f| f.line()).collect();
        assert_eq!(lines, [4, 6], "{found:#?}");
        assert_eq!(found[0].column(), 6);
        assert!(found[0].help.as_deref().unwrap_or("").contains("shape 2"));
    }

    #[test]
    fn valid_rules_and_owned_constraints_pass() {
        let good =
            "title: t\nid: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10\nlogsource: {product: windows}\n\
                    detection:\n  s: {a: [1, x]}\n  k: [evil]\n  condition: s or k\nlevel: high\n";
        assert!(findings_of("L001", good).is_empty());
        // A bad id is invalid-id's finding, not a second one here.
        assert!(findings_of("L001", &good.replace("5e3ba1c4-", "x-")).is_empty());
        // A mapping as a field value is document-structure's finding.
        let nested = good.replace("{a: [1, x]}", "{a: {b: 1}}");
        assert!(findings_of("L001", &nested).is_empty());
    }
}
