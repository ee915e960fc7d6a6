//! The condition grammar: tokenise, then parse into a [`ConditionExpr`].
//!
//! ```text
//! or_expr  := and_expr ("or" and_expr)*
//! and_expr := not_expr ("and" not_expr)*
//! not_expr := "not" not_expr | "(" or_expr ")" | selector | identifier
//! selector := ("1" | "any" | "all") "of" pattern     pattern: [A-Za-z0-9_*]+ or "them"
//! ```
//!
//! Operators are lower case and must stand as whole words, so `notepad` and
//! `or_filter` are identifiers, never `not epad` or `or _filter`. Every node
//! keeps its byte range within the condition text, so a caller that knows
//! where the condition is written can point at the exact token.

use std::fmt;
use std::ops::Range;

/// How many of the identifiers a selector names must match.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantifier {
    /// `1 of` (or `any of`): at least one.
    One,
    /// `all of`: every one.
    All,
}

/// What a selector's pattern names.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Pattern {
    /// `them`: every identifier whose name does not start with `_`.
    Them,
    /// A name with `*` wildcards, matched against the whole identifier.
    Glob(String),
}

impl Pattern {
    /// Whether `name` is one of the identifiers this pattern names.
    ///
    /// Names starting with `_` are left out unless the pattern itself starts
    /// with `_`, as the specification says for `them` and pySigma does for
    /// every pattern.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Pattern::Them => !name.starts_with('_'),
            Pattern::Glob(glob) => {
                (glob.starts_with('_') || !name.starts_with('_')) && glob_matches(glob, name)
            }
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Them => f.write_str("them"),
            Pattern::Glob(glob) => f.write_str(glob),
        }
    }
}

/// Whole-string match of `name` against `glob`, where `*` is any run.
fn glob_matches(glob: &str, name: &str) -> bool {
    let parts: Vec<&str> = glob.split('*').collect();
    if parts.len() == 1 {
        return glob == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if name.len() < first.len() + last.len() || !name.starts_with(first) || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

/// A parsed condition. Byte ranges are offsets into the condition text.
#[derive(Clone, Debug, PartialEq)]
pub enum ConditionExpr {
    /// `a and b and ...` (two or more operands).
    And(Vec<ConditionExpr>),
    /// `a or b or ...` (two or more operands).
    Or(Vec<ConditionExpr>),
    /// `not a`.
    Not(Box<ConditionExpr>, Range<usize>),
    /// A search identifier by name.
    Identifier(String, Range<usize>),
    /// `1 of pattern`, `all of them`, ...
    Selector {
        /// How many must match.
        quantifier: Quantifier,
        /// Which identifiers.
        pattern: Pattern,
        /// The whole selector.
        range: Range<usize>,
    },
}

impl ConditionExpr {
    /// The byte range the expression covers in the condition text.
    pub fn range(&self) -> Range<usize> {
        match self {
            ConditionExpr::And(items) | ConditionExpr::Or(items) => {
                let start = items.first().map_or(0, |i| i.range().start);
                let end = items.last().map_or(0, |i| i.range().end);
                start..end
            }
            ConditionExpr::Not(_, range) | ConditionExpr::Identifier(_, range) => range.clone(),
            ConditionExpr::Selector { range, .. } => range.clone(),
        }
    }

    /// Calls `visit` on this expression and every expression inside it.
    pub fn walk<'a>(&'a self, visit: &mut impl FnMut(&'a ConditionExpr)) {
        visit(self);
        match self {
            ConditionExpr::And(items) | ConditionExpr::Or(items) => {
                items.iter().for_each(|item| item.walk(visit))
            }
            ConditionExpr::Not(inner, _) => inner.walk(visit),
            ConditionExpr::Identifier(..) | ConditionExpr::Selector { .. } => {}
        }
    }
}

impl fmt::Display for ConditionExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, items: &[ConditionExpr], op: &str| {
            f.write_str("(")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, " {op} ")?;
                }
                write!(f, "{item}")?;
            }
            f.write_str(")")
        };
        match self {
            ConditionExpr::And(items) => join(f, items, "and"),
            ConditionExpr::Or(items) => join(f, items, "or"),
            ConditionExpr::Not(inner, _) => write!(f, "not {inner}"),
            ConditionExpr::Identifier(name, _) => f.write_str(name),
            ConditionExpr::Selector {
                quantifier: Quantifier::One,
                pattern,
                ..
            } => {
                write!(f, "1 of {pattern}")
            }
            ConditionExpr::Selector {
                quantifier: Quantifier::All,
                pattern,
                ..
            } => {
                write!(f, "all of {pattern}")
            }
        }
    }
}

/// Why a condition does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConditionError {
    /// What is wrong; lowercase, no trailing period.
    pub message: String,
    /// The offending bytes of the condition text.
    pub range: Range<usize>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token<'a> {
    Word(&'a str),
    Open,
    Close,
    Pipe,
}

fn tokenise(text: &str) -> Result<Vec<(Token<'_>, Range<usize>)>, ConditionError> {
    let mut tokens = Vec::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let c = bytes[at];
        let start = at;
        let token = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                at += 1;
                continue;
            }
            b'(' => Token::Open,
            b')' => Token::Close,
            // Everything after a pipe is v1 aggregation syntax, which has
            // its own characters; keep it whole for one clear error.
            b'|' => {
                tokens.push((Token::Pipe, start..bytes.len()));
                break;
            }
            _ if is_word_byte(c) => {
                while at < bytes.len() && is_word_byte(bytes[at]) {
                    at += 1;
                }
                tokens.push((Token::Word(&text[start..at]), start..at));
                continue;
            }
            _ => {
                let ch = text[at..].chars().next().unwrap_or('?');
                return Err(ConditionError {
                    message: format!("unexpected character `{ch}` in condition"),
                    range: at..at + ch.len_utf8(),
                });
            }
        };
        at += 1;
        tokens.push((token, start..at));
    }
    Ok(tokens)
}

fn is_word_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'*' | b'.')
}

/// Parses a condition.
pub fn parse(text: &str) -> Result<ConditionExpr, ConditionError> {
    let tokens = tokenise(text)?;
    if tokens.is_empty() {
        return Err(ConditionError {
            message: "the condition is empty".into(),
            range: 0..text.len(),
        });
    }
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        end: text.len(),
        depth: 0,
    };
    let expr = parser.or_expr()?;
    match parser.tokens.get(parser.at) {
        None => Ok(expr),
        Some((Token::Pipe, range)) => Err(ConditionError {
            message: "pipe aggregations (`| count() ...`) are Sigma v1 syntax; \
                      use a correlation rule"
                .into(),
            range: range.start..text.len(),
        }),
        Some((token, range)) => Err(ConditionError {
            message: format!("expected `and`, `or` or the end, found {}", describe(token)),
            range: range.clone(),
        }),
    }
}

/// How deeply parentheses and `not` may nest; deeper input is refused
/// rather than risking the stack.
const MAX_DEPTH: usize = 64;

struct Parser<'t, 'a> {
    tokens: &'t [(Token<'a>, Range<usize>)],
    at: usize,
    end: usize,
    depth: usize,
}

fn describe(token: &Token<'_>) -> String {
    match token {
        Token::Word(word) => format!("`{word}`"),
        Token::Open => "`(`".into(),
        Token::Close => "`)`".into(),
        Token::Pipe => "`|`".into(),
    }
}

impl<'a> Parser<'_, 'a> {
    fn peek_word(&self) -> Option<&'a str> {
        match self.tokens.get(self.at) {
            Some((Token::Word(word), _)) => Some(word),
            _ => None,
        }
    }

    fn or_expr(&mut self) -> Result<ConditionExpr, ConditionError> {
        let mut items = vec![self.and_expr()?];
        while self.peek_word() == Some("or") {
            self.at += 1;
            items.push(self.and_expr()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            ConditionExpr::Or(items)
        })
    }

    fn and_expr(&mut self) -> Result<ConditionExpr, ConditionError> {
        let mut items = vec![self.not_expr()?];
        while self.peek_word() == Some("and") {
            self.at += 1;
            items.push(self.not_expr()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            ConditionExpr::And(items)
        })
    }

    fn nested<T>(
        &mut self,
        range: &Range<usize>,
        f: impl FnOnce(&mut Self) -> Result<T, ConditionError>,
    ) -> Result<T, ConditionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let message = format!("the condition nests deeper than {MAX_DEPTH} levels");
            return Err(ConditionError {
                message,
                range: range.clone(),
            });
        }
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn not_expr(&mut self) -> Result<ConditionExpr, ConditionError> {
        let Some((token, range)) = self.tokens.get(self.at).cloned() else {
            return Err(ConditionError {
                message: "the condition ends where an operand is expected".into(),
                range: self.end..self.end,
            });
        };
        self.at += 1;
        match token {
            Token::Word("not") => {
                let inner = self.nested(&range, Self::not_expr)?;
                let full = range.start..inner.range().end;
                Ok(ConditionExpr::Not(Box::new(inner), full))
            }
            Token::Open => {
                let inner = self.nested(&range, Self::or_expr)?;
                match self.tokens.get(self.at) {
                    Some((Token::Close, _)) => {
                        self.at += 1;
                        Ok(inner)
                    }
                    Some((token, found)) => Err(ConditionError {
                        message: format!("expected `)`, found {}", describe(token)),
                        range: found.clone(),
                    }),
                    None => Err(ConditionError {
                        message: "this `(` is never closed".into(),
                        range,
                    }),
                }
            }
            Token::Word(word @ ("1" | "all" | "any")) if self.peek_word() == Some("of") => {
                self.at += 1;
                self.selector(word, range)
            }
            Token::Word(word) if matches!(word, "and" | "or" | "of") => Err(ConditionError {
                message: format!("expected an identifier, found the operator `{word}`"),
                range,
            }),
            Token::Word(word) if self.peek_word() == Some("of") => Err(ConditionError {
                message: format!(
                    "`{word} of` is not a quantifier: only `1 of` and `all of` are allowed"
                ),
                range,
            }),
            Token::Word(word) => {
                if word.contains('*') {
                    return Err(ConditionError {
                        message: format!(
                            "`{word}` is a pattern; write `1 of {word}` or `all of {word}`"
                        ),
                        range,
                    });
                }
                Ok(ConditionExpr::Identifier(word.to_owned(), range))
            }
            Token::Close | Token::Pipe => Err(ConditionError {
                message: format!("expected an identifier, found {}", describe(&token)),
                range,
            }),
        }
    }

    fn selector(
        &mut self,
        quantifier: &str,
        start: Range<usize>,
    ) -> Result<ConditionExpr, ConditionError> {
        let quantifier = if quantifier == "all" {
            Quantifier::All
        } else {
            Quantifier::One
        };
        let Some((Token::Word(word), range)) = self.tokens.get(self.at).cloned() else {
            return Err(ConditionError {
                message: "expected a pattern or `them` after `of`".into(),
                range: self
                    .tokens
                    .get(self.at)
                    .map_or(self.end..self.end, |t| t.1.clone()),
            });
        };
        self.at += 1;
        let pattern = match word {
            "them" => Pattern::Them,
            _ if word.contains(['-', '.']) => {
                return Err(ConditionError {
                    message: format!("pattern `{word}` may hold only letters, digits, `_` and `*`"),
                    range,
                })
            }
            _ => Pattern::Glob(word.to_owned()),
        };
        Ok(ConditionExpr::Selector {
            quantifier,
            pattern,
            range: start.start..range.end,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> String {
        parse(text)
            .map(|e| e.to_string())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        assert_eq!(show("a or b and not c"), "(a or (b and not c))");
        assert_eq!(show("not a and b"), "(not a and b)");
        assert_eq!(show("(a or b) and c"), "((a or b) and c)");
        assert_eq!(show("not not a"), "not not a");
    }

    #[test]
    fn selectors() {
        assert_eq!(
            show("1 of sel* and not all of filter_*"),
            "(1 of sel* and not all of filter_*)"
        );
        assert_eq!(show("any of them"), "1 of them");
        assert_eq!(show("all of them"), "all of them");
    }

    #[test]
    fn operators_need_word_boundaries() {
        assert_eq!(show("notepad or android"), "(notepad or android)");
        assert_eq!(
            show("selection and not or_filter"),
            "(selection and not or_filter)"
        );
    }

    #[test]
    fn quantifier_words_can_be_identifiers() {
        assert_eq!(show("1 or sel"), "(1 or sel)");
        assert_eq!(show("them"), "them");
    }

    #[test]
    fn errors_point_at_the_token() {
        let error = parse("sel and").unwrap_err();
        assert_eq!(error.range, 7..7);
        let error = parse("sel AND x").unwrap_err();
        assert_eq!(error.range, 4..7);
        let error = parse("(sel or x").unwrap_err();
        assert_eq!(error.range, 0..1);
        let error = parse("2 of sel*").unwrap_err();
        assert_eq!(error.range, 0..1);
        assert_eq!(
            error.message,
            "`2 of` is not a quantifier: only `1 of` and `all of` are allowed"
        );
        let error = parse("sel and 0 of them").unwrap_err();
        assert_eq!(error.range, 8..9);
        assert!(error.message.starts_with("`0 of` is not a quantifier"));
        let error = parse("3 of them").unwrap_err();
        assert_eq!(error.range, 0..1);
        let error = parse("sel | count() > 5").unwrap_err();
        assert!(error.message.contains("correlation"));
        let error = parse("sel*").unwrap_err();
        assert!(error.message.contains("pattern"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&text).unwrap_err().message.contains("nests"));
    }

    #[test]
    fn patterns_skip_underscore_names_unless_asked() {
        let glob = |g: &str| Pattern::Glob(g.into());
        assert!(glob("sel*").matches("selection"));
        assert!(!glob("sel*").matches("filter"));
        assert!(glob("*_x").matches("a_x"));
        assert!(glob("sel*x").matches("sel_a_x"));
        assert!(!glob("sel*x").matches("sel_a_y"));
        assert!(!glob("*").matches("_private"));
        assert!(glob("_*").matches("_private"));
        assert!(!Pattern::Them.matches("_private"));
        assert!(Pattern::Them.matches("selection"));
    }
}
