//! What a check reports: a [`Finding`] with its place in the source.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sigma_core::span::Span;

use crate::check::CheckMeta;

/// How serious a finding is. Never called "level": a rule has a level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Worth knowing; does not fail a run unless `--fail-level info`.
    Info,
    /// Probably wrong, or against a convention the run asked for.
    Warning,
    /// The rule cannot work as written, or breaks the specification.
    Error,
}

impl Severity {
    /// The lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Parses `error`, `warning` or `info` (also `note`, `advice`).
    ///
    /// pySigma's issue severities map as SigmaHQ users expect when they
    /// carry a configuration over: `high` → error, `medium` → warning,
    /// `low` → info.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "error" | "high" => Some(Severity::Error),
            "warning" | "warn" | "medium" => Some(Severity::Warning),
            "info" | "note" | "advice" | "low" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// Whether applying a fix can change what the rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Matching cannot change (lower-casing a tag); applied by `--fix`.
    Safe,
    /// Matching may change; applied only with `--unsafe-fixes`.
    Unsafe,
}

/// One replacement of a byte range of the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// The new text.
    pub replacement: String,
}

/// A machine-applicable change that resolves a finding.
///
/// Checks attach fixes; applying them (`--fix`, `--diff`) is a separate
/// step, so a check never writes files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, imperative ("quote the value").
    pub message: String,
    /// Whether it is safe to apply without asking.
    pub applicability: Applicability,
    /// The edits; they never overlap.
    pub edits: Vec<Edit>,
}

/// A secondary place in the same file that explains the finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// A few words ("first defined here").
    pub text: String,
}

/// A place in another file (the first rule that used a duplicated id).
#[derive(Clone, Debug)]
pub struct Related {
    /// The other file.
    pub path: Arc<Path>,
    /// Its text, so the finding renders on its own.
    pub source: Arc<str>,
    /// Where in it.
    pub span: Span,
    /// A few words.
    pub text: String,
}

/// One problem a check found.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The check's stable code (`C005`).
    pub code: &'static str,
    /// The check's kebab-case name (`invalid-id`).
    pub name: &'static str,
    /// How serious; the check's default until configuration changes it.
    pub severity: Severity,
    /// What is wrong: lowercase, no trailing period, values in backticks.
    pub message: String,
    /// The file.
    pub path: Arc<Path>,
    /// The file's text.
    pub source: Arc<str>,
    /// The exact place.
    pub span: Span,
    /// Connected places in the same file.
    pub labels: Vec<Label>,
    /// Connected places in other files.
    pub related: Vec<Related>,
    /// What to do, imperative.
    pub help: Option<String>,
    /// A machine-applicable change, when one exists.
    pub fix: Option<Fix>,
}

impl Finding {
    /// A finding of `meta`'s check at `span` of the file.
    pub fn new(
        meta: &'static CheckMeta,
        path: &Arc<Path>,
        source: &Arc<str>,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            code: meta.code,
            name: meta.name,
            severity: meta.severity,
            message: message.into(),
            path: Arc::clone(path),
            source: Arc::clone(source),
            span,
            labels: Vec::new(),
            related: Vec::new(),
            help: None,
            fix: None,
        }
    }

    /// Adds help text.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label in the same file.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Adds a fix.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// The 1-based line of the primary span.
    pub fn line(&self) -> u32 {
        self.span.location.line
    }

    /// The 1-based column of the primary span.
    pub fn column(&self) -> u32 {
        self.span.location.column
    }
}
