use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Flags an `id` that is a valid UUID but not a random one (version 4).
    ///
    /// ## Why you might want it
    /// The specification asks for version 4; time-based or hand-made ids
    /// (`00000000-...`) collide more easily across repositories.
    ///
    /// ## Example
    /// `id: 00000000-0000-0000-0000-000000000001`
    ///
    /// ## Write instead
    /// `id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10`
    ///
    /// ## Fix
    /// None: changing an id breaks references to it.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Many published rules use other versions; hence pedantic.
    ///
    /// ## References
    /// Sigma specification, `id`.
    pub struct IdNotV4 {
        code: "C006",
        name: "id-not-uuid-v4",
        family: Metadata,
        group: Pedantic,
        severity: Info,
        scope: Spec,
        fix: None,
    }
}

impl Check for IdNotV4 {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let Some(id) = &document.header().id else {
                continue;
            };
            if let Ok(parsed) = uuid::Uuid::try_parse(&id.value) {
                let version = parsed.get_version_num();
                if version != 4 {
                    out.push(cx.finding(
                        &Self::META,
                        id.span,
                        format!("`{}` is a version {version} UUID, not version 4", id.value),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn version_four_only() {
        let v1 = "title: t\nid: 00000000-0000-1000-8000-000000000001\n";
        assert_eq!(findings_of("C006", v1).len(), 1);
        let good = "title: t\nid: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10\n";
        assert!(findings_of("C006", good).is_empty());
    }
}
