use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::{span_at, Layout};
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds comments whose text starts right after the `#` (or `##`...),
    /// with no space: `#note`. A shebang (`#!`) opening the file is exempt.
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration requires the space; `#text` is easy
    /// to misread as a value or a tag.
    ///
    /// ## Example
    /// `    - 'whoami.exe' #the usual suspect`
    ///
    /// ## Write instead
    /// `    - 'whoami.exe' # the usual suspect`
    ///
    /// ## Fix
    /// Always available and safe: a space is inserted into the comment.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// yamllint's other comment rule in SigmaHQ's configuration, at least one
    /// space between content and a trailing comment (`'x'#note`), is not a
    /// separate check: such a `#` is a YAML syntax error for this tool, so
    /// `yaml-syntax-error` reports it. A `#` inside a value (quoted, block
    /// or plain, as in a URL) is never a comment. Files that are not valid
    /// YAML are not checked.
    ///
    /// ## References
    /// yamllint `comments` (`require-starting-space: true`,
    /// `min-spaces-from-content: 1`).
    pub struct CommentSpace {
        code: "A012",
        name: "comment-without-space",
        family: Yaml,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: Always,
    }
}

impl Check for CommentSpace {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        if !source
            .match_indices('#')
            .any(|(at, _)| looks_bad(source, at))
        {
            return;
        }
        let Some(layout) = Layout::of(cx) else {
            return;
        };

        for &(start, end) in layout.comments() {
            let Some(comment) = source.get(start..end) else {
                continue;
            };
            let text = comment.trim_start_matches('#');
            if text.is_empty() || text.starts_with(' ') {
                continue;
            }
            if start == 0 && text.starts_with('!') {
                continue;
            }
            let at = start + (comment.len() - text.len());
            let fix = Fix {
                message: "insert a space after `#`".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit {
                    start: at,
                    end: at,
                    replacement: " ".into(),
                }],
            };
            out.push(
                cx.finding(
                    &Self::META,
                    span_at(source, start, at),
                    "missing space after `#` in a comment",
                )
                .help("write `# text`")
                .fix(fix),
            );
        }
    }
}

/// Whether the `#` at `at` could start a comment with no space after its
/// `#`s: it follows a blank or starts a line, and text follows. Most `#`
/// in rules are in URLs (`page#anchor`), which this rules out cheaply.
fn looks_bad(source: &str, at: usize) -> bool {
    let bytes = source.as_bytes();
    let after_blank = at == 0 || matches!(bytes.get(at - 1), Some(b' ' | b'\t' | b'\n' | b'\r'));
    let text = source
        .get(at..)
        .unwrap_or("")
        .trim_start_matches('#')
        .bytes()
        .next();
    after_blank && !matches!(text, None | Some(b' ' | b'\n' | b'\r'))
}

#[cfg(test)]
mod tests {
    use crate::fix::apply;
    use crate::testing::findings_of;

    #[test]
    fn comment_text_needs_a_space() {
        let source = "#!shebang\n#note\n### ok\n##x\ntitle: t #tail\nid: x # fine\n#\n";
        let found = findings_of("A012", source);
        let places: Vec<(u32, u32)> = found.iter().map(|f| (f.line(), f.column())).collect();
        assert_eq!(places, [(2, 1), (4, 1), (5, 10)]);
        let fixed = apply(source, &found.iter().collect::<Vec<_>>(), false);
        assert_eq!(
            fixed.text,
            "#!shebang\n# note\n### ok\n## x\ntitle: t # tail\nid: x # fine\n#\n"
        );
        assert!(findings_of("A012", &fixed.text).is_empty());
    }

    #[test]
    fn hashes_inside_values_are_not_comments() {
        let source = "title: 'a #b'\ndescription: |\n    #not a comment\nreferences:\n    - \
                      https://x.org/#frag\n";
        assert!(findings_of("A012", source).is_empty());
    }

    #[test]
    fn tabs_after_the_hash_are_flagged() {
        assert_eq!(findings_of("A012", "title: t\n#\tnote\n").len(), 1);
    }
}
