use crate::check::{Check, CheckMeta, FileContext};
use crate::finding::Finding;

crate::declare_check! {
    /// ## What it does
    /// Checks that a rule's file name, extension included, is between `min`
    /// and `max` characters long.
    ///
    /// ## Why you might want it
    /// Very short names say nothing; very long ones break paths on Windows
    /// checkouts and tables in reports.
    ///
    /// ## Example
    /// `a.yml`
    ///
    /// ## Write instead
    /// `proc_creation_win_whoami_execution.yml`
    ///
    /// ## Fix
    /// None.
    ///
    /// ## Options
    /// `min` (integer, default 10), `max` (integer, default 90): the SigmaHQ
    /// values; the specification advises 10 to 70.
    ///
    /// ## Known problems
    /// None known.
    ///
    /// ## References
    /// pySigma `filename_length`; Sigma specification, file names.
    pub struct FileNameLength {
        code: "B002",
        name: "file-name-length",
        family: FileName,
        group: Convention,
        severity: Warning,
        scope: SigmaHq,
        fix: None,
    }
}

impl Check for FileNameLength {
    fn meta(&self) -> &'static CheckMeta {
        &Self::META
    }

    fn check_file(&self, cx: &FileContext<'_>, out: &mut Vec<Finding>) {
        let Some(name) = cx.path.file_name().and_then(|n| n.to_str()) else {
            return;
        };
        let min = cx.settings.option_u64(&Self::META, "min", 10) as usize;
        let max = cx.settings.option_u64(&Self::META, "max", 90) as usize;
        let length = name.chars().count();
        if length < min || length > max {
            out.push(cx.finding(
                &Self::META,
                super::file_start(),
                format!("file name `{name}` has {length} characters; use {min} to {max}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::testing::findings_at;

    #[test]
    fn length_bounds() {
        let check = |path: &str| findings_at("B002", path, "title: x\n", Settings::default()).len();
        assert_eq!(check("r/a_b.yml"), 1);
        assert_eq!(check(&format!("r/{}.yml", "a".repeat(90))), 1);
        assert_eq!(check("r/proc_creation_win_x.yml"), 0);
    }
}
