//! Helpers for the checks' unit tests.

use std::path::Path;
use std::sync::Arc;

use sigma_core::rule::SigmaFile;

use crate::checks;
use crate::finding::Finding;
use crate::settings::Settings;

/// The findings of the check `code` on `source`, read from a neutral path,
/// with the check selected whatever its scope.
pub fn findings_of(code: &str, source: &str) -> Vec<Finding> {
    findings_at(
        code,
        "rules/proc_creation_win_test_rule.yml",
        source,
        Settings::default(),
    )
}

/// The findings of the check `code` on the files given as (path, text).
pub fn findings_at(code: &str, path: &str, source: &str, settings: Settings) -> Vec<Finding> {
    findings_in(code, &[(path, source)], settings)
}

/// The findings of the check `code` over several files.
pub fn findings_in(code: &str, files: &[(&str, &str)], mut settings: Settings) -> Vec<Finding> {
    settings.extend_select.push(code.to_owned());
    let files: Vec<(Arc<Path>, SigmaFile)> = files
        .iter()
        .map(|(path, source)| (Arc::from(Path::new(path)), SigmaFile::parse(*path, *source)))
        .collect();
    let mut found = crate::lint::lint_files(&files, &settings, checks::ALL);
    found.retain(|f| f.code == code);
    crate::lint::sort(&mut found);
    found
}
