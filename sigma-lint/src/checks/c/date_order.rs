use sigma_core::span::{Span, Spanned};
use sigma_core::yaml::Style;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::a::text::scalar_end;
use crate::checks::c::dates::valid;
use crate::checks::sigma_documents;
use crate::finding::{Applicability, Edit, Finding, Fix};

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
    /// Unsafe, for `modified` before `date`: swaps the two values as
    /// written (quotes kept). Often right (the two were entered the wrong
    /// way round), but a typo in one day is as likely, so only the author
    /// can tell; run with `--unsafe-fixes` to apply it. None for a day in
    /// the future.
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
        fix: Sometimes,
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
                    let mut finding = cx
                        .finding(
                            &Self::META,
                            changed_at.span,
                            format!("`modified` {changed} is before `date` {created}"),
                        )
                        .label(created_at.span, "written on");
                    if let Some(fix) = swap(cx.source(), created_at, changed_at) {
                        finding = finding.fix(fix);
                    }
                    out.push(finding);
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

/// The unsafe fix that swaps the texts of `date` and `modified`, each as
/// written (`2024-05-01`, `'2024-05-01'`), comments after them untouched.
fn swap(source: &str, date: &Spanned<String>, modified: &Spanned<String>) -> Option<Fix> {
    let (date_start, date_end) = written(source, date.span)?;
    let (modified_start, modified_end) = written(source, modified.span)?;
    let date_text = source.get(date_start..date_end)?;
    let modified_text = source.get(modified_start..modified_end)?;
    Some(Fix {
        message: format!("swap `date` and `modified` ({modified_text} and {date_text})"),
        applicability: Applicability::Unsafe,
        edits: vec![
            Edit {
                start: date_start,
                end: date_end,
                replacement: modified_text.to_owned(),
            },
            Edit {
                start: modified_start,
                end: modified_end,
                replacement: date_text.to_owned(),
            },
        ],
    })
}

/// The bytes of a one-line scalar value as written, quotes included.
fn written(source: &str, span: Span) -> Option<(usize, usize)> {
    let style = match source.as_bytes().get(span.start)? {
        b'\'' => Style::SingleQuoted,
        b'"' => Style::DoubleQuoted,
        _ => Style::Plain,
    };
    let end = scalar_end(source, span.start, span.end, style);
    let text = source.get(span.start..end)?;
    (!text.is_empty() && !text.contains('\n')).then_some((span.start, end))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use crate::fix::apply;
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
    fn the_unsafe_fix_swaps_the_days_as_written() {
        let source = "title: t\ndate: '2024-05-01' # first\nmodified: 2023-05-02\n";
        let found = findings_of("C011", source);
        assert_eq!(found.len(), 1);
        let findings: Vec<_> = found.iter().collect();
        assert_eq!(apply(source, &findings, false).text, source);
        let fixed = apply(source, &findings, true).text;
        assert_eq!(
            fixed,
            "title: t\ndate: 2023-05-02 # first\nmodified: '2024-05-01'\n"
        );
        assert!(findings_of("C011", &fixed).is_empty());
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
