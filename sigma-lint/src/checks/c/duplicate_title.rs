use crate::check::{Check, CheckMeta, Corpus};
use crate::checks::c::duplicate_id::report_duplicates;
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Finds two documents with the same title (ignoring case and
    /// surrounding blanks).
    ///
    /// ## Why it matters
    /// Alerts are read by title; two rules with one title cannot be told
    /// apart in a queue.
    ///
    /// ## Example
    /// Two rules titled `Suspicious PowerShell Download`.
    ///
    /// ## Write instead
    /// Titles that say how the two differ.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// pySigma `duplicate_title`.
    pub struct DuplicateTitle {
        code: "C008",
        name: "duplicate-title",
        family: Metadata,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for DuplicateTitle {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_corpus(&self, corpus: &Corpus<'_>, out: &mut Vec<Finding>) {
        report_duplicates(
            corpus,
            &Self::META,
            out,
            |d| d.title.as_ref(),
            |s| s.trim().to_lowercase(),
            "title",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::testing::findings_in;

    #[test]
    fn titles_are_unique() {
        let files = [
            ("a_rule.yml", "title: Same Thing\n"),
            ("b_rule.yml", "title: same thing \n"),
        ];
        assert_eq!(findings_in("C008", &files, Settings::default()).len(), 1);
        let files = [
            ("a_rule.yml", "title: One\n"),
            ("b_rule.yml", "title: Two\n"),
        ];
        assert!(findings_in("C008", &files, Settings::default()).is_empty());
    }
}
