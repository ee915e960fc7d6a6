//! Compile a rule into a fast matcher; evaluate events.
//!
//! ```
//! use sigma_core::event::Event;
//! use sigma_core::matcher::{CompileOptions, CompiledRule};
//! use sigma_core::rule::SigmaFile;
//!
//! let source = "title: t\ndetection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\n";
//! let file = SigmaFile::parse("r.yml", source);
//! let rule = file.rules().next().unwrap();
//! let compiled = CompiledRule::compile(rule, &CompileOptions::default()).unwrap();
//! let event = Event::new(serde_json::json!({"Image": "C:\\Windows\\System32\\CMD.EXE"}));
//! assert!(compiled.matches(&event));
//! ```
//!
//! The exact semantics are those of `docs/semantics.md`. Compilation goes
//! through [`ir`], the predicate tree that tools may also walk themselves.
//!
//! ## Evaluating many rules
//!
//! Each [`CompiledRule`] is evaluated on its own. On the 2-core machine,
//! with other builds running, `examples/corpus_bench.rs` measured about
//! 270-470 ns of CPU per rule evaluation on SigmaHQ's process_creation
//! rules, and 5,000-8,700 events/s for ~280 routed rules per event: nearly
//! all of that time is the first touch of each rule's data, not the
//! comparisons. [`Prefilter`] evaluates across rules: one Aho-Corasick scan
//! per field for a whole rule set picks the rules that may match, and only
//! those (plus the rules it cannot judge) need [`CompiledRule::matches`].
//! See [`prefilter`] for what it derives and what it leaves to the matcher.
//!
//! Measured with `sigma-test match` (release, `--threads 1`), 2,407
//! SigmaHQ Windows rules (3,664 compiled rule/selector pairs, 3,459 with a
//! prefilter) over 50,000 nested regression events, machine load ~6 on 2
//! cores: 37.1 s user CPU for the whole run without the prefilter, 7.05 s
//! with it; a one-rule run costs 2.7 s (reading, event building), so rule
//! evaluation fell from ~34 s to ~3-4 s of CPU, about 12k-15k events/s
//! for the whole match phase. Still short of 30k events/s: reading and
//! building events (nested JSON, folding) is now a large share.
//!
//! Known limits: rules whose every path is a regex, keyword or number test
//! are always evaluated; the compiled programs of the candidates are still
//! separate allocations, so the first touch of each remains; needles are
//! one per rule (its most selective required field), not a conjunction.
//!

use std::collections::HashMap;

mod compiled;
mod error;
pub mod ir;
pub mod prefilter;
pub mod regex;
pub mod time;

pub use error::{CompileError, CompileErrorKind, MatchError};
pub use prefilter::{Automata, Candidates, Prefilter};

use crate::event::Event;
use crate::rule::Rule;

/// What a rule needs from outside itself to be compiled.
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    /// Field renames: rule field name -> event field name (log-source
    /// mappings). Fields not listed keep their name.
    pub field_map: HashMap<String, String>,
    /// Values of `expand` placeholders, by name without the percent signs
    /// (`Administrators` for `%Administrators%`).
    pub placeholders: HashMap<String, Vec<String>>,
}

/// A rule ready to evaluate events.
#[derive(Clone, Debug)]
pub struct CompiledRule {
    /// Fields the event must hold (see [`ir::Expr::required_fields`]),
    /// as a presence mask checked before anything else: kept inline so
    /// that rejecting an event touches no memory beyond this struct.
    required: u64,
    tree: Box<ir::Expr>,
    root: compiled::Program,
}

impl CompiledRule {
    /// Compiles `rule`; every problem is reported, each at its place.
    pub fn compile(
        rule: &Rule,
        options: &CompileOptions,
    ) -> Result<CompiledRule, Vec<CompileError>> {
        let tree = ir::lower(rule, options)?;
        Self::from_predicates(tree)
    }

    /// Compiles a predicate tree that did not come straight from a rule:
    /// one predicate, one stage, or a rule with a filter dropped. The
    /// analysis and the mutation tester judge such pieces with exactly the
    /// matcher's semantics instead of re-implementing them.
    pub fn from_predicates(tree: ir::Expr) -> Result<CompiledRule, Vec<CompileError>> {
        let root = compiled::Program::compile(&tree)?;
        let required = tree
            .required_fields()
            .into_iter()
            .fold(0, |mask, field| mask | crate::event::field_bit(field));
        Ok(CompiledRule {
            required,
            tree: Box::new(tree),
            root,
        })
    }

    /// Whether `event` matches. A test that cannot finish (a regex past its
    /// backtracking limit) counts as not matching; use
    /// [`try_matches`](Self::try_matches) to learn of it.
    pub fn matches(&self, event: &Event) -> bool {
        if !event.may_have(self.required) {
            return false;
        }
        let mut cx = compiled::Eval { event, error: None };
        self.root.eval(&mut cx)
    }

    /// Whether `event` matches, or why that could not be decided.
    pub fn try_matches(&self, event: &Event) -> Result<bool, MatchError> {
        if !event.may_have(self.required) {
            return Ok(false);
        }
        let mut cx = compiled::Eval { event, error: None };
        let verdict = self.root.eval(&mut cx);
        match cx.error {
            Some(error) => Err(error),
            None => Ok(verdict),
        }
    }

    /// The predicate tree the matcher was built from.
    pub fn predicates(&self) -> &ir::Expr {
        &self.tree
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::SigmaFile;
    use serde_json::json;

    fn compile(source: &str) -> Result<CompiledRule, Vec<CompileError>> {
        let file = SigmaFile::parse("t.yml", source);
        let rule = file.rules().next().expect("a rule");
        CompiledRule::compile(rule, &CompileOptions::default())
    }

    fn errors(source: &str) -> Vec<(String, String)> {
        let errors = compile(source).expect_err("compile errors");
        errors
            .into_iter()
            .map(|e| (source[e.span.start..e.span.end].to_owned(), e.message))
            .collect()
    }

    #[test]
    fn undefined_identifier_points_at_its_token() {
        let source = "detection:\n  sel: {a: 1}\n  condition: sel and not filter\n";
        let found = errors(source);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "filter");
        let source = "detection:\n  sel: {a: 1}\n  condition: 'sel or nope'\n";
        assert_eq!(errors(source)[0].0, "nope");
        let file = SigmaFile::parse("t.yml", source);
        let rule = file.rules().next().unwrap();
        let error = CompiledRule::compile(rule, &CompileOptions::default()).unwrap_err();
        assert_eq!(error[0].span.location.line, 3);
        assert_eq!(error[0].span.location.column, 22);
    }

    #[test]
    fn pattern_matching_nothing_is_located() {
        let source = "detection:\n  sel: {a: 1}\n  condition: sel or 1 of filter_*\n";
        assert_eq!(errors(source)[0].0, "1 of filter_*");
        let source = "detection:\n  _sel: {a: 1}\n  condition: all of them\n";
        assert_eq!(errors(source)[0].0, "all of them");
    }

    #[test]
    fn every_bad_modifier_is_reported_at_its_place() {
        let source =
            "detection:\n  sel:\n    a|contains|not: x\n    b|Endswith: y\n  condition: sel\n";
        let found = errors(source);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].0, "not");
        assert_eq!(found[1].0, "Endswith");
    }

    #[test]
    fn wrong_value_types_are_located_at_the_value() {
        let source = "detection:\n  sel:\n    a|gt: '1000'\n  condition: sel\n";
        let found = errors(source);
        assert_eq!(found[0].0, "'1000'");
        assert!(found[0].1.contains("unquoted number"), "{}", found[0].1);
        let source = "detection:\n  sel:\n    a|cidr: 10.0.0.1/8\n  condition: sel\n";
        assert!(errors(source)[0].1.contains("host bits"));
        let source = "detection:\n  sel:\n    a|re: 'a(b'\n  condition: sel\n";
        assert_eq!(errors(source)[0].0, "'a(b'");
    }

    #[test]
    fn basic_semantics() {
        let rule = compile(
            "detection:\n  sel:\n    Image|endswith: ['\\a.exe', '\\b.exe']\n    Id: 4688\n  \
             kw:\n    - evil\n  condition: sel and not kw\n",
        )
        .unwrap();
        let event = |v| Event::new(v);
        assert!(rule.matches(&event(json!({"Image": "C:\\X\\A.EXE", "Id": "4688"}))));
        assert!(rule.matches(&event(json!({"Image": "C:\\X\\b.exe", "Id": 4688}))));
        assert!(!rule.matches(&event(json!({"Image": "C:\\X\\c.exe", "Id": 4688}))));
        assert!(!rule.matches(&event(
            json!({"Image": "C:\\b.exe", "Id": 4688, "x": "EVIL!"})
        )));
        assert!(!rule.matches(&event(json!({"Image": "C:\\b.exe", "Id": "0x1258"}))));
    }
}

#[cfg(test)]
mod required_tests {
    use super::*;
    use crate::rule::SigmaFile;

    fn required(detection: &str) -> Vec<String> {
        let source = format!("title: t\ndetection:\n{detection}");
        let file = SigmaFile::parse("t.yml", source.as_str());
        let rule = file.rules().next().expect("rule");
        let compiled = CompiledRule::compile(rule, &CompileOptions::default()).expect("compiles");
        let fields = compiled.predicates().required_fields();
        fields.into_iter().map(str::to_owned).collect()
    }

    #[test]
    fn required_fields_follow_the_boolean_structure() {
        let sel = "  a:\n    A: 1\n    B|contains: x\n  b:\n    - A: 2\n    - C: 3\n  \
                   n:\n    D: null\n    E|exists: false\n    F|exists: true\n  c:\n    A: 5\n";
        assert_eq!(required(&format!("{sel}  condition: a\n")), ["A", "B"]);
        assert_eq!(
            required(&format!("{sel}  condition: a and b\n")),
            ["A", "B"]
        );
        assert_eq!(required(&format!("{sel}  condition: a or c\n")), ["A"]);
        let none: Vec<String> = Vec::new();
        assert_eq!(required(&format!("{sel}  condition: a or b\n")), none);
        assert_eq!(
            required(&format!("{sel}  condition: b\n")),
            Vec::<String>::new()
        );
        assert_eq!(required(&format!("{sel}  condition: n\n")), ["F"]);
        assert_eq!(
            required(&format!("{sel}  condition: not a\n")),
            Vec::<String>::new()
        );
    }
}

/// Rules and events are shared across threads by the test runner.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<CompiledRule>();
    send_sync::<Event>();
};
