//! The [`Check`] trait and the metadata every check declares.

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use sigma_core::rule::{SigmaDocument, SigmaFile};
use sigma_core::span::{Span, Spanned};

use crate::finding::{Finding, Severity};
use crate::settings::Settings;

/// The families of `reference/lint-checks.md`; the code's letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// A: YAML and file text.
    Yaml,
    /// B: file names.
    FileName,
    /// C: metadata.
    Metadata,
    /// D: tags.
    Tags,
    /// E: log source.
    LogSource,
    /// F: detection body and field names.
    Detection,
    /// G: condition.
    Condition,
    /// H: values and modifiers.
    Values,
    /// I: correlation rules.
    Correlation,
    /// J: meta filters.
    Filter,
    /// L: JSON Schema.
    Schema,
    /// S: what the condition means (sigma-core's analysis).
    Semantic,
}

impl Family {
    /// The family's letter, the first character of its codes.
    pub fn letter(self) -> char {
        match self {
            Family::Yaml => 'A',
            Family::FileName => 'B',
            Family::Metadata => 'C',
            Family::Tags => 'D',
            Family::LogSource => 'E',
            Family::Detection => 'F',
            Family::Condition => 'G',
            Family::Values => 'H',
            Family::Correlation => 'I',
            Family::Filter => 'J',
            Family::Schema => 'L',
            Family::Semantic => 'S',
        }
    }
}

/// What kind of problem a check finds; sets whether it runs by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// The rule cannot work as written.
    Correctness,
    /// Probably a mistake.
    Suspicious,
    /// A house-style or portability convention.
    Convention,
    /// Opinionated; off until selected.
    Pedantic,
}

/// Whose rules a check enforces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// The Sigma specification: on by default.
    Spec,
    /// SigmaHQ's repository conventions: on with `--preset sigmahq`.
    #[serde(rename = "sigmahq")]
    SigmaHq,
}

impl Scope {
    /// The name used everywhere a user reads or writes it: in `checks`,
    /// in SARIF and as the preset `--preset sigmahq`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Spec => "spec",
            Scope::SigmaHq => "sigmahq",
        }
    }
}

/// Where a check is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Lifecycle {
    /// Settled.
    Stable,
    /// New; may change; runs only when selected by code or name.
    Preview,
    /// Still runs, but will go; says what replaces it in its docs.
    Deprecated,
}

/// Whether a check can offer a fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    /// Never.
    None,
    /// For some findings.
    Sometimes,
    /// For every finding.
    Always,
}

/// Everything the registry, the docs and the reports know about a check.
#[derive(Debug, Serialize)]
pub struct CheckMeta {
    /// Stable code, never reused (`C005`).
    pub code: &'static str,
    /// Kebab-case name that reads after "ignore" (`invalid-id`).
    pub name: &'static str,
    /// Its family.
    pub family: Family,
    /// Its group.
    pub group: Group,
    /// The severity of its findings unless configured otherwise.
    pub severity: Severity,
    /// Spec or a convention.
    pub scope: Scope,
    /// Stable, preview or deprecated.
    pub lifecycle: Lifecycle,
    /// Whether it offers fixes.
    pub fix: FixAvailability,
    /// The version that added it.
    pub since: &'static str,
    /// The doc block, Markdown, from the check's source file.
    #[serde(skip)]
    pub docs: &'static str,
}

impl CheckMeta {
    /// The first sentence of "What it does": a one-line summary.
    pub fn summary(&self) -> String {
        let paragraph: Vec<&str> = self
            .docs
            .lines()
            .map(str::trim)
            .skip_while(|line| line.is_empty() || line.starts_with('#'))
            .take_while(|line| !line.is_empty())
            .collect();
        let text = paragraph.join(" ");
        match sentence_end(&text) {
            Some(end) => text[..end].to_owned(),
            None => text,
        }
    }

    /// The doc block as Markdown, without the space `///` leaves at the
    /// start of every line.
    pub fn markdown(&self) -> String {
        let mut text = String::with_capacity(self.docs.len());
        for line in self.docs.lines() {
            text.push_str(line.strip_prefix(' ').unwrap_or(line));
            text.push('\n');
        }
        text
    }
}

/// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS: [&str; 4] = ["i.e", "e.g", "cf", "vs"];

/// Where the first sentence of `text` ends (just past its period): at a
/// `.` followed by a blank or the end, outside `code` spans, and not the
/// period of an abbreviation such as "i.e.".
fn sentence_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut in_code = false;
    for (at, &byte) in bytes.iter().enumerate() {
        match byte {
            b'`' => in_code = !in_code,
            b'.' if !in_code && bytes.get(at + 1).is_none_or(|b| *b == b' ') => {
                let word = text[..at]
                    .rsplit(' ')
                    .next()
                    .unwrap_or("")
                    .trim_start_matches(['(', '"']);
                if !ABBREVIATIONS.contains(&word) {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// One file as the checks see it.
pub struct FileContext<'a> {
    /// Its path, shared with findings.
    pub path: &'a Arc<Path>,
    /// The parsed file (source, documents, syntax error).
    pub file: &'a SigmaFile,
    /// The run's settings.
    pub settings: &'a Settings,
}

impl<'a> FileContext<'a> {
    /// The file's text.
    pub fn source(&self) -> &'a Arc<str> {
        &self.file.source
    }

    /// A finding of `meta`'s check at `span` in this file.
    pub fn finding(
        &self,
        meta: &'static CheckMeta,
        span: Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(meta, self.path, &self.file.source, span, message)
    }

    /// The documents of the file.
    pub fn documents(&self) -> &'a [SigmaDocument] {
        &self.file.documents
    }
}

/// What cross-rule checks know of one file: its text and each document's
/// keys. The parsed tree is not kept, so a large corpus is linted file by
/// file and memory stays flat.
#[derive(Debug)]
pub struct CorpusFile {
    /// The file.
    pub path: Arc<Path>,
    /// Its text, for findings that quote it.
    pub source: Arc<str>,
    /// Its documents, in order.
    pub documents: Vec<DocumentKeys>,
}

/// The keys of one document that rules are compared by.
#[derive(Debug)]
pub struct DocumentKeys {
    /// Where the document starts.
    pub span: Span,
    /// `id`.
    pub id: Option<Spanned<String>>,
    /// `title`.
    pub title: Option<Spanned<String>>,
    /// `name`.
    pub name: Option<Spanned<String>>,
}

impl CorpusFile {
    /// The summary of a parsed file.
    pub fn of(path: &Arc<Path>, file: &SigmaFile) -> Self {
        let documents = file
            .documents
            .iter()
            .map(|d| {
                let header = d.header();
                DocumentKeys {
                    span: header.span,
                    id: header.id.clone(),
                    title: header.title.clone(),
                    name: header.name.clone(),
                }
            })
            .collect();
        CorpusFile {
            path: Arc::clone(path),
            source: Arc::clone(&file.source),
            documents,
        }
    }

    /// The id of the document that holds byte `offset`.
    pub fn rule_id_at(&self, offset: usize) -> Option<&str> {
        self.documents
            .iter()
            .take_while(|d| d.span.start <= offset)
            .last()
            .and_then(|d| d.id.as_ref())
            .map(|id| id.value.as_str())
    }
}

/// Every file of the run, for checks that compare rules with each other.
pub struct Corpus<'a> {
    /// The files, in a stable order (sorted by path).
    pub files: &'a [CorpusFile],
    /// The run's settings.
    pub settings: &'a Settings,
}

/// A lint check. Checks report; they never fail.
pub trait Check: Sync + Send {
    /// The check's metadata.
    fn meta(&self) -> &'static CheckMeta;

    /// Checks one file; most checks implement only this.
    fn check_file(&self, _cx: &FileContext<'_>, _out: &mut Vec<Finding>) {}

    /// Checks the whole run at once (duplicate ids, titles, file names).
    fn check_corpus(&self, _corpus: &Corpus<'_>, _out: &mut Vec<Finding>) {}
}

/// Declares a check: its doc block becomes both the type's rustdoc and the
/// text `sigma-lint checks CODE` prints, so the two cannot drift apart.
#[macro_export]
macro_rules! declare_check {
    (
        $(#[doc = $doc:literal])*
        $vis:vis struct $name:ident {
            code: $code:literal,
            name: $kebab:literal,
            family: $family:ident,
            group: $group:ident,
            severity: $severity:ident,
            scope: $scope:ident,
            fix: $fix:ident,
        }
    ) => {
        $(#[doc = $doc])*
        $vis struct $name;

        impl $name {
            /// This check's metadata.
            pub const META: $crate::check::CheckMeta = $crate::check::CheckMeta {
                code: $code,
                name: $kebab,
                family: $crate::check::Family::$family,
                group: $crate::check::Group::$group,
                severity: $crate::finding::Severity::$severity,
                scope: $crate::check::Scope::$scope,
                lifecycle: $crate::check::Lifecycle::Stable,
                fix: $crate::check::FixAvailability::$fix,
                since: "0.1.0",
                docs: concat!($($doc, "\n"),*),
            };
        }
    };
}

#[cfg(test)]
mod tests {
    use super::sentence_end;

    fn first(text: &str) -> &str {
        sentence_end(text).map_or(text, |end| &text[..end])
    }

    #[test]
    fn the_first_sentence_skips_abbreviations_and_code() {
        assert_eq!(
            first("Finds an escaped, i.e. literal, `*`. More."),
            "Finds an escaped, i.e. literal, `*`."
        );
        assert_eq!(
            first("A list (e.g. this) here. Then."),
            "A list (e.g. this) here."
        );
        assert_eq!(
            first("Escapes (`- . ?`) and more. Then."),
            "Escapes (`- . ?`) and more."
        );
        assert_eq!(first("No period"), "No period");
    }

    #[test]
    fn every_summary_is_one_whole_sentence() {
        for meta in crate::checks::metas() {
            let summary = meta.summary();
            assert!(summary.ends_with('.'), "{}: {summary}", meta.code);
            assert_eq!(
                summary.matches('`').count() % 2,
                0,
                "{}: {summary}",
                meta.code
            );
        }
    }
}
