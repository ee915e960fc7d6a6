//! The seam between the runner and the matcher.
//!
//! The runner decides which events a rule sees and with which field names;
//! an [`Engine`] compiles a rule for a field mapping and gives a verdict on
//! one event. The production engine is `sigma_core::matcher`; tests of the
//! runner's own logic (routing, counting, reporting) may use a small one.

use std::collections::BTreeMap;

use sigma_core::event::Event;
use sigma_core::matcher::{CompileOptions, CompiledRule};
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
}

/// The production engine: `sigma_core`'s compiled matcher.
#[derive(Clone, Copy, Debug, Default)]
pub struct SigmaEngine;

impl Engine for SigmaEngine {
    type Compiled = CompiledRule;
    type Event = Event;

    fn compile(
        &self,
        rule: &Rule,
        fields: &BTreeMap<String, String>,
    ) -> Result<CompiledRule, Vec<EngineError>> {
        let options = CompileOptions {
            field_map: fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            ..CompileOptions::default()
        };
        CompiledRule::compile(rule, &options).map_err(|errors| {
            errors
                .into_iter()
                .map(|e| EngineError {
                    message: e.message,
                    span: e.span,
                })
                .collect()
        })
    }

    fn event(&self, value: serde_json::Value) -> Event {
        Event::new(value)
    }

    fn matches(&self, rule: &CompiledRule, event: &Event) -> Result<bool, EngineError> {
        rule.try_matches(event).map_err(|e| EngineError {
            message: e.message,
            span: e.span,
        })
    }
}
