//! Source positions.
//!
//! Every node of a parsed rule carries a [`Span`]: a byte range into the file
//! (what miette needs to underline the source) plus the 1-based line and
//! column of its start (what a person and an editor need).

use std::fmt;

/// A line and a column, both 1-based; the column counts characters, not bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, in Unicode scalar values.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A byte range of the source together with the location of its start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Where `start` lies, for messages.
    pub location: Location,
}

impl Span {
    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Whether the span covers no byte (a position rather than a range).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The span that covers `self` through `other`.
    pub fn to(self, other: Span) -> Span {
        if other.end >= self.end {
            Span {
                end: other.end,
                ..self
            }
        } else {
            self
        }
    }

    /// A sub-span `from..to` bytes into this one, for a token inside a scalar.
    ///
    /// The location is moved by the characters skipped, which is exact when
    /// the scalar is written on one line without escapes (plain or quoted
    /// conditions and keys); otherwise it still points into the scalar.
    pub fn slice(self, source: &str, from: usize, to: usize) -> Span {
        let start = (self.start + from).min(self.end);
        let end = (self.start + to).clamp(start, self.end);
        let skipped = source
            .get(self.start..start)
            .map_or(0, |s| s.chars().count());
        Span {
            start,
            end,
            location: Location {
                line: self.location.line,
                column: self.location.column + skipped as u32,
            },
        }
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start, span.len()).into()
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `value` written at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// Turns a 0-based character offset into a byte offset and a [`Location`].
///
/// The YAML scanner counts characters; miette and `str` slicing count bytes.
/// For the common all-ASCII file the two agree and no table is built.
#[derive(Debug)]
pub struct LineIndex {
    /// Byte offset of every character, or `None` when the text is ASCII.
    char_to_byte: Option<Vec<usize>>,
    len: usize,
}

impl LineIndex {
    /// Indexes `source`.
    pub fn new(source: &str) -> Self {
        let char_to_byte = if source.is_ascii() {
            None
        } else {
            Some(source.char_indices().map(|(byte, _)| byte).collect())
        };
        LineIndex {
            char_to_byte,
            len: source.len(),
        }
    }

    /// The byte offset of character `index`, clamped to the end of the text.
    pub fn byte(&self, index: usize) -> usize {
        match &self.char_to_byte {
            None => index.min(self.len),
            Some(table) => table.get(index).copied().unwrap_or(self.len),
        }
    }
}
