use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

const TYPES: &[&str] = &["derived", "obsolete", "merged", "renamed", "similar"];

crate::declare_check! {
    /// ## What it does
    /// Checks each `related` entry: a mapping with an `id` that is a UUID
    /// and a `type` among derived, obsolete, merged, renamed, similar.
    ///
    /// ## Why it matters
    /// `related` is how rule histories are followed; a wrong type (v1's
    /// `obsoletes`) or id breaks that chain for every tool.
    ///
    /// ## Example
    /// ```yaml
    /// related:
    ///   - id: 1234
    ///     type: obsoletes
    /// ```
    ///
    /// ## Write instead
    /// ```yaml
    /// related:
    ///   - id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10
    ///     type: obsolete
    /// ```
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Whether the related id exists is not checked.
    ///
    /// ## References
    /// Sigma specification, `related`.
    pub struct InvalidRelated {
        code: "C013",
        name: "invalid-related",
        family: Metadata,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for InvalidRelated {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let Some(related) = document.header().get("related") else {
                continue;
            };
            let Some(items) = related.as_sequence() else {
                out.push(cx.finding(
                    &Self::META,
                    related.span,
                    format!("`related` must be a list, found {}", related.kind_name()),
                ));
                continue;
            };
            for item in items {
                if item.as_mapping().is_none() {
                    out.push(cx.finding(
                        &Self::META,
                        item.span,
                        "a `related` entry must be a mapping with `id` and `type`",
                    ));
                    continue;
                }
                match item.get("id") {
                    None => out.push(cx.finding(
                        &Self::META,
                        item.span,
                        "the `related` entry has no `id`",
                    )),
                    Some(id) => {
                        let text = id.as_str().unwrap_or("");
                        if uuid::Uuid::try_parse(text).is_err() {
                            out.push(cx.finding(
                                &Self::META,
                                id.span,
                                format!("related id `{text}` is not a UUID"),
                            ));
                        }
                    }
                }
                match item.get("type") {
                    None => out.push(cx.finding(
                        &Self::META,
                        item.span,
                        "the `related` entry has no `type`",
                    )),
                    Some(kind) => {
                        let text = kind.as_str().unwrap_or("");
                        if !TYPES.contains(&text) {
                            let help = if text == "obsoletes" {
                                "write `obsolete` (Sigma v2)".to_owned()
                            } else {
                                format!("use one of {}", TYPES.join(", "))
                            };
                            out.push(
                                cx.finding(
                                    &Self::META,
                                    kind.span,
                                    format!("`{text}` is not a related type"),
                                )
                                .help(help),
                            );
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn related_entries() {
        let found = findings_of(
            "C013",
            "title: t\nrelated:\n  - id: 12\n    type: obsoletes\n",
        );
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].line(), found[0].column()), (3, 9));
        assert!(found[1].help.as_deref().unwrap_or("").contains("obsolete"));
        let good =
            "title: t\nrelated:\n  - id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10\n    type: derived\n";
        assert!(findings_of("C013", good).is_empty());
    }
}
