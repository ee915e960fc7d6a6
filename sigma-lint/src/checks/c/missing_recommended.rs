use sigma_core::rule::SigmaDocument;

use crate::check::{Check, CheckMeta, FileContext};
use crate::checks::sigma_documents;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Checks the metadata SigmaHQ requires of every rule: `status`,
    /// `level` (not on filters), `date`, `author`, and a `description` of at
    /// least `min-length` characters; also `modified` without `date` and a
    /// `modified` equal to `date`.
    ///
    /// ## Why you might want it
    /// Reviewers and users rely on these to judge a rule's maturity and
    /// origin; SigmaHQ's CI rejects rules without them.
    ///
    /// ## Example
    /// A rule with `title`, `logsource` and `detection` only.
    ///
    /// ## Write instead
    /// ```yaml
    /// status: experimental
    /// description: Detects whoami.exe started by a web server process
    /// author: Jane Doe
    /// date: 2024-05-01
    /// level: medium
    /// ```
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// `min-length` (integer, default 16): the shortest description.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// sigmahq_status_existence, _level_, _date_, _author_, _description_*,
    /// _modified_without_date, _redundant_modified.
    pub struct MissingRecommended {
        code: "C012",
        name: "missing-recommended-field",
        family: Metadata,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for MissingRecommended {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let min = cx.settings.option_u64(&Self::META, "min-length", 16) as usize;
        for document in sigma_documents(cx) {
            let header = document.header();
            let is_filter = matches!(document, SigmaDocument::Filter(_));
            let mut wanted = vec!["date", "author", "description"];
            if !is_filter {
                wanted.extend(["status", "level"]);
            }
            let missing: Vec<&str> = wanted
                .into_iter()
                .filter(|key| header.get(key).is_none())
                .collect();
            if !missing.is_empty() {
                let list = missing.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>();
                out.push(
                    cx.finding(
                        &Self::META,
                        header.span,
                        format!("missing {}", list.join(", ")),
                    )
                    .help("add the missing metadata"),
                );
            }
            if let Some(description) = header.get("description") {
                let length = description.as_str().map_or(0, |d| d.trim().chars().count());
                if length < min {
                    out.push(cx.finding(
                        &Self::META,
                        description.span,
                        format!("the description has {length} characters; write at least {min}"),
                    ));
                }
            }
            match (&header.date, &header.modified) {
                (None, Some(modified)) => out.push(cx.finding(
                    &Self::META,
                    modified.span,
                    "`modified` is set but `date` is missing",
                )),
                (Some(date), Some(modified)) if date.value == modified.value => out.push(
                    cx.finding(
                        &Self::META,
                        modified.span,
                        "`modified` is the same day as `date`",
                    )
                    .label(date.span, "written on")
                    .help("remove `modified` until the rule changes"),
                ),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::findings_of;

    #[test]
    fn recommended_metadata() {
        let found = findings_of("C012", "title: t\nmodified: 2024-01-01\n");
        assert_eq!(found.len(), 2);
        assert!(found[0].message.contains("`date`"), "{}", found[0].message);
        let good = "title: t\nstatus: test\nlevel: low\ndate: 2024-01-01\nauthor: me\n\
                    description: a long enough description\n";
        assert!(findings_of("C012", good).is_empty());
    }
}
