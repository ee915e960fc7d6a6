//! Every check, one file each, grouped by family; and the registry.
//!
//! The registry ([`ALL`]) maps each stable code to its check. A code is
//! never reused: a retired check keeps its entry with a `Deprecated`
//! lifecycle. Families H (values and modifiers), I (correlations) and J
//! (filters) plug in here the same way.

use sigma_core::rule::{Rule, SigmaDocument};

use crate::check::{Check, CheckMeta, FileContext};

pub mod a;
pub mod b;
pub mod c;
pub mod d;
pub mod e;
pub mod f;
pub mod g;
pub mod h;
pub mod i;
pub mod j;
pub mod l;
pub mod semantic;

/// Every check, in code order.
pub static ALL: &[&dyn Check] = &[
    &a::unreadable_file::UnreadableFile,
    &a::yaml_syntax::YamlSyntax,
    &a::duplicate_key::DuplicateKey,
    &a::yaml11_scalar::Yaml11Scalar,
    &a::trailing_whitespace::TrailingWhitespace,
    &a::title_not_first::TitleNotFirst,
    &a::attack_trademark::AttackTrademark,
    &a::line_break::LineBreak,
    &a::blank_lines::BlankLines,
    &a::document_start::DocumentStart,
    &a::indentation::Indentation,
    &a::comment_space::CommentSpace,
    &a::colon_space::ColonSpace,
    &a::comma_space::CommaSpace,
    &a::hyphen_space::HyphenSpace,
    &a::bracket_space::BracketSpace,
    &b::file_name_convention::FileNameConvention,
    &b::file_name_length::FileNameLength,
    &b::duplicate_file_name::DuplicateFileName,
    &b::file_name_prefix::FileNamePrefix,
    &c::document_structure::DocumentStructure,
    &c::missing_title::MissingTitle,
    &c::title_style::TitleStyle,
    &c::invalid_id::InvalidId,
    &c::missing_id::MissingId,
    &c::id_not_v4::IdNotV4,
    &c::duplicate_id::DuplicateId,
    &c::duplicate_title::DuplicateTitle,
    &c::enum_value::InvalidEnumValue,
    &c::invalid_date::InvalidDate,
    &c::date_order::DateOrder,
    &c::missing_recommended::MissingRecommended,
    &c::invalid_related::InvalidRelated,
    &c::duplicate_reference::DuplicateReference,
    &c::unknown_key::UnknownKey,
    &d::invalid_tag_format::InvalidTagFormat,
    &d::duplicate_tag::DuplicateTag,
    &d::unknown_tag_namespace::UnknownTagNamespace,
    &d::unknown_attack_tag::UnknownAttackTag,
    &d::outdated_attack_tag::OutdatedAttackTag,
    &d::attack_tactic_mismatch::AttackTacticMismatch,
    &d::technique_without_tactic::TechniqueWithoutTactic,
    &d::invalid_tag_value::InvalidTagValue,
    &e::missing_logsource::MissingLogsource,
    &e::unknown_logsource_key::UnknownLogsourceKey,
    &e::unknown_logsource::UnknownLogsource,
    &f::empty_detection::EmptyDetection,
    &f::field_name_space::FieldNameSpace,
    &f::unknown_field::UnknownField,
    &g::condition_syntax::ConditionSyntax,
    &g::undefined_identifier::UndefinedIdentifier,
    &g::pattern_matches_nothing::PatternMatchesNothing,
    &g::unused_identifier::UnusedIdentifier,
    &g::operator_word_identifier::OperatorWordIdentifier,
    &g::of_them_single_identifier::OfThemSingleIdentifier,
    &g::all_of_them::AllOfThem,
    &g::deprecated_timeframe::DeprecatedTimeframe,
    &g::condition_list::ConditionList,
    &h::invalid_modifier::InvalidModifier,
    &h::invalid_value::InvalidValue,
    &h::unresolved_placeholder::UnresolvedPlaceholder,
    &h::null_in_list::NullInList,
    &h::combination::InvalidCombination,
    &h::wide_without_base64::WideWithoutBase64,
    &h::regex_construct::RegexConstruct,
    &h::control_character::ControlCharacter,
    &h::double_wildcard::DoubleWildcard,
    &h::escaped_wildcard::EscapedWildcard,
    &h::number_as_string::NumberAsString,
    &h::wildcards_instead_of_modifier::WildcardsInsteadOfModifier,
    &h::regex_escape::RegexEscape,
    &i::correlation_shape::CorrelationShape,
    &i::unknown_reference::UnknownReference,
    &i::group_by::CorrelationGroupBy,
    &i::too_few_rules::TooFewRules,
    &j::filter_shape::FilterShape,
    &l::schema_violation::SchemaViolation,
    &semantic::never_matches::NeverMatches,
    &semantic::dead_filter::DeadFilter,
    &semantic::filter_removes_everything::FilterRemovesEverything,
    &semantic::implied_selection::ImpliedSelection,
    &semantic::redundant_value::RedundantValue,
    &semantic::useless_modifier::UselessModifier,
    &semantic::over_budget::OverBudget,
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

/// The documents that metadata checks look at: rules, correlations,
/// filters, and any other document that is a mapping (a rule whose
/// `detection` is missing is still a rule to its author).
pub(crate) fn sigma_documents<'a>(cx: &FileContext<'a>) -> impl Iterator<Item = &'a SigmaDocument> {
    cx.documents().iter().filter(|d| match d {
        SigmaDocument::Other(header) => header
            .root
            .as_ref()
            .is_some_and(|r| r.as_mapping().is_some()),
        _ => true,
    })
}

/// The detection rules of a file.
pub(crate) fn rules<'a>(cx: &FileContext<'a>) -> impl Iterator<Item = &'a Rule> {
    cx.documents().iter().filter_map(|d| match d {
        SigmaDocument::Rule(rule) => Some(rule),
        _ => None,
    })
}

/// Whether the file is a Sigma v1 multi-document rule (`action: global`),
/// whose parts are not complete rules on their own.
pub(crate) fn is_v1_collection(cx: &FileContext<'_>) -> bool {
    cx.documents()
        .iter()
        .any(|d| d.header().get("action").is_some())
}

/// The detections of a file: each rule's, and each filter's `filter` part.
/// A v1 collection has none: its condition may name identifiers defined in
/// another of its documents.
pub(crate) fn detections<'a>(
    cx: &FileContext<'a>,
) -> impl Iterator<Item = &'a sigma_core::rule::Detection> {
    let v1 = is_v1_collection(cx);
    cx.documents()
        .iter()
        .filter(move |_| !v1)
        .filter_map(|d| match d {
            SigmaDocument::Rule(rule) => Some(&rule.detection),
            SigmaDocument::Filter(filter) => Some(&filter.detection),
            SigmaDocument::Correlation(_) | SigmaDocument::Other(_) => None,
        })
}

/// Every detection item of a body, with nested lists walked.
pub(crate) fn items(
    body: &sigma_core::rule::DetectionBody,
) -> Vec<&sigma_core::rule::DetectionItem> {
    use sigma_core::rule::DetectionBody;
    let mut found = Vec::new();
    let mut stack = vec![body];
    while let Some(body) = stack.pop() {
        match body {
            DetectionBody::Map { items, .. } => found.extend(items.iter()),
            DetectionBody::List { elements, .. } => stack.extend(elements.iter().rev()),
            DetectionBody::Keyword(_) | DetectionBody::Invalid(_) => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let metas: Vec<&CheckMeta> = metas().collect();
        for (i, meta) in metas.iter().enumerate() {
            assert!(
                meta.code.starts_with(meta.family.letter()),
                "{} is not in its family",
                meta.code
            );
            assert_eq!(meta.code.len(), 4, "{}", meta.code);
            let kebab = meta
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            assert!(kebab, "{} is not kebab-case", meta.name);
            for other in &metas[..i] {
                assert_ne!(meta.code, other.code, "code used twice");
                assert_ne!(meta.name, other.name, "name used twice");
            }
            assert!(find(meta.code).is_some() && find(meta.name).is_some());
        }
    }

    /// `sigma-lint checks NAME` is read by rule authors, who do not have
    /// this team's notes: references must name public sources.
    #[test]
    fn docs_cite_no_internal_notes() {
        let internal = [
            "lint-checks",
            "Issue 5",
            "design.md",
            "case 0",
            "cases 0",
            "defect ",
        ];
        for meta in metas() {
            for word in internal {
                assert!(
                    !meta.docs.contains(word),
                    "{} ({}) cites `{word}`",
                    meta.code,
                    meta.name
                );
            }
        }
    }

    #[test]
    fn every_doc_block_has_every_section_in_order() {
        const SECTIONS: &[&[&str]] = &[
            &["## What it does"],
            &["## Why it matters", "## Why you might want it"],
            &["## Example"],
            &["## Write instead"],
            &["## Fix"],
            &["## Options"],
            &["## Known problems"],
            &["## References"],
        ];
        for meta in metas() {
            let mut from = 0;
            for alternatives in SECTIONS {
                let found = alternatives
                    .iter()
                    .filter_map(|heading| meta.docs[from..].find(heading).map(|at| from + at))
                    .min();
                let Some(at) = found else {
                    panic!(
                        "{} ({}): no `{}` section after byte {from}",
                        meta.code, meta.name, alternatives[0]
                    );
                };
                from = at + 1;
            }
            assert!(!meta.summary().is_empty(), "{} has no summary", meta.code);
        }
    }
}
