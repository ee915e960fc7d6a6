//! Family J: meta filters (their own YAML documents).
//!
//! The JSON schema (family L) checks required keys and types; reference
//! resolution is `unknown-rule-reference` (I002), shared with correlations.

pub mod filter_shape;
