//! Family H: values and modifiers.
//!
//! sigma-core's `modifier` module is the single source of what a modifier
//! chain means: the checks here call [`parse_chain`] and
//! [`ModifierChain::apply`] and turn their located errors into findings,
//! and only add what the matcher does not need to know (combinations that
//! compile but cannot match, values a list must not hold).

pub mod combination;
pub mod control_character;
pub mod double_wildcard;
pub mod escaped_wildcard;
pub mod invalid_modifier;
pub mod invalid_value;
pub mod null_in_list;
pub mod number_as_string;
pub mod regex_construct;
pub mod regex_escape;
pub mod unresolved_placeholder;
pub mod wide_without_base64;
pub mod wildcards_instead_of_modifier;

use sigma_core::matcher::CompileError;
use sigma_core::modifier::{parse_chain, ChainKind, ModifierChain};
use sigma_core::rule::{DetectionItem, RuleValue, ValueKind};

use crate::check::FileContext;
use crate::checks::{detections, items};

/// Every detection item of the file's rules and filters, with its parsed
/// modifier chain (or why the chain is invalid).
pub(crate) fn item_chains<'a>(
    cx: &FileContext<'a>,
) -> Vec<(&'a DetectionItem, Result<ModifierChain, Vec<CompileError>>)> {
    let mut found = Vec::new();
    for detection in detections(cx) {
        for identifier in &detection.identifiers {
            for item in items(&identifier.body) {
                found.push((item, parse_chain(&item.modifiers)));
            }
        }
    }
    found
}

/// The items whose chain is valid, with it.
pub(crate) fn valid_chains<'a>(cx: &FileContext<'a>) -> Vec<(&'a DetectionItem, ModifierChain)> {
    item_chains(cx)
        .into_iter()
        .filter_map(|(item, chain)| chain.ok().map(|c| (item, c)))
        .collect()
}

/// The string values compared as Sigma strings (no `re`, `cidr`, ...),
/// with their text. Values under `windash` and `base64offset` are
/// included: pySigma's string validators skip them.
pub(crate) fn plain_strings<'a>(cx: &FileContext<'a>) -> Vec<(&'a RuleValue, &'a str)> {
    strings_of(cx, |kind| matches!(kind, ChainKind::Plain(_)))
}

/// The patterns of `re` values, with their text.
pub(crate) fn regex_patterns<'a>(cx: &FileContext<'a>) -> Vec<(&'a RuleValue, &'a str)> {
    strings_of(cx, |kind| matches!(kind, ChainKind::Regex { .. }))
}

/// The string values of the items whose modifier chain is of a kind
/// `wanted` accepts.
fn strings_of<'a>(
    cx: &FileContext<'a>,
    wanted: impl Fn(&ChainKind) -> bool,
) -> Vec<(&'a RuleValue, &'a str)> {
    let mut found = Vec::new();
    for (item, chain) in valid_chains(cx) {
        if !wanted(&chain.kind) {
            continue;
        }
        for value in &item.values {
            if let ValueKind::Str(text) = &value.kind {
                found.push((value, text.as_str()));
            }
        }
    }
    found
}
