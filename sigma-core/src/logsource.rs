//! Log-source mapping: which events a rule's `logsource` stands for, and
//! how its field names map onto those events.
//!
//! A rule says `logsource: {product: windows, category: process_creation}`;
//! the events that means are Sysmon event 1 and Security event 4688, and in
//! the latter the rule's `Image` is called `NewProcessName`. A
//! [`LogSourceMap`] holds that knowledge as data: a default for Windows is
//! embedded (`data/logsources.yml`, which documents the format), and users
//! extend or replace it with their own file.
//!
//! ```
//! use sigma_core::logsource::{LogSourceKey, LogSourceMap};
//!
//! let map = LogSourceMap::default_windows();
//! let key = LogSourceKey::new(Some("windows"), Some("process_creation"), None);
//! let coverage = map.resolve(&key).unwrap();
//! assert_eq!(coverage.selectors.len(), 2);
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;

use crate::events::windows;
use crate::rule::LogSource;
use crate::span::Span;
use crate::yaml::{self, Node, Resolved, Value};

/// The default mapping's text, embedded so the tools work with no setup.
pub const DEFAULT_WINDOWS: &str = include_str!("../data/logsources.yml");

/// A rule's `logsource` reduced to what routing uses: lower-cased product,
/// category and service.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogSourceKey {
    /// `product`, e.g. `windows`.
    pub product: Option<String>,
    /// `category`, e.g. `process_creation`.
    pub category: Option<String>,
    /// `service`, e.g. `sysmon`.
    pub service: Option<String>,
}

impl LogSourceKey {
    /// A key from its parts (compared case-insensitively).
    pub fn new(product: Option<&str>, category: Option<&str>, service: Option<&str>) -> Self {
        let lower = |s: Option<&str>| s.map(|s| s.trim().to_ascii_lowercase());
        LogSourceKey {
            product: lower(product),
            category: lower(category),
            service: lower(service),
        }
    }

    /// The key of a rule's `logsource`.
    pub fn of(logsource: &LogSource) -> Self {
        let text = |s: &Option<crate::span::Spanned<String>>| s.as_ref().map(|s| s.value.clone());
        Self::new(
            text(&logsource.product).as_deref(),
            text(&logsource.category).as_deref(),
            text(&logsource.service).as_deref(),
        )
    }

    /// Whether no part is given.
    pub fn is_empty(&self) -> bool {
        self.product.is_none() && self.category.is_none() && self.service.is_none()
    }

    /// Whether an entry with key `self` serves a rule with key `rule`: every
    /// part the rule writes is written here, equal.
    fn serves(&self, rule: &LogSourceKey) -> bool {
        let part = |mine: &Option<String>, theirs: &Option<String>| match theirs {
            None => true,
            Some(theirs) => mine.as_ref() == Some(theirs),
        };
        !rule.is_empty()
            && part(&self.product, &rule.product)
            && part(&self.category, &rule.category)
            && part(&self.service, &rule.service)
    }
}

impl fmt::Display for LogSourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = [
            ("product", &self.product),
            ("category", &self.category),
            ("service", &self.service),
        ];
        let mut first = true;
        for (name, value) in parts {
            if let Some(value) = value {
                let sep = if first { "" } else { ", " };
                write!(f, "{sep}{name}: {value}")?;
                first = false;
            }
        }
        if first {
            write!(f, "(empty)")?;
        }
        Ok(())
    }
}

/// One kind of event a log source covers, and the field names it uses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selector {
    /// Accepted `System.Channel` values (any; empty: any channel).
    pub channels: Vec<String>,
    /// Accepted provider names (any; empty: any provider).
    pub providers: Vec<String>,
    /// Accepted event ids (any; empty: any id).
    pub event_ids: Vec<u64>,
    /// More fields of the flattened event that must hold one of the values.
    pub conditions: Vec<(String, Vec<String>)>,
    /// Rule field name -> event field name, for events of this kind.
    pub fields: BTreeMap<String, String>,
}

impl Selector {
    /// Whether `event` (a flattened Windows event) is of this kind. Events
    /// that are not Windows events are never covered.
    pub fn covers(&self, event: &Json) -> bool {
        windows::system(event).is_some_and(|system| self.covers_system(&system))
            && self.holds_conditions(event)
    }

    /// Whether an event from `system` may be of this kind: everything but
    /// the [`conditions`](Selector::conditions), which need the event. A
    /// router may remember this per channel, provider and event id.
    pub fn covers_system(&self, system: &windows::System<'_>) -> bool {
        let id_ok = self.event_ids.is_empty()
            || system
                .event_id
                .is_some_and(|id| self.event_ids.contains(&id));
        id_ok
            && text_in(system.channel, &self.channels)
            && text_in(system.provider, &self.providers)
    }

    /// Whether `event` holds every one of the [`conditions`](Selector::conditions).
    pub fn holds_conditions(&self, event: &Json) -> bool {
        self.conditions.iter().all(|(field, accepted)| {
            let value = event.get(field).map(json_text);
            text_in(value.as_deref(), accepted)
        })
    }
}

fn text_in(value: Option<&str>, accepted: &[String]) -> bool {
    accepted.is_empty() || value.is_some_and(|v| accepted.iter().any(|a| a.eq_ignore_ascii_case(v)))
}

fn json_text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One entry of a mapping file.
#[derive(Clone, Debug, PartialEq)]
pub struct MappingEntry {
    /// The log source it describes.
    pub key: LogSourceKey,
    /// The kinds of event it covers.
    pub selectors: Vec<Selector>,
    /// Where the entry is written, and in which file.
    pub origin: Origin,
}

/// Where a mapping entry comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// The file (`<default>` for the embedded mapping).
    pub path: PathBuf,
    /// The entry's place in it.
    pub span: Span,
}

/// What a rule's log source stands for.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    /// Every kind of event it covers, from every entry that serves it.
    pub selectors: Vec<Selector>,
}

impl Coverage {
    /// The selector that covers `event`, if any (the first one, in file order).
    pub fn selector_for(&self, event: &Json) -> Option<&Selector> {
        self.selectors.iter().find(|s| s.covers(event))
    }
}

/// A mapping-file problem, with where it is (a problem with the file as a
/// whole, such as one that cannot be read, has no place and shows none).
#[derive(Clone, Debug, PartialEq, thiserror::Error, miette::Diagnostic)]
#[error("{}{}: {message}", path.display(), place(span))]
pub struct MappingError {
    /// What is wrong; lowercase, no trailing period.
    pub message: String,
    /// The mapping file.
    pub path: PathBuf,
    /// Where in it.
    #[label("here")]
    pub span: Span,
}

/// `:line:col`, or nothing for the whole file (line 0: no made-up `0:0`).
fn place(span: &Span) -> String {
    if span.location.line == 0 {
        String::new()
    } else {
        format!(":{}", span.location)
    }
}

/// Log-source entries, in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogSourceMap {
    /// The entries; later ones never replace earlier ones silently (see
    /// [`LogSourceMap::extend`]).
    pub entries: Vec<MappingEntry>,
}

impl LogSourceMap {
    /// The embedded Windows mapping.
    pub fn default_windows() -> Self {
        // The embedded file is tested (`the_default_mapping_parses`); should
        // it ever fail, an empty map reports every rule as not mapped rather
        // than panicking in a user's run.
        Self::parse(Path::new("<default>"), DEFAULT_WINDOWS).unwrap_or_default()
    }

    /// Reads a mapping file.
    pub fn read(path: &Path) -> Result<Self, Vec<MappingError>> {
        let error = |message: String| {
            vec![MappingError {
                message,
                path: path.to_owned(),
                span: Span::default(),
            }]
        };
        let bytes = std::fs::read(path).map_err(|e| error(format!("cannot read: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            error(format!("not valid UTF-8 (first bad byte at offset {at})"))
        })?;
        Self::parse(path, &text)
    }

    /// Parses a mapping from `text`, read from `path`; every problem is
    /// reported with its place.
    pub fn parse(path: &Path, text: &str) -> Result<Self, Vec<MappingError>> {
        let mut problems = Problems {
            path,
            errors: Vec::new(),
        };
        let documents = yaml::parse(text).map_err(|e| {
            vec![MappingError {
                message: format!("invalid YAML: {}", e.message),
                path: path.to_owned(),
                span: e.span,
            }]
        })?;
        let Some(root) = documents.into_iter().find_map(|d| d.root) else {
            return Ok(LogSourceMap::default());
        };

        let mut map = LogSourceMap::default();
        match root.get("logsources").map(|n| (n, n.as_sequence())) {
            Some((_, Some(items))) => {
                for item in items {
                    if let Some(entry) = parse_entry(item, &mut problems) {
                        map.entries.push(entry);
                    }
                }
            }
            Some((node, None)) => problems.push("`logsources` must be a list", node.span),
            None => problems.push("a mapping file needs a `logsources` list", root.span),
        }

        if problems.errors.is_empty() {
            Ok(map)
        } else {
            Err(problems.errors)
        }
    }

    /// Adds `other`'s entries: an entry whose key equals one already here
    /// replaces it (so a user's file can correct the default), the others
    /// are appended.
    pub fn extend(&mut self, other: LogSourceMap) {
        let mut replaced = Vec::new();
        for entry in other.entries {
            if !replaced.contains(&entry.key) {
                self.entries.retain(|mine| mine.key != entry.key);
                replaced.push(entry.key.clone());
            }
            self.entries.push(entry);
        }
    }

    /// What a rule with log source `key` reads; `None` when no entry
    /// serves it ("logsource not mapped").
    pub fn resolve(&self, key: &LogSourceKey) -> Option<Coverage> {
        let selectors: Vec<Selector> = self
            .entries
            .iter()
            .filter(|entry| entry.key.serves(key))
            .flat_map(|entry| entry.selectors.iter().cloned())
            .collect();
        (!selectors.is_empty()).then_some(Coverage { selectors })
    }
}

struct Problems<'a> {
    path: &'a Path,
    errors: Vec<MappingError>,
}

impl Problems<'_> {
    fn push(&mut self, message: impl Into<String>, span: Span) {
        self.errors.push(MappingError {
            message: message.into(),
            path: self.path.to_owned(),
            span,
        });
    }
}

fn parse_entry(node: &Node, problems: &mut Problems<'_>) -> Option<MappingEntry> {
    let Some(entries) = node.as_mapping() else {
        problems.push("a log-source entry must be a mapping", node.span);
        return None;
    };
    for (key, _) in entries {
        if !matches!(key.as_str(), Some("logsource" | "events" | "name")) {
            let message = format!(
                "unknown key `{}` (expected `logsource`, `events`)",
                key.as_str().unwrap_or("?")
            );
            problems.push(message, key.span);
        }
    }

    let Some(logsource) = node.get("logsource") else {
        problems.push("entry has no `logsource`", node.span);
        return None;
    };
    let key = parse_key(logsource, problems)?;
    let Some(events) = node.get("events") else {
        problems.push("entry has no `events`", node.span);
        return None;
    };
    let Some(items) = events.as_sequence() else {
        problems.push("`events` must be a list of selectors", events.span);
        return None;
    };
    let selectors = items
        .iter()
        .filter_map(|item| parse_selector(item, problems))
        .collect();
    Some(MappingEntry {
        key,
        selectors,
        origin: Origin {
            path: problems.path.to_owned(),
            span: node.span,
        },
    })
}

fn parse_key(node: &Node, problems: &mut Problems<'_>) -> Option<LogSourceKey> {
    let Some(entries) = node.as_mapping() else {
        problems.push("`logsource` must be a mapping", node.span);
        return None;
    };
    let mut parts: [Option<String>; 3] = [None, None, None];
    for (key, value) in entries {
        let slot = match key.as_str() {
            Some("product") => 0,
            Some("category") => 1,
            Some("service") => 2,
            _ => {
                problems.push("expected `product`, `category` or `service`", key.span);
                continue;
            }
        };
        match value.as_scalar() {
            Some(scalar) if !value.is_null() => parts[slot] = Some(scalar.text.clone()),
            _ => problems.push("a log-source part must be text", value.span),
        }
    }
    let [product, category, service] = parts;
    let key = LogSourceKey::new(product.as_deref(), category.as_deref(), service.as_deref());
    if key.is_empty() {
        problems.push(
            "`logsource` names no product, category or service",
            node.span,
        );
        return None;
    }
    Some(key)
}

fn parse_selector(node: &Node, problems: &mut Problems<'_>) -> Option<Selector> {
    let Some(entries) = node.as_mapping() else {
        problems.push("a selector must be a mapping", node.span);
        return None;
    };
    let mut selector = Selector::default();
    for (key, value) in entries {
        match key.as_str() {
            Some("channel") => selector.channels = texts(value, problems),
            Some("provider") => selector.providers = texts(value, problems),
            Some("event_id") => selector.event_ids = numbers(value, problems),
            Some("where") => match value.as_mapping() {
                Some(fields) => {
                    for (field, accepted) in fields {
                        let Some(name) = field.as_str() else {
                            problems.push("a field name must be text", field.span);
                            continue;
                        };
                        selector
                            .conditions
                            .push((name.to_owned(), texts(accepted, problems)));
                    }
                }
                None => problems.push("`where` must be a mapping of fields", value.span),
            },
            Some("fields") => match value.as_mapping() {
                Some(renames) => {
                    for (from, to) in renames {
                        match (from.as_str(), to.as_str()) {
                            (Some(from), Some(to)) if !to.is_empty() => {
                                selector.fields.insert(from.to_owned(), to.to_owned());
                            }
                            _ => problems.push("a rename is `RuleField: EventField`", from.span),
                        }
                    }
                }
                None => problems.push("`fields` must be a mapping of renames", value.span),
            },
            _ => problems.push(
                "expected `channel`, `provider`, `event_id`, `where` or `fields`",
                key.span,
            ),
        }
    }
    Some(selector)
}

fn texts(node: &Node, problems: &mut Problems<'_>) -> Vec<String> {
    let items = match &node.value {
        Value::Sequence(items) => items.as_slice(),
        Value::Scalar(_) => std::slice::from_ref(node),
        Value::Mapping(_) => {
            problems.push("expected text or a list of text", node.span);
            return Vec::new();
        }
    };
    items
        .iter()
        .filter_map(|item| match item.as_scalar() {
            Some(scalar) => Some(scalar.text.clone()),
            None => {
                problems.push("expected text", item.span);
                None
            }
        })
        .collect()
}

fn numbers(node: &Node, problems: &mut Problems<'_>) -> Vec<u64> {
    let items = match &node.value {
        Value::Sequence(items) => items.as_slice(),
        _ => std::slice::from_ref(node),
    };
    items
        .iter()
        .filter_map(|item| match item.as_scalar().map(|s| s.resolve()) {
            Some(Resolved::Int(id)) if id >= 0 => Some(id as u64),
            _ => {
                problems.push("an event id must be a whole number", item.span);
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::windows::flatten;
    use serde_json::json;

    fn event(channel: &str, id: u64, data: Json) -> Json {
        flatten(json!({"Event": {"System": {
            "Provider": {"#attributes": {"Name": "P"}},
            "EventID": id, "Channel": channel}, "EventData": data}}))
    }

    fn key(product: &str, category: Option<&str>, service: Option<&str>) -> LogSourceKey {
        LogSourceKey::new(Some(product), category, service)
    }

    #[test]
    fn the_default_mapping_parses() {
        let map = LogSourceMap::parse(Path::new("<default>"), DEFAULT_WINDOWS).unwrap();
        assert!(map.entries.len() > 60, "{}", map.entries.len());
    }

    #[test]
    fn process_creation_covers_sysmon_1_and_security_4688_with_renames() {
        let map = LogSourceMap::default_windows();
        let coverage = map
            .resolve(&key("Windows", Some("process_creation"), None))
            .unwrap();
        let sysmon = event("Microsoft-Windows-Sysmon/Operational", 1, json!({}));
        let security = event("Security", 4688, json!({}));
        let other = event("Microsoft-Windows-Sysmon/Operational", 3, json!({}));

        assert!(coverage.selector_for(&sysmon).unwrap().fields.is_empty());
        let renames = &coverage.selector_for(&security).unwrap().fields;
        assert_eq!(
            renames.get("Image").map(String::as_str),
            Some("NewProcessName")
        );
        assert!(coverage.selector_for(&other).is_none());
    }

    #[test]
    fn registry_delete_needs_the_event_type() {
        let map = LogSourceMap::default_windows();
        let coverage = map
            .resolve(&key("windows", Some("registry_delete"), None))
            .unwrap();
        let channel = "Microsoft-Windows-Sysmon/Operational";
        assert!(coverage
            .selector_for(&event(channel, 12, json!({"EventType": "DeleteValue"})))
            .is_some());
        assert!(coverage
            .selector_for(&event(channel, 12, json!({"EventType": "CreateKey"})))
            .is_none());
    }

    #[test]
    fn unknown_log_sources_are_not_mapped() {
        let map = LogSourceMap::default_windows();
        assert!(map
            .resolve(&key("windows", Some("no_such_category"), None))
            .is_none());
        assert!(map
            .resolve(&key("linux", Some("process_creation"), None))
            .is_none());
        assert!(map.resolve(&LogSourceKey::default()).is_none());
    }

    #[test]
    fn a_service_rule_reads_its_channel() {
        let map = LogSourceMap::default_windows();
        let coverage = map
            .resolve(&key("windows", None, Some("security")))
            .unwrap();
        assert!(coverage
            .selector_for(&event("Security", 4624, json!({})))
            .is_some());
        assert!(coverage
            .selector_for(&event("System", 4624, json!({})))
            .is_none());
        assert!(coverage
            .selector_for(&json!({"Channel": "Security"}))
            .is_none());
    }

    #[test]
    fn a_user_file_replaces_and_extends() {
        let mut map = LogSourceMap::default_windows();
        let user = "logsources:
  - logsource: {product: windows, service: security}
    events: [{channel: Security, event_id: [4624]}]
  - logsource: {product: acme, service: fw}
    events: [{channel: Acme}]
";
        map.extend(LogSourceMap::parse(Path::new("user.yml"), user).unwrap());

        let security = map
            .resolve(&key("windows", None, Some("security")))
            .unwrap();
        assert_eq!(security.selectors.len(), 1);
        assert!(security
            .selector_for(&event("Security", 4625, json!({})))
            .is_none());
        assert!(map.resolve(&key("acme", None, Some("fw"))).is_some());
    }

    #[test]
    fn problems_are_located() {
        let text = "logsources:\n  - logsource: {product: windows}\n    events:\n      \
                    - {chanel: Security, event_id: [abc]}\n";
        let errors = LogSourceMap::parse(Path::new("m.yml"), text).unwrap_err();
        let found: Vec<_> = errors
            .iter()
            .map(|e| (e.span.location.line, e.message.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    4,
                    "expected `channel`, `provider`, `event_id`, `where` or `fields`"
                ),
                (4, "an event id must be a whole number"),
            ]
        );
        assert!(errors[0].to_string().starts_with("m.yml:4:"));
    }
}
