use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Finds the same tag twice in one document.
    ///
    /// ## Why it matters
    /// A copy-paste slip that skews tag statistics; the schema's
    /// `uniqueItems` rejects it.
    ///
    /// ## Example
    /// `tags: [attack.execution, attack.t1059, attack.execution]`
    ///
    /// ## Write instead
    /// `tags: [attack.execution, attack.t1059]`
    ///
    /// ## Fix
    /// Always available, safe only for flow lists; offered as unsafe.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// The fix removes only the tag's text, not its list item line.
    ///
    /// ## References
    /// pySigma `duplicate_tag`.
    pub struct DuplicateTag {
        code: "D002",
        name: "duplicate-tag",
        family: Tags,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: Always,
    }
}

impl Check for DuplicateTag {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let tags = &document.header().tags;
            for (index, tag) in tags.iter().enumerate() {
                let Some(first) = tags[..index].iter().find(|t| t.value == tag.value) else {
                    continue;
                };
                out.push(
                    cx.finding(
                        &Self::META,
                        tag.span,
                        format!("tag `{}` is listed twice", tag.value),
                    )
                    .label(first.span, "first listed here")
                    .fix(Fix {
                        message: "remove the repeated tag".into(),
                        applicability: Applicability::Unsafe,
                        edits: vec![Edit {
                            start: tag.span.start,
                            end: tag.span.end,
                            replacement: String::new(),
                        }],
                    }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn repeated_tags() {
        let found = findings_of(
            "D002",
            "title: t\ntags: [attack.t1059, cve.2021-1, attack.t1059]\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].column(), 34);
        assert!(findings_of("D002", "title: t\ntags: [attack.t1059]\n").is_empty());
    }
}
