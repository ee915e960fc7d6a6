//! Family B: file names.

pub mod duplicate_file_name;
pub mod file_name_convention;
pub mod file_name_length;
pub mod file_name_prefix;

use sigma_core::span::{Location, Span};

/// The place a file-name finding points at: the start of the file.
pub(crate) fn file_start() -> Span {
    Span {
        start: 0,
        end: 0,
        location: Location { line: 1, column: 1 },
    }
}
