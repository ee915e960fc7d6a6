use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a rule, correlation or filter without a `title`, or with an
    /// empty one.
    ///
    /// ## Why it matters
    /// The title is required by the specification and is what an analyst
    /// sees when the rule fires.
    ///
    /// ## Example
    /// ```yaml
    /// id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10
    /// logsource: {product: windows}
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// title: Whoami Execution
    /// ```
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// Sigma specification, `title`.
    pub struct MissingTitle {
        code: "C002",
        name: "missing-title",
        family: Metadata,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for MissingTitle {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        // Only the first part of a v1 collection (`action: global`) carries
        // the title the others share.
        let count = if crate::checks::is_v1_collection(cx) {
            1
        } else {
            usize::MAX
        };
        for document in sigma_documents(cx).take(count) {
            let header = document.header();
            match &header.title {
                Some(title) if title.value.trim().is_empty() => {
                    out.push(cx.finding(&Self::META, title.span, "the title is empty"));
                }
                Some(_) => {}
                None if header.get("title").is_none() => {
                    out.push(
                        cx.finding(&Self::META, header.span, "the document has no `title`")
                            .help("add a `title` that says what the rule detects"),
                    );
                }
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn title_is_required() {
        let found = findings_of("C002", "id: x\ndetection:\n  s: {a: 1}\n  condition: s\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 1);
        assert!(findings_of(
            "C002",
            "title: t\ndetection:\n  s: {a: 1}\n  condition: s\n"
        )
        .is_empty());
    }
}
