//! Which changes to a witness must not change the verdict, per field.
//!
//! A change is only claimed harmless where that follows from the rule's
//! tests alone: letter case where every test of the field ignores case;
//! text around the value where every test of the field is a `contains`
//! that is never negated (a longer text still contains the value, and no
//! filter can start to apply); unrelated fields where no negated keyword
//! could see them. Numbers written as strings are always harmless (C6).

use std::collections::{BTreeMap, BTreeSet};

use sigma_core::analysis::Analysis;
use sigma_core::matcher::ir::{Case, Expr, Operation, Predicate, Target};

/// What the fuzzer may change about a field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldFacts {
    /// Letter case does not matter.
    pub case_free: bool,
    /// Text may be added before and after the value.
    pub paddable: bool,
}

/// The facts of every field the rule names, plus the rule-wide ones.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// By event field name.
    pub fields: BTreeMap<String, FieldFacts>,
    /// Extra, unrelated fields cannot change the verdict.
    pub extra_fields_free: bool,
    /// Letter case of any value cannot matter to the keyword tests.
    pub keywords_case_free: bool,
}

impl Facts {
    /// Reads the facts off the analysed rule.
    pub fn of(analysis: &Analysis) -> Facts {
        let mut seen: BTreeMap<String, Vec<(&Predicate, bool)>> = BTreeMap::new();
        let mut keywords: Vec<(&Predicate, bool)> = Vec::new();
        let mut referenced = BTreeSet::new();
        walk(&analysis.tree, true, &mut |p, positive| {
            if let Operation::FieldRef { field, .. } = &p.operation {
                referenced.insert(field.clone());
            }
            match &p.target {
                Target::Field { name, .. } => {
                    seen.entry(name.clone()).or_default().push((p, positive))
                }
                Target::Keywords => keywords.push((p, positive)),
            }
        });

        let keywords_case_free = keywords.iter().all(|(p, _)| ignores_case(&p.operation));
        let negated_keywords = keywords.iter().any(|(_, positive)| !positive);
        let mut fields = BTreeMap::new();
        for (name, uses) in &seen {
            let linked = referenced.contains(name)
                || uses
                    .iter()
                    .any(|(p, _)| matches!(p.operation, Operation::FieldRef { .. }));
            let case_free = keywords_case_free
                && !linked
                && uses.iter().all(|(p, _)| ignores_case(&p.operation));
            let paddable = !negated_keywords
                && !linked
                && uses
                    .iter()
                    .all(|(p, positive)| *positive && is_contains(&p.operation));
            fields.insert(
                name.clone(),
                FieldFacts {
                    case_free,
                    paddable,
                },
            );
        }
        Facts {
            fields,
            extra_fields_free: !negated_keywords,
            keywords_case_free,
        }
    }
}

/// Calls `visit` with every predicate and whether it sits under an even
/// number of negations.
fn walk<'a>(expr: &'a Expr, positive: bool, visit: &mut impl FnMut(&'a Predicate, bool)) {
    match expr {
        Expr::And(items) | Expr::Or(items) => items.iter().for_each(|i| walk(i, positive, visit)),
        Expr::Not(inner) => walk(inner, !positive, visit),
        Expr::Search { body, .. } => walk(body, positive, visit),
        Expr::Predicate(p) => visit(p, positive),
    }
}

fn ignores_case(operation: &Operation) -> bool {
    match operation {
        Operation::Match { case, .. } | Operation::FieldRef { case, .. } => {
            *case == Case::Insensitive
        }
        Operation::Regex { flags, .. } => flags.ignore_case,
        Operation::Number(_)
        | Operation::Bool(_)
        | Operation::Null
        | Operation::Exists(_)
        | Operation::Compare { .. }
        | Operation::Cidr(_)
        | Operation::TimePart { .. } => true,
    }
}

fn is_contains(operation: &Operation) -> bool {
    match operation {
        Operation::Match { patterns, .. } => patterns
            .iter()
            .all(|p| p.starts_with_any_run() && p.ends_with_any_run()),
        _ => false,
    }
}
