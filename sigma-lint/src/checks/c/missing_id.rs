use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a rule, correlation or filter without an `id`.
    ///
    /// ## Why it matters
    /// Without an id a rule cannot be referenced by correlations, filters,
    /// exclusion lists or `related`, and renames lose its history.
    ///
    /// ## Example
    /// A rule with `title` but no `id`.
    ///
    /// ## Write instead
    /// `id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10` (a fresh random UUID)
    ///
    /// ## Fix
    /// None: an id must be generated once and kept.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// pySigma `identifier_existence`.
    pub struct MissingId {
        code: "C005",
        name: "missing-id",
        family: Metadata,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for MissingId {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let header = document.header();
            if header.get("id").is_none() && header.get("title").is_some() {
                out.push(
                    cx.finding(&Self::META, header.span, "the document has no `id`")
                        .help("add `id:` with a random UUID"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn id_is_expected() {
        assert_eq!(findings_of("C005", "title: t\n").len(), 1);
        let good = "title: t\nid: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10\n";
        assert!(findings_of("C005", good).is_empty());
    }
}
