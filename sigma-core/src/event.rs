//! The event a rule is matched against.
//!
//! An [`Event`] is a JSON object. Field lookup follows convention C9: the
//! exact, case-sensitive key first, then, for a dotted name, a walk through
//! nested objects. The event also lowercases the strings it holds once, so
//! that hundreds of case-insensitive comparisons per event reuse one folded
//! copy instead of folding the text each time: the strings of top-level
//! scalar and array fields (what rules name) when it is built, those inside
//! top-level objects (a Windows event's nested `Event` tree, reached only by
//! dotted names) on first need.

use std::sync::OnceLock;

use serde_json::{Map, Value};

/// How deeply nested values are walked (folding, keyword search). Deeper
/// parts of an event are ignored rather than risking the stack.
pub const MAX_DEPTH: usize = 64;

/// One event: a JSON object plus a folded copy of its strings.
///
/// The top-level fields are kept as a list with a hash of each key, which
/// makes a lookup a scan of a few contiguous words instead of hashing the
/// name with SipHash in the object's map: a matcher looks fields up
/// hundreds of times per event. The whole object is rebuilt from them only
/// when [`value`](Event::value) is first asked for.
#[derive(Debug)]
pub struct Event {
    fields: Vec<(String, Value)>,
    hashes: Box<[u64]>,
    /// One bit per top-level field name (its hash modulo 64): a rule that
    /// needs a field whose bit is clear cannot match.
    present: u64,
    /// The event as one value: set at once for an event that is not an
    /// object, built on demand from `fields` otherwise.
    whole: OnceLock<Value>,
    /// The folded strings of the top-level fields that are not objects
    /// (or of the whole event when it is not an object).
    folded: FoldTable,
    /// The folded strings inside top-level objects, built on first need.
    nested: OnceLock<FoldTable>,
    /// Every scalar as a keyword search reads it, folded, each followed by
    /// [`KEYWORD_SEPARATOR`]: built on first need, for keyword prefilters.
    keyword_text: OnceLock<String>,
}

/// Ends each value in [`Event::keyword_text`]; a needle holding it is not
/// looked for there.
pub(crate) const KEYWORD_SEPARATOR: char = '\0';

/// Folded copies of some of an event's strings.
///
/// `(address of a string's bytes, where its folded text lies in `text`)`,
/// sorted by address, for every non-empty string walked; the range is
/// empty when folding changes nothing. The strings live on the heap inside
/// the event's fields (or `whole` for a non-object event), which are never
/// mutated, so the addresses stay valid for the life of the event (moving
/// the `Event` moves no string). One buffer holds every folded text, so
/// building a table allocates twice, not once per string.
#[derive(Debug, Default)]
struct FoldTable {
    entries: Vec<(usize, u32, u32)>,
    text: String,
}

impl FoldTable {
    fn add(&mut self, value: &Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::String(text) if !text.is_empty() => {
                let start = self.text.len();
                if changes_on_fold(text) {
                    push_folded(text, &mut self.text);
                }
                let (start, end) = (position(start), position(self.text.len()));
                self.entries.push((text.as_ptr() as usize, start, end));
            }
            Value::Array(items) => items.iter().for_each(|item| self.add(item, depth + 1)),
            Value::Object(map) => map.values().for_each(|item| self.add(item, depth + 1)),
            Value::String(_) | Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    fn sort(mut self) -> Self {
        self.entries
            .sort_unstable_by_key(|(address, _, _)| *address);
        self
    }

    /// `Some(folded)` if `text` is one of the table's strings.
    fn get<'a>(&'a self, text: &'a str) -> Option<&'a str> {
        let address = text.as_ptr() as usize;
        let index = self
            .entries
            .binary_search_by_key(&address, |(a, _, _)| *a)
            .ok()?;
        let &(_, start, end) = self.entries.get(index)?;
        if start == end {
            return Some(text);
        }
        self.text.get(start as usize..end as usize)
    }
}

/// A position in a folded-text buffer; saturating, since an event of
/// 4 GiB is refused long before.
fn position(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

impl Event {
    /// Wraps `value` (normally a JSON object) and folds its strings.
    pub fn new(value: Value) -> Event {
        let (fields, whole) = match value {
            Value::Object(map) => (map.into_iter().collect::<Vec<_>>(), OnceLock::new()),
            other => (Vec::new(), OnceLock::from(other)),
        };
        let hashes: Box<[u64]> = fields.iter().map(|(key, _)| hash(key)).collect();
        let present = hashes.iter().fold(0, |bits, h| bits | field_bit_of(*h));
        let mut folded = FoldTable::default();
        for (_, value) in &fields {
            if !value.is_object() {
                folded.add(value, 1);
            }
        }
        if let Some(value) = whole.get() {
            folded.add(value, 0);
        }
        Event {
            fields,
            hashes,
            present,
            whole,
            folded: folded.sort(),
            nested: OnceLock::new(),
            keyword_text: OnceLock::new(),
        }
    }

    /// The whole event.
    pub fn value(&self) -> &Value {
        self.whole.get_or_init(|| {
            Value::Object(self.fields.iter().cloned().collect::<Map<String, Value>>())
        })
    }

    /// The value of `field`: the exact key if present, else a walk through
    /// nested objects along the dots of the name (`a.b.c`, or a key `b.c`
    /// inside `a`).
    pub fn get(&self, field: &str) -> Option<&Value> {
        if let Some(found) = self.top(field) {
            return Some(found);
        }

        // Try every split at a dot, shortest head first: `a.b.c` may be
        // `a` -> `b.c`, or `a.b` -> `c`.
        for (at, _) in field.match_indices('.') {
            let (head, rest) = (&field[..at], &field[at + 1..]);
            if let Some(inner) = self.top(head) {
                if let Some(found) = lookup(inner, rest, 1) {
                    return Some(found);
                }
            }
        }
        None
    }

    /// Whether every field whose [`field_bit`] is set in `required` may be
    /// present at the top level. `false` means one certainly is not.
    pub(crate) fn may_have(&self, required: u64) -> bool {
        required & !self.present == 0
    }

    /// The top-level values (or the event itself if it is not an object),
    /// for searches over every value. Walk these rather than
    /// [`value`](Event::value), whose strings are copies.
    pub(crate) fn top_level(&self) -> impl Iterator<Item = &Value> {
        let whole = if self.fields.is_empty() {
            self.whole.get()
        } else {
            None
        };
        self.fields.iter().map(|(_, v)| v).chain(whole)
    }

    fn top(&self, key: &str) -> Option<&Value> {
        self.top_bytes(key.as_bytes())
    }

    fn top_bytes(&self, key: &[u8]) -> Option<&Value> {
        let wanted = hash_bytes(key);
        self.hashes
            .iter()
            .zip(&self.fields)
            .find(|(h, (k, _))| **h == wanted && k.as_bytes() == key)
            .map(|(_, (_, v))| v)
    }

    /// [`get`](Event::get) for a name held as bytes (the matcher keeps
    /// short names inline); only a dotted walk needs them as text.
    pub(crate) fn get_bytes(&self, field: &[u8]) -> Option<&Value> {
        if let Some(found) = self.top_bytes(field) {
            return Some(found);
        }
        if !field.contains(&b'.') {
            return None;
        }
        std::str::from_utf8(field).ok().and_then(|f| self.get(f))
    }

    /// The folded (lowercased) form of `text`, which must be a string held
    /// by this event; any other text is returned as it is.
    pub(crate) fn folded<'a>(&'a self, text: &'a str) -> &'a str {
        if text.is_empty() {
            return text;
        }
        if let Some(found) = self.folded.get(text) {
            return found;
        }
        let nested = self.nested.get_or_init(|| {
            let mut table = FoldTable::default();
            for (_, value) in self.fields.iter().filter(|(_, v)| v.is_object()) {
                table.add(value, 1);
            }
            table.sort()
        });
        nested.get(text).unwrap_or(text)
    }

    /// Every string, number and boolean of the event, as a keyword search
    /// visits them (objects and arrays walked to [`MAX_DEPTH`]) and reads
    /// them (strings folded, numbers in decimal), each followed by
    /// [`KEYWORD_SEPARATOR`]: one text that a prefilter scans once.
    pub(crate) fn keyword_text(&self) -> &str {
        self.keyword_text.get_or_init(|| {
            let mut text = String::new();
            for value in self.top_level() {
                push_keyword_text(value, 1, &mut text);
            }
            text
        })
    }
}

/// Whether [`fold`](crate::value::fold) changes `text` (the test it makes before copying).
fn changes_on_fold(text: &str) -> bool {
    if text.is_ascii() {
        return text.bytes().any(|b| b.is_ascii_uppercase());
    }
    text.chars().any(|c| {
        let mut lower = c.to_lowercase();
        lower.next() != Some(c) || lower.next().is_some()
    })
}

/// Appends the [`fold`](crate::value::fold) of `text` (the same per-character lowercase)
/// without a temporary copy.
fn push_folded(text: &str, out: &mut String) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        if let Some(added) = out.get_mut(start..) {
            added.make_ascii_lowercase();
        }
    } else {
        out.extend(text.chars().flat_map(char::to_lowercase));
    }
}

fn push_keyword_text(value: &Value, depth: usize, out: &mut String) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => map
            .values()
            .for_each(|v| push_keyword_text(v, depth + 1, out)),
        Value::Array(items) => items
            .iter()
            .for_each(|v| push_keyword_text(v, depth + 1, out)),
        Value::Null => return,
        Value::String(text) => push_folded(text, out),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{n}");
        }
    }
    if !value.is_object() && !value.is_array() {
        out.push(KEYWORD_SEPARATOR);
    }
}

impl Clone for Event {
    /// Clones fold again: the copy's strings live at new addresses.
    fn clone(&self) -> Self {
        Event::new(self.value().clone())
    }
}

impl From<Value> for Event {
    fn from(value: Value) -> Self {
        Event::new(value)
    }
}

/// The bit that stands for a top-level field name in a presence mask.
pub(crate) fn field_bit(name: &str) -> u64 {
    field_bit_of(hash(name))
}

fn field_bit_of(hash: u64) -> u64 {
    1 << (hash % 64)
}

/// FNV-1a: field names are short, and this is a fraction of SipHash's cost.
fn hash(key: &str) -> u64 {
    hash_bytes(key.as_bytes())
}

fn hash_bytes(key: &[u8]) -> u64 {
    key.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn lookup<'v>(value: &'v Value, field: &str, depth: usize) -> Option<&'v Value> {
    let Value::Object(map) = value else {
        return None;
    };
    if let Some(found) = map.get(field) {
        return Some(found);
    }
    if depth > MAX_DEPTH {
        return None;
    }

    // Try every split at a dot, shortest head first: `a.b.c` may be
    // `a` -> `b.c`, or `a.b` -> `c`.
    for (at, _) in field.match_indices('.') {
        let (head, rest) = (&field[..at], &field[at + 1..]);
        if let Some(inner) = map.get(head) {
            if let Some(found) = lookup(inner, rest, depth + 1) {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn exact_key_wins_over_dotted_walk() {
        let event = Event::new(json!({"a.b": 1, "a": {"b": 2}}));
        assert_eq!(event.get("a.b"), Some(&json!(1)));
        let event = Event::new(json!({"a": {"b": {"c": 3}}, "x": {"y.z": 4}}));
        assert_eq!(event.get("a.b.c"), Some(&json!(3)));
        assert_eq!(event.get("x.y.z"), Some(&json!(4)));
        assert_eq!(event.get("a.c"), None);
        assert_eq!(event.get("A"), None);
    }

    #[test]
    fn strings_are_folded_once() {
        let event = Event::new(json!({"Image": "C:\\WINDOWS\\cmd.EXE", "x": ["ÄB", "ok"]}));
        let Some(Value::String(image)) = event.get("Image") else {
            panic!("string")
        };
        assert_eq!(event.folded(image), "c:\\windows\\cmd.exe");
        let Some(Value::Array(items)) = event.get("x") else {
            panic!("array")
        };
        let Value::String(first) = &items[0] else {
            panic!()
        };
        assert_eq!(event.folded(first), "äb");
        // Moving the event keeps the folded copies reachable.
        let moved = Box::new(event);
        let Some(Value::String(image)) = moved.get("Image") else {
            panic!("string")
        };
        assert_eq!(moved.folded(image), "c:\\windows\\cmd.exe");
    }

    #[test]
    fn nested_strings_are_folded_on_first_need() {
        let event = Event::new(json!({"Flat": "ABC", "Event": {"System": {"Computer": "WS01"}}}));
        assert!(event.nested.get().is_none());
        let Some(Value::String(flat)) = event.get("Flat") else {
            panic!("string")
        };
        assert_eq!(event.folded(flat), "abc");
        assert!(event.nested.get().is_none(), "a flat field needs no walk");
        let Some(Value::String(computer)) = event.get("Event.System.Computer") else {
            panic!("string")
        };
        assert_eq!(event.folded(computer), "ws01");
        // Text the event does not hold is returned unchanged.
        assert_eq!(event.folded("XYZ"), "XYZ");
    }

    #[test]
    fn folding_in_place_is_the_value_fold() {
        for text in ["abc", "ABC", "ÄbΣ", "İstanbul", "ẞß", "ſK", "", "Ǆ"] {
            let mut out = String::from(">");
            push_folded(text, &mut out);
            assert_eq!(out, format!(">{}", crate::value::fold(text)));
            let changed = matches!(crate::value::fold(text), std::borrow::Cow::Owned(_));
            assert_eq!(changes_on_fold(text), changed, "{text}");
        }
    }

    #[test]
    fn keyword_text_holds_every_scalar_once_folded() {
        let event = Event::new(json!({"a": "X", "b": [1, true, null, {"c": "Ÿ"}], "d": 2.5}));
        assert_eq!(event.keyword_text(), "x\u{0}1\u{0}true\u{0}ÿ\u{0}2.5\u{0}");
        let scalar = Event::new(json!("Just Text"));
        assert_eq!(scalar.keyword_text(), "just text\u{0}");
    }
}
