use sigma_core::span::{Location, Span};

use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds spaces or tabs at the end of a line, and a last line without a
    /// line break.
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration rejects both; they make diffs noisy.
    ///
    /// ## Example
    /// `title: Suspicious Whoami ` (with a trailing space)
    ///
    /// ## Write instead
    /// `title: Suspicious Whoami`
    ///
    /// ## Fix
    /// Always available and safe: trailing blanks of a plain line never
    /// belong to a value.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Blanks inside a block scalar (`|`) are flagged too, as yamllint does.
    ///
    /// ## References
    /// yamllint `trailing-spaces`, `new-line-at-end-of-file`.
    pub struct TrailingWhitespace {
        code: "A005",
        name: "trailing-whitespace",
        family: Yaml,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: Always,
    }
}

impl Check for TrailingWhitespace {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        // Most files are clean: two substring searches rule that out before
        // walking the lines.
        let blank_before_break = [" \n", "\t\n", " \r\n", "\t\r\n"]
            .iter()
            .any(|p| source.contains(p));
        let blank_at_end = source.ends_with([' ', '\t']);
        if !blank_before_break && !blank_at_end && (source.is_empty() || source.ends_with('\n')) {
            return;
        }
        let mut offset = 0;
        for (index, line) in source.split_inclusive('\n').enumerate() {
            let content = line.trim_end_matches(['\n', '\r']);
            let trimmed = content.trim_end_matches([' ', '\t']);
            if trimmed.len() < content.len() {
                let start = offset + trimmed.len();
                let end = offset + content.len();
                let span = Span {
                    start,
                    end,
                    location: Location {
                        line: index as u32 + 1,
                        column: trimmed.chars().count() as u32 + 1,
                    },
                };
                let fix = Fix {
                    message: "remove the trailing blanks".into(),
                    applicability: Applicability::Safe,
                    edits: vec![Edit {
                        start,
                        end,
                        replacement: String::new(),
                    }],
                };
                out.push(
                    cx.finding(&Self::META, span, "trailing whitespace")
                        .help("remove the blanks at the end of the line")
                        .fix(fix),
                );
            }
            offset += line.len();
        }

        if !source.is_empty() && !source.ends_with('\n') {
            let lines = source.lines().count().max(1) as u32;
            let last = source.lines().last().unwrap_or("");
            let span = Span {
                start: source.len(),
                end: source.len(),
                location: Location {
                    line: lines,
                    column: last.chars().count() as u32 + 1,
                },
            };
            let fix = Fix {
                message: "add a line break".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    start: source.len(),
                    end: source.len(),
                    replacement: "\n".into(),
                }],
            };
            out.push(
                cx.finding(&Self::META, span, "the file does not end with a line break")
                    .fix(fix),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn flags_trailing_blanks_and_missing_newline() {
        let found = findings_of("A005", "title: x  \nid: y");
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].line(), found[0].column()), (1, 9));
        assert_eq!((found[1].line(), found[1].column()), (2, 6));
        assert!(findings_of("A005", "title: x\nid: y\n").is_empty());
    }
}
