//! Sigma strings: text with `*` and `?` wildcards and `\` escapes.
//!
//! A rule value such as `C:\Windows\\*` is not plain text: `*` is any run of
//! characters, `?` exactly one, and `\` escapes `*`, `?` and itself. Any
//! other backslash is literal, and so is a lone trailing one (convention C3
//! of `../shared/cases/README.md`), so Windows paths need no doubling.
//!
//! This module parses that syntax into [`SigmaString`], folds case the one
//! way the whole crate uses ([`fold`]), and matches a pattern against text
//! ([`Glob`]). Everything here works on characters, never on bytes, so `?`
//! always consumes one whole character.

use std::borrow::Cow;
use std::fmt;

/// One piece of a [`SigmaString`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// Literal text (never empty; adjacent literals are merged).
    Literal(String),
    /// `*`: any run of characters, including none and including newlines.
    AnyRun,
    /// `?`: exactly one character, including a newline.
    AnyChar,
}

/// A value after wildcard and escape processing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SigmaString {
    parts: Vec<Part>,
}

/// The shape of a pattern, which decides how cheaply it can be matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape<'a> {
    /// No wildcard: the whole value must equal this text.
    Exact(&'a str),
    /// `text*`.
    Prefix(&'a str),
    /// `*text`.
    Suffix(&'a str),
    /// `*text*` (also `*`, with empty text).
    Contains(&'a str),
    /// Anything else: `?`, or `*` in the middle.
    Glob,
}

impl SigmaString {
    /// Parses rule text: `*` and `?` are wildcards; `\*`, `\?` and `\\` are
    /// the literal characters; every other backslash stays literal.
    pub fn parse(text: &str) -> SigmaString {
        // Runs of plain text are copied whole: every rule value is parsed,
        // and growing a string one character at a time showed in profiles.
        let mut out = SigmaString::default();
        let mut rest = text;
        while let Some(at) = rest.find(['*', '?', '\\']) {
            let (plain, special) = rest.split_at(at);
            out.push_str(plain);
            let mut tail = special.chars();
            match tail.next() {
                Some('*') => out.push(Part::AnyRun),
                Some('?') => out.push(Part::AnyChar),
                _ => {
                    // A backslash: it escapes `*`, `?` and itself only.
                    let after = tail.as_str();
                    match after.chars().next() {
                        Some(next @ ('*' | '?' | '\\')) => {
                            out.push_char(next);
                            tail.next();
                        }
                        _ => out.push_char('\\'),
                    }
                }
            }
            rest = tail.as_str();
        }
        out.push_str(rest);
        out
    }

    /// Plain text with no wildcard at all (what `base64` produces).
    pub fn literal(text: &str) -> SigmaString {
        let mut out = SigmaString::default();
        out.push_str(text);
        out
    }

    /// Builds a string from parts, merging adjacent literals.
    pub fn from_parts(parts: impl IntoIterator<Item = Part>) -> SigmaString {
        let mut out = SigmaString::default();
        for part in parts {
            out.push(part);
        }
        out
    }

    /// The parts, in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// Appends a part, merging it into a preceding literal.
    pub fn push(&mut self, part: Part) {
        match part {
            Part::Literal(text) => self.push_str(&text),
            other => self.parts.push(other),
        }
    }

    fn push_char(&mut self, c: char) {
        match self.parts.last_mut() {
            Some(Part::Literal(text)) => text.push(c),
            _ => self.parts.push(Part::Literal(c.to_string())),
        }
    }

    fn push_str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        match self.parts.last_mut() {
            Some(Part::Literal(text)) => text.push_str(s),
            _ => self.parts.push(Part::Literal(s.to_owned())),
        }
    }

    /// Whether any `*` or `?` is present.
    pub fn has_wildcards(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Literal(_)))
    }

    /// The text, if the string has no wildcard.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Literal(text)] => Some(text),
            _ => None,
        }
    }

    /// Whether the first part is `*`.
    pub fn starts_with_any_run(&self) -> bool {
        matches!(self.parts.first(), Some(Part::AnyRun))
    }

    /// Whether the last part is `*`.
    pub fn ends_with_any_run(&self) -> bool {
        matches!(self.parts.last(), Some(Part::AnyRun))
    }

    /// `contains`: a `*` at each end that does not already have one.
    pub fn contains(mut self) -> SigmaString {
        if !self.starts_with_any_run() {
            self.parts.insert(0, Part::AnyRun);
        }
        if !self.ends_with_any_run() {
            self.parts.push(Part::AnyRun);
        }
        self
    }

    /// `startswith`: a trailing `*` unless there is one.
    pub fn startswith(mut self) -> SigmaString {
        if !self.ends_with_any_run() {
            self.parts.push(Part::AnyRun);
        }
        self
    }

    /// `endswith`: a leading `*` unless there is one.
    pub fn endswith(mut self) -> SigmaString {
        if !self.starts_with_any_run() {
            self.parts.insert(0, Part::AnyRun);
        }
        self
    }

    /// How the pattern can be matched; consecutive `*` count as one.
    pub fn shape(&self) -> Shape<'_> {
        let parts: &[Part] = &self.parts;
        if !parts.is_empty() && parts.iter().all(|p| *p == Part::AnyRun) {
            return Shape::Contains("");
        }
        let trimmed_start = parts.iter().take_while(|p| **p == Part::AnyRun).count();
        let trimmed_end = parts[trimmed_start..]
            .iter()
            .rev()
            .take_while(|p| **p == Part::AnyRun)
            .count();
        let core = &parts[trimmed_start..parts.len() - trimmed_end];
        let text = match core {
            [] => "",
            [Part::Literal(text)] => text.as_str(),
            _ => return Shape::Glob,
        };
        match (trimmed_start > 0, trimmed_end > 0) {
            (false, false) => Shape::Exact(text),
            (false, true) => Shape::Prefix(text),
            (true, false) => Shape::Suffix(text),
            (true, true) => Shape::Contains(text),
        }
    }

    /// The same pattern with every literal folded by [`fold`].
    pub fn folded(&self) -> SigmaString {
        SigmaString::from_parts(self.parts.iter().map(|part| match part {
            Part::Literal(text) => Part::Literal(fold(text).into_owned()),
            other => other.clone(),
        }))
    }

    /// Matches `text` against this pattern with plain, obviously-correct
    /// dynamic programming over characters. Used by the reference evaluator;
    /// the fast matcher uses [`Glob`].
    pub fn matches_slowly(&self, text: &str) -> bool {
        let mut kinds = Vec::new();
        for part in &self.parts {
            match part {
                Part::Literal(lit) => kinds.extend(lit.chars().map(PatChar::Char)),
                Part::AnyChar => kinds.push(PatChar::One),
                Part::AnyRun => kinds.push(PatChar::Run),
            }
        }
        let text: Vec<char> = text.chars().collect();
        // reachable[j]: the pattern prefix consumed so far can end at text[..j].
        let mut reachable = vec![false; text.len() + 1];
        reachable[0] = true;
        for kind in &kinds {
            let mut next = vec![false; text.len() + 1];
            match kind {
                PatChar::Run => {
                    let mut any = false;
                    for j in 0..=text.len() {
                        any |= reachable[j];
                        next[j] = any;
                    }
                }
                PatChar::One => {
                    next[1..].copy_from_slice(&reachable[..text.len()]);
                }
                PatChar::Char(c) => {
                    for j in 0..text.len() {
                        next[j + 1] = reachable[j] && text[j] == *c;
                    }
                }
            }
            reachable = next;
        }
        reachable[text.len()]
    }
}

enum PatChar {
    Char(char),
    One,
    Run,
}

impl fmt::Display for SigmaString {
    /// Writes the string back in rule syntax, escaping literal `*`, `?` and
    /// backslashes that would otherwise read as escapes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::AnyRun => f.write_str("*")?,
                Part::AnyChar => f.write_str("?")?,
                Part::Literal(text) => {
                    for c in text.chars() {
                        match c {
                            '*' | '?' | '\\' => write!(f, "\\{c}")?,
                            _ => write!(f, "{c}")?,
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Lowercases text one code point at a time (convention C1).
///
/// Not `str::to_lowercase`: that one maps a final `Σ` to `ς` depending on
/// its neighbours, so a needle and the text around it could fold apart.
/// Borrowed when nothing changes, which is the common case for
/// already-lowercase ASCII.
pub fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            return Cow::Owned(text.to_ascii_lowercase());
        }
        return Cow::Borrowed(text);
    }
    let changes = text.chars().any(|c| {
        let mut lower = c.to_lowercase();
        lower.next() != Some(c) || lower.next().is_some()
    });
    if !changes {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().flat_map(char::to_lowercase).collect())
}

/// A wildcard pattern prepared for fast matching.
///
/// The pattern is split at `*` into segments; the first is anchored at the
/// start, the last at the end, and each middle one is found leftmost, which
/// is exact for `*` (any run) and keeps the work linear in the text for
/// segments without `?`.
#[derive(Clone, Debug)]
pub struct Glob {
    segments: Vec<Segment>,
    /// Whether the pattern has a `*` at all (else: one anchored segment).
    has_run: bool,
}

#[derive(Clone, Debug, Default)]
struct Segment {
    items: Vec<SegmentItem>,
    chars: usize,
}

#[derive(Clone, Debug)]
enum SegmentItem {
    Text(String),
    One,
}

impl Glob {
    /// Prepares `pattern` (already folded if matching is case-insensitive).
    pub fn new(pattern: &SigmaString) -> Glob {
        let mut segments = vec![Segment::default()];
        let mut has_run = false;
        for part in pattern.parts() {
            match part {
                Part::AnyRun => {
                    has_run = true;
                    segments.push(Segment::default());
                }
                Part::AnyChar => {
                    if let Some(segment) = segments.last_mut() {
                        segment.items.push(SegmentItem::One);
                        segment.chars += 1;
                    }
                }
                Part::Literal(text) => {
                    if let Some(segment) = segments.last_mut() {
                        segment.chars += text.chars().count();
                        segment.items.push(SegmentItem::Text(text.clone()));
                    }
                }
            }
        }
        Glob { segments, has_run }
    }

    /// Whether the whole of `text` matches.
    pub fn is_match(&self, text: &str) -> bool {
        let Some((first, rest)) = self.segments.split_first() else {
            return text.is_empty();
        };
        if !self.has_run {
            return first.match_at(text, 0) == Some(text.len());
        }
        let Some(start) = first.match_at(text, 0) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return true;
        };

        // The last segment has a fixed number of characters, so it can only
        // sit at one place: that many characters before the end.
        let Some(tail) = nth_char_from_end(text, last.chars) else {
            return false;
        };
        if tail < start || last.match_at(text, tail) != Some(text.len()) {
            return false;
        }

        let window = &text[..tail];
        let mut at = start;
        for segment in middle {
            match segment.find(window, at) {
                Some(end) => at = end,
                None => return false,
            }
        }
        true
    }
}

impl Segment {
    /// Where a match starting at byte `at` ends, if it matches there.
    fn match_at(&self, text: &str, mut at: usize) -> Option<usize> {
        for item in &self.items {
            match item {
                SegmentItem::Text(lit) => {
                    if !text.get(at..)?.starts_with(lit.as_str()) {
                        return None;
                    }
                    at += lit.len();
                }
                SegmentItem::One => {
                    let c = text.get(at..)?.chars().next()?;
                    at += c.len_utf8();
                }
            }
        }
        Some(at)
    }

    /// The end of the leftmost match starting at or after byte `from`.
    fn find(&self, text: &str, from: usize) -> Option<usize> {
        if let [SegmentItem::Text(lit)] = self.items.as_slice() {
            let found = memchr::memmem::find(text.get(from..)?.as_bytes(), lit.as_bytes())?;
            return Some(from + found + lit.len());
        }
        let mut start = from;
        loop {
            if let Some(end) = self.match_at(text, start) {
                return Some(end);
            }
            let c = text.get(start..)?.chars().next()?;
            start += c.len_utf8();
        }
    }
}

/// The byte offset `n` characters before the end of `text`.
fn nth_char_from_end(text: &str, n: usize) -> Option<usize> {
    if n == 0 {
        return Some(text.len());
    }
    text.char_indices().rev().nth(n - 1).map(|(at, _)| at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(s: &str) -> Part {
        Part::Literal(s.into())
    }

    /// Character by character, as the specification words it.
    fn parse_slowly(text: &str) -> SigmaString {
        let mut out = SigmaString::default();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => out.push(Part::AnyRun),
                '?' => out.push(Part::AnyChar),
                '\\' => match chars.peek() {
                    Some(&next @ ('*' | '?' | '\\')) => {
                        chars.next();
                        out.push_char(next);
                    }
                    _ => out.push_char('\\'),
                },
                _ => out.push_char(c),
            }
        }
        out
    }

    #[test]
    fn parsing_by_runs_agrees_with_parsing_by_characters() {
        for text in [
            "",
            "*",
            "a*b?c",
            "\\",
            "a\\",
            "\\*",
            "\\\\*",
            "\\\\\\*",
            "\\?x",
            "\\a",
            "C:\\Windows\\*.exe",
            "**",
            "?\u{e9}*\\\u{e9}",
            "\u{1f600}\\",
            "a\\\\",
        ] {
            assert_eq!(SigmaString::parse(text), parse_slowly(text), "{text:?}");
        }
    }

    #[test]
    fn escapes_follow_convention_c3() {
        // The worked values of lint-checks.md section 1b.
        assert_eq!(
            SigmaString::parse(r"C:\Windows\*").parts(),
            [lit(r"C:\Windows*")]
        );
        assert_eq!(
            SigmaString::parse(r"C:\Windows\\*").parts(),
            [lit(r"C:\Windows\"), Part::AnyRun]
        );
        assert_eq!(SigmaString::parse(r"a\\\*b").parts(), [lit(r"a\*b")]);
        assert_eq!(SigmaString::parse(r"a\\\b").parts(), [lit(r"a\\b")]);
        assert_eq!(SigmaString::parse(r"a\\\\b").parts(), [lit(r"a\\b")]);
        assert_eq!(
            SigmaString::parse("a?b*").parts(),
            [lit("a"), Part::AnyChar, lit("b"), Part::AnyRun]
        );
        assert_eq!(SigmaString::parse(r"end\").parts(), [lit(r"end\")]);
        assert_eq!(
            SigmaString::parse(r"\\\\\*\\IPC$").parts(),
            [lit(r"\\*\IPC$")]
        );
    }

    #[test]
    fn display_round_trips() {
        for text in [r"a\*b", r"C:\Windows\\*", "a?b*", r"x\\y"] {
            let parsed = SigmaString::parse(text);
            assert_eq!(SigmaString::parse(&parsed.to_string()), parsed, "{text}");
        }
    }

    #[test]
    fn contains_does_not_double_stars() {
        let s = SigmaString::parse("*abc").contains();
        assert_eq!(s.parts(), [Part::AnyRun, lit("abc"), Part::AnyRun]);
        assert_eq!(s.shape(), Shape::Contains("abc"));
        // An escaped edge star is literal, so the wildcard is still added.
        let s = SigmaString::parse(r"\*abc").contains();
        assert_eq!(s.shape(), Shape::Contains("*abc"));
    }

    #[test]
    fn shapes() {
        assert_eq!(SigmaString::parse("abc").shape(), Shape::Exact("abc"));
        assert_eq!(SigmaString::parse("abc*").shape(), Shape::Prefix("abc"));
        assert_eq!(SigmaString::parse("**abc").shape(), Shape::Suffix("abc"));
        assert_eq!(SigmaString::parse("*").shape(), Shape::Contains(""));
        assert_eq!(SigmaString::parse("a*b").shape(), Shape::Glob);
        assert_eq!(SigmaString::parse("a?").shape(), Shape::Glob);
    }

    #[test]
    fn fold_is_per_code_point() {
        assert_eq!(fold("ABC"), "abc");
        assert!(matches!(fold("abc"), Cow::Borrowed(_)));
        assert_eq!(fold("STRA\u{1E9E}E"), "straße");
        assert_eq!(fold("STRASSE"), "strasse");
        // No final-sigma rule: a lone capital sigma always folds to σ.
        assert_eq!(fold("ΑΣ"), "ασ");
    }

    fn both(pattern: &str, text: &str) -> bool {
        let p = SigmaString::parse(pattern);
        let slow = p.matches_slowly(text);
        assert_eq!(Glob::new(&p).is_match(text), slow, "{pattern} vs {text:?}");
        slow
    }

    #[test]
    fn globs_match_whole_values() {
        assert!(both("a*b", "ab"));
        assert!(both("a*b", "a\nxb"));
        assert!(!both("a*b", "abc"));
        assert!(both("begin?end", "begin\nend"));
        assert!(!both("begin?end", "begin\r\nend"));
        assert!(both("*a*a*", "aa"));
        assert!(!both("*a*a*", "a"));
        assert!(both("a*a", "aa"));
        assert!(!both("a*a", "a"));
        assert!(both("?é?", "xéy"));
        assert!(both("*x?z*", "aaxyz"));
        assert!(both("", ""));
        assert!(!both("", "a"));
        assert!(both("*", ""));
        assert!(both(r"\\*\IPC$", r"\\srv\IPC$"));
        assert!(!both(r"\\*\IPC$", r"IPC$"));
    }
}
