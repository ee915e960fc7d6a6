//! Family G: the condition.

pub mod all_of_them;
pub mod condition_list;
pub mod condition_syntax;
pub mod deprecated_timeframe;
pub mod of_them_single_identifier;
pub mod operator_word_identifier;
pub mod pattern_matches_nothing;
pub mod undefined_identifier;
pub mod unused_identifier;

use std::ops::Range;

use sigma_core::condition::{self, ConditionExpr};
use sigma_core::rule::Detection;
use sigma_core::span::{Location, Span, Spanned};

/// The span in the file of `range`, a byte range of the condition text.
///
/// A one-line plain or quoted condition maps directly ([`Span::slice`]).
/// Folded, literal and multi-line plain scalars differ from the source only
/// in whitespace, so the two are walked side by side, matching the
/// non-blank characters.
pub(crate) fn token_span(source: &str, condition: &Spanned<String>, range: Range<usize>) -> Span {
    let node = condition.span;
    let written = source.get(node.start..node.end).unwrap_or("");
    let quote = usize::from(written.starts_with(['\'', '"']));
    let text = condition.value.as_str();
    if written.get(quote..quote + text.len()) == Some(text) {
        let shifted = Span {
            start: node.start,
            ..node
        };
        return shifted.slice(source, quote + range.start, quote + range.end);
    }

    // Skip a block scalar's header line (`>-`, `|`) or an opening quote.
    let skip = if written.starts_with(['>', '|']) {
        written
            .find('\n')
            .map_or(written.len(), |newline| newline + 1)
    } else {
        quote
    };
    let body = written.get(skip..).unwrap_or("");
    let Some(start) = map_offset(body, text, range.start) else {
        return node;
    };
    let last = range.end.saturating_sub(1).max(range.start);
    let width = text
        .get(last..)
        .and_then(|t| t.chars().next())
        .map_or(0, char::len_utf8);
    let end = map_offset(body, text, last)
        .map_or(start, |at| at + width)
        .max(start);
    let (start, end) = (skip + start, skip + end);
    let before = &written[..start];
    let location = match before.rfind('\n') {
        Some(newline) => Location {
            line: node.location.line + before.matches('\n').count() as u32,
            column: before[newline + 1..].chars().count() as u32 + 1,
        },
        None => Location {
            line: node.location.line,
            column: node.location.column + before.chars().count() as u32,
        },
    };
    Span {
        start: node.start + start,
        end: node.start + end,
        location,
    }
}

/// The offset in `written` of the character at `offset` in `text`,
/// matching non-blank characters in order.
fn map_offset(written: &str, text: &str, offset: usize) -> Option<usize> {
    let wanted = text
        .get(..offset)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .count();
    let mut seen = 0;
    for (at, c) in written.char_indices() {
        if c.is_whitespace() {
            continue;
        }
        if seen == wanted {
            return Some(at);
        }
        seen += 1;
    }
    None
}

/// Each condition of a detection that parses, with its tree.
pub(crate) fn parsed(detection: &Detection) -> Vec<(&Spanned<String>, ConditionExpr)> {
    detection
        .conditions
        .iter()
        .filter_map(|c| condition::parse(&c.value).ok().map(|expr| (c, expr)))
        .collect()
}

/// Whether every condition of the detection parses.
pub(crate) fn all_parse(detection: &Detection) -> bool {
    detection
        .conditions
        .iter()
        .all(|c| condition::parse(&c.value).is_ok())
}

#[cfg(test)]
mod tests {
    use super::token_span;
    use sigma_core::rule::SigmaFile;

    fn span_of(source: &str, token: &str) -> (u32, u32, String) {
        let file = SigmaFile::parse("t.yml", source);
        let rule = file.rules().next().expect("a rule");
        let condition = &rule.detection.conditions[0];
        let at = condition.value.find(token).expect("token in condition");
        let span = token_span(source, condition, at..at + token.len());
        let text = source[span.start..span.end].to_owned();
        (span.location.line, span.location.column, text)
    }

    #[test]
    fn plain_quoted_and_folded_conditions() {
        let plain = "detection:\n  s: {a: 1}\n  condition: s and not filter\n";
        assert_eq!(span_of(plain, "filter"), (3, 24, "filter".into()));
        let quoted = "detection:\n  s: {a: 1}\n  condition: 's and not filter'\n";
        assert_eq!(span_of(quoted, "filter"), (3, 25, "filter".into()));
        let folded = "detection:\n  s: {a: 1}\n  condition: >\n    s and\n    not filter\n";
        assert_eq!(span_of(folded, "filter"), (5, 9, "filter".into()));
        let multi = "detection:\n  s: {a: 1}\n  condition: s and\n    not filter\n";
        assert_eq!(span_of(multi, "filter"), (4, 9, "filter".into()));
    }
}
