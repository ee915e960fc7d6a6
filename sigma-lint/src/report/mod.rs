//! Output formats. Each reporter writes all findings of a run to a writer,
//! so tests capture output and the binary passes stdout.
//!
//! Severities map onto each format in one place, [`sarif_level`] and
//! [`github_command`]: error → `error` / `::error`; warning → `warning` /
//! `::warning`; info → `note` / `::notice`.

use std::io::{self, Write};

use sigma_core::span::{Location, Span};

use crate::finding::{Finding, Severity};

pub mod concise;
pub mod github;
pub mod json;
pub mod pretty;
pub mod sarif;

/// Writes a run's findings in one format.
pub trait Reporter {
    /// Writes every finding; `files` is how many files were checked.
    fn report(&self, findings: &[Finding], files: usize, out: &mut dyn Write) -> io::Result<()>;
}

/// The output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The source line with the span underlined (miette).
    Pretty,
    /// One line per finding: `path:line:column: severity[CODE] message`.
    Concise,
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
}

/// The reporter for a format.
pub fn reporter(format: Format, color: bool) -> Box<dyn Reporter> {
    match format {
        Format::Pretty => Box::new(pretty::Pretty { color }),
        Format::Concise => Box::new(concise::Concise),
        Format::Json => Box::new(json::Json),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Github => Box::new(github::Github),
    }
}

/// SARIF's `level` for a severity.
pub fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The GitHub Actions command for a severity.
pub fn github_command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Where a span ends (1-based line and column), counted in `source`.
pub fn end_location(source: &str, span: Span) -> Location {
    let Some(text) = source.get(span.start..span.end) else {
        return span.location;
    };
    match text.rfind('\n') {
        Some(newline) => Location {
            line: span.location.line + text.matches('\n').count() as u32,
            column: text[newline + 1..].chars().count() as u32 + 1,
        },
        None => Location {
            line: span.location.line,
            column: span.location.column + text.chars().count() as u32,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::end_location;
    use sigma_core::span::{Location, Span};

    #[test]
    fn end_of_one_and_several_lines() {
        let source = "ab\ncdé\nf";
        let one = Span {
            start: 3,
            end: 7,
            location: Location { line: 2, column: 1 },
        };
        assert_eq!(end_location(source, one), Location { line: 2, column: 4 });
        let two = Span {
            start: 1,
            end: 9,
            location: Location { line: 1, column: 2 },
        };
        assert_eq!(end_location(source, two), Location { line: 3, column: 2 });
    }
}
