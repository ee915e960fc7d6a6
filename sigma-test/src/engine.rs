//! The seam between the runner and the matcher.
//!
//! The runner decides which events a rule sees and with which field names;
//! an [`Engine`] compiles a rule for a field mapping and gives a verdict on
//! one event. The production engine is `sigma_core::matcher`; tests of the
//! runner's own logic (routing, counting, reporting) may use a small one.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sigma_core::event::Event;
use sigma_core::matcher::{
    Automata, CompileError, CompileErrorKind, CompileOptions, CompiledRule, MatchError, Prefilter,
};
use sigma_core::rule::Rule;
use sigma_core::span::Span;

/// A located message from the matcher: why a rule does not compile, or why
/// an event could not be judged.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineError {
    /// What is wrong.
    pub message: String,
    /// Where in the rule.
    pub span: Span,
    /// Whether the rule is wrong or only lacks placeholder values.
    pub kind: CompileErrorKind,
}

impl EngineError {
    /// An error that the rule is wrong, at `span`.
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        EngineError {
            message: message.into(),
            span,
            kind: CompileErrorKind::Invalid,
        }
    }
}

impl From<CompileError> for EngineError {
    fn from(error: CompileError) -> Self {
        EngineError {
            message: error.message,
            span: error.span,
            kind: error.kind,
        }
    }
}

impl From<MatchError> for EngineError {
    fn from(error: MatchError) -> Self {
        EngineError::new(error.message, error.span)
    }
}

/// Compiles rules and judges events.
pub trait Engine: Sync {
    /// A rule ready to match.
    type Compiled: Send + Sync;
    /// An event as the engine wants it.
    type Event: Send + Sync;

    /// Compiles `rule`, reading its field names through `fields` (rule
    /// field -> event field; names not in it are used as written).
    fn compile(
        &self,
        rule: &Rule,
        fields: &BTreeMap<String, String>,
    ) -> Result<Self::Compiled, Vec<EngineError>>;

    /// Wraps a JSON event.
    fn event(&self, value: serde_json::Value) -> Self::Event;

    /// Whether `rule` matches `event`.
    fn matches(&self, rule: &Self::Compiled, event: &Self::Event) -> Result<bool, EngineError>;

    /// A cross-rule prefilter for `rules`, if the engine has one: rules it
    /// rules out for an event are certainly not matching, so a runner may
    /// skip them. Engines without one evaluate every rule.
    fn prefilter(&self, rules: &[&Self::Compiled]) -> Option<Prefilter> {
        let _ = rules;
        None
    }

    /// The matcher's view of `event`, for the [`prefilter`](Self::prefilter).
    fn prefilter_event<'e>(&self, event: &'e Self::Event) -> Option<&'e Event> {
        let _ = event;
        None
    }
}

/// The matcher's options for a log source's field renames and the run's
/// placeholder values: every engine built on `CompiledRule` needs them.
pub(crate) fn compile_options(
    fields: &BTreeMap<String, String>,
    placeholders: &HashMap<String, Vec<String>>,
) -> CompileOptions {
    CompileOptions {
        field_map: fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        placeholders: placeholders.clone(),
    }
}

/// The matcher's compile errors as the runner reports them.
pub(crate) fn engine_errors(errors: Vec<CompileError>) -> Vec<EngineError> {
    errors.into_iter().map(EngineError::from).collect()
}

/// The production engine: `sigma_core`'s compiled matcher.
#[derive(Clone, Debug, Default)]
pub struct SigmaEngine {
    /// Values of `expand` placeholders, by name without the percent signs.
    pub placeholders: HashMap<String, Vec<String>>,
    /// Prefilter automata built so far, shared by the rule sets of every
    /// selector (and by clones of this engine).
    pub automata: Arc<Automata>,
}

impl Engine for SigmaEngine {
    type Compiled = CompiledRule;
    type Event = Event;

    fn compile(
        &self,
        rule: &Rule,
        fields: &BTreeMap<String, String>,
    ) -> Result<CompiledRule, Vec<EngineError>> {
        let options = compile_options(fields, &self.placeholders);
        CompiledRule::compile(rule, &options).map_err(engine_errors)
    }

    fn event(&self, value: serde_json::Value) -> Event {
        Event::new(value)
    }

    fn matches(&self, rule: &CompiledRule, event: &Event) -> Result<bool, EngineError> {
        rule.try_matches(event).map_err(EngineError::from)
    }

    fn prefilter(&self, rules: &[&CompiledRule]) -> Option<Prefilter> {
        let trees: Vec<_> = rules.iter().map(|r| r.predicates()).collect();
        Some(Prefilter::sharing(&trees, &self.automata))
    }

    fn prefilter_event<'e>(&self, event: &'e Event) -> Option<&'e Event> {
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigma_core::events::windows;
    use sigma_core::rule::SigmaFile;

    fn verdict(detection: &str, event: serde_json::Value) -> bool {
        let source = format!("title: t\ndetection:\n{detection}  condition: selection\n");
        let file = SigmaFile::parse("r.yml", source);
        let rule = file.rules().next().unwrap();
        let engine = SigmaEngine::default();
        let compiled = engine.compile(rule, &BTreeMap::new()).unwrap();
        engine.matches(&compiled, &engine.event(event)).unwrap()
    }

    /// A regex past its backtracking limit is an error for the case, not a
    /// silent "no match" and not a hang.
    #[test]
    fn a_runaway_regex_is_an_error() {
        let source = "title: t\ndetection:\n  selection:\n    \
                      CommandLine|re: '(?=(a|aa)+(\\1)c)'\n  condition: selection\n";
        let file = SigmaFile::parse("r.yml", source);
        let rule = file.rules().next().unwrap();
        let engine = SigmaEngine::default();
        let compiled = engine.compile(rule, &BTreeMap::new()).unwrap();
        let event = engine.event(serde_json::json!({"CommandLine": "a".repeat(60)}));
        let error = engine.matches(&compiled, &event).unwrap_err();
        assert_eq!(error.span.location.line, 4);
    }

    /// The flattened view and the nested tree are both visible to rules.
    #[test]
    fn flat_and_nested_windows_fields_match() {
        let event = windows::flatten(serde_json::json!({"Event": {
            "System": {"Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                       "EventID": "1", "Computer": "ws01"},
            "EventData": {"Image": "C:\\Windows\\System32\\cmd.exe"}}}));
        let flat =
            "  selection:\n    Provider_Name: Microsoft-Windows-Sysmon\n    EventID: 1\n    \
                    Image|endswith: '\\cmd.exe'\n";
        assert!(verdict(flat, event.clone()));
        assert!(verdict(
            "  selection:\n    Event.System.Computer: WS01\n",
            event.clone()
        ));
        assert!(!verdict(
            "  selection:\n    Event.System.Computer: ws02\n",
            event
        ));
    }
}
