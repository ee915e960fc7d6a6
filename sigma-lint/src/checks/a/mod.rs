//! Family A: YAML and file text.
//!
//! The yamllint rules of SigmaHQ's configuration are one check each, so
//! that each can be selected, ignored or re-weighted by its own name; the
//! ones that read punctuation share [`text`], which locates scalars and
//! comments from the parsed tree instead of scanning the YAML again.
//! yamllint's `anchors` rule (an alias before its anchor) needs no check:
//! such a file does not parse, and `yaml-syntax-error` reports it.

pub mod attack_trademark;
pub mod blank_lines;
pub mod bracket_space;
pub mod colon_space;
pub mod comma_space;
pub mod comment_space;
pub mod document_start;
pub mod duplicate_key;
pub mod hyphen_space;
pub mod indentation;
pub mod line_break;
pub(crate) mod text;
pub mod title_not_first;
pub mod trailing_whitespace;
pub mod unreadable_file;
pub mod yaml11_scalar;
pub mod yaml_syntax;
