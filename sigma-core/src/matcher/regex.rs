//! Regexes of `re` values: the linear-time `regex` crate first, and
//! `fancy-regex` with a backtracking limit only for what `regex` refuses
//! (look-around, back-references), so no event can make a match hang.

use std::cell::RefCell;
use std::collections::HashMap;

use crate::modifier::RegexFlags;

/// How many backtracking steps a `fancy-regex` search may take before the
/// evaluation is abandoned with an error (about 2 to 3 ms of work).
pub const BACKTRACK_LIMIT: usize = 100_000;

/// Compiled-program size cap, so that a huge repetition such as `a{1000}{1000}`
/// is a compile error rather than a memory spike.
pub const SIZE_LIMIT: usize = 4 << 20;

/// A compiled `re` value.
#[derive(Clone, Debug)]
pub enum SigmaRegex {
    /// Linear-time engine.
    Linear(regex::Regex),
    /// Backtracking engine, for look-around and back-references.
    Backtracking(Box<fancy_regex::Regex>),
}

impl SigmaRegex {
    /// Compiles `pattern` with `flags`; the error says why it does not.
    ///
    /// The rule analysis compiles each regex several times (the whole
    /// rule, each stage, each predicate), and compiling dominates its cost,
    /// so compiled regexes are remembered per thread; a clone shares the
    /// compiled program and behaves identically.
    pub fn compile(pattern: &str, flags: RegexFlags) -> Result<SigmaRegex, String> {
        thread_local! {
            static COMPILED: RefCell<HashMap<(String, RegexFlags), Result<SigmaRegex, String>>> =
                RefCell::new(HashMap::new());
        }
        // Bounded: a corpus of many distinct regexes must not grow it forever.
        const CAPACITY: usize = 4096;

        let key = (pattern.to_owned(), flags);
        if let Some(found) = COMPILED.with(|cache| cache.borrow().get(&key).cloned()) {
            return found;
        }

        let compiled = SigmaRegex::compile_uncached(pattern, flags);
        COMPILED.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.len() >= CAPACITY {
                cache.clear();
            }
            cache.insert(key, compiled.clone());
        });
        compiled
    }

    fn compile_uncached(pattern: &str, flags: RegexFlags) -> Result<SigmaRegex, String> {
        let linear = regex::RegexBuilder::new(pattern)
            .case_insensitive(flags.ignore_case)
            .multi_line(flags.multi_line)
            .dot_matches_new_line(flags.dot_all)
            .size_limit(SIZE_LIMIT)
            .build();
        let error = match linear {
            Ok(regex) => return Ok(SigmaRegex::Linear(regex)),
            Err(error) => error,
        };

        // Only syntax that the linear engine lacks goes to the backtracker;
        // a plain syntax error is reported as the `regex` crate words it.
        let message = error.to_string();
        let unsupported = message.contains("look-around") || message.contains("backreference");
        if !unsupported {
            return Err(regex_message(&message));
        }
        fancy_regex::RegexBuilder::new(pattern)
            .case_insensitive(flags.ignore_case)
            .multi_line(flags.multi_line)
            .dot_matches_new_line(flags.dot_all)
            .backtrack_limit(BACKTRACK_LIMIT)
            .delegate_size_limit(SIZE_LIMIT)
            .build()
            .map(|regex| SigmaRegex::Backtracking(Box::new(regex)))
            .map_err(|e| format!("invalid regex: {e}"))
    }

    /// Whether the regex finds a match anywhere in `text`; an error when
    /// the backtracking limit was reached first.
    pub fn is_match(&self, text: &str) -> Result<bool, String> {
        match self {
            SigmaRegex::Linear(regex) => Ok(regex.is_match(text)),
            SigmaRegex::Backtracking(regex) => regex.is_match(text).map_err(|e| {
                format!("regex gave up on this event ({e}; limit {BACKTRACK_LIMIT} steps)")
            }),
        }
    }
}

/// The `regex` crate's multi-line error, squeezed onto one line.
fn regex_message(message: &str) -> String {
    let last = message
        .lines()
        .rev()
        .find(|l| l.starts_with("error:"))
        .unwrap_or(message);
    format!(
        "invalid regex: {}",
        last.trim_start_matches("error:").trim()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_around_uses_the_backtracker() {
        let flags = RegexFlags::default();
        let regex = SigmaRegex::compile(r"foo(?!bar)", flags).unwrap();
        assert!(matches!(regex, SigmaRegex::Backtracking(_)));
        assert_eq!(regex.is_match("foobaz"), Ok(true));
        assert_eq!(regex.is_match("foobar"), Ok(false));
        let regex = SigmaRegex::compile(r"(a)\1", flags).unwrap();
        assert_eq!(regex.is_match("xaax"), Ok(true));
    }

    #[test]
    fn catastrophic_backtracking_is_an_error_not_a_hang() {
        let regex = SigmaRegex::compile(r"(?=(a|aa)+(\1)c)", RegexFlags::default()).unwrap();
        let text = "a".repeat(60);
        let start = std::time::Instant::now();
        let result = regex.is_match(&text);
        assert!(result.is_err(), "{result:?}");
        assert!(start.elapsed().as_secs() < 5);
    }

    #[test]
    fn syntax_errors_are_reported_on_one_line() {
        let error = SigmaRegex::compile("a(b", RegexFlags::default()).unwrap_err();
        assert!(error.starts_with("invalid regex: "), "{error}");
        assert!(!error.contains('\n'));
    }
}
