//! Reads sigma-cli `--validation-config` files (`validators`, `exclusions`,
//! `config`) and maps pySigma's validator names onto our checks, so a
//! SigmaHQ-style repository can keep its existing configuration.

use std::collections::HashSet;

use sigma_core::yaml::{self, Node};

use crate::settings::Settings;

/// pySigma validator name → our check name. Validators with no check here
/// have no entry.
pub const VALIDATORS: &[(&str, &str)] = &[
    ("identifier_existence", "missing-id"),
    ("identifier_uniqueness", "duplicate-id"),
    ("duplicate_title", "duplicate-title"),
    ("duplicate_filename", "duplicate-file-name"),
    ("filename_length", "file-name-length"),
    ("duplicate_references", "duplicate-list-entry"),
    ("custom_attributes", "unknown-top-level-key"),
    ("tag_format", "invalid-tag-format"),
    ("duplicate_tag", "duplicate-tag"),
    ("namespace_tag", "unknown-tag-namespace"),
    ("attacktag", "unknown-attack-tag"),
    ("attacktag", "outdated-attack-tag"),
    ("tlptag", "invalid-tag-value"),
    ("tlpv1_tag", "invalid-tag-value"),
    ("tlpv2_tag", "invalid-tag-value"),
    ("cartag", "invalid-tag-value"),
    ("cvetag", "invalid-tag-value"),
    ("detection_tag", "invalid-tag-value"),
    ("stptag", "invalid-tag-value"),
    ("dangling_detection", "unused-search-identifier"),
    ("dangling_condition", "pattern-matches-nothing"),
    ("all_of_them_condition", "all-of-them"),
    (
        "them_condition_with_single_detection",
        "of-them-with-one-identifier",
    ),
    ("fieldname_logsource", "unknown-logsource-key"),
    ("sigmahq_ofthem_condition", "of-them-with-one-identifier"),
    ("sigmahq_filename_convention", "file-name-convention"),
    ("sigmahq_filename_prefix", "file-name-prefix"),
    ("sigmahq_title_length", "title-style"),
    ("sigmahq_title_start", "title-style"),
    ("sigmahq_title_end", "title-style"),
    ("sigmahq_status_existence", "missing-recommended-field"),
    ("sigmahq_level_existence", "missing-recommended-field"),
    ("sigmahq_date_existence", "missing-recommended-field"),
    ("sigmahq_author_existence", "missing-recommended-field"),
    ("sigmahq_description_existence", "missing-recommended-field"),
    ("sigmahq_description_length", "missing-recommended-field"),
    ("sigmahq_modified_without_date", "missing-recommended-field"),
    ("sigmahq_redundant_modified", "missing-recommended-field"),
    ("sigmahq_modified_date_order", "date-order"),
    ("sigmahq_unknown_field", "unknown-top-level-key"),
    ("sigmahq_logsource_unknown", "unknown-logsource"),
    ("sigmahq_invalid_fieldname", "unknown-field"),
    ("sigmahq_fieldname_cast", "unknown-field"),
    ("sigmahq_space_field_name", "field-name-space"),
    (
        "sigmahq_tags_techniques_without_tactics",
        "technique-without-tactic",
    ),
    ("sigmahq_tags_tlp", "invalid-tag-value"),
    ("sigmahq_tags_unique_tlp", "invalid-tag-value"),
    ("sigmahq_tags_unique_detection", "invalid-tag-value"),
    (
        "invalid_modifier_combinations",
        "invalid-modifier-combination",
    ),
    ("number_as_string", "number-as-string"),
    ("escaped_wildcard", "escaped-wildcard"),
    (
        "wildcards_instead_of_modifiers",
        "wildcards-instead-of-modifier",
    ),
    (
        "sigmahq_unsupported_regex_group_construct",
        "unsupported-regex-construct",
    ),
];

/// pySigma constructor arguments → (our check, our option).
const OPTIONS: &[(&str, &str, &str, &str)] = &[
    ("filename_length", "min_size", "file-name-length", "min"),
    ("filename_length", "max_size", "file-name-length", "max"),
    (
        "sigmahq_title_length",
        "max_length",
        "title-style",
        "max-length",
    ),
    (
        "sigmahq_description_length",
        "min_length",
        "missing-recommended-field",
        "min-length",
    ),
];

fn checks_of(validator: &str) -> impl Iterator<Item = &'static str> + '_ {
    VALIDATORS
        .iter()
        .filter(move |(v, _)| *v == validator)
        .map(|(_, c)| *c)
}

fn strings(node: &Node) -> Vec<&str> {
    match node.as_sequence() {
        Some(items) => items.iter().filter_map(Node::as_str).collect(),
        None => node.as_str().into_iter().collect(),
    }
}

/// What reading a sigma-cli configuration produced besides settings.
#[derive(Debug, Default)]
pub struct Import {
    /// Validator names that have no check here (yet); reported once.
    pub unmapped: Vec<String>,
}

/// Applies a sigma-cli validation configuration to `settings`.
///
/// `validators: [all, -x]` turns a check off only when every validator that
/// maps onto it is removed. Exclusions are read entry by entry, so a rule id
/// written twice keeps both lists (PyYAML would keep only the last).
pub fn apply(text: &str, settings: &mut Settings) -> Result<Import, String> {
    let documents = yaml::parse(text).map_err(|e| format!("{}: {}", e.span.location, e.message))?;
    let Some(root) = documents.into_iter().next().and_then(|d| d.root) else {
        return Ok(Import::default());
    };
    let mut import = Import::default();
    let mut unmapped: HashSet<String> = HashSet::new();
    let mut note = |name: &str| {
        if checks_of(name).next().is_none() && unmapped.insert(name.to_owned()) {
            import.unmapped.push(name.to_owned());
        }
    };

    if let Some(list) = root.get("validators") {
        let names = strings(list);
        let removed: HashSet<&str> = names.iter().filter_map(|n| n.strip_prefix('-')).collect();
        let all = names.contains(&"all");
        for name in names.iter().filter(|n| **n != "all") {
            note(name.trim_start_matches('-'));
        }
        let wanted: HashSet<&str> = names
            .iter()
            .copied()
            .filter(|n| !n.starts_with('-'))
            .collect();
        let mut checks: Vec<&str> = VALIDATORS.iter().map(|(_, c)| *c).collect();
        checks.sort_unstable();
        checks.dedup();
        for check in checks {
            let sources: Vec<&str> = VALIDATORS
                .iter()
                .filter(|(_, c)| *c == check)
                .map(|(v, _)| *v)
                .collect();
            let on = sources
                .iter()
                .any(|v| (all && !removed.contains(v)) || wanted.contains(v));
            if !on {
                settings.ignore.push(check.to_owned());
            }
        }
    }

    if let Some(entries) = root.get("exclusions").and_then(Node::as_mapping) {
        for (id, validators) in entries {
            let Some(id) = id.as_str() else { continue };
            for validator in strings(validators) {
                note(validator);
                let set = settings.rule_exceptions.entry(id.to_owned()).or_default();
                set.extend(checks_of(validator).map(str::to_owned));
            }
        }
    }

    if let Some(entries) = root.get("config").and_then(Node::as_mapping) {
        for (validator, arguments) in entries {
            let Some(validator) = validator.as_str() else {
                continue;
            };
            for (argument, value) in arguments.as_mapping().unwrap_or_default() {
                let Some(argument) = argument.as_str() else {
                    continue;
                };
                let Some((_, _, check, option)) = OPTIONS
                    .iter()
                    .find(|(v, a, _, _)| *v == validator && *a == argument)
                else {
                    continue;
                };
                let entry = settings
                    .options
                    .entry((*check).to_owned())
                    .or_insert_with(|| serde_json::json!({}));
                if let Some(map) = entry.as_object_mut() {
                    map.insert((*option).to_owned(), value.to_json());
                }
            }
        }
    }
    Ok(import)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_validators_exclusions_and_options() {
        let text = "validators:\n  - all\n  - -sigmahq_filename_prefix\n  - -tlptag\n  \
                    - -sigmahq_ofselection_condition\n\
                    exclusions:\n  abc: attacktag\n  abc: [sigmahq_title_end]\n  \
                    def: escaped_wildcard\n\
                    config:\n  filename_length:\n    min_size: 10\n    max_size: 70\n";
        let mut settings = Settings::default();
        let import = apply(text, &mut settings).expect("reads");
        assert!(settings.ignore.contains(&"file-name-prefix".to_owned()));
        // Other tag validators still feed invalid-tag-value.
        assert!(!settings.ignore.contains(&"invalid-tag-value".to_owned()));
        let abc = &settings.rule_exceptions["abc"];
        assert!(abc.contains("unknown-attack-tag") && abc.contains("title-style"));
        assert_eq!(settings.options["file-name-length"]["max"], 70);
        assert_eq!(settings.rule_exceptions["def"].len(), 1);
        assert!(settings.rule_exceptions["def"].contains("escaped-wildcard"));
        assert_eq!(import.unmapped, ["sigmahq_ofselection_condition"]);
    }
}
