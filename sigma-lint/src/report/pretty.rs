//! The human form: each finding with its source line and the span
//! underlined, rendered by miette.

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use rayon::prelude::*;

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
    source: Excerpted,
    related: Vec<RelatedPlace>,
}

/// A place in another file, rendered as a related diagnostic.
struct RelatedPlace {
    text: String,
    source: Excerpted,
    span: miette::SourceSpan,
}

/// A file's text as miette reads it, one window of lines at a time.
///
/// miette finds the lines around a span by walking the text from its
/// first byte, once per label and context: on a corpus run that walk was
/// two fifths of all the linter's work. Here the window (the span's lines
/// and the context lines asked for) is found in a table of line starts,
/// and miette's own reading runs on that window only, its line numbers
/// and offsets shifted back to the file's.
struct Excerpted {
    name: String,
    text: Arc<str>,
    lines: Arc<[usize]>,
}

impl Excerpted {
    fn new(name: String, text: Arc<str>, lines: Arc<[usize]>) -> Excerpted {
        Excerpted { name, text, lines }
    }
}

/// Where each line of `text` starts, with the line breaks miette counts:
/// `\n`, `\r\n` and a lone `\r`.
fn line_starts(text: &str) -> Arc<[usize]> {
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut at = 0;
    while let Some(found) = memchr::memchr2(b'\n', b'\r', bytes.get(at..).unwrap_or_default()) {
        let mut next = at + found + 1;
        if bytes.get(at + found) == Some(&b'\r') && bytes.get(next) == Some(&b'\n') {
            next += 1;
        }
        starts.push(next);
        at = next;
    }
    starts.into()
}

impl SourceCode for Excerpted {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let bytes = self.text.as_bytes();
        let (start, end) = (span.offset(), span.offset() + span.len());
        if end > bytes.len() {
            return Err(MietteError::OutOfBounds);
        }
        let line_of = |offset: usize| self.lines.partition_point(|&s| s <= offset).max(1) - 1;
        // A line of margin on each side: miette counts a span that ends on
        // a line break into the next line, and only needs the window to
        // start on a line start at or before its first context line.
        let first = line_of(start).saturating_sub(context_lines_before + 1);
        let last = line_of(end) + context_lines_after + 1;
        let from = self.lines.get(first).copied().unwrap_or(0);
        let to = self.lines.get(last + 1).copied().unwrap_or(bytes.len());
        let window = bytes.get(from..to).ok_or(MietteError::OutOfBounds)?;

        let inner = SourceSpan::new((start - from).into(), span.len());
        let found = window.read_span(&inner, context_lines_before, context_lines_after)?;
        let data = found.data();
        let offset = found.span().offset() + from;
        // miette counts the column in bytes; the other formats, and
        // editors, count characters.
        let column = bytes
            .get(start.saturating_sub(found.column())..start)
            .and_then(|prefix| std::str::from_utf8(prefix).ok())
            .map_or(found.column(), |prefix| prefix.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data,
            SourceSpan::new(offset.into(), data.len()),
            found.line() + first,
            column,
            found.line_count() + first,
        )))
    }
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

        // Line tables once per file; the findings of a file come together.
        let mut tables: Vec<Arc<[usize]>> = Vec::with_capacity(findings.len());
        for (i, finding) in findings.iter().enumerate() {
            let same = i
                .checked_sub(1)
                .and_then(|p| findings.get(p))
                .zip(tables.last())
                .filter(|(previous, _)| Arc::ptr_eq(&previous.source, &finding.source));
            let table = match same {
                Some((_, table)) => Arc::clone(table),
                None => line_starts(&finding.source),
            };
            tables.push(table);
        }

        // Rendered in parallel, written in order.
        let texts: Vec<String> = findings
            .par_iter()
            .zip(tables.into_par_iter())
            .map(|(finding, lines)| render(&handler, finding, lines))
            .collect();
        for text in texts {
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

/// One finding as miette draws it; `lines` are the line starts of its file.
fn render(handler: &GraphicalReportHandler, finding: &Finding, lines: Arc<[usize]>) -> String {
    let rendered = Rendered {
        finding,
        source: Excerpted::new(source_name(&finding.path), finding.source.clone(), lines),
        related: finding
            .related
            .iter()
            .map(|r| RelatedPlace {
                text: format!("{} ({}:{})", r.text, r.path.display(), r.span.location),
                source: Excerpted::new(
                    source_name(&r.path),
                    r.source.clone(),
                    line_starts(&r.source),
                ),
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
    text
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

#[cfg(test)]
mod excerpt_tests {
    use super::*;

    #[test]
    fn the_column_counts_characters_not_bytes() {
        let text = "title: t\n  sel: {F: \"ééé日本\", G|re: \"(x\"}\n";
        let excerpted = Excerpted::new("f.yml".to_owned(), text.into(), line_starts(text));
        let start = text.find("\"(x").unwrap_or_default();
        let span = SourceSpan::new(start.into(), 3);
        let read = excerpted.read_span(&span, 0, 0).expect("in bounds");
        let expected = text[..start]
            .rsplit('\n')
            .next()
            .unwrap_or("")
            .chars()
            .count();
        assert_eq!((read.line(), read.column()), (1, expected));
        let bytes_into_line = start - text.find('\n').map_or(0, |n| n + 1);
        assert_eq!(
            bytes_into_line - expected,
            7,
            "3 × é and 2 × CJK are 7 extra bytes"
        );
    }

    /// Every span of a text with every kind of line break reads the same
    /// through the window as miette reads it from the whole text.
    #[test]
    fn windows_read_what_miette_reads_from_the_whole_text() {
        let text = "title: t\r\nid: x\n\ndetection:\r  sel: a\n  condition: sel\nlevel: low";
        let excerpted = Excerpted::new("f.yml".to_owned(), text.into(), line_starts(text));
        let whole = text.as_bytes();
        for start in 0..=text.len() {
            for len in 0..=text.len() - start {
                for context in 0..3 {
                    let span = SourceSpan::new(start.into(), len);
                    let ours = excerpted.read_span(&span, context, context);
                    let theirs = whole.read_span(&span, context, context);
                    let (Ok(ours), Ok(theirs)) = (ours, theirs) else {
                        panic!("{start}+{len} context {context}: one read failed");
                    };
                    let shape = |c: &dyn SpanContents<'_>| {
                        (
                            c.data().to_vec(),
                            *c.span(),
                            c.line(),
                            c.column(),
                            c.line_count(),
                        )
                    };
                    assert_eq!(
                        shape(ours.as_ref()),
                        shape(theirs.as_ref()),
                        "{start}+{len} context {context}"
                    );
                }
            }
        }
    }
}
