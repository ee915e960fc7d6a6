//! A rule's condition cut into stages.
//!
//! Authors think of `selection and not filter` as steps: the selection
//! picks events, the filter takes some back. The top-level conjuncts of
//! the condition are those steps. A `not (...)` conjunct is an exclusion;
//! `not (a or b)`, which is what `not 1 of filter_*` lowers to, is cut into
//! one exclusion per alternative, because each filter is written, reviewed
//! and tested on its own.
//!
//! Known limit: a condition whose top level is an `or`
//! (`selection and not filter or other`) is one required stage, so a
//! filter inside one of its branches is not an exclusion here: the S
//! checks and the fuzz properties say nothing of it, dead or not. What it
//! would take: stages per branch of the top-level `or` (each branch's own
//! required and exclusion stages), and the checks and properties run per
//! branch with the other branches kept from matching.

use crate::matcher::ir::Expr;

/// Whether a stage must hold or must not.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StageKind {
    /// A conjunct the event must satisfy (a selection).
    Required,
    /// A `not (...)` conjunct: the event must not satisfy its inside.
    Exclusion,
}

/// One top-level conjunct of the condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    /// Required or exclusion.
    pub kind: StageKind,
    /// The tree to satisfy: for an exclusion, the inside of the `not`.
    pub expr: Expr,
    /// The search identifiers it names, in order (`selection_img`, ...);
    /// empty when the stage holds no identifier (cannot happen for a
    /// lowered rule, but a hand-made tree may).
    pub identifiers: Vec<String>,
}

impl Stage {
    /// A short name for messages and case names: the identifiers joined.
    pub fn name(&self) -> String {
        if self.identifiers.is_empty() {
            return "(condition)".to_owned();
        }
        self.identifiers.join(" + ")
    }
}

/// Cuts `tree` into its stages, in condition order.
pub fn stages(tree: &Expr) -> Vec<Stage> {
    let mut conjuncts = Vec::new();
    flatten_and(tree, &mut conjuncts);

    let mut out = Vec::new();
    for conjunct in conjuncts {
        match conjunct {
            Expr::Not(inner) => {
                let mut alternatives = Vec::new();
                flatten_or(inner, &mut alternatives);
                for alternative in alternatives {
                    out.push(stage(StageKind::Exclusion, alternative));
                }
            }
            other => out.push(stage(StageKind::Required, other)),
        }
    }
    out
}

fn stage(kind: StageKind, expr: &Expr) -> Stage {
    Stage {
        kind,
        expr: expr.clone(),
        identifiers: identifiers(expr),
    }
}

fn flatten_and<'a>(expr: &'a Expr, out: &mut Vec<&'a Expr>) {
    match expr {
        Expr::And(items) => items.iter().for_each(|i| flatten_and(i, out)),
        other => out.push(other),
    }
}

fn flatten_or<'a>(expr: &'a Expr, out: &mut Vec<&'a Expr>) {
    match expr {
        Expr::Or(items) if !items.is_empty() => items.iter().for_each(|i| flatten_or(i, out)),
        other => out.push(other),
    }
}

/// The search identifiers named in `expr`, outermost first, each once.
pub fn identifiers(expr: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    collect_identifiers(expr, &mut out);
    out
}

fn collect_identifiers(expr: &Expr, out: &mut Vec<String>) {
    match expr {
        Expr::Search { identifier, .. } => {
            if !out.contains(identifier) {
                out.push(identifier.clone());
            }
        }
        Expr::And(items) | Expr::Or(items) => {
            items.iter().for_each(|i| collect_identifiers(i, out))
        }
        Expr::Not(inner) => collect_identifiers(inner, out),
        Expr::Predicate(_) => {}
    }
}
