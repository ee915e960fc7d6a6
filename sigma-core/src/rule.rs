//! The typed Sigma document model: rules, correlations and filters.
//!
//! Loading is lenient on purpose. A linter must see a rule with a wrong type
//! in one field and still check the rest, so every field is optional and
//! every shape problem becomes a located [`Problem`] on the document instead
//! of an error that discards it. The raw YAML tree stays attached for checks
//! that look at keys this model does not know.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::span::{Span, Spanned};
use crate::yaml::{self, Node, Resolved, Style, Value, YamlError};

/// A problem found while reading a document into the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// What is wrong; lowercase, no trailing period.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Other places that explain it ("first defined here").
    pub related: Vec<(String, Span)>,
}

impl Problem {
    fn new(message: impl Into<String>, span: Span) -> Self {
        Problem {
            message: message.into(),
            span,
            related: Vec::new(),
        }
    }
}

/// One rule file: its source and what each of its YAML documents holds.
#[derive(Debug)]
pub struct SigmaFile {
    /// The path it was read from.
    pub path: PathBuf,
    /// The text, shared with every diagnostic that quotes it.
    pub source: Arc<str>,
    /// The documents, in order; with a syntax error, those completed before
    /// it (the broken one and any after it are missing).
    pub documents: Vec<SigmaDocument>,
    /// Why the YAML could not be parsed, if it could not.
    pub syntax_error: Option<YamlError>,
}

impl SigmaFile {
    /// Parses `source`, read from `path`.
    pub fn parse(path: impl Into<PathBuf>, source: impl Into<Arc<str>>) -> Self {
        let path = path.into();
        let source = source.into();
        let (documents, syntax_error) = yaml::parse_partial(&source);
        let documents = documents
            .into_iter()
            .map(SigmaDocument::from_yaml)
            .collect();
        SigmaFile {
            path,
            source,
            documents,
            syntax_error,
        }
    }

    /// Reads and parses the file at `path`. Invalid UTF-8 is an I/O error.
    pub fn read(path: &Path) -> std::io::Result<Self> {
        let bytes = std::fs::read(path)?;
        let source = String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let message = format!("not valid UTF-8 (first bad byte at offset {at})");
            std::io::Error::new(std::io::ErrorKind::InvalidData, message)
        })?;
        Ok(Self::parse(path, source))
    }

    /// The detection rules of this file.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.documents.iter().filter_map(|d| match d {
            SigmaDocument::Rule(rule) => Some(rule),
            _ => None,
        })
    }
}

/// What one YAML document is.
#[derive(Debug)]
pub enum SigmaDocument {
    /// A detection rule (it has `detection`).
    Rule(Rule),
    /// A correlation rule (it has `correlation`).
    Correlation(Correlation),
    /// A meta filter (it has `filter`).
    Filter(Filter),
    /// Anything else: an `action: global` part, an empty document, a stray
    /// scalar. Kept so that checks can still report on it.
    Other(Header),
}

impl SigmaDocument {
    fn from_yaml(document: yaml::Document) -> Self {
        let header = Header::from_yaml(document);
        let Some(root) = header.root.as_ref() else {
            return SigmaDocument::Other(header);
        };
        if root.get("correlation").is_some() {
            SigmaDocument::Correlation(Correlation::from_header(header))
        } else if root.get("filter").is_some() {
            SigmaDocument::Filter(Filter::from_header(header))
        } else if root.get("detection").is_some() {
            SigmaDocument::Rule(Rule::from_header(header))
        } else {
            SigmaDocument::Other(header)
        }
    }

    /// The metadata every kind of document shares.
    pub fn header(&self) -> &Header {
        match self {
            SigmaDocument::Rule(rule) => &rule.header,
            SigmaDocument::Correlation(correlation) => &correlation.header,
            SigmaDocument::Filter(filter) => &filter.header,
            SigmaDocument::Other(header) => header,
        }
    }
}

/// The metadata that rules, correlations and filters share, and the raw tree.
#[derive(Debug)]
pub struct Header {
    /// The document's YAML, for checks that need more than the model.
    pub root: Option<Node>,
    /// Duplicate keys anywhere in the document.
    pub duplicate_keys: Vec<yaml::DuplicateKey>,
    /// Where the document starts.
    pub span: Span,
    /// `title`.
    pub title: Option<Spanned<String>>,
    /// `id`, as written.
    pub id: Option<Spanned<String>>,
    /// `name`, the handle correlations use to refer to a rule.
    pub name: Option<Spanned<String>>,
    /// `status`.
    pub status: Option<Spanned<String>>,
    /// `level`.
    pub level: Option<Spanned<String>>,
    /// `date`, as written.
    pub date: Option<Spanned<String>>,
    /// `modified`, as written.
    pub modified: Option<Spanned<String>>,
    /// `tags`.
    pub tags: Vec<Spanned<String>>,
    /// Shape problems found while reading.
    pub problems: Vec<Problem>,
}

impl Header {
    fn from_yaml(document: yaml::Document) -> Self {
        let mut header = Header {
            root: None,
            duplicate_keys: document.duplicate_keys,
            span: document.span,
            title: None,
            id: None,
            name: None,
            status: None,
            level: None,
            date: None,
            modified: None,
            tags: Vec::new(),
            problems: Vec::new(),
        };
        let Some(root) = document.root else {
            return header;
        };
        if root.as_mapping().is_none() {
            let message = format!("a Sigma document is a mapping, found {}", root.kind_name());
            header.problems.push(Problem::new(message, root.span));
            header.root = Some(root);
            return header;
        }

        let mut problems = Vec::new();
        let mut text = |key: &str| string_field(&root, key, &mut problems);
        header.title = text("title");
        header.id = text("id");
        header.name = text("name");
        header.status = text("status");
        header.level = text("level");
        header.date = text("date");
        header.modified = text("modified");
        header.tags = string_list(&root, "tags", &mut problems);
        header.problems = problems;
        header.root = Some(root);
        header
    }

    /// The raw value under a top-level key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.root.as_ref()?.get(key)
    }
}

/// A string-valued top-level field; any scalar is accepted as its text.
fn string_field(root: &Node, key: &str, problems: &mut Vec<Problem>) -> Option<Spanned<String>> {
    let node = root.get(key)?;
    match &node.value {
        Value::Scalar(scalar) => Some(Spanned::new(scalar.text.clone(), node.span)),
        _ => {
            let message = format!("`{key}` must be a string, found {}", node.kind_name());
            problems.push(Problem::new(message, node.span));
            None
        }
    }
}

fn string_list(root: &Node, key: &str, problems: &mut Vec<Problem>) -> Vec<Spanned<String>> {
    let Some(node) = root.get(key) else {
        return Vec::new();
    };
    let Some(items) = node.as_sequence() else {
        let message = format!(
            "`{key}` must be a list of strings, found {}",
            node.kind_name()
        );
        problems.push(Problem::new(message, node.span));
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item.as_str() {
            Some(text) => Some(Spanned::new(text.to_owned(), item.span)),
            None => {
                let message = format!("`{key}` items must be strings, found {}", item.kind_name());
                problems.push(Problem::new(message, item.span));
                None
            }
        })
        .collect()
}

/// A detection rule.
#[derive(Debug)]
pub struct Rule {
    /// Shared metadata and the raw tree.
    pub header: Header,
    /// `logsource`.
    pub logsource: LogSource,
    /// `detection`.
    pub detection: Detection,
}

impl Rule {
    fn from_header(mut header: Header) -> Self {
        let mut problems = std::mem::take(&mut header.problems);
        let root = header.root.as_ref();
        let logsource = LogSource::from_node(root.and_then(|r| r.get("logsource")), &mut problems);
        let detection = match root.and_then(|r| r.entry("detection")) {
            Some((_, node)) => Detection::from_node(node, &mut problems),
            None => Detection::default(),
        };
        header.problems = problems;
        Rule {
            header,
            logsource,
            detection,
        }
    }

    /// The rule's id, or its title, or `<untitled>`: a name for messages.
    pub fn display_name(&self) -> &str {
        let header = &self.header;
        header
            .id
            .as_ref()
            .or(header.title.as_ref())
            .map_or("<untitled>", |s| s.value.as_str())
    }
}

/// `logsource`: which events a rule reads.
#[derive(Clone, Debug, Default)]
pub struct LogSource {
    /// `category`, such as `process_creation`.
    pub category: Option<Spanned<String>>,
    /// `product`, such as `windows`.
    pub product: Option<Spanned<String>>,
    /// `service`, such as `sysmon`.
    pub service: Option<Spanned<String>>,
    /// `definition`: free text.
    pub definition: Option<Spanned<String>>,
    /// Where `logsource` is written; `None` when it is missing.
    pub span: Option<Span>,
}

impl LogSource {
    fn from_node(node: Option<&Node>, problems: &mut Vec<Problem>) -> Self {
        let Some(node) = node else {
            return LogSource::default();
        };
        if node.as_mapping().is_none() {
            let message = format!("`logsource` must be a mapping, found {}", node.kind_name());
            problems.push(Problem::new(message, node.span));
            return LogSource {
                span: Some(node.span),
                ..LogSource::default()
            };
        }
        LogSource {
            category: string_field(node, "category", problems),
            product: string_field(node, "product", problems),
            service: string_field(node, "service", problems),
            definition: string_field(node, "definition", problems),
            span: Some(node.span),
        }
    }
}

/// `detection`: the search identifiers and the condition.
#[derive(Clone, Debug, Default)]
pub struct Detection {
    /// Where `detection` is written.
    pub span: Option<Span>,
    /// The search identifiers, in source order.
    pub identifiers: Vec<SearchIdentifier>,
    /// The condition(s): a list is allowed by older rules and means OR.
    pub conditions: Vec<Spanned<String>>,
    /// `timeframe`, a deprecated key inside detection.
    pub timeframe: Option<Spanned<String>>,
}

impl Detection {
    fn from_node(node: &Node, problems: &mut Vec<Problem>) -> Self {
        let mut detection = Detection {
            span: Some(node.span),
            ..Detection::default()
        };
        let Some(entries) = node.as_mapping() else {
            let message = format!("`detection` must be a mapping, found {}", node.kind_name());
            problems.push(Problem::new(message, node.span));
            return detection;
        };

        for (key, value) in entries {
            let Some(name) = key.as_str() else {
                problems.push(Problem::new("search identifiers must be strings", key.span));
                continue;
            };
            match name {
                "condition" => detection.conditions = conditions(value, problems),
                "timeframe" => {
                    detection.timeframe = value.as_str().map(|t| Spanned::new(t.into(), value.span))
                }
                _ => detection.identifiers.push(SearchIdentifier {
                    name: Spanned::new(name.to_owned(), key.span),
                    body: DetectionBody::from_node(value, problems),
                    span: key.span.to(value.span),
                }),
            }
        }

        if detection.conditions.is_empty() && problems.iter().all(|p| !p.message.contains("cond")) {
            problems.push(Problem::new("`detection` has no `condition`", node.span));
        }
        detection
    }

    /// The search identifier called `name`.
    pub fn identifier(&self, name: &str) -> Option<&SearchIdentifier> {
        self.identifiers.iter().find(|i| i.name.value == name)
    }
}

fn conditions(node: &Node, problems: &mut Vec<Problem>) -> Vec<Spanned<String>> {
    match &node.value {
        Value::Scalar(scalar) if !node.is_null() => {
            vec![Spanned::new(scalar.text.clone(), node.span)]
        }
        Value::Sequence(items) => items
            .iter()
            .filter_map(|item| match item.as_str() {
                Some(text) => Some(Spanned::new(text.to_owned(), item.span)),
                None => {
                    problems.push(Problem::new("a condition must be a string", item.span));
                    None
                }
            })
            .collect(),
        _ => {
            let message = format!("`condition` must be a string, found {}", node.kind_name());
            problems.push(Problem::new(message, node.span));
            Vec::new()
        }
    }
}

/// A named part of `detection` that the condition refers to.
#[derive(Clone, Debug)]
pub struct SearchIdentifier {
    /// Its name, e.g. `selection` or `filter_main_ports`.
    pub name: Spanned<String>,
    /// What it searches for.
    pub body: DetectionBody,
    /// From the name through the end of the body.
    pub span: Span,
}

/// The body of a search identifier, as nested in YAML.
#[derive(Clone, Debug)]
pub enum DetectionBody {
    /// A mapping: every item must match (AND).
    Map {
        /// The field items, in order.
        items: Vec<DetectionItem>,
        /// Where the mapping is written.
        span: Span,
    },
    /// A list: any element may match (OR). Elements are maps, nested lists
    /// or bare values (keywords).
    List {
        /// The elements.
        elements: Vec<DetectionBody>,
        /// Where the list is written.
        span: Span,
    },
    /// A bare value in a list: a keyword, searched in every field.
    Keyword(RuleValue),
    /// Something no detection can hold (a mapping key that is a list...).
    /// The problem is reported; the body matches nothing.
    Invalid(Span),
}

impl DetectionBody {
    fn from_node(node: &Node, problems: &mut Vec<Problem>) -> Self {
        match &node.value {
            Value::Mapping(entries) => {
                let items = entries
                    .iter()
                    .filter_map(|(key, value)| DetectionItem::from_entry(key, value, problems))
                    .collect();
                DetectionBody::Map {
                    items,
                    span: node.span,
                }
            }
            Value::Sequence(items) => {
                let elements = items
                    .iter()
                    .map(|item| Self::from_node(item, problems))
                    .collect();
                DetectionBody::List {
                    elements,
                    span: node.span,
                }
            }
            Value::Scalar(_) => match RuleValue::from_node(node) {
                Some(value) => DetectionBody::Keyword(value),
                None => DetectionBody::Invalid(node.span),
            },
        }
    }

    /// Where the body is written.
    pub fn span(&self) -> Span {
        match self {
            DetectionBody::Map { span, .. } | DetectionBody::List { span, .. } => *span,
            DetectionBody::Keyword(value) => value.span,
            DetectionBody::Invalid(span) => *span,
        }
    }
}

/// One `field|modifier|...: value(s)` entry of a detection map.
#[derive(Clone, Debug)]
pub struct DetectionItem {
    /// The key as written, e.g. `Image|endswith`.
    pub key: Spanned<String>,
    /// The field name; `None` for a key that starts with `|` (a keyword
    /// search with modifiers).
    pub field: Option<Spanned<String>>,
    /// The modifier names, as written, each with its own span.
    pub modifiers: Vec<Spanned<String>>,
    /// The values: one for a scalar, several for a list (OR unless `all`).
    pub values: Vec<RuleValue>,
    /// Whether the values were written as a list.
    pub is_list: bool,
    /// Where the value part is written.
    pub value_span: Span,
}

impl DetectionItem {
    fn from_entry(key: &Node, value: &Node, problems: &mut Vec<Problem>) -> Option<Self> {
        let Some(key_text) = key.as_str() else {
            problems.push(Problem::new("a detection key must be a string", key.span));
            return None;
        };
        let mut parts = key_text.split('|');
        let field_text = parts.next().unwrap_or_default();
        let field = (!field_text.is_empty()).then(|| {
            Spanned::new(
                field_text.to_owned(),
                key.span.slice_text(key_text, 0, field_text.len()),
            )
        });

        let mut modifiers = Vec::new();
        let mut offset = field_text.len();
        for name in parts {
            let start = offset + 1;
            offset = start + name.len();
            modifiers.push(Spanned::new(
                name.to_owned(),
                key.span.slice_text(key_text, start, offset),
            ));
        }

        let (values, is_list) = match &value.value {
            Value::Sequence(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    match RuleValue::from_node(item) {
                        Some(v) => values.push(v),
                        None => problems.push(Problem::new(
                            format!(
                                "a value of `{key_text}` must be a scalar, found {}",
                                item.kind_name()
                            ),
                            item.span,
                        )),
                    }
                }
                (values, true)
            }
            Value::Scalar(_) => (RuleValue::from_node(value).into_iter().collect(), false),
            Value::Mapping(_) => {
                problems.push(Problem::new(
                    format!(
                        "the value of `{key_text}` must be a scalar or a list, found a mapping"
                    ),
                    value.span,
                ));
                (Vec::new(), false)
            }
        };

        Some(DetectionItem {
            key: Spanned::new(key_text.to_owned(), key.span),
            field,
            modifiers,
            values,
            is_list,
            value_span: value.span,
        })
    }
}

impl Span {
    /// A span for bytes `from..to` of a key whose text is `text`, written on
    /// one line. Quoted keys start one byte later than their text.
    fn slice_text(self, text: &str, from: usize, to: usize) -> Span {
        let quote = usize::from(self.len() > text.len());
        let start = (self.start + quote + from).min(self.end);
        let end = (self.start + quote + to).clamp(start, self.end);
        let column = self.location.column + (quote + text[..from].chars().count()) as u32;
        Span {
            start,
            end,
            location: crate::span::Location {
                column,
                ..self.location
            },
        }
    }
}

/// A value in a detection, as written.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleValue {
    /// What it is.
    pub kind: ValueKind,
    /// Where it is written.
    pub span: Span,
}

/// The type of a [`RuleValue`].
///
/// Numbers keep their text: YAML 1.1 and 1.2 read some digit strings
/// differently, and matching must never depend on which one a tool chose.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// A string (quoted, or plain text that is not another type).
    Str(String),
    /// A plain number, with its text as written.
    Number(String),
    /// A plain `true` or `false`.
    Bool(bool),
    /// A plain `null`, `~` or nothing.
    Null,
}

impl RuleValue {
    fn from_node(node: &Node) -> Option<Self> {
        let scalar = node.as_scalar()?;
        let kind = match scalar.resolve() {
            Resolved::Null => ValueKind::Null,
            Resolved::Bool(b) => ValueKind::Bool(b),
            // A leading zero is a string for PyYAML unless every digit is
            // octal; keeping it text is the reading that loses nothing.
            Resolved::Int(_) | Resolved::Float(_) if has_leading_zero(&scalar.text) => {
                ValueKind::Str(scalar.text.clone())
            }
            Resolved::Int(_) | Resolved::Float(_) if scalar.style == Style::Plain => {
                ValueKind::Number(scalar.text.clone())
            }
            Resolved::Int(_) | Resolved::Float(_) | Resolved::Str(_) => {
                ValueKind::Str(scalar.text.clone())
            }
        };
        Some(RuleValue {
            kind,
            span: node.span,
        })
    }

    /// The value's text: the string, the number as written, `true`/`false`,
    /// or the empty string for null.
    pub fn text(&self) -> &str {
        match &self.kind {
            ValueKind::Str(s) | ValueKind::Number(s) => s,
            ValueKind::Bool(true) => "true",
            ValueKind::Bool(false) => "false",
            ValueKind::Null => "",
        }
    }
}

fn has_leading_zero(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    digits.len() > 1 && digits.starts_with('0') && digits.as_bytes()[1].is_ascii_digit()
}

/// A correlation rule (its own YAML document).
#[derive(Debug)]
pub struct Correlation {
    /// Shared metadata and the raw tree.
    pub header: Header,
    /// `correlation.type`.
    pub kind: Option<Spanned<String>>,
    /// `correlation.rules`: ids or names of the rules it correlates.
    pub rules: Vec<Spanned<String>>,
}

impl Correlation {
    fn from_header(mut header: Header) -> Self {
        let mut problems = std::mem::take(&mut header.problems);
        let body = header.get("correlation");
        let kind = body.and_then(|b| string_field(b, "type", &mut problems));
        let rules = body
            .map(|b| string_list(b, "rules", &mut problems))
            .unwrap_or_default();
        header.problems = problems;
        Correlation {
            header,
            kind,
            rules,
        }
    }
}

/// A meta filter (its own YAML document).
#[derive(Debug)]
pub struct Filter {
    /// Shared metadata and the raw tree.
    pub header: Header,
    /// `filter.rules`: ids or names of the rules it applies to.
    pub rules: Vec<Spanned<String>>,
    /// `filter` itself, read as a detection (its selections and condition).
    pub detection: Detection,
}

impl Filter {
    fn from_header(mut header: Header) -> Self {
        let mut problems = std::mem::take(&mut header.problems);
        let body = header.get("filter");
        let rules = body
            .map(|b| string_list(b, "rules", &mut problems))
            .unwrap_or_default();
        let detection = match body {
            Some(node) => {
                let mut d = Detection::from_node(node, &mut problems);
                d.identifiers.retain(|i| i.name.value != "rules");
                d
            }
            None => Detection::default(),
        };
        header.problems = problems;
        Filter {
            header,
            rules,
            detection,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "\
title: Test
id: 4c5fba4a-9ef6-4f16-823d-606246054741
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith:
      - '\\a.exe'
      - '\\b.exe'
    EventID: 1
  keywords:
    - evil
  condition: selection and keywords
";

    fn rule(source: &str) -> Rule {
        let file = SigmaFile::parse("t.yml", source);
        assert!(file.syntax_error.is_none());
        match file.documents.into_iter().next() {
            Some(SigmaDocument::Rule(rule)) => rule,
            other => panic!("not a rule: {other:?}"),
        }
    }

    #[test]
    fn reads_metadata_logsource_and_detection() {
        let rule = rule(RULE);
        assert!(
            rule.header.problems.is_empty(),
            "{:?}",
            rule.header.problems
        );
        assert_eq!(
            rule.header.title.as_deref().map(String::as_str),
            Some("Test")
        );
        assert_eq!(
            rule.logsource.category.as_ref().unwrap().value,
            "process_creation"
        );
        assert_eq!(rule.detection.conditions[0].value, "selection and keywords");
        assert_eq!(rule.detection.identifiers.len(), 2);
    }

    #[test]
    fn items_split_field_and_modifiers_with_spans() {
        let rule = rule(RULE);
        let DetectionBody::Map { items, .. } = &rule.detection.identifiers[0].body else {
            panic!("selection is a map");
        };
        let item = &items[0];
        assert_eq!(item.field.as_ref().unwrap().value, "Image");
        assert_eq!(item.modifiers[0].value, "endswith");
        assert_eq!(item.modifiers[0].span.location.line, 8);
        assert_eq!(item.modifiers[0].span.location.column, 11);
        assert_eq!(
            &RULE[item.modifiers[0].span.start..item.modifiers[0].span.end],
            "endswith"
        );
        assert_eq!(item.values.len(), 2);
        assert_eq!(item.values[0].kind, ValueKind::Str("\\a.exe".into()));
        assert_eq!(items[1].values[0].kind, ValueKind::Number("1".into()));
    }

    #[test]
    fn keyword_lists_are_keywords() {
        let rule = rule(RULE);
        let DetectionBody::List { elements, .. } = &rule.detection.identifiers[1].body else {
            panic!("keywords is a list");
        };
        assert!(matches!(&elements[0], DetectionBody::Keyword(v) if v.text() == "evil"));
    }

    #[test]
    fn leading_zero_digits_stay_text() {
        let rule = rule("detection:\n  s:\n    Details: 00000429\n  condition: s\n");
        let DetectionBody::Map { items, .. } = &rule.detection.identifiers[0].body else {
            panic!("map");
        };
        assert_eq!(items[0].values[0].kind, ValueKind::Str("00000429".into()));
    }

    #[test]
    fn wrong_shapes_are_problems_not_failures() {
        let rule =
            rule("title: [a]\nlogsource: x\ndetection:\n  s:\n    a: {b: c}\n  condition: s\n");
        let messages: Vec<_> = rule
            .header
            .problems
            .iter()
            .map(|p| p.message.as_str())
            .collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("`title` must be a string")),
            "{messages:?}"
        );
        assert!(messages
            .iter()
            .any(|m| m.contains("`logsource` must be a mapping")));
        assert!(messages.iter().any(|m| m.contains("found a mapping")));
    }

    #[test]
    fn documents_are_classified() {
        let source = "title: c\ncorrelation:\n  type: event_count\n  rules: [a]\n---\n\
                      title: f\nfilter:\n  rules: [a]\n  s: {x: 1}\n  condition: not s\n";
        let file = SigmaFile::parse("t.yml", source);
        assert!(matches!(file.documents[0], SigmaDocument::Correlation(_)));
        let SigmaDocument::Filter(filter) = &file.documents[1] else {
            panic!("filter")
        };
        assert_eq!(filter.rules[0].value, "a");
        assert_eq!(filter.detection.identifiers.len(), 1);
    }
}
