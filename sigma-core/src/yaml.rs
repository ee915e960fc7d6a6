//! A YAML tree with a span on every key and value.
//!
//! Built from `saphyr-parser` events rather than a loader, for three reasons
//! a linter cares about: both places of a duplicate key stay known, the raw
//! text and style of every scalar are kept (so a YAML 1.1 reading can be told
//! apart from the 1.2 one, and `00000429` is never turned into `429`), and
//! aliases are expanded under our own budget, so no "billion laughs" input can
//! exhaust memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use crate::span::{LineIndex, Location, Span};

/// How many nodes one file may expand to, aliases included.
///
/// The largest SigmaHQ rule has a few hundred nodes; the budget stops alias
/// bombs, which grow by a factor of the fan-out per level, and bounds the
/// memory of any one file (a YAML event file with more nodes is refused).
pub const NODE_BUDGET: usize = 200_000;

/// How deeply collections may nest before the file is refused.
///
/// Deeper trees are never real rules, and every recursive walk over the
/// tree (JSON conversion, drop) stays far from the stack limit.
pub const MAX_DEPTH: usize = 128;

/// One node of the tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the node was written (for an alias: where the alias was written).
    pub span: Span,
    /// What the node holds.
    pub value: Value,
}

/// The content of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar, kept as written.
    Scalar(Scalar),
    /// A sequence.
    Sequence(Vec<Node>),
    /// A mapping, in source order; duplicate keys are kept (see
    /// [`Document::duplicate_keys`]).
    Mapping(Vec<(Node, Node)>),
}

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    /// Unquoted: its type depends on the YAML schema's resolution.
    Plain,
    /// `'...'`
    SingleQuoted,
    /// `"..."`
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

impl Style {
    /// Whether the scalar is always a string, whatever its text.
    pub fn is_quoted(self) -> bool {
        !matches!(self, Style::Plain)
    }
}

/// A scalar's text (after unescaping), style and explicit tag.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The text, as YAML delivers it (escapes resolved, quotes removed).
    pub text: String,
    /// How it was written.
    pub style: Style,
    /// An explicit tag such as `!!str`, if written.
    pub tag: Option<String>,
}

/// A scalar resolved with the YAML 1.2 core schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved<'a> {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A float (including an integer too large for `i64`).
    Float(f64),
    /// Anything else.
    Str(&'a str),
}

impl Scalar {
    /// Resolves the scalar with the YAML 1.2 core schema, the one the Sigma
    /// specification's YAML uses. Quoted and block scalars are strings.
    pub fn resolve(&self) -> Resolved<'_> {
        if self.style != Style::Plain {
            return Resolved::Str(&self.text);
        }
        if let Some(tag) = &self.tag {
            if tag.ends_with("str") {
                return Resolved::Str(&self.text);
            }
        }
        resolve_core(&self.text)
    }
}

fn resolve_core(text: &str) -> Resolved<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Resolved::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }

    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(int) => Resolved::Int(int),
            Err(_) => text.parse().map_or(Resolved::Str(text), Resolved::Float),
        };
    }
    if let Some(hex) = text.strip_prefix("0x") {
        if let Ok(int) = i64::from_str_radix(hex, 16) {
            return Resolved::Int(int);
        }
    }
    if let Some(oct) = text.strip_prefix("0o") {
        if let Ok(int) = i64::from_str_radix(oct, 8) {
            return Resolved::Int(int);
        }
    }
    if is_core_float(digits) {
        if let Ok(float) = text.parse() {
            return Resolved::Float(float);
        }
    }
    Resolved::Str(text)
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, sign already removed.
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) => {
            all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !whole.is_empty() && all_digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

impl Node {
    /// The scalar, if this node is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// The scalar's text, if this node is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|scalar| scalar.text.as_str())
    }

    /// The items, if this node is a sequence.
    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, if this node is a mapping.
    pub fn as_mapping(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Mapping(entries) => Some(entries),
            _ => None,
        }
    }

    /// The first entry of a mapping whose key is the scalar `key`.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_mapping()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, value)| value)
    }

    /// Whether this is a null scalar (`null`, `~` or empty, unquoted).
    pub fn is_null(&self) -> bool {
        matches!(self.as_scalar().map(Scalar::resolve), Some(Resolved::Null))
    }

    /// A short name of the node's kind, for messages ("a mapping", ...).
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Scalar(scalar) => match scalar.resolve() {
                Resolved::Null => "null",
                Resolved::Bool(_) => "a boolean",
                Resolved::Int(_) | Resolved::Float(_) => "a number",
                Resolved::Str(_) => "a string",
            },
            Value::Sequence(_) => "a list",
            Value::Mapping(_) => "a mapping",
        }
    }

    /// Converts the tree to JSON for schema validation, reading scalars with
    /// the YAML 1.2 core schema, as the specification's schemas expect.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as Json;
        match &self.value {
            Value::Scalar(scalar) => match scalar.resolve() {
                Resolved::Null => Json::Null,
                Resolved::Bool(b) => Json::Bool(b),
                Resolved::Int(i) => Json::from(i),
                Resolved::Float(f) => serde_json::Number::from_f64(f)
                    .map_or_else(|| Json::String(scalar.text.clone()), Json::Number),
                Resolved::Str(s) => Json::String(s.to_owned()),
            },
            Value::Sequence(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Mapping(entries) => {
                let mut map = serde_json::Map::with_capacity(entries.len());
                for (key, value) in entries {
                    let key = key.as_str().map_or_else(|| key_text(key), str::to_owned);
                    map.entry(key).or_insert_with(|| value.to_json());
                }
                Json::Object(map)
            }
        }
    }

    /// Follows an RFC 6901 JSON Pointer through the tree, as a schema
    /// validator reports an error's instance path.
    pub fn pointer<'a, I, S>(&self, segments: I) -> Option<&Node>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str> + 'a,
    {
        let mut node = self;
        for segment in segments {
            let segment = segment.as_ref();
            node = match &node.value {
                Value::Mapping(_) => node.get(segment)?,
                Value::Sequence(items) => items.get(segment.parse::<usize>().ok()?)?,
                Value::Scalar(_) => return None,
            };
        }
        Some(node)
    }
}

/// A flow-style rendering of a non-scalar key, for JSON conversion.
fn key_text(key: &Node) -> String {
    key.to_json().to_string()
}

/// A key written twice in one mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct DuplicateKey {
    /// The key's text.
    pub key: String,
    /// Where it was first written.
    pub first: Span,
    /// Where it was written again.
    pub second: Span,
}

/// One YAML document of a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The document's root, `None` for an empty document.
    pub root: Option<Node>,
    /// Every key that some mapping of this document holds more than once.
    pub duplicate_keys: Vec<DuplicateKey>,
    /// Where the document starts (its `---`, or its first node).
    pub span: Span,
}

/// Why a file is not YAML we can read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What is wrong, in the scanner's words or ours.
    pub message: String,
    /// Where it is wrong.
    pub span: Span,
}

/// Parses every document of `source`.
///
/// A syntax error stops the parse: YAML has no reliable way to resume. The
/// error points at the offending character.
pub fn parse(source: &str) -> Result<Vec<Document>, YamlError> {
    match parse_partial(source) {
        (documents, None) => Ok(documents),
        (_, Some(error)) => Err(error),
    }
}

/// Parses `source` as far as it is valid: the documents completed before
/// a syntax error, and the error. A broken second document then hides
/// nothing of the first. The document the error lies in is left out
/// whole, since its tree is cut at an arbitrary place.
pub fn parse_partial(source: &str) -> (Vec<Document>, Option<YamlError>) {
    let mut documents = Vec::new();
    let error = TreeBuilder::new(source).run(&mut documents).err();
    (documents, error)
}

/// An open collection while its children are being read.
enum Open {
    Sequence {
        start: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Mapping {
        start: Span,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
    },
}

struct TreeBuilder<'s> {
    source: &'s str,
    index: LineIndex,
    anchors: HashMap<usize, Node>,
    nodes: usize,
    /// How many of `nodes` come from expanding aliases (for the message).
    aliased: usize,
}

impl<'s> TreeBuilder<'s> {
    fn new(source: &'s str) -> Self {
        TreeBuilder {
            source,
            index: LineIndex::new(source),
            anchors: HashMap::new(),
            nodes: 0,
            aliased: 0,
        }
    }

    fn span(&self, span: saphyr_parser::Span) -> Span {
        Span {
            start: self.index.byte(span.start.index()),
            end: self.index.byte(span.end.index()),
            location: Location {
                line: span.start.line() as u32,
                column: span.start.col() as u32 + 1,
            },
        }
    }

    fn scan_error(&self, error: &ScanError) -> YamlError {
        let mark = error.marker();
        let start = self.index.byte(mark.index());
        let end = self.source[start..]
            .chars()
            .next()
            .map_or(start, |c| start + c.len_utf8());
        let location = Location {
            line: mark.line() as u32,
            column: mark.col() as u32 + 1,
        };
        YamlError {
            message: error.info().to_owned(),
            span: Span {
                start,
                end,
                location,
            },
        }
    }

    fn error(&self, message: impl Into<String>, span: Span) -> YamlError {
        YamlError {
            message: message.into(),
            span,
        }
    }

    /// Adds each document to `documents` as it is completed.
    fn run(mut self, documents: &mut Vec<Document>) -> Result<(), YamlError> {
        let mut stack: Vec<Open> = Vec::new();
        let mut current: Option<Document> = None;

        for event in Parser::new_from_str(self.source) {
            let (event, raw_span) = event.map_err(|e| self.scan_error(&e))?;
            let span = self.span(raw_span);
            let finished = match event {
                Event::StreamStart | Event::StreamEnd | Event::Nothing => continue,
                Event::DocumentStart(_) => {
                    self.anchors.clear();
                    current = Some(Document {
                        root: None,
                        duplicate_keys: Vec::new(),
                        span,
                    });
                    continue;
                }
                Event::DocumentEnd => {
                    documents.extend(current.take());
                    continue;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    let mut text = text.into_owned();
                    if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
                        && span.end == self.source.len()
                    {
                        text = self.block_scalar_at_end(text, &raw_span);
                    }
                    let scalar = Scalar {
                        text,
                        style: style_of(style),
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    };
                    self.count(span)?;
                    let node = Node {
                        span,
                        value: Value::Scalar(scalar),
                    };
                    if anchor != 0 {
                        self.anchors.insert(anchor, node.clone());
                    }
                    node
                }
                Event::Alias(anchor) => {
                    let Some(target) = self.anchors.get(&anchor) else {
                        return Err(self.error("alias names an unknown anchor", span));
                    };
                    let size = count_nodes(target);
                    self.nodes += size;
                    self.aliased += size;
                    if self.nodes > NODE_BUDGET {
                        return Err(self.budget_error(span));
                    }
                    Node {
                        span,
                        value: target.value.clone(),
                    }
                }
                Event::SequenceStart(anchor, _) => {
                    self.open(&stack, span)?;
                    stack.push(Open::Sequence {
                        start: span,
                        anchor,
                        items: Vec::new(),
                    });
                    continue;
                }
                Event::MappingStart(anchor, _) => {
                    self.open(&stack, span)?;
                    stack.push(Open::Mapping {
                        start: span,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                    });
                    continue;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    let Some(open) = stack.pop() else {
                        return Err(self.error("unbalanced collection end", span));
                    };
                    self.close(open, span, current.as_mut())
                }
            };
            self.attach(&mut stack, finished, current.as_mut());
        }

        documents.extend(current.take());
        Ok(())
    }

    /// The value of a block scalar that runs to the end of the input.
    ///
    /// saphyr-parser reads the end of input as a line break after the last
    /// line, even a line of indentation only: `|` over `whoami  ` and
    /// `/all` with no final break reads `"whoami  \n/all\n"`, where YAML
    /// (and PyYAML) give `"whoami  \n/all"`. It is right when the input
    /// does end with a break, so the value is read again from a text that
    /// does: with the break added when the last line holds content (which
    /// then loses the break the chomping gave it), or without the last
    /// line when that is an empty line, which a missing break leaves out
    /// of the value whatever the chomping. Only such files pay for the
    /// second parse.
    fn block_scalar_at_end(&self, text: String, raw: &saphyr_parser::Span) -> String {
        let source = self.source;
        if source.is_empty() || source.ends_with(['\n', '\r']) {
            return text;
        }

        let last_start = source.rfind(['\n', '\r']).map_or(0, |at| at + 1);
        let last = source.get(last_start..).unwrap_or("");
        // The scalar starts at its content indentation, on its first line
        // that is not empty.
        let indent = raw.start.col();
        let content = last.bytes().any(|b| b != b' ') || last.len() > indent;

        let start = raw.start.index();
        if content {
            let reread = scalar_starting_at(&format!("{source}\n"), start);
            reread.map_or(text, |mut value| {
                if value.ends_with('\n') {
                    value.pop();
                }
                value
            })
        } else {
            scalar_starting_at(source.get(..last_start).unwrap_or(""), start).unwrap_or(text)
        }
    }

    fn count(&mut self, span: Span) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > NODE_BUDGET {
            return Err(self.budget_error(span));
        }
        Ok(())
    }

    fn budget_error(&self, span: Span) -> YamlError {
        // Aliases are only blamed when they were expanded: a big plain file
        // is just big.
        let message = if self.aliased > 0 {
            format!(
                "the file expands to more than {NODE_BUDGET} nodes (the limit), {} of them \
                 from aliases (alias bomb?)",
                self.aliased
            )
        } else {
            format!("the file has more than {NODE_BUDGET} nodes (the limit)")
        };
        self.error(message, span)
    }

    fn open(&mut self, stack: &[Open], span: Span) -> Result<(), YamlError> {
        if stack.len() >= MAX_DEPTH {
            return Err(self.error(format!("nesting deeper than {MAX_DEPTH} levels"), span));
        }
        self.count(span)
    }

    fn close(&mut self, open: Open, end: Span, document: Option<&mut Document>) -> Node {
        let (node, anchor) = match open {
            Open::Sequence {
                start,
                anchor,
                items,
            } => {
                let span = start.to(end);
                (
                    Node {
                        span,
                        value: Value::Sequence(items),
                    },
                    anchor,
                )
            }
            Open::Mapping {
                start,
                anchor,
                entries,
                ..
            } => {
                if let Some(document) = document {
                    find_duplicates(&entries, &mut document.duplicate_keys);
                }
                let span = start.to(end);
                (
                    Node {
                        span,
                        value: Value::Mapping(entries),
                    },
                    anchor,
                )
            }
        };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        node
    }

    fn attach(&self, stack: &mut [Open], node: Node, document: Option<&mut Document>) {
        match stack.last_mut() {
            None => {
                if let Some(document) = document {
                    document.root = Some(node);
                }
            }
            Some(Open::Sequence { items, .. }) => items.push(node),
            Some(Open::Mapping { entries, key, .. }) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }
}

/// The text of the scalar that starts at character `start` of `source`,
/// if it parses that far.
fn scalar_starting_at(source: &str, start: usize) -> Option<String> {
    for event in Parser::new_from_str(source) {
        let (event, span) = event.ok()?;
        if let Event::Scalar(text, ..) = event {
            if span.start.index() == start {
                return Some(text.into_owned());
            }
        }
    }
    None
}

fn style_of(style: ScalarStyle) -> Style {
    match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Scalar(_) => 1,
        Value::Sequence(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Mapping(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
    }
}

fn find_duplicates(entries: &[(Node, Node)], found: &mut Vec<DuplicateKey>) {
    // Mappings in rules are small; a quadratic scan beats hashing here.
    for (i, (key, _)) in entries.iter().enumerate() {
        let Some(text) = key.as_str() else { continue };
        if let Some((first, _)) = entries[..i].iter().find(|(k, _)| k.as_str() == Some(text)) {
            found.push(DuplicateKey {
                key: text.to_owned(),
                first: first.span,
                second: key.span,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(source: &str) -> Node {
        let documents = parse(source).expect("valid yaml");
        documents
            .into_iter()
            .next()
            .and_then(|d| d.root)
            .expect("a root")
    }

    #[test]
    fn keys_and_values_carry_their_location() {
        let node = root("title: Test\ndetection:\n  selection:\n    Image: 'a.exe'\n");
        let (key, value) = node
            .get("detection")
            .unwrap()
            .get("selection")
            .unwrap()
            .entry("Image")
            .unwrap();
        assert_eq!(key.span.location, Location { line: 4, column: 5 });
        assert_eq!(
            value.span.location,
            Location {
                line: 4,
                column: 12
            }
        );
        assert_eq!(value.as_str(), Some("a.exe"));
    }

    #[test]
    fn spans_are_bytes_even_after_non_ascii_text() {
        let source = "author: Zoë Müller\nid: x\n";
        let node = root(source);
        let value = node.get("id").unwrap();
        assert_eq!(&source[value.span.start..value.span.end], "x");
        assert_eq!(value.span.location, Location { line: 2, column: 5 });
    }

    #[test]
    fn duplicate_keys_name_both_places() {
        let documents = parse("a: 1\nb: 2\na: 3\n").unwrap();
        let duplicates = &documents[0].duplicate_keys;
        assert_eq!(duplicates.len(), 1);
        assert_eq!(duplicates[0].key, "a");
        assert_eq!(duplicates[0].first.location.line, 1);
        assert_eq!(duplicates[0].second.location.line, 3);
    }

    #[test]
    fn several_documents_are_kept_apart() {
        let documents = parse("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(documents.len(), 2);
        assert!(documents[1].root.as_ref().unwrap().get("b").is_some());
    }

    #[test]
    fn documents_before_a_syntax_error_are_kept() {
        let (documents, error) = parse_partial("a: 1\n---\nb: 'open\n");
        assert_eq!(documents.len(), 1);
        assert!(documents[0]
            .root
            .as_ref()
            .and_then(|r| r.get("a"))
            .is_some());
        assert_eq!(error.map(|e| e.span.location.line), Some(3));
        let (documents, error) = parse_partial("a: [1\n---\nb: 2\n");
        assert!(documents.is_empty() && error.is_some());
    }

    #[test]
    fn scalars_keep_their_text_and_resolve_as_yaml_1_2() {
        let node = root("a: 00000429\nb: yes\nc: '5'\nd: 5\ne: ~\nf: 1.5\ng: 0x1F\n");
        assert_eq!(node.get("a").unwrap().as_str(), Some("00000429"));
        let resolved = |k: &str| node.get(k).unwrap().as_scalar().unwrap().resolve();
        assert_eq!(resolved("b"), Resolved::Str("yes"));
        assert_eq!(resolved("c"), Resolved::Str("5"));
        assert_eq!(resolved("d"), Resolved::Int(5));
        assert_eq!(resolved("e"), Resolved::Null);
        assert_eq!(resolved("f"), Resolved::Float(1.5));
        assert_eq!(resolved("g"), Resolved::Int(31));
    }

    #[test]
    fn aliases_are_expanded() {
        let node = root("a: &x [1, 2]\nb: *x\n");
        assert_eq!(node.get("b").unwrap().as_sequence().unwrap().len(), 2);
    }

    #[test]
    fn alias_bombs_are_stopped() {
        let mut source = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for level in 1..10 {
            let prev = level - 1;
            let refs = vec![format!("*a{prev}"); 9].join(", ");
            source.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
        }
        let error = parse(&source).unwrap_err();
        assert!(
            error
                .message
                .starts_with("the file expands to more than 200000 nodes (the limit), "),
            "{}",
            error.message
        );
        assert!(error.message.ends_with("from aliases (alias bomb?)"));
    }

    #[test]
    fn a_big_file_without_aliases_is_not_called_a_bomb() {
        let source = "- {a: 1}\n".repeat(70_000);
        let error = parse(&source).unwrap_err();
        assert_eq!(
            error.message,
            "the file has more than 200000 nodes (the limit)"
        );
    }

    #[test]
    fn block_scalars_at_the_end_of_input_get_no_extra_break() {
        // Each expected value is PyYAML's reading of the same text.
        let cases = [
            ("a: |\n  whoami  \n  /all", "whoami  \n/all"),
            ("a: |+\n  x\n  y", "x\ny"),
            ("a: |-\n  x\n  y", "x\ny"),
            ("a: >\n  x\n  y", "x y"),
            ("a: >+\n  x\n  y", "x y"),
            ("a: >-\n  x\n  y", "x y"),
            ("a: |+\n  x\n\n  ", "x\n\n"),
            ("a: |+\n  x\n  ", "x\n"),
            ("a: |\n  x\n ", "x\n"),
            ("a: |\n  x\n   ", "x\n "),
            ("a: |\n  x\n  y  \n  ", "x\ny  \n"),
            ("a: |\n  x\n\n  ", "x\n"),
            ("a: |2\n   x\n  y", " x\ny"),
            ("a: >\n  x\n\n  y\n  ", "x\ny\n"),
            ("- |\n  x\n  y", "x\ny"),
            ("a: |\n  x\n  y\n", "x\ny\n"),
            ("a: |+\n  x\n\n", "x\n\n"),
            ("a: |\n  x\n  y\n---\nb: 1", "x\ny\n"),
            ("a: |", ""),
            ("a: |\n  ", ""),
        ];
        for (source, expected) in cases {
            let root = root(source);
            let value = root
                .get("a")
                .or_else(|| root.as_sequence().and_then(<[Node]>::first));
            assert_eq!(value.and_then(Node::as_str), Some(expected), "{source:?}");
        }
    }

    #[test]
    fn syntax_errors_are_located() {
        let error = parse("a: 'unclosed\nb: c\n").unwrap_err();
        assert!(error.span.location.line >= 1);
        let error = parse("a:\n\t- b\n").unwrap_err();
        assert_eq!(error.span.location.line, 2);
    }

    #[test]
    fn deep_block_nesting_is_refused_by_our_limit() {
        let mut source = String::new();
        for depth in 0..200 {
            source.push_str(&format!("{}k{depth}:\n", "  ".repeat(depth)));
        }
        let message = parse(&source).unwrap_err().message;
        assert!(message.contains("nesting"), "{message}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let source = format!("{}{}", "[".repeat(500), "]".repeat(500));
        let message = parse(&source).unwrap_err().message;
        // The scanner has its own limit, which trips first for flow style.
        assert!(
            message.contains("nesting") || message.contains("recursion"),
            "{message}"
        );
    }
}
