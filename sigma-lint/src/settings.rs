//! Resolved settings: what one run checks and how.
//!
//! Options read from `.sigma-lint.yml` ([`crate::config`]) and the chosen
//! preset resolve into [`Settings`]; tests build `Settings` directly.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::check::{CheckMeta, Group, Lifecycle, Scope};
use crate::finding::Severity;

/// Which conventions apply beyond the specification.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Preset {
    /// The Sigma specification only.
    #[default]
    Spec,
    /// SigmaHQ's repository conventions as well.
    SigmaHq,
}

impl Preset {
    /// Parses a preset name.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "spec" => Some(Preset::Spec),
            "sigmahq" => Some(Preset::SigmaHq),
            _ => None,
        }
    }
}

/// The SigmaHQ preset's data (`data/preset-sigmahq.json`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PresetData {
    /// Default options of checks, by check name.
    #[serde(default)]
    pub options: HashMap<String, serde_json::Value>,
    /// Product → the OS part of a file-name prefix.
    #[serde(default)]
    pub os_prefix: HashMap<String, String>,
    /// File-name prefixes by log-source attribute.
    pub file_prefixes: FilePrefixes,
}

/// File-name prefixes implied by a log source. A prefix ending in `+` takes
/// the product's OS part in place of the `+`.
#[derive(Debug, Deserialize)]
pub struct FilePrefixes {
    /// By product.
    pub product: HashMap<String, String>,
    /// By category.
    pub category: HashMap<String, String>,
    /// By service.
    pub service: HashMap<String, String>,
}

/// The SigmaHQ preset's data, parsed once.
pub fn sigmahq_preset() -> &'static PresetData {
    static DATA: OnceLock<PresetData> = OnceLock::new();
    DATA.get_or_init(|| {
        // The file is ours and compiled in; a parse failure is a build bug
        // that the preset tests catch.
        serde_json::from_str(include_str!("../data/preset-sigmahq.json"))
            .unwrap_or_else(|e| panic!("data/preset-sigmahq.json is invalid: {e}"))
    })
}

/// Field names per log source (`data/sigmahq-logsources.json`).
#[derive(Debug, Deserialize)]
pub struct LogSourceTable {
    /// Product (`""` for none) → its categories and services.
    pub products: BTreeMap<String, ProductFields>,
}

/// One product's log sources.
#[derive(Debug, Deserialize)]
pub struct ProductFields {
    /// Fields every category and service of the product has.
    #[serde(default)]
    pub common: Vec<String>,
    /// Fields when neither category nor service is given.
    #[serde(default)]
    pub empty: Vec<String>,
    /// Category → fields (empty: any field).
    #[serde(default)]
    pub category: BTreeMap<String, Vec<String>>,
    /// Service → fields (empty: any field).
    #[serde(default)]
    pub service: BTreeMap<String, Vec<String>>,
}

/// The SigmaHQ log-source table, parsed once.
pub fn sigmahq_logsources() -> &'static LogSourceTable {
    static DATA: OnceLock<LogSourceTable> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../data/sigmahq-logsources.json"))
            .unwrap_or_else(|e| panic!("data/sigmahq-logsources.json is invalid: {e}"))
    })
}

/// Which checks run, at which severity, with which options.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The preset.
    pub preset: Preset,
    /// "Today", for the date-in-future check; `None` skips it.
    pub today: Option<NaiveDate>,
    /// Codes, prefixes or names selected (empty: the defaults).
    pub select: Vec<String>,
    /// Codes, prefixes or names also selected on top of `select`.
    pub extend_select: Vec<String>,
    /// Codes, prefixes or names turned off.
    pub ignore: Vec<String>,
    /// Severity overrides by code.
    pub severities: HashMap<String, Severity>,
    /// Check options by code or name.
    pub options: HashMap<String, serde_json::Value>,
    /// Per-rule exceptions: rule id → codes or names it is exempt from.
    pub rule_exceptions: HashMap<String, HashSet<String>>,
    /// Per-path exceptions: glob → codes or names.
    pub path_exceptions: Vec<(globset::GlobMatcher, HashSet<String>)>,
}

/// Whether `selector` (a code, a code prefix or a name) names `meta`.
pub fn selects(selector: &str, meta: &CheckMeta) -> bool {
    if selector.is_empty() {
        return false;
    }
    selector == "all"
        || selector == meta.name
        || meta.code.starts_with(selector)
        || selector.eq_ignore_ascii_case(&meta.family.letter().to_string())
}

impl Settings {
    /// Whether the check runs in this configuration.
    pub fn enabled(&self, meta: &CheckMeta) -> bool {
        let named = |list: &[String]| list.iter().any(|s| selects(s, meta));
        let by_name = |list: &[String]| list.iter().any(|s| s == meta.name || s == meta.code);
        if named(&self.ignore) {
            return false;
        }
        if by_name(&self.select) || by_name(&self.extend_select) {
            return true;
        }
        let default = meta.group != Group::Pedantic
            && meta.lifecycle != Lifecycle::Preview
            && (meta.scope == Scope::Spec || self.preset == Preset::SigmaHq);
        if self.select.is_empty() {
            default || (named(&self.extend_select) && meta.lifecycle != Lifecycle::Preview)
        } else {
            (named(&self.select) || named(&self.extend_select))
                && meta.lifecycle != Lifecycle::Preview
        }
    }

    /// The severity of the check's findings.
    pub fn severity(&self, meta: &CheckMeta) -> Severity {
        self.severities
            .get(meta.code)
            .or_else(|| self.severities.get(meta.name))
            .copied()
            .unwrap_or(meta.severity)
    }

    /// An option of a check: the configuration's, else the preset's.
    pub fn option(&self, meta: &CheckMeta, key: &str) -> Option<&serde_json::Value> {
        fn from<'m>(
            map: &'m HashMap<String, serde_json::Value>,
            meta: &CheckMeta,
            key: &str,
        ) -> Option<&'m serde_json::Value> {
            map.get(meta.code)
                .or_else(|| map.get(meta.name))
                .and_then(|o| o.get(key))
        }
        from(&self.options, meta, key).or_else(|| match self.preset {
            Preset::SigmaHq => from(&sigmahq_preset().options, meta, key),
            Preset::Spec => None,
        })
    }

    /// A numeric option, or `default`.
    pub fn option_u64(&self, meta: &CheckMeta, key: &str, default: u64) -> u64 {
        self.option(meta, key)
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(default)
    }

    /// Whether a rule (by id) or a path is exempt from a check.
    pub fn exempt(&self, meta: &CheckMeta, rule_id: Option<&str>, path: &std::path::Path) -> bool {
        let names = |set: &HashSet<String>| set.iter().any(|s| selects(s, meta));
        if let Some(set) = rule_id.and_then(|id| self.rule_exceptions.get(id)) {
            if names(set) {
                return true;
            }
        }
        self.path_exceptions
            .iter()
            .any(|(glob, set)| glob.is_match(path) && names(set))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks;

    #[test]
    fn preset_options_name_real_checks() {
        for key in sigmahq_preset().options.keys() {
            assert!(
                checks::find(key).is_some(),
                "preset option for unknown check `{key}`"
            );
        }
        assert!(!sigmahq_logsources().products.is_empty());
    }

    #[test]
    fn selection_by_code_prefix_and_name() {
        let meta = checks::find("C004").map(|c| c.meta()).expect("registered");
        let settings = Settings::default();
        assert!(settings.enabled(meta));
        let ignore = Settings {
            ignore: vec!["C".into()],
            ..Settings::default()
        };
        assert!(!ignore.enabled(meta));
        let only = Settings {
            select: vec!["D".into()],
            ..Settings::default()
        };
        assert!(!only.enabled(meta));
        let named = Settings {
            select: vec!["invalid-id".into()],
            ..Settings::default()
        };
        assert!(named.enabled(meta));
        let hq = checks::find("title-style")
            .map(|c| c.meta())
            .expect("registered");
        assert!(!settings.enabled(hq));
        assert!(Settings {
            preset: Preset::SigmaHq,
            ..Settings::default()
        }
        .enabled(hq));
    }
}
