//! The event a rule is matched against.
//!
//! An [`Event`] is a JSON object. Field lookup follows convention C9: the
//! exact, case-sensitive key first, then, for a dotted name, a walk through
//! nested objects. The event also lowercases every string it holds once,
//! when it is built, so that hundreds of case-insensitive comparisons per
//! event reuse one folded copy instead of folding the text each time.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::value::fold;

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
    /// The event as one value: set at once for an event that is not an
    /// object, built on demand from `fields` otherwise.
    whole: OnceLock<Value>,
    /// `(address of a string's bytes, its folded text)`, sorted by address,
    /// only for strings whose folded form differs. The strings live on the
    /// heap inside `fields` (or `whole` for a non-object event), which are
    /// never mutated, so the addresses stay valid for the life of the event
    /// (moving the `Event` moves no string).
    folded: Vec<(usize, Box<str>)>,
}

impl Event {
    /// Wraps `value` (normally a JSON object) and folds its strings.
    pub fn new(value: Value) -> Event {
        let (fields, whole) = match value {
            Value::Object(map) => (map.into_iter().collect::<Vec<_>>(), OnceLock::new()),
            other => (Vec::new(), OnceLock::from(other)),
        };
        let hashes = fields.iter().map(|(key, _)| hash(key)).collect();
        let mut folded = Vec::new();
        for (_, value) in &fields {
            collect_folded(value, 1, &mut folded);
        }
        if let Some(value) = whole.get() {
            collect_folded(value, 0, &mut folded);
        }
        folded.sort_unstable_by_key(|(address, _)| *address);
        Event {
            fields,
            hashes,
            whole,
            folded,
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
        let wanted = hash(key);
        self.hashes
            .iter()
            .zip(&self.fields)
            .find(|(h, (k, _))| **h == wanted && k == key)
            .map(|(_, (_, v))| v)
    }

    /// The folded (lowercased) form of `text`, which must be a string held
    /// by this event; any other text is returned as it is.
    pub(crate) fn folded<'a>(&'a self, text: &'a str) -> &'a str {
        if text.is_empty() {
            return text;
        }
        let address = text.as_ptr() as usize;
        match self.folded.binary_search_by_key(&address, |(a, _)| *a) {
            Ok(index) => self.folded.get(index).map_or(text, |(_, f)| f),
            Err(_) => text,
        }
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

/// FNV-1a: field names are short, and this is a fraction of SipHash's cost.
fn hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn collect_folded(value: &Value, depth: usize, out: &mut Vec<(usize, Box<str>)>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::String(text) => {
            if let std::borrow::Cow::Owned(lower) = fold(text) {
                out.push((text.as_ptr() as usize, lower.into_boxed_str()));
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_folded(item, depth + 1, out)),
        Value::Object(map) => map
            .values()
            .for_each(|item| collect_folded(item, depth + 1, out)),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
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
}
