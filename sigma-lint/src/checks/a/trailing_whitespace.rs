use sigma_core::span::{Location, Span};

use sigma_core::yaml::Style;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::Layout;
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
    /// Always available. Safe outside block scalars, where YAML drops the
    /// blanks at the end of a line. Unsafe (only with `--unsafe-fixes`)
    /// inside a `|` or `>` block scalar, whose trailing blanks are part of
    /// the value: `CommandLine|contains: |-` over `net user ` matches
    /// `net user ` with its space, and would no longer once fixed. The
    /// missing line break is likewise unsafe when the file ends inside a
    /// block scalar, whose value it would lengthen by a `\n`. In a file
    /// that is not valid YAML, where block scalars cannot be told, every
    /// fix is unsafe.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Blanks inside a block scalar (`|`) are flagged too, as yamllint does.
    /// A file ending inside a `|-` block scalar would keep its value with a
    /// line break added; the fix is unsafe there all the same.
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
        // Block scalars keep their blanks; where the YAML is broken, no
        // byte is known to lie outside one.
        let layout = Layout::of(cx);
        let in_block = |at: usize| {
            layout.as_ref().is_none_or(|layout| {
                layout
                    .scalar_at(at)
                    .is_some_and(|r| matches!(r.style, Style::Literal | Style::Folded))
            })
        };
        // In a double-quoted scalar a backslash escapes the blank after it,
        // which is part of the value; with the blank gone the backslash
        // would escape the line break instead (`"a\\ ` + break reads
        // `a ` then the next line, `"a\\` + break joins the lines).
        let in_double_quotes = |at: usize| {
            layout.as_ref().is_none_or(|layout| {
                layout
                    .scalar_at(at)
                    .is_some_and(|r| r.style == Style::DoubleQuoted)
            })
        };
        let applicability = |at: usize| {
            if in_block(at) {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            }
        };

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
                let backslashes = trimmed.len() - trimmed.trim_end_matches('\\').len();
                let escaped = backslashes % 2 == 1 && in_double_quotes(start);
                // An escaped blank stays; only the blanks after it go.
                let from = if escaped { start + 1 } else { start };
                let finding = cx
                    .finding(&Self::META, span, "trailing whitespace")
                    .help("remove the blanks at the end of the line");
                let finding = if from < end {
                    finding.fix(Fix {
                        message: "remove the trailing blanks".into(),
                        applicability: applicability(start),
                        edits: vec![Edit {
                            start: from,
                            end,
                            replacement: String::new(),
                        }],
                    })
                } else {
                    finding
                };
                out.push(finding);
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
                applicability: applicability(source.len() - 1),
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
    use crate::finding::Applicability;
    use crate::fix::apply;
    use crate::testing::findings_of;

    #[test]
    fn flags_trailing_blanks_and_missing_newline() {
        let found = findings_of("A005", "title: x  \nid: y");
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].line(), found[0].column()), (1, 9));
        assert_eq!((found[1].line(), found[1].column()), (2, 6));
        assert!(findings_of("A005", "title: x\nid: y\n").is_empty());
    }

    fn fixed(source: &str, unsafe_fixes: bool) -> String {
        let found = findings_of("A005", source);
        apply(source, &found.iter().collect::<Vec<_>>(), unsafe_fixes).text
    }

    #[test]
    fn blanks_inside_block_scalars_are_fixed_only_as_unsafe() {
        let source = "title: t \ndetection:\n  sel:\n    CommandLine|contains: |-  \n      \
                      net user \n      /add\n  condition: sel\n";
        let found = findings_of("A005", source);
        let applicability: Vec<_> = found
            .iter()
            .map(|f| f.fix.as_ref().map(|x| x.applicability))
            .collect();
        let (safe, not_safe) = (Some(Applicability::Safe), Some(Applicability::Unsafe));
        assert_eq!(applicability, vec![safe, safe, not_safe]);
        assert_eq!(
            fixed(source, false),
            source.replace("t \n", "t\n").replace("|-  \n", "|-\n")
        );
        assert!(fixed(source, true).contains("net user\n"));
    }

    #[test]
    fn an_escaped_blank_in_double_quotes_is_kept() {
        let source = "title: t\ndetection:\n  sel:\n    CommandLine: \"foo\\    \n      bar\"\n";
        assert_eq!(
            fixed(source, false),
            "title: t\ndetection:\n  sel:\n    CommandLine: \"foo\\ \n      bar\"\n"
        );
        let single = "title: t\nx: \"a\\ \n  b\"\n";
        let found = findings_of("A005", single);
        assert_eq!(found.len(), 1);
        assert!(found[0].fix.is_none());
        // Outside double quotes a backslash escapes nothing.
        assert_eq!(fixed("title: t\nx: a\\  \n", false), "title: t\nx: a\\\n");
    }

    #[test]
    fn the_final_break_of_a_block_scalar_is_an_unsafe_fix() {
        let source = "title: t\ndescription: |\n  whoami\n  /all";
        let found = findings_of("A005", source);
        assert_eq!(found.len(), 1);
        let fix = found[0].fix.as_ref().map(|x| x.applicability);
        assert_eq!(fix, Some(Applicability::Unsafe));
        assert_eq!(fixed(source, false), source);
        assert_eq!(fixed("title: t", false), "title: t\n");
    }

    #[test]
    fn broken_yaml_gets_only_unsafe_fixes() {
        let found = findings_of("A005", "title: 'open \n");
        let fix = found[0].fix.as_ref().map(|x| x.applicability);
        assert_eq!(fix, Some(Applicability::Unsafe));
    }
}
