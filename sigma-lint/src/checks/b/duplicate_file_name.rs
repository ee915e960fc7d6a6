use std::collections::HashMap;

use crate::check::{Check, CheckMeta, Corpus};
use crate::finding::{Finding, Related};

crate::declare_check! {
    /// ## What it does
    /// Finds two rule files with the same name in different folders.
    ///
    /// ## Why it matters
    /// Tools that flatten a rule tree (exports, SIEM imports) keep one of
    /// them; people mix them up in reviews.
    ///
    /// ## Example
    /// `rules/windows/a/net_connection_win_x.yml` and
    /// `rules/windows/b/net_connection_win_x.yml`
    ///
    /// ## Write instead
    /// Give each file a name that says what its rule detects.
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// Only the files given in one run are compared.
    ///
    /// ## References
    /// pySigma `duplicate_filename`; SigmaHQ `test_file_names`.
    pub struct DuplicateFileName {
        code: "B003",
        name: "duplicate-file-name",
        family: FileName,
        group: Suspicious,
        severity: Warning,
        scope: Spec,
        fix: None,
    }
}

impl Check for DuplicateFileName {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_corpus(&self, corpus: &Corpus<'_>, out: &mut Vec<Finding>) {
        let mut first: HashMap<&std::ffi::OsStr, usize> = HashMap::new();
        for (index, file) in corpus.files.iter().enumerate() {
            let path = &file.path;
            let Some(name) = path.file_name() else {
                continue;
            };
            let Some(&earlier) = first.get(name) else {
                first.insert(name, index);
                continue;
            };
            let Some(other) = corpus.files.get(earlier) else {
                continue;
            };
            let other_path = &other.path;
            let mut finding = Finding::new(
                &Self::META,
                path,
                &file.source,
                super::file_start(),
                format!(
                    "file name `{}` is also used by `{}`",
                    name.to_string_lossy(),
                    other_path.display()
                ),
            );
            finding.related.push(Related {
                path: other_path.clone(),
                source: other.source.clone(),
                span: super::file_start(),
                text: "first file with this name".into(),
            });
            out.push(finding.help("rename one of the files"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::testing::findings_in;

    #[test]
    fn same_name_in_two_folders() {
        let files = [
            ("a/x_rule.yml", "title: a\n"),
            ("b/x_rule.yml", "title: b\n"),
            ("b/y_rule.yml", "title: c\n"),
        ];
        let found = findings_in("B003", &files, Settings::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path.to_str(), Some("b/x_rule.yml"));
        assert_eq!(found[0].related[0].path.to_str(), Some("a/x_rule.yml"));
    }
}
