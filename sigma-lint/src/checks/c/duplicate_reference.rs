use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds the same entry twice in `references` or `falsepositives`.
    ///
    /// ## Why it matters
    /// A copy-paste slip; the schema's `uniqueItems` rejects it.
    ///
    /// ## Example
    /// ```yaml
    /// references:
    ///   - https://example.org/report
    ///   - https://example.org/report
    /// ```
    ///
    /// ## Write instead
    /// One entry per reference.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Entries are compared as written (no URL normalisation).
    ///
    /// ## References
    /// pySigma `duplicate_references`; schema `uniqueItems`.
    pub struct DuplicateReference {
        code: "C014",
        name: "duplicate-list-entry",
        family: Metadata,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for DuplicateReference {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            for key in ["references", "falsepositives", "fields"] {
                let Some(items) = document.header().get(key).and_then(|n| n.as_sequence()) else {
                    continue;
                };
                for (index, item) in items.iter().enumerate() {
                    let Some(text) = item.as_str() else { continue };
                    let Some(first) = items[..index].iter().find(|i| i.as_str() == Some(text))
                    else {
                        continue;
                    };
                    out.push(
                        cx.finding(
                            &Self::META,
                            item.span,
                            format!("`{text}` is listed twice in `{key}`"),
                        )
                        .label(first.span, "first listed here"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn entries_are_unique() {
        let found = findings_of("C014", "title: t\nreferences:\n  - a\n  - b\n  - a\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 5);
        assert!(findings_of("C014", "title: t\nreferences: [a, b]\n").is_empty());
    }
}
