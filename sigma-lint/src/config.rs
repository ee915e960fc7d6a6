//! `.sigma-lint.yml`: what a repository asks of the linter.
//!
//! The file is read with the same spanned YAML tree as rules, validated
//! against `schemas/sigma-lint-config.schema.json` (so a typo in a key is an
//! error with a line and column, never silently ignored), then turned into
//! [`Options`] and resolved onto [`Settings`].
//!
//! ```yaml
//! preset: sigmahq
//! ignore: [A004, title-style]
//! severity: {unused-search-identifier: error}
//! options: {file-name-length: {min: 10, max: 70}}
//! exceptions:
//!   rules: {5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10: [unknown-field]}
//!   paths: {"rules/placeholder/**": missing-recommended-field}
//! ```

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sigma_core::span::Span;
use sigma_core::yaml;

use crate::finding::Severity;
use crate::schema::{validator, SchemaKind};
use crate::settings::{Preset, Settings};

/// The name the configuration file is looked for under.
pub const FILE_NAME: &str = ".sigma-lint.yml";

/// Why a configuration file cannot be used.
#[derive(Debug, thiserror::Error)]
pub struct ConfigError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
    /// Where; `None` when the file could not be read at all, so that no
    /// made-up `:0:0` location is shown.
    pub span: Option<Span>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.path.display();
        match self.span {
            Some(span) => {
                let (line, column) = (span.location.line, span.location.column);
                write!(f, "{path}:{line}:{column}: {}", self.message)
            }
            None => write!(f, "{path}: {}", self.message),
        }
    }
}

/// The options of `.sigma-lint.yml`, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Options {
    /// `spec` (default) or `sigmahq`.
    pub preset: Option<String>,
    /// Checks to run instead of the defaults: codes, prefixes or names.
    pub select: Option<Vec<String>>,
    /// Checks to run on top of the defaults.
    pub extend_select: Option<Vec<String>>,
    /// Checks not to run.
    pub ignore: Option<Vec<String>>,
    /// Severity per check.
    pub severity: Option<HashMap<String, Severity>>,
    /// Options per check.
    pub options: Option<HashMap<String, serde_json::Value>>,
    /// Per-rule and per-path exceptions.
    pub exceptions: Option<Exceptions>,
    /// The lowest severity that fails the run.
    pub fail_level: Option<Severity>,
}

/// `exceptions:` of `.sigma-lint.yml`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Exceptions {
    /// Rule id → checks.
    pub rules: Option<HashMap<String, OneOrMore>>,
    /// Path glob → checks.
    pub paths: Option<HashMap<String, OneOrMore>>,
}

/// A check selector, or a list of them.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMore {
    /// One.
    One(String),
    /// Several.
    More(Vec<String>),
}

impl OneOrMore {
    fn into_set(self) -> HashSet<String> {
        match self {
            OneOrMore::One(one) => HashSet::from([one]),
            OneOrMore::More(more) => more.into_iter().collect(),
        }
    }
}

/// Looks for `.sigma-lint.yml` in `start` and each of its ancestors.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
}

/// Reads and validates a configuration file.
pub fn read(path: &Path) -> Result<Options, ConfigError> {
    let error = |message: String, span: Option<Span>| ConfigError {
        path: path.to_owned(),
        message,
        span,
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| error(format!("cannot read the configuration: {e}"), None))?;
    parse(&text).map_err(|(message, span)| error(message, Some(span)))
}

/// Parses configuration text; errors carry their place.
pub fn parse(text: &str) -> Result<Options, (String, Span)> {
    let documents =
        yaml::parse(text).map_err(|e| (format!("invalid YAML: {}", e.message), e.span))?;
    let Some(root) = documents.into_iter().next().and_then(|d| d.root) else {
        return Ok(Options::default());
    };
    let json = root.to_json();
    if let Some(error) = validator(SchemaKind::LintConfig).iter_errors(&json).next() {
        let path = error.instance_path().as_str().to_owned();
        let segments: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let span = root.pointer(segments.iter()).map_or(root.span, |n| n.span);
        let place = if path.is_empty() {
            "the configuration".to_owned()
        } else {
            format!("`{path}`")
        };
        return Err((format!("{place}: {}", error.masked()), span));
    }
    serde_json::from_value(json).map_err(|e| (format!("invalid configuration: {e}"), root.span))
}

impl Options {
    /// Applies these options on top of `settings`.
    pub fn apply(self, settings: &mut Settings) -> Result<(), String> {
        if let Some(preset) = self.preset {
            settings.preset =
                Preset::parse(&preset).ok_or_else(|| format!("unknown preset `{preset}`"))?;
        }
        if let Some(select) = self.select {
            settings.select = select;
        }
        settings
            .extend_select
            .extend(self.extend_select.unwrap_or_default());
        settings.ignore.extend(self.ignore.unwrap_or_default());
        settings
            .severities
            .extend(self.severity.unwrap_or_default());
        settings.options.extend(self.options.unwrap_or_default());
        let exceptions = self.exceptions.unwrap_or_default();
        for (id, checks) in exceptions.rules.unwrap_or_default() {
            settings
                .rule_exceptions
                .entry(id)
                .or_default()
                .extend(checks.into_set());
        }
        for (glob, checks) in exceptions.paths.unwrap_or_default() {
            let matcher = globset::Glob::new(&glob)
                .map_err(|e| format!("invalid path glob `{glob}`: {e}"))?
                .compile_matcher();
            settings.path_exceptions.push((matcher, checks.into_set()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_configuration_applies() {
        let text = "preset: sigmahq\nignore: [A004]\nseverity: {C004: warning}\n\
                    options: {file-name-length: {min: 5}}\nexceptions:\n  rules: {abc: D004}\n  \
                    paths: {'rules/x/**': [C012]}\n";
        let mut settings = Settings::default();
        parse(text)
            .expect("valid")
            .apply(&mut settings)
            .expect("applies");
        assert_eq!(settings.preset, Preset::SigmaHq);
        assert_eq!(settings.ignore, ["A004"]);
        assert_eq!(settings.severities.get("C004"), Some(&Severity::Warning));
        assert!(settings.rule_exceptions["abc"].contains("D004"));
        assert!(settings.path_exceptions[0].0.is_match("rules/x/y/z.yml"));
    }

    #[test]
    fn unknown_keys_are_located_errors() {
        let (message, span) = parse("preset: spec\nignor: [A004]\n").unwrap_err();
        assert!(message.contains("ignor"), "{message}");
        assert_eq!(span.location.line, 1);
        let (message, span) = parse("severity: {C004: fatal}\n").unwrap_err();
        assert!(message.contains("C004"), "{message}");
        assert_eq!((span.location.line, span.location.column), (1, 18));
    }
}
