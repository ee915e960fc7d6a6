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
    /// Sigma specification, `id`; pySigma SigmaIdentifierError.
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

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn ids_must_be_canonical_uuids() {
        let found = findings_of("C004", "title: t\nid: 1234\n");
        assert_eq!((found[0].line(), found[0].column()), (2, 5));
        let found = findings_of(
            "C004",
            "title: t\nid: 5E3BA1C4-3C1F-4F16-9C2E-2D6A1B8A7F10\n",
        );
        assert!(found[0].fix.is_some());
        let good = "title: t\nid: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10\n";
        assert!(findings_of("C004", good).is_empty());
    }
}
