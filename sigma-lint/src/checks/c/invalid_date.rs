use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::c::dates::parse_date;
use crate::checks::sigma_documents;
use crate::finding::{Applicability, Edit, Finding, Fix};

crate::declare_check! {
    /// ## What it does
    /// Checks that `date` and `modified` are real calendar days written
    /// `YYYY-MM-DD`.
    ///
    /// ## Why it matters
    /// The specification's schema rejects other forms; `2024/01/05` (Sigma
    /// v1) and `2024-02-30` are read differently or not at all by tools.
    ///
    /// ## Example
    /// `date: 2024/01/05` or `modified: 2024-02-30`
    ///
    /// ## Write instead
    /// `date: 2024-01-05`
    ///
    /// ## Fix
    /// Sometimes, safe: a valid `YYYY/MM/DD` day is rewritten with hyphens.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// Sigma specification, `date`; JSON schema pattern.
    pub struct InvalidDate {
        code: "C010",
        name: "invalid-date",
        family: Metadata,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: Sometimes,
    }
}

impl Check for InvalidDate {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let header = document.header();
            for (key, value) in [("date", &header.date), ("modified", &header.modified)] {
                let Some(value) = value else { continue };
                if parse_date(&value.value).is_some() {
                    continue;
                }
                let hyphenated = value.value.replace('/', "-");
                let mut finding = cx
                    .finding(
                        &Self::META,
                        value.span,
                        format!("`{key}` `{}` is not a valid YYYY-MM-DD date", value.value),
                    )
                    .help("write the day as YYYY-MM-DD");
                if parse_date(&hyphenated).is_some() {
                    finding = finding.fix(Fix {
                        message: format!("write `{hyphenated}`"),
                        applicability: Applicability::Safe,
                        edits: vec![Edit {
                            start: value.span.start,
                            end: value.span.end,
                            replacement: hyphenated,
                        }],
                    });
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
    fn dates_are_calendar_days() {
        let found = findings_of("C010", "title: t\ndate: 2024/01/05\nmodified: 2024-02-30\n");
        assert_eq!(found.len(), 2);
        assert!(found[0].fix.is_some());
        assert!(found[1].fix.is_none());
        assert_eq!((found[1].line(), found[1].column()), (3, 11));
        assert!(findings_of("C010", "title: t\ndate: 2024-02-29\n").is_empty());
    }
}
