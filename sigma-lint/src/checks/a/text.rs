//! Where a file's scalars and comments lie, for the checks that read YAML
//! punctuation in the raw text (colons, commas, hyphens, brackets, `#`).
//!
//! A `:` inside `'C:\Windows'` or a `#` inside a URL is part of a value,
//! not YAML syntax. The spanned tree of `sigma_core::yaml` already knows
//! every scalar's bytes, so no second scanner is needed: a byte that lies
//! outside every scalar and every comment is punctuation. Checks build the
//! [`Layout`] only after a cheap substring search found a candidate, so a
//! clean file costs one pass over its bytes.

use sigma_core::span::{Location, Span};
use sigma_core::yaml::{Node, Style, Value};

use crate::check::FileContext;

/// The bytes of one scalar as written (quotes included; a block scalar's
/// content lines, not its `|` header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ScalarRegion {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// How it was written.
    pub style: Style,
}

/// The scalars and comments of a file that parsed.
#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// Sorted by start; they never overlap.
    scalars: Vec<ScalarRegion>,
    /// Each comment from its first `#` to the end of its line, in order.
    comments: Vec<(usize, usize)>,
}

impl Layout {
    /// The layout of the file; `None` when it is not valid YAML (then the
    /// syntax error is the finding, and punctuation cannot be told apart).
    pub fn of(cx: &FileContext<'_>) -> Option<Layout> {
        if cx.file.syntax_error.is_some() {
            return None;
        }
        let source = cx.source();
        let mut scalars = Vec::new();
        for document in cx.documents() {
            if let Some(root) = &document.header().root {
                collect_scalars(source, root, &mut scalars);
            }
        }
        scalars.sort_by_key(|r| (r.start, r.end));
        // An alias to a scalar repeats its anchor's region.
        scalars.dedup();
        let mut layout = Layout {
            scalars,
            comments: Vec::new(),
        };
        layout.comments = layout.find_comments(cx.source());
        Some(layout)
    }

    /// The scalar that holds byte `at`, if any.
    pub fn scalar_at(&self, at: usize) -> Option<&ScalarRegion> {
        let after = self.scalars.partition_point(|r| r.start <= at);
        let region = self.scalars.get(after.checked_sub(1)?)?;
        (at < region.end).then_some(region)
    }

    /// Every comment, as byte ranges from `#` to the end of its line.
    pub fn comments(&self) -> &[(usize, usize)] {
        &self.comments
    }

    /// Whether byte `at` is YAML punctuation or indentation: in no scalar
    /// and no comment.
    pub fn is_syntax(&self, at: usize) -> bool {
        if self.scalar_at(at).is_some() {
            return false;
        }
        let after = self.comments.partition_point(|c| c.0 <= at);
        after
            .checked_sub(1)
            .and_then(|i| self.comments.get(i))
            .is_none_or(|c| at >= c.1)
    }

    /// A `#` outside scalars starts a comment when it follows a blank or
    /// starts a line. One touching other text outside a scalar is a YAML
    /// syntax error in our parser, so only an anchor or tag name (`&a#b`)
    /// is left, and that is not a comment.
    fn find_comments(&self, source: &str) -> Vec<(usize, usize)> {
        let bytes = source.as_bytes();
        let mut comments = Vec::new();
        let mut from = 0;
        while let Some(found) = source.get(from..).and_then(|rest| rest.find('#')) {
            let at = from + found;
            let after_blank =
                at == 0 || matches!(bytes.get(at - 1), Some(b' ' | b'\t' | b'\n' | b'\r'));
            if after_blank && self.scalar_at(at).is_none() {
                let end = line_end(source, at);
                comments.push((at, end));
                from = end;
            } else {
                from = at + 1;
            }
        }
        comments
    }
}

fn collect_scalars(source: &str, node: &Node, out: &mut Vec<ScalarRegion>) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Scalar(scalar) => {
                let start = node.span.start;
                let end = scalar_end(source, start, node.span.end, scalar.style);
                if end > start {
                    out.push(ScalarRegion {
                        start,
                        end,
                        style: scalar.style,
                    });
                }
            }
            Value::Sequence(items) => stack.extend(items.iter()),
            Value::Mapping(entries) => {
                for (key, value) in entries {
                    stack.push(key);
                    stack.push(value);
                }
            }
        }
    }
}

/// Where a scalar really ends. The parser's end mark of a flow scalar
/// can lie past blanks and a trailing comment (`'x' # note`), so quoted
/// scalars end at their closing quote and plain ones before ` #` and
/// trailing blanks. A block scalar's end mark is kept: it stops before
/// the next less indented line.
pub(crate) fn scalar_end(source: &str, start: usize, end: usize, style: Style) -> usize {
    let Some(text) = source.get(start..end) else {
        return end;
    };
    let length = match style {
        Style::Literal | Style::Folded => text.len(),
        Style::SingleQuoted => closing_quote(text, b'\'', false),
        Style::DoubleQuoted => closing_quote(text, b'"', true),
        Style::Plain => {
            let bytes = text.as_bytes();
            let comment = (1..bytes.len())
                .find(|&i| bytes[i] == b'#' && matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(bytes.len());
            text[..comment]
                .trim_end_matches([' ', '\t', '\n', '\r'])
                .len()
        }
    };
    start + length
}

/// The length of a quoted scalar up to and including its closing quote
/// (`''` inside single quotes and `\"` inside double quotes are escapes).
fn closing_quote(text: &str, quote: u8, backslash: bool) -> usize {
    let bytes = text.as_bytes();
    let mut i = 1;
    while let Some(&b) = bytes.get(i) {
        if backslash && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote {
            if !backslash && bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    text.len()
}

/// The offset of the line break (`\n` or `\r`) that ends the line holding
/// `at`, or the end of the text.
pub(crate) fn line_end(source: &str, at: usize) -> usize {
    source
        .get(at..)
        .and_then(|rest| rest.find(['\n', '\r']))
        .map_or(source.len(), |found| at + found)
}

/// The offset where the line holding `at` starts.
pub(crate) fn line_start(source: &str, at: usize) -> usize {
    source
        .get(..at)
        .and_then(|before| before.rfind(['\n', '\r']))
        .map_or(0, |found| found + 1)
}

/// Whether only spaces stand between the start of its line and `at`.
pub(crate) fn starts_line(source: &str, at: usize) -> bool {
    let start = line_start(source, at);
    source
        .get(start..at)
        .is_some_and(|indent| indent.bytes().all(|b| b == b' '))
}

/// How many spaces follow `at`.
pub(crate) fn spaces_from(source: &str, at: usize) -> usize {
    source
        .get(at..)
        .map_or(0, |rest| rest.bytes().take_while(|&b| b == b' ').count())
}

/// How many spaces precede `at`.
pub(crate) fn spaces_before(source: &str, at: usize) -> usize {
    source.get(..at).map_or(0, |before| {
        before.bytes().rev().take_while(|&b| b == b' ').count()
    })
}

/// Whether the text at `at` ends the line's tokens: a line break, a
/// comment or the end of the file.
pub(crate) fn ends_tokens(source: &str, at: usize) -> bool {
    matches!(source.as_bytes().get(at), None | Some(b'\n' | b'\r' | b'#'))
}

/// The span of bytes `start..end`, located by counting line breaks (a
/// lone `\r` counts as one, as in YAML). Findings are rare, so the count
/// is done per finding rather than with an index.
pub(crate) fn span_at(source: &str, start: usize, end: usize) -> Span {
    let start = start.min(source.len());
    let before = source.get(..start).unwrap_or("");
    let bytes = before.as_bytes();
    let mut line = 1u32;
    for (i, &b) in bytes.iter().enumerate() {
        let lone_cr = b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        if b == b'\n' || lone_cr {
            line += 1;
        }
    }
    let from = line_start(source, start);
    let column = source.get(from..start).map_or(0, |s| s.chars().count()) as u32 + 1;
    Span {
        start,
        end: end.clamp(start, source.len()),
        location: Location { line, column },
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use sigma_core::rule::SigmaFile;

    use super::*;
    use crate::settings::Settings;

    fn layout(source: &str) -> Option<Layout> {
        let path: Arc<Path> = Arc::from(Path::new("x.yml"));
        let file = SigmaFile::parse("x.yml", source);
        let settings = Settings::default();
        let cx = FileContext {
            path: &path,
            file: &file,
            settings: &settings,
        };
        Layout::of(&cx)
    }

    #[test]
    fn punctuation_inside_values_is_not_syntax() {
        let source = "a: 'x # y: z' # note\nb: c:d\n";
        let file = SigmaFile::parse("x.yml", source);
        assert_eq!(file.syntax_error, None);
        let layout = layout(source).unwrap_or_default();
        assert_eq!(layout.comments(), &[(14, 20)]);
        let colon_in_value = source.find("y:").unwrap_or(0) + 1;
        assert!(!layout.is_syntax(colon_in_value));
        assert!(layout.is_syntax(1));
        assert!(!layout.is_syntax(source.find("c:d").unwrap_or(0) + 1));
        assert!(!layout.is_syntax(16), "inside the comment");
    }

    #[test]
    fn scalars_end_before_trailing_comments() {
        let source = "a: 'it''s' # c1\nb: \"q\\\" x\" # c2\nc: plain text # c3\n";
        let layout = layout(source).unwrap_or_default();
        let starts: Vec<usize> = layout.comments().iter().map(|c| c.0).collect();
        let expected: Vec<usize> = source.match_indices(" # c").map(|(at, _)| at + 1).collect();
        assert_eq!(starts, expected);
    }

    #[test]
    fn broken_yaml_has_no_layout() {
        assert!(layout("a: 'open\n").is_none());
    }

    #[test]
    fn spans_count_lone_carriage_returns_as_breaks() {
        let span = span_at("a\rb\r\nc", 5, 6);
        assert_eq!((span.location.line, span.location.column), (3, 1));
        let span = span_at("ab\ncd", 4, 5);
        assert_eq!((span.location.line, span.location.column), (2, 2));
    }
}
