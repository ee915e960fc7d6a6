use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::span_at;
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds document start markers (`---`).
    ///
    /// ## Why you might want it
    /// SigmaHQ's yamllint configuration forbids them: a SigmaHQ rule file
    /// holds exactly one rule, so the marker is noise, and a second one
    /// would start a second document that its other tools do not expect.
    ///
    /// ## Example
    /// ```yaml
    /// ---
    /// title: Whoami Execution
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// title: Whoami Execution
    /// ```
    ///
    /// ## Fix
    /// Safe, for a bare `---` line that opens the file (after comments or
    /// blank lines only): removing it leaves the same single document.
    /// None for the others: they separate documents.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Files of several documents are flagged at each marker, including
    /// correlation rules bundled with the rules they correlate and Sigma v1
    /// `action: global` collections, which the specification allows. That
    /// is SigmaHQ's convention (one rule per file), not a fault of the
    /// file; this check runs only with `--preset sigmahq`.
    ///
    /// ## References
    /// yamllint `document-start` (`present: false`).
    pub struct DocumentStart {
        code: "A010",
        name: "document-start-marker",
        family: Yaml,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: Sometimes,
    }
}

impl Check for DocumentStart {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let source = cx.source();
        if !source.starts_with("---") && !source.contains("\n---") && !source.contains("\r---") {
            return;
        }

        let mut offset = 0;
        let mut only_comments_before = true;
        let mut directive_before = false;
        for line in source.split_inclusive('\n') {
            let content = line.trim_end_matches(['\n', '\r']);
            let marker = content
                .strip_prefix("---")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
            if marker {
                let span = span_at(source, offset, offset + 3);
                let mut finding = cx
                    .finding(&Self::META, span, "document start marker `---`")
                    .help("remove the marker; keep one rule per file");
                let bare = content.trim_end_matches([' ', '\t']) == "---";
                if bare && only_comments_before && !directive_before {
                    finding = finding.fix(Fix {
                        message: "remove the `---` line".into(),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            start: offset,
                            end: offset + line.len(),
                            replacement: String::new(),
                        }],
                    });
                }
                out.push(finding);
            }
            let trimmed = content.trim_start();
            directive_before |= trimmed.starts_with('%');
            if !trimmed.is_empty() && !trimmed.starts_with('#') {
                only_comments_before = false;
            }
            offset += line.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::apply;
    use crate::testing::findings_of;

    #[test]
    fn leading_marker_is_flagged_and_removed() {
        let source = "# a comment\n---\ntitle: t\n";
        let found = findings_of("A010", source);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (2, 1));
        let fixed = apply(source, &found.iter().collect::<Vec<_>>(), false);
        assert_eq!(fixed.text, "# a comment\ntitle: t\n");
        assert!(findings_of("A010", &fixed.text).is_empty());
    }

    #[test]
    fn markers_between_documents_have_no_fix() {
        let source = "title: a\n---\ntitle: b\n--- # next\ntitle: c\n";
        let found = findings_of("A010", source);
        let lines: Vec<u32> = found.iter().map(|f| f.line()).collect();
        assert_eq!(lines, [2, 4]);
        assert!(found.iter().all(|f| f.fix.is_none()));
    }

    #[test]
    fn dashes_inside_text_are_not_markers() {
        let source = "title: t\ndescription: |\n    ----\nfalsepositives:\n    - ---x\n";
        assert!(findings_of("A010", source).is_empty());
    }
}
