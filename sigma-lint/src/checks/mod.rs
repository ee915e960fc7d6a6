//! Every check, one file each, grouped by family; and the registry.
//!
//! The registry ([`ALL`]) maps each stable code to its check. A code is
//! never reused: a retired check keeps its entry with a `Deprecated`
//! lifecycle. Families H (values and modifiers), I (correlations) and J
//! (filters) plug in here the same way.

use sigma_core::rule::{Rule, SigmaDocument};

use crate::check::{Check, CheckMeta, FileContext};

pub mod a;

/// Every check, in code order.
pub static ALL: &[&dyn Check] = &[
    &a::unreadable_file::UnreadableFile,
    &a::yaml_syntax::YamlSyntax,
    &a::duplicate_key::DuplicateKey,
    &a::yaml11_scalar::Yaml11Scalar,
    &a::trailing_whitespace::TrailingWhitespace,
    &a::title_not_first::TitleNotFirst,
    &a::attack_trademark::AttackTrademark,
];

/// The check with this code or name.
pub fn find(code_or_name: &str) -> Option<&'static dyn Check> {
    ALL.iter()
        .copied()
        .find(|c| c.meta().code.eq_ignore_ascii_case(code_or_name) || c.meta().name == code_or_name)
}

/// Every check's metadata, in code order.
pub fn metas() -> impl Iterator<Item = &'static CheckMeta> {
    ALL.iter().map(|c| c.meta())
}

/// The rules, correlations and filters of a file (not `Other` documents).
pub(crate) fn sigma_documents<'a>(
    cx: &FileContext<'a>,
) -> impl Iterator<Item = &'a SigmaDocument> {
    cx.documents()
        .iter()
        .filter(|d| !matches!(d, SigmaDocument::Other(_)))
}

/// The detection rules of a file.
pub(crate) fn rules<'a>(cx: &FileContext<'a>) -> impl Iterator<Item = &'a Rule> {
    cx.documents().iter().filter_map(|d| match d {
        SigmaDocument::Rule(rule) => Some(rule),
        _ => None,
    })
}
