use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a backslash escape in a `re` value that SigmaHQ's rule tests
    /// do not allow: anything but an escaped regex metacharacter
    /// (`# $ & ( ) * + - . ? [ \ ] ^ { | } ~`), a quote, a digit
    /// (back-reference), or one of the classes and anchors `\A \b \B \d \D
    /// \f \n \r \s \S \t \v \w \W \Z`.
    ///
    /// ## Why it matters
    /// Regex dialects agree on those escapes only. `\x41`, `\u0041` or
    /// `\p{L}` mean different things, or nothing, in the engines Sigma
    /// backends target; `\/` or `\:` escape a character that needs none.
    /// SigmaHQ's test fails the build on any of them; this check warns,
    /// because the common engines (PCRE, Python, Java, .NET, RE2) all read
    /// an escaped punctuation character as itself.
    ///
    /// ## Example
    /// ```yaml
    /// Url|re: 'https?:\/\/evil\.example\/'
    /// ```
    ///
    /// ## Write instead
    /// `'https?://evil\.example/'`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// SigmaHQ's test looks for a backslash not preceded by another
    /// backslash, so it misreads `\\\:` (an escaped backslash, then `\:`)
    /// as fine and `\\d` (an escaped backslash, then `d`) as an escape of
    /// `d`. This check reads the escapes pair by pair, as a regex engine
    /// does.
    ///
    /// ## References
    /// SigmaHQ `tests/test_rules.py`, `test_re_invalid_escapes`.
    pub struct RegexEscape {
        code: "H013",
        name: "non-portable-regex-escape",
        family: Values,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

/// The characters that may follow a backslash.
const ALLOWED: &str = "#$&()*+-.?[\\]^{|}~AbBdDfnrsStvwWZ0123456789\"'";

impl Check for RegexEscape {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for (value, pattern) in super::regex_patterns(cx) {
            if let Some(escape) = first_disallowed_escape(pattern) {
                let message = format!("`\\{escape}` is not a portable regex escape");
                let help = if escape.is_ascii_punctuation() {
                    format!("`{escape}` needs no backslash")
                } else {
                    "write the character itself, or a class such as `[...]`".to_owned()
                };
                out.push(cx.finding(&Self::META, value.span, message).help(help));
            }
        }
    }
}

/// The character after the first backslash whose escape is not allowed,
/// reading escapes pair by pair (`\\` is one escape).
fn first_disallowed_escape(pattern: &str) -> Option<char> {
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            continue;
        }
        let escaped = chars.next()?;
        if !ALLOWED.contains(escaped) {
            return Some(escaped);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::first_disallowed_escape;
    use crate::testing::findings_of;

    fn rule(item: &str) -> String {
        format!("title: t\ndetection:\n  sel:\n    {item}\n  condition: sel\n")
    }

    #[test]
    fn escapes_outside_the_portable_set() {
        let found = findings_of("H013", &rule("Url|re: 'https?:\\/\\/x'"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "`\\/` is not a portable regex escape");
        assert_eq!(findings_of("H013", &rule("C|re: '\\x41'")).len(), 1);
        assert_eq!(findings_of("H013", &rule("C|re|i: '\\p{L}'")).len(), 1);
    }

    #[test]
    fn portable_escapes_and_other_modifiers_pass() {
        assert!(findings_of("H013", &rule("C|re: '\\d+\\.exe\\s\\\\'")).is_empty());
        assert!(findings_of("H013", &rule("C|contains: '\\/'")).is_empty());
    }

    #[test]
    fn escapes_are_read_in_pairs() {
        assert_eq!(first_disallowed_escape("\\\\\\:"), Some(':'));
        assert_eq!(first_disallowed_escape("\\\\d"), None);
        assert_eq!(first_disallowed_escape("end\\"), None);
    }
}
