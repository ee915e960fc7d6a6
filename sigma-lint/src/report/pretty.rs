//! The human form: each finding with its source line and the span
//! underlined, rendered by miette.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};

use super::Reporter;
use crate::finding::{Finding, Severity};

/// The pretty reporter; `color` is decided by the caller (terminal and
/// `NO_COLOR`).
pub struct Pretty {
    /// Whether to use ANSI colours.
    pub color: bool,
}

/// A finding as a miette diagnostic, holding its own named source.
struct Rendered<'a> {
    finding: &'a Finding,
    source: NamedSource<Arc<str>>,
    related: Vec<RelatedPlace>,
}

/// A place in another file, rendered as a related diagnostic.
struct RelatedPlace {
    text: String,
    source: NamedSource<Arc<str>>,
    span: miette::SourceSpan,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rendered")
            .field("code", &self.finding.code)
            .finish()
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}({})",
            self.finding.code, self.finding.name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.finding
            .help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(None, self.finding.span);
        let others = self
            .finding
            .labels
            .iter()
            .map(|l| LabeledSpan::new_with_span(Some(l.text.clone()), l.span));
        Some(Box::new(std::iter::once(primary).chain(others)))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

impl fmt::Debug for RelatedPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Display for RelatedPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for RelatedPlace {}

impl Diagnostic for RelatedPlace {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, self.span),
        )))
    }
}

/// The name miette shows for a file: `path:line:column` of the finding.
fn source_name(path: &std::path::Path) -> String {
    path.display().to_string()
}

impl Reporter for Pretty {
    fn report(&self, findings: &[Finding], files: usize, out: &mut dyn Write) -> io::Result<()> {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        for finding in findings {
            let rendered = Rendered {
                finding,
                source: NamedSource::new(source_name(&finding.path), finding.source.clone()),
                related: finding
                    .related
                    .iter()
                    .map(|r| RelatedPlace {
                        text: format!("{} ({}:{})", r.text, r.path.display(), r.span.location),
                        source: NamedSource::new(source_name(&r.path), r.source.clone()),
                        span: r.span.into(),
                    })
                    .collect(),
            };
            let mut text = String::new();
            if handler.render_report(&mut text, &rendered).is_err() {
                // miette could not lay the source out; the concise line still
                // names the place.
                text = format!("{}: {}\n", finding.code, finding.message);
            }
            writeln!(out, "{text}")?;
        }
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        let warnings = findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .count();
        let infos = findings.len() - errors - warnings;
        writeln!(out, "{}", summary(files, errors, warnings, infos))
    }
}

/// The last line of the pretty report, e.g. "1 file checked: 0 errors,
/// 1 warning, 2 infos" (the severity's own word, as in `--fail-level info`).
fn summary(files: usize, errors: usize, warnings: usize, infos: usize) -> String {
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} checked: {}, {}, {}",
        count(files, "file", "files"),
        count(errors, "error", "errors"),
        count(warnings, "warning", "warnings"),
        count(infos, "info", "infos")
    )
}

#[cfg(test)]
mod summary_tests {
    use super::summary;

    #[test]
    fn summary_counts_agree_in_number() {
        assert_eq!(
            summary(1, 1, 0, 1),
            "1 file checked: 1 error, 0 warnings, 1 info"
        );
        assert_eq!(
            summary(2, 0, 1, 3),
            "2 files checked: 0 errors, 1 warning, 3 infos"
        );
        assert_eq!(
            summary(0, 0, 0, 0),
            "0 files checked: 0 errors, 0 warnings, 0 infos"
        );
    }
}
