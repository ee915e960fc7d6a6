//! Regexes of `re` values: the linear-time `regex` crate first, and
//! `fancy-regex` with a backtracking limit only for what `regex` refuses
//! (look-around, back-references), so no event can make a match hang.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

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

/// A `re` value of a compiled rule, built when it is first evaluated.
///
/// Building a Unicode-aware regex takes about 0.8 M instructions (its
/// case folding and classes become large automata), and behind the
/// prefilter most regexes of a big rule set are never evaluated on most
/// events: building them up front was a tenth of loading SigmaHQ's
/// Windows rules. The syntax is checked when the rule is compiled, so a
/// bad pattern is still a compile error; only the compiled-size limit
/// ([`SIZE_LIMIT`]) is found on first use, as an evaluation error (the
/// linter compiles every regex in full and reports it at load).
#[derive(Clone, Debug)]
pub struct LazyRegex {
    pattern: Arc<str>,
    flags: RegexFlags,
    /// Shared by clones, so a regex is looked up once per compiled rule;
    /// the build itself goes through [`SigmaRegex::compile`]'s cache, which
    /// the analysis's many compilations of one rule share.
    built: Arc<OnceLock<Result<SigmaRegex, String>>>,
}

impl LazyRegex {
    /// Checks the syntax of `pattern` and defers building it. A pattern
    /// only the backtracking engine reads (look-around, back-references)
    /// is built at once: those are rare, and their errors need the build.
    pub fn new(pattern: &str, flags: RegexFlags) -> Result<LazyRegex, String> {
        let built = Arc::new(OnceLock::new());
        let parsed = regex_syntax::ParserBuilder::new()
            .case_insensitive(flags.ignore_case)
            .multi_line(flags.multi_line)
            .dot_matches_new_line(flags.dot_all)
            .build()
            .parse(pattern);
        if parsed.is_err() {
            let _ = built.set(Ok(SigmaRegex::compile(pattern, flags)?));
        }
        Ok(LazyRegex {
            pattern: pattern.into(),
            flags,
            built,
        })
    }

    /// As [`SigmaRegex::is_match`], building the regex on the first call;
    /// an error too when it cannot be built.
    pub fn is_match(&self, text: &str) -> Result<bool, String> {
        let built = self
            .built
            .get_or_init(|| SigmaRegex::compile(&self.pattern, self.flags));
        match built {
            Ok(regex) => regex.is_match(text),
            Err(message) => Err(message.clone()),
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
    fn a_lazy_regex_checks_syntax_at_once_and_builds_on_first_use() {
        let flags = RegexFlags {
            ignore_case: true,
            ..RegexFlags::default()
        };
        let error = LazyRegex::new("a(b", flags).unwrap_err();
        assert!(error.starts_with("invalid regex: "), "{error}");

        let lazy = LazyRegex::new(r"\\\w+\.exe$", flags).unwrap();
        assert!(lazy.built.get().is_none());
        assert_eq!(lazy.is_match(r"C:\Tools\CMD.EXE"), Ok(true));
        assert_eq!(lazy.clone().is_match("cmd.exe"), Ok(false));
        assert!(lazy.built.get().is_some());

        let look_around = LazyRegex::new("foo(?!bar)", flags).unwrap();
        assert!(look_around.built.get().is_some());
        assert_eq!(look_around.is_match("FOOBAR"), Ok(false));

        let huge = LazyRegex::new(r"\w{1000}{1000}", flags).unwrap();
        let error = huge.is_match("x").unwrap_err();
        assert!(error.contains("size limit"), "{error}");
    }

    #[test]
    fn syntax_errors_are_reported_on_one_line() {
        let error = SigmaRegex::compile("a(b", RegexFlags::default()).unwrap_err();
        assert!(error.starts_with("invalid regex: "), "{error}");
        assert!(!error.contains('\n'));
    }
}
