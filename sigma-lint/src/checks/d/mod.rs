//! Family D: tags.

pub mod attack_tactic_mismatch;
pub mod duplicate_tag;
pub mod invalid_tag_format;
pub mod invalid_tag_value;
pub mod outdated_attack_tag;
pub mod technique_without_tactic;
pub mod unknown_attack_tag;
pub mod unknown_tag_namespace;

use sigma_core::attack::{self, Entry, Kind};
use sigma_core::span::Spanned;

/// The ATT&CK entries a document's tags name, with the tags.
pub(crate) fn attack_entries(tags: &[Spanned<String>]) -> Vec<(&Spanned<String>, &'static Entry)> {
    tags.iter()
        .filter_map(|tag| {
            let name = tag.value.strip_prefix("attack.")?;
            attack::lookup_tag(name).map(|entry| (tag, entry))
        })
        .collect()
}

/// Whether an entry is a technique or sub-technique.
pub(crate) fn is_technique(entry: &Entry) -> bool {
    matches!(entry.kind, Kind::Technique | Kind::SubTechnique)
}
