//! Why a rule cannot be compiled, or an event could not be fully evaluated.

use std::fmt;

use crate::span::Span;

/// A rule that cannot be turned into a matcher, located at the offending
/// token: an unknown modifier, an impossible modifier combination, a value
/// of the wrong type, a regex that does not compile, an undefined search
/// identifier in the condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// What is wrong; lowercase, no trailing period.
    pub message: String,
    /// Where, in the rule file.
    pub span: Span,
    /// What to write instead, when there is a clear answer.
    pub help: Option<String>,
    /// Whether the rule is wrong or only lacks a value from outside.
    pub kind: CompileErrorKind,
}

/// Why a rule does not compile, for callers that treat the reasons apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CompileErrorKind {
    /// The rule is wrong as written.
    #[default]
    Invalid,
    /// An `expand` placeholder has no values: nothing in the rule is
    /// wrong, but it cannot run until a deployment supplies them.
    MissingPlaceholder,
}

impl CompileError {
    /// An error at `span`.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        CompileError {
            message: message.into(),
            span,
            help: None,
            kind: CompileErrorKind::Invalid,
        }
    }

    /// A placeholder named `name` (without the percent signs) that has no
    /// values, written at `span`.
    pub fn missing_placeholder(name: &str, span: Span) -> Self {
        CompileError {
            kind: CompileErrorKind::MissingPlaceholder,
            ..CompileError::new(format!("placeholder `%{name}%` is not defined"), span)
        }
    }

    /// Adds a help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.span.location, self.message)
    }
}

impl std::error::Error for CompileError {}

impl miette::Diagnostic for CompileError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("sigma::compile"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let label = miette::LabeledSpan::new_primary_with_span(None, self.span);
        Some(Box::new(std::iter::once(label)))
    }
}

/// An evaluation that could not finish, such as a regex that exceeded its
/// backtracking limit on this event. Located at the rule value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchError {
    /// What went wrong; lowercase, no trailing period.
    pub message: String,
    /// The rule value whose evaluation failed.
    pub span: Span,
}

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.span.location, self.message)
    }
}

impl std::error::Error for MatchError {}

impl miette::Diagnostic for MatchError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("sigma::match"))
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let label = miette::LabeledSpan::new_primary_with_span(None, self.span);
        Some(Box::new(std::iter::once(label)))
    }
}
