use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::c::dates::valid;
use crate::checks::sigma_documents;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds a `modified` day earlier than the `date` the rule was written,
    /// and, when the run is given `--today`, a `date` or `modified` after it.
    ///
    /// ## Why it matters
    /// Such days are typos (a swapped month, the wrong year); they break
    /// "rules changed since" reports and rule-age policies.
    ///
    /// ## Example
    /// ```yaml
    /// date: 2024-05-01
    /// modified: 2023-05-02
    /// ```
    ///
    /// ## Write instead
    /// `modified: 2024-05-02`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None; "today" comes from `--today YYYY-MM-DD` so that results do not
    /// depend on the day the linter runs.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// pySigma-validators-sigmaHQ `sigmahq_modified_date_order`.
    pub struct DateOrder {
        code: "C011",
        name: "date-order",
        family: Metadata,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for DateOrder {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        for document in sigma_documents(cx) {
            let header = document.header();
            let date = valid(header.date.as_ref());
            let modified = valid(header.modified.as_ref());
            if let (Some((created, created_at)), Some((changed, changed_at))) = (date, modified) {
                if changed < created {
                    out.push(
                        cx.finding(
                            &Self::META,
                            changed_at.span,
                            format!("`modified` {changed} is before `date` {created}"),
                        )
                        .label(created_at.span, "written on"),
                    );
                }
            }
            let Some(today) = cx.settings.today else {
                continue;
            };
            for (key, day) in [("date", date), ("modified", modified)] {
                if let Some((day, at)) = day {
                    if day > today {
                        out.push(cx.finding(
                            &Self::META,
                            at.span,
                            format!("`{key}` {day} is in the future (today is {today})"),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::settings::Settings;
    use crate::testing::{findings_at, findings_of};

    #[test]
    fn modified_not_before_date() {
        let found = findings_of("C011", "title: t\ndate: 2024-05-01\nmodified: 2023-05-02\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line(), 3);
        assert!(
            findings_of("C011", "title: t\ndate: 2024-05-01\nmodified: 2024-05-02\n").is_empty()
        );
    }

    #[test]
    fn future_dates_need_today() {
        let source = "title: t\ndate: 2030-01-01\n";
        assert!(findings_of("C011", source).is_empty());
        let settings = Settings {
            today: NaiveDate::from_ymd_opt(2026, 12, 3),
            ..Settings::default()
        };
        assert_eq!(findings_at("C011", "r/x_y.yml", source, settings).len(), 1);
    }
}
