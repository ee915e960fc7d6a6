//! A located problem with a test input: a case file, an `info.yml`, an event
//! file. Each one fails the case it belongs to; the run goes on.

use std::fmt;
use std::path::{Path, PathBuf};

use sigma_core::span::Span;

/// What is wrong, in which file, where.
#[derive(Clone, Debug, PartialEq, thiserror::Error, miette::Diagnostic)]
pub struct InputError {
    /// What is wrong; lowercase, no trailing period.
    pub message: String,
    /// The file.
    pub path: PathBuf,
    /// Where in it, when known.
    #[label("here")]
    pub span: Option<Span>,
}

impl InputError {
    /// A problem at `span` of `path`.
    pub fn at(path: &Path, span: Span, message: impl Into<String>) -> Self {
        InputError {
            message: message.into(),
            path: path.to_owned(),
            span: Some(span),
        }
    }

    /// A problem with `path` as a whole.
    pub fn file(path: &Path, message: impl Into<String>) -> Self {
        InputError {
            message: message.into(),
            path: path.to_owned(),
            span: None,
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(span) = self.span {
            write!(f, ":{}", span.location)?;
        }
        write!(f, ": {}", self.message)
    }
}
