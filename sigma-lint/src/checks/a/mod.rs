//! Family A: YAML and file text.

pub mod attack_trademark;
pub mod duplicate_key;
pub mod title_not_first;
pub mod trailing_whitespace;
pub mod unreadable_file;
pub mod yaml11_scalar;
pub mod yaml_syntax;
