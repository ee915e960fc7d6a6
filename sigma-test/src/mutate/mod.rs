//! Mutation testing: do a rule's cases notice when the rule changes?
//!
//! A mutant is the rule's predicate tree with one deliberate change: a
//! filter dropped, a selection dropped, a `contains` turned into a
//! `startswith`, one value removed from a list, `all` flipped (a list's OR
//! made AND or the reverse). The test run is repeated with mutant *k* of
//! every rule ([`MutantEngine`]); a mutant is killed when some case of its
//! rule fails. Mutants nobody kills are listed: each is a change the cases
//! would let through. The score is killed / total. A rule whose cases fail
//! as written cannot judge its mutants (each would look killed): it is
//! listed as not judged, and with no mutant judged there is no score (n/a).
//!
//! A mutant may be equivalent to the rule (removing a value that a sibling
//! makes redundant changes nothing); no case can kill it, and `sigma-lint`'s
//! `redundant-value` says why. At most [`MAX_MUTANTS`] mutants per rule.

use std::collections::{BTreeMap, HashMap};

use sigma_core::analysis::{stages, StageKind};
use sigma_core::event::Event;
use sigma_core::matcher::ir::{self, Expr, Operation, Predicate};
use sigma_core::matcher::{CompileOptions, CompiledRule};
use sigma_core::rule::Rule;
use sigma_core::value::{Part, SigmaString};

use crate::discover::Corpus;
use crate::engine::{Engine, EngineError};
use crate::runner::{self, Outcome, RunOptions};

/// The most mutants made of one rule.
pub const MAX_MUTANTS: usize = 200;

/// One mutant: what was changed, and the changed tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutant {
    /// The change, in words, with the line it concerns.
    pub description: String,
    /// The mutated predicate tree.
    pub tree: Expr,
}

/// Every mutant of `tree`, in a stable order.
pub fn mutants(tree: &Expr) -> Vec<Mutant> {
    let mut out = Vec::new();
    let parts = stages(tree);

    // Drop a stage: a filter, or a selection when there is another stage.
    for (index, stage) in parts.iter().enumerate() {
        if stage.kind == StageKind::Required && parts.len() < 2 {
            continue;
        }
        let what = match stage.kind {
            StageKind::Exclusion => "drop the filter",
            StageKind::Required => "drop the selection",
        };
        let kept: Vec<Expr> = parts
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != index)
            .map(|(_, s)| match s.kind {
                StageKind::Required => s.expr.clone(),
                StageKind::Exclusion => Expr::Not(Box::new(s.expr.clone())),
            })
            .collect();
        out.push(Mutant {
            description: format!("{what} `{}`", stage.name()),
            tree: Expr::And(kept),
        });
    }

    // Changes inside the tree, one site at a time.
    let mut descriptions = Vec::new();
    let _ = walk(tree, &mut 0, None, &mut descriptions);
    for (site, description) in descriptions.into_iter().enumerate() {
        if out.len() >= MAX_MUTANTS {
            break;
        }
        let mut counter = 0;
        let tree = walk(tree, &mut counter, Some(site), &mut Vec::new());
        out.push(Mutant { description, tree });
    }
    out.truncate(MAX_MUTANTS);
    out
}

/// Copies `expr`, numbering every mutation site in order; the site equal
/// to `target` is mutated. Sites are described into `found`.
fn walk(expr: &Expr, counter: &mut usize, target: Option<usize>, found: &mut Vec<String>) -> Expr {
    let mut site = |description: String, found: &mut Vec<String>| -> bool {
        found.push(description);
        let hit = Some(*counter) == target;
        *counter += 1;
        hit
    };
    match expr {
        Expr::Predicate(p) => {
            if let Some(swapped) = startswith_instead(p) {
                if site(format!("`contains` -> `startswith` at {}", at(p)), found) {
                    return Expr::Predicate(swapped);
                }
            }
            expr.clone()
        }
        Expr::And(items) | Expr::Or(items) => {
            let any = matches!(expr, Expr::Or(_));
            let list = value_list(items);
            if let Some(first) = list {
                for (index, item) in items.iter().enumerate() {
                    let Expr::Predicate(p) = item else { continue };
                    if site(format!("remove the value at {}", at(p)), found) {
                        let rest = items
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| *i != index)
                            .map(|(_, e)| e.clone())
                            .collect();
                        return if any { Expr::Or(rest) } else { Expr::And(rest) };
                    }
                }
                let flip = if any {
                    "OR -> AND (add `all`)"
                } else {
                    "AND -> OR (drop `all`)"
                };
                if site(format!("{flip} for the list at {}", at(first)), found) {
                    return if any {
                        Expr::And(items.clone())
                    } else {
                        Expr::Or(items.clone())
                    };
                }
            }
            let children = items
                .iter()
                .map(|i| walk(i, counter, target, found))
                .collect();
            if any {
                Expr::Or(children)
            } else {
                Expr::And(children)
            }
        }
        Expr::Not(inner) => Expr::Not(Box::new(walk(inner, counter, target, found))),
        Expr::Search { identifier, body } => Expr::Search {
            identifier: identifier.clone(),
            body: Box::new(walk(body, counter, target, found)),
        },
    }
}

/// The first predicate when `items` are two or more values of one
/// detection item (a value list).
fn value_list(items: &[Expr]) -> Option<&Predicate> {
    let predicates: Vec<&Predicate> = items
        .iter()
        .filter_map(|i| match i {
            Expr::Predicate(p) => Some(p),
            _ => None,
        })
        .collect();
    let first = predicates.first()?;
    let same_item = predicates.len() == items.len()
        && predicates.len() >= 2
        && predicates.iter().all(|p| p.origin.key == first.origin.key);
    same_item.then_some(*first)
}

/// A `contains` predicate turned into `startswith`.
fn startswith_instead(p: &Predicate) -> Option<Predicate> {
    let Operation::Match { patterns, case } = &p.operation else {
        return None;
    };
    let contains = !patterns.is_empty()
        && patterns
            .iter()
            .all(|s| s.starts_with_any_run() && s.ends_with_any_run() && s.parts().len() > 2);
    if !contains {
        return None;
    }
    let patterns = patterns
        .iter()
        .map(|s| SigmaString::from_parts(s.parts().iter().skip(1).cloned().collect::<Vec<Part>>()))
        .collect();
    Some(Predicate {
        operation: Operation::Match {
            patterns,
            case: *case,
        },
        ..p.clone()
    })
}

fn at(p: &Predicate) -> String {
    let location = p.origin.value.location;
    format!(
        "line {} column {} (`{}`)",
        location.line, location.column, p.origin.identifier
    )
}

/// The matcher with mutant `index` of every rule (rules with fewer
/// mutants are compiled as they are).
#[derive(Clone, Debug, Default)]
pub struct MutantEngine {
    /// Which mutant.
    pub index: usize,
    /// Values of `expand` placeholders, as for the plain engine.
    pub placeholders: HashMap<String, Vec<String>>,
}

impl Engine for MutantEngine {
    type Compiled = CompiledRule;
    type Event = Event;

    fn compile(
        &self,
        rule: &Rule,
        fields: &BTreeMap<String, String>,
    ) -> Result<CompiledRule, Vec<EngineError>> {
        let options = crate::engine::compile_options(fields, &self.placeholders);
        let tree = ir::lower(rule, &options).map_err(crate::engine::engine_errors)?;
        let tree = match mutants(&tree).into_iter().nth(self.index) {
            Some(mutant) => mutant.tree,
            None => tree,
        };
        CompiledRule::from_predicates(tree).map_err(crate::engine::engine_errors)
    }

    fn event(&self, value: serde_json::Value) -> Event {
        Event::new(value)
    }

    fn matches(&self, rule: &CompiledRule, event: &Event) -> Result<bool, EngineError> {
        rule.try_matches(event).map_err(EngineError::from)
    }
}

/// The mutants of one rule and which the cases killed.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct RuleMutation {
    /// The rule file.
    pub path: String,
    /// Descriptions of the mutants that survived.
    pub survivors: Vec<String>,
    /// How many mutants were made.
    pub total: usize,
}

/// The whole run's mutation results.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MutationReport {
    /// Per rule with cases that pass as written.
    pub rules: Vec<RuleMutation>,
    /// Rules with mutants whose cases fail as written: a mutant of them
    /// cannot be judged (every mutant would look killed).
    pub not_judged: Vec<String>,
}

impl MutationReport {
    /// (killed, total).
    pub fn counts(&self) -> (usize, usize) {
        self.rules.iter().fold((0, 0), |(k, t), r| {
            (k + r.total - r.survivors.len(), t + r.total)
        })
    }

    /// Killed / total as a percentage; `None` when no mutant was judged
    /// (there is no score to give, and 100% would claim one).
    pub fn score(&self) -> Option<f64> {
        let (killed, total) = self.counts();
        (total > 0).then(|| killed as f64 * 100.0 / total as f64)
    }
}

/// Runs every mutant of every rule that has cases passing as written.
pub fn run(
    corpus: &Corpus,
    options: &RunOptions,
    placeholders: &HashMap<String, Vec<String>>,
) -> MutationReport {
    let plain = crate::engine::SigmaEngine {
        placeholders: placeholders.clone(),
        ..crate::engine::SigmaEngine::default()
    };
    let baseline = runner::run(&plain, corpus, options, &|| {});
    // Every rule is tested, cases or not: a rule nothing tests lets every
    // mutant survive (it must not count as an empty 100%).
    let mut tested: BTreeMap<String, (bool, Vec<Mutant>)> = corpus
        .rules
        .iter()
        .map(|entry| (entry.file.path.display().to_string(), (true, Vec::new())))
        .collect();
    for result in &baseline {
        let Some(path) = &result.rule_path else {
            continue;
        };
        let key = path.display().to_string();
        let entry = tested.entry(key).or_insert((true, Vec::new()));
        entry.0 &= matches!(result.outcome, Outcome::Passed);
    }
    for entry in &corpus.rules {
        let key = entry.file.path.display().to_string();
        // Failing rules too: they are reported as not judged when they
        // have mutants.
        let Some((_, list)) = tested.get_mut(&key) else {
            continue;
        };
        if let Some(tree) = entry.rule().and_then(|r| {
            let compile = CompileOptions {
                placeholders: placeholders.clone(),
                ..CompileOptions::default()
            };
            ir::lower(r, &compile).ok()
        }) {
            *list = mutants(&tree);
        }
    }
    let not_judged = tested
        .iter()
        .filter(|(_, (passing, list))| !*passing && !list.is_empty())
        .map(|(path, _)| path.clone())
        .collect();
    tested.retain(|_, (passing, list)| *passing && !list.is_empty());

    let most = tested.values().map(|(_, l)| l.len()).max().unwrap_or(0);
    let mut killed: BTreeMap<String, Vec<bool>> = BTreeMap::new();
    for index in 0..most {
        let results = runner::run(
            &MutantEngine {
                index,
                placeholders: placeholders.clone(),
            },
            corpus,
            options,
            &|| {},
        );
        let mut failed: BTreeMap<String, bool> = BTreeMap::new();
        for result in &results {
            let Some(path) = &result.rule_path else {
                continue;
            };
            let fail = !matches!(result.outcome, Outcome::Passed);
            *failed.entry(path.display().to_string()).or_insert(false) |= fail;
        }
        for (path, (_, list)) in &tested {
            if index < list.len() {
                let dead = failed.get(path).copied().unwrap_or(false);
                killed.entry(path.clone()).or_default().push(dead);
            }
        }
    }

    let rules = tested
        .into_iter()
        .map(|(path, (_, list))| {
            let flags = killed.get(&path).cloned().unwrap_or_default();
            let survivors = list
                .iter()
                .zip(flags.iter().chain(std::iter::repeat(&false)))
                .filter(|(_, dead)| !**dead)
                .map(|(m, _)| m.description.clone())
                .collect();
            RuleMutation {
                path,
                survivors,
                total: list.len(),
            }
        })
        .collect();
    MutationReport { rules, not_judged }
}

#[cfg(test)]
mod tests;
