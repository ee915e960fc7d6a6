//! Family S: what a rule's condition means (sigma-core's analysis).
//!
//! Every check here reads the same [`semantic_findings`] of a rule and keeps
//! its own kind. The analysis costs far more than a syntax check, so it runs
//! once per file: the result is kept for the file the thread is checking
//! (all checks of one file run in a row on one thread) and reused by the
//! other checks of the family.

pub mod dead_filter;
pub mod filter_removes_everything;
pub mod implied_selection;
pub mod never_matches;
pub mod over_budget;
pub mod redundant_value;
pub mod useless_modifier;

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use sigma_core::analysis::{semantic_findings, Analysis, Finding as Semantic, FindingKind};
use sigma_core::matcher::CompileOptions;

use crate::check::{CheckMeta, FileContext};
use crate::checks::rules;
use crate::finding::Finding;

/// A file's text and its semantic findings.
type Cached = (Arc<str>, Rc<Vec<Semantic>>);

thread_local! {
    /// (the file's text, its semantic findings). Holding the text keeps its
    /// address from being reused by another file while it is the key.
    static LAST: RefCell<Option<Cached>> = const { RefCell::new(None) };
}

/// The semantic findings of every rule of the file. A rule that does not
/// compile has none here: the G and H checks report why it does not.
fn analysed(cx: &FileContext<'_>) -> Rc<Vec<Semantic>> {
    let key = cx.source();
    if let Some(found) = LAST.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(k, _)| Arc::ptr_eq(k, key))
            .map(|(_, f)| Rc::clone(f))
    }) {
        return found;
    }

    let mut found = Vec::new();
    for rule in rules(cx) {
        if let Ok(analysis) = Analysis::new(rule, &CompileOptions::default()) {
            found.extend(semantic_findings(rule, &analysis));
        }
    }
    let found = Rc::new(found);
    LAST.with(|last| *last.borrow_mut() = Some((Arc::clone(key), Rc::clone(&found))));
    found
}

/// Reports every semantic finding of `kind` as a finding of `meta`.
pub(crate) fn report(
    cx: &FileContext<'_>,
    meta: &'static CheckMeta,
    kind: FindingKind,
    help: &str,
    out: &mut Vec<Finding>,
) {
    for semantic in analysed(cx).iter().filter(|f| f.kind == kind) {
        let mut finding = cx
            .finding(meta, semantic.span, semantic.message.clone())
            .help(help);
        for (text, span) in &semantic.related {
            if *span != semantic.span {
                finding = finding.label(*span, text.clone());
            }
        }
        out.push(finding);
    }
}
