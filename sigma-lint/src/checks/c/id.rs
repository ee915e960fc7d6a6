use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Checks that `id` is a UUID written in canonical form: 36 lower-case
    /// hexadecimal characters and hyphens.
    ///
    /// ## Why it matters
    /// Tools look rules up by id, correlations and filters reference them by
    /// id, and SigmaHQ's duplicate test compares the text: `{...}`,
    /// `urn:uuid:` or upper-case spellings of one UUID defeat all three.
    ///
    /// ## Example
    /// `id: 5E3BA1C4-3C1F-4F16-9C2E-2D6A1B8A7F10` or `id: 1234`
    ///
    /// ## Write instead
    /// `id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10`
    ///
    /// ## Fix
    /// Sometimes, safe: a parseable UUID is rewritten in canonical form.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// Sigma specification, `id`; pySigma SigmaIdentifierError (lint-checks C8, defect 8).
    pub struct InvalidId {
        code: "C004",
        name: "invalid-id",
        family: Metadata,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: Sometimes,
    }
}

impl Check for InvalidId {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let Some(id) = &document.header().id else {
                continue;
            };
            let text = id.value.as_str();
            match uuid::Uuid::try_parse(text) {
                Err(_) => out.push(
                    cx.finding(&Self::META, id.span, format!("`{text}` is not a UUID"))
                        .help("generate a random UUID (version 4) for the rule"),
                ),
                Ok(parsed) => {
                    let canonical = parsed.hyphenated().to_string();
                    if canonical != text {
                        let fix = Fix {
                            message: format!("write `{canonical}`"),
                            applicability: Applicability::Safe,
                            edits: vec![Edit {
                                start: id.span.start,
                                end: id.span.end,
                                replacement: canonical.clone(),
                            }],
                        };
                        out.push(
                            cx.finding(
                                &Self::META,
                                id.span,
                                format!("`{text}` is not a UUID in canonical form"),
                            )
                            .help(format!("write `{canonical}`"))
                            .fix(fix),
                        );
                    }
                }
            }
        }
    }
}

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
    /// pySigma `identifier_existence` (lint-checks C7).
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
    /// Sigma specification, `id` (lint-checks C10).
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

    const GOOD: &str = "title: t\nid: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10\n";

    #[test]
    fn ids_must_be_canonical_uuids() {
        let found = findings_of("C004", "title: t\nid: 1234\n");
        assert_eq!((found[0].line(), found[0].column()), (2, 5));
        let found = findings_of(
            "C004",
            "title: t\nid: 5E3BA1C4-3C1F-4F16-9C2E-2D6A1B8A7F10\n",
        );
        assert!(found[0].fix.is_some());
        assert!(findings_of("C004", GOOD).is_empty());
    }

    #[test]
    fn id_presence_and_version() {
        assert_eq!(findings_of("C005", "title: t\n").len(), 1);
        assert!(findings_of("C005", GOOD).is_empty());
        assert_eq!(
            findings_of(
                "C006",
                "title: t\nid: 00000000-0000-1000-8000-000000000001\n"
            )
            .len(),
            1
        );
        assert!(findings_of("C006", GOOD).is_empty());
    }
}
