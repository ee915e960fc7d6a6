use sigma_core::rule::SigmaDocument;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::span_at;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Reports what the rule model could not read: a document that is not a
    /// mapping, a `title` that is a list, a `logsource` or `detection` that
    /// is not a mapping, a detection without `condition`, a field value
    /// that is a mapping, and a document that is neither rule, correlation
    /// nor filter (no `detection`, `correlation` or `filter`), and a file
    /// with no document at all (empty, or only comments).
    ///
    /// ## Why it matters
    /// Every Sigma tool rejects such a rule or, worse, reads part of it.
    ///
    /// ## Example
    /// ```yaml
    /// detection:
    ///   selection:
    ///     Image: {endswith: 'x.exe'}
    ///   condition: selection
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    ///     Image|endswith: 'x.exe'
    /// ```
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// The JSON Schema check (`schema-violation`) sees some of the same
    /// faults; it skips places this check already reported.
    ///
    /// ## References
    /// Sigma specification, rule structure.
    pub struct DocumentStructure {
        code: "C001",
        name: "document-structure",
        family: Metadata,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for DocumentStructure {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        // Sigma v1 spread one rule over documents (`action: global`); the
        // parts are not rules on their own.
        let v1 = crate::checks::is_v1_collection(cx);

        // A file named on the command line is linted whatever it holds; an
        // empty one must not pass as a clean rule.
        if cx.file.syntax_error.is_none() && cx.documents().is_empty() {
            let source = cx.source();
            let what = if source.trim().is_empty() {
                "the file is empty"
            } else {
                "the file holds no YAML document, only comments"
            };
            out.push(
                cx.finding(&Self::META, span_at(source, 0, 0), what)
                    .help("a Sigma file holds a rule, a correlation or a filter"),
            );
        }

        for document in cx.documents() {
            let header = document.header();
            let is_mapping = header
                .root
                .as_ref()
                .is_some_and(|r| r.as_mapping().is_some());
            if matches!(document, SigmaDocument::Other(_)) && is_mapping && !v1 {
                out.push(
                    cx.finding(
                        &Self::META,
                        header.span,
                        "the document has no `detection`, `correlation` or `filter`",
                    )
                    .help(
                        "a rule needs `detection`; a correlation `correlation`; a filter `filter`",
                    ),
                );
            }
            for problem in &header.problems {
                // A v1 part takes its condition from the `action: global`
                // document.
                if v1 && problem.message.contains("no `condition`") {
                    continue;
                }
                let mut finding = cx.finding(&Self::META, problem.span, problem.message.clone());
                for (text, span) in &problem.related {
                    finding = finding.label(*span, text.clone());
                }
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn model_problems_are_findings() {
        let found = findings_of(
            "C001",
            "title: [a]\ndetection:\n  s: {a: 1}\n  condition: s\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line(), found[0].column()), (1, 8));
        assert!(findings_of(
            "C001",
            "title: a\ndetection:\n  s: {a: 1}\n  condition: s\n"
        )
        .is_empty());
    }

    #[test]
    fn a_file_without_documents_is_reported() {
        for (source, message) in [
            ("", "the file is empty"),
            ("\n  \n", "the file is empty"),
            ("# only\n", "the file holds no YAML document, only comments"),
        ] {
            let found = findings_of("C001", source);
            assert_eq!(found.len(), 1, "{source:?}");
            assert_eq!((found[0].line(), found[0].column()), (1, 1));
            assert_eq!(found[0].message, message);
        }
    }
}
