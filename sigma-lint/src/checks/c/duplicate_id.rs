use std::collections::HashMap;

use sigma_core::span::Spanned;

use crate::check::{Check, CheckMeta, Corpus, DocumentKeys};
use crate::finding::{Finding, Related};

crate::declare_check! {
    /// ## What it does
    /// Finds the same `id` in two documents of the files given, in any
    /// folder and across multi-document files.
    ///
    /// ## Why it matters
    /// Correlations, filters and exclusion lists address rules by id; with
    /// two owners, one of the rules silently takes the other's place.
    ///
    /// ## Example
    /// Two rules copied from one template, both keeping its id.
    ///
    /// ## Write instead
    /// A fresh random UUID for the copy.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Ids are compared case-insensitively; other spellings of one UUID are
    /// `invalid-id`'s concern.
    ///
    /// ## References
    /// pySigma `identifier_uniqueness`; SigmaHQ duplicate-id job.
    pub struct DuplicateId {
        code: "C007",
        name: "duplicate-id",
        family: Metadata,
        group: Correctness,
        severity: Error,
        scope: Spec,
        fix: None,
    }
}

impl Check for DuplicateId {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_corpus(&self, corpus: &Corpus<'_>, out: &mut Vec<Finding>) {
        report_duplicates(
            corpus,
            &Self::META,
            out,
            |d| d.id.as_ref(),
            |s| s.to_ascii_lowercase(),
            "id",
        );
    }
}

/// Reports every later document whose key equals an earlier one's.
pub(crate) fn report_duplicates(
    corpus: &Corpus<'_>,
    meta: &'static CheckMeta,
    out: &mut Vec<Finding>,
    field: impl Fn(&DocumentKeys) -> Option<&Spanned<String>>,
    normalise: impl Fn(&str) -> String,
    what: &str,
) {
    let mut first: HashMap<String, (usize, sigma_core::span::Span)> = HashMap::new();
    for (index, file) in corpus.files.iter().enumerate() {
        let path = &file.path;
        for document in &file.documents {
            let Some(value) = field(document) else {
                continue;
            };
            let key = normalise(&value.value);
            if key.is_empty() {
                continue;
            }
            let Some(&(earlier, span)) = first.get(&key) else {
                first.insert(key, (index, value.span));
                continue;
            };
            let Some(other) = corpus.files.get(earlier) else {
                continue;
            };
            let other_path = &other.path;
            let mut finding = Finding::new(
                meta,
                path,
                &file.source,
                value.span,
                format!(
                    "{what} `{}` is already used in `{}`",
                    value.value,
                    other_path.display()
                ),
            );
            if earlier == index {
                finding = finding.label(span, "first used here");
            } else {
                finding.related.push(Related {
                    path: other_path.clone(),
                    source: other.source.clone(),
                    span,
                    text: "first used here".into(),
                });
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::testing::findings_in;

    #[test]
    fn ids_are_unique_across_files() {
        let id = "id: 5e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10\n";
        let a = format!("title: a\n{id}");
        let b = format!("title: b\n{id}");
        let found = findings_in(
            "C007",
            &[("a_rule.yml", &a), ("b_rule.yml", &b)],
            Settings::default(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.to_str(), Some("b_rule.yml"));
        assert_eq!(found[0].line(), 2);
        assert_eq!(found[0].related.len(), 1);
        let c = "title: c\nid: 6e3ba1c4-3c1f-4f16-9c2e-2d6a1b8a7f10\n";
        assert!(findings_in(
            "C007",
            &[("a_rule.yml", &a), ("c_rule.yml", c)],
            Settings::default()
        )
        .is_empty());
    }
}
