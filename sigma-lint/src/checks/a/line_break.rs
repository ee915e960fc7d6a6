use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::span_at;
use crate::finding::{Applicability, Edit, Finding, Fix};

/// Past this many line breaks the fix rewrites the whole range at once:
/// one edit per break would make applying it quadratic.
const MAX_EDITS: usize = 10_000;

crate::declare_check! {
    /// ## What it does
    /// Finds Windows (`\r\n`) or old Mac (`\r`) line breaks; one finding per
    /// file, at the first one.
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration requires Unix line breaks. Mixed
    /// breaks make every line of a diff change and can hide a real edit.
    ///
    /// ## Example
    /// `title: Whoami Execution\r\n`
    ///
    /// ## Write instead
    /// `title: Whoami Execution\n`
    ///
    /// ## Fix
    /// Always available and safe: every `\r\n` and lone `\r` becomes `\n`,
    /// in one fix for the whole file. YAML reads all three as a line break,
    /// outside and inside values alike.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// A `\r` written inside a quoted value as the character itself (not as
    /// the escape `\r`) is a line break to YAML too, and is rewritten.
    ///
    /// ## References
    /// yamllint `new-lines` (`type: unix`).
    pub struct LineBreak {
        code: "A008",
        name: "non-unix-line-break",
        family: Yaml,
        group: Convention,
        severity: Error,
        scope: SigmaHq,
        fix: Always,
    }
}

impl Check for LineBreak {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        let Some(first) = source.find('\r') else {
            return;
        };

        let bytes = source.as_bytes();
        let returns: Vec<usize> = bytes
            .iter()
            .enumerate()
            .skip(first)
            .filter(|(_, &b)| b == b'\r')
            .map(|(at, _)| at)
            .collect();
        let crlf = |at: usize| bytes.get(at + 1) == Some(&b'\n');
        let edits = if returns.len() <= MAX_EDITS {
            returns
                .iter()
                .map(|&at| Edit {
                    start: at,
                    end: at + 1,
                    replacement: if crlf(at) { String::new() } else { "\n".into() },
                })
                .collect()
        } else {
            // Past the last break, its `\n` included, so that the range
            // never ends between the two bytes of a `\r\n`.
            let last = returns
                .last()
                .map_or(first, |&at| if crlf(at) { at + 2 } else { at + 1 });
            let range = source.get(first..last).unwrap_or("");
            vec![Edit {
                start: first,
                end: last,
                replacement: range.replace("\r\n", "\n").replace('\r', "\n"),
            }]
        };

        let windows = returns.iter().filter(|&&at| crlf(at)).count();
        let kind = if windows == returns.len() {
            "`\\r\\n` (Windows)"
        } else if windows == 0 {
            "`\\r` (old Mac)"
        } else {
            "mixed `\\r\\n` and `\\r`"
        };
        let end = if crlf(first) { first + 2 } else { first + 1 };
        let message = format!(
            "the file has {} {kind} line breaks; expected `\\n`",
            returns.len()
        );
        let fix = Fix {
            message: "convert the line breaks to `\\n`".into(),
            applicability: Applicability::Safe,
            edits,
        };
        out.push(
            cx.finding(&Self::META, span_at(source, first, end), message)
                .help("save the file with Unix (LF) line breaks")
                .fix(fix),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::apply;
    use crate::testing::findings_of;

    #[test]
    fn one_finding_at_the_first_carriage_return() {
        let source = "title: t\r\nlevel: low\rid: x\r\n";
        let found = findings_of("A008", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (1, 9));
        assert_eq!(
            found[0].message,
            "the file has 3 mixed `\\r\\n` and `\\r` line breaks; expected `\\n`"
        );
        assert!(findings_of("A008", "title: t\nlevel: low\n").is_empty());
    }

    #[test]
    fn the_fix_rewrites_every_break() {
        let source = "title: t\r\nlevel: low\rid: x\r\n";
        let found = findings_of("A008", source);
        let fixed = apply(source, &found.iter().collect::<Vec<_>>(), false);
        assert_eq!(fixed.text, "title: t\nlevel: low\nid: x\n");
        assert!(findings_of("A008", &fixed.text).is_empty());
    }

    #[test]
    fn a_huge_file_is_fixed_in_one_edit() {
        let lines = super::MAX_EDITS + 5;
        let source: String = (0..lines).map(|i| format!("k{i}: b\r\n")).collect();
        let found = findings_of("A008", &source);
        let edits = found[0].fix.as_ref().map_or(0, |f| f.edits.len());
        assert_eq!(edits, 1);
        let fixed = apply(&source, &found.iter().collect::<Vec<_>>(), false);
        let expected: String = (0..lines).map(|i| format!("k{i}: b\n")).collect();
        assert!(fixed.text == expected, "{:?}", fixed.text.get(..40));
    }
}
