use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Checks that a rule's file name is lower-case letters, digits and `_`,
    /// holds at least one `_`, and ends in `.yml`.
    ///
    /// ## Why you might want it
    /// SigmaHQ names every rule file this way so that names sort and read
    /// alike on every system.
    ///
    /// ## Example
    /// `Proc-Creation Whoami.yaml`
    ///
    /// ## Write instead
    /// `proc_creation_win_whoami_execution.yml`
    ///
    /// ## Fix
    /// None: renaming a file is for the author.
    ///
    /// ## Options
    /// None.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// SigmaHQ tests/test_rules.py `test_file_names`; pySigma-validators-sigmaHQ
    /// `sigmahq_filename_convention`.
    pub struct FileNameConvention {
        code: "B001",
        name: "file-name-convention",
        family: FileName,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for FileNameConvention {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let Some(name) = cx.path.file_name().and_then(|n| n.to_str()) else {
            return;
        };
        let Some(stem) = name.strip_suffix(".yml") else {
            out.push(
                cx.finding(
                    &Self::META,
                    super::file_start(),
                    format!("file name `{name}` does not end in `.yml`"),
                )
                .help("rename the file with the `.yml` extension"),
            );
            return;
        };
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
        if !stem.chars().all(allowed) || !stem.contains('_') {
            out.push(
                cx.finding(
                    &Self::META,
                    super::file_start(),
                    format!("file name `{name}` is not lower-case words joined by `_`"),
                )
                .help("use only `a-z`, `0-9` and `_`, with at least one `_`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::testing::findings_at;

    #[test]
    fn names_follow_the_convention() {
        let check = |path| findings_at("B001", path, "title: x\n", Settings::default()).len();
        assert_eq!(check("rules/Proc-Creation.yml"), 1);
        assert_eq!(check("rules/proc_creation.yaml"), 1);
        assert_eq!(check("rules/whoami.yml"), 1);
        assert_eq!(check("rules/proc_creation_win_whoami.yml"), 0);
    }
}
