//! Family I: correlation rules (their own YAML documents, alone or with
//! their base rules in one multi-document file).
//!
//! The JSON schema (family L) already checks required keys and plain
//! types; these checks add what the schema cannot say (its `condition`
//! constraints are no-ops, lint-checks defect 19) and the references
//! between documents.

pub mod correlation_shape;
pub mod group_by;
pub mod too_few_rules;
pub mod unknown_reference;

use sigma_core::rule::{Correlation, SigmaDocument};

use crate::check::FileContext;

/// The correlation documents of a file.
pub(crate) fn correlations<'a>(cx: &FileContext<'a>) -> impl Iterator<Item = &'a Correlation> {
    cx.documents().iter().filter_map(|d| match d {
        SigmaDocument::Correlation(c) => Some(c),
        _ => None,
    })
}
