//! The run: discover files, parse them in parallel, run the checks, then
//! the cross-rule checks, then apply configuration to what was found.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use sigma_core::rule::SigmaFile;
use sigma_core::span::{Location, Span};

use crate::check::{Check, Corpus, CorpusFile, FileContext};
use crate::checks::a::unreadable_file::UnreadableFile;
use crate::finding::Finding;
use crate::settings::Settings;
use crate::suppress::Suppressions;

/// Files larger than this are reported, not parsed: no rule comes close.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Finds the rule files under `paths`: every `*.yml` and `*.yaml` below a
/// directory (hidden ones skipped), and every path given as a file whatever
/// its name. Sorted, so
/// output and cross-rule checks do not depend on the file system's order.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        if !path.exists() {
            errors.push((path.clone(), "no such file or directory".to_owned()));
            continue;
        }
        // Hidden files and folders (`.github/`, `.sigma-lint.yml`) are
        // tooling, not rules.
        let walk = walkdir::WalkDir::new(path)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walk {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_rule_file(entry.path()) => {
                    files.push(entry.into_path());
                }
                Ok(_) => {}
                Err(error) => {
                    let at = error.path().map_or_else(|| path.clone(), Path::to_path_buf);
                    errors.push((at, error.to_string()));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn is_rule_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yml" | "yaml")
    )
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// What the checks found, sorted by file, line and column.
    pub findings: Vec<Finding>,
    /// How many files were read.
    pub files: usize,
}

/// Reads and parses one file; an unreadable one becomes a finding.
fn load(path: &Path) -> Result<SigmaFile, Box<Finding>> {
    let arc: Arc<Path> = Arc::from(path);
    let unreadable = |message: String| {
        let span = Span {
            start: 0,
            end: 0,
            location: Location { line: 1, column: 1 },
        };
        Box::new(Finding::new(
            &UnreadableFile::META,
            &arc,
            &Arc::from(""),
            span,
            message,
        ))
    };
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(unreadable(format!(
            "file is {size} bytes, more than the {MAX_FILE_BYTES} a rule may have"
        )));
    }
    SigmaFile::read(path).map_err(|e| unreadable(format!("cannot read the file: {e}")))
}

/// Lints the files at `paths` (already discovered) with `checks`.
pub fn lint_paths(paths: &[PathBuf], settings: &Settings, checks: &[&dyn Check]) -> Outcome {
    lint_paths_with_progress(paths, settings, checks, &|| {})
}

/// As [`lint_paths`], calling `progress` once per file read.
///
/// Each file is read, parsed and checked on one thread, and only its
/// findings and [`CorpusFile`] summary are kept: the trees of 4,000 rules
/// are never in memory at once.
pub fn lint_paths_with_progress(
    paths: &[PathBuf],
    settings: &Settings,
    checks: &[&dyn Check],
    progress: &(dyn Fn() + Sync),
) -> Outcome {
    let enabled = enabled(settings, checks);
    let per_file: Vec<(Vec<Finding>, Option<CorpusFile>)> = paths
        .par_iter()
        .map(|path| {
            let result = match load(path) {
                Ok(file) => {
                    let path: Arc<Path> = Arc::from(file.path.as_path());
                    let findings = check_file(&path, &file, settings, &enabled);
                    (findings, Some(CorpusFile::of(&path, &file)))
                }
                Err(finding) => (vec![*finding], None),
            };
            progress();
            result
        })
        .collect();

    let mut findings = Vec::new();
    let mut corpus = Vec::with_capacity(per_file.len());
    for (found, file) in per_file {
        findings.extend(found);
        corpus.extend(file);
    }
    finish(&corpus, settings, checks, &enabled, &mut findings);
    if !settings.enabled(&UnreadableFile::META) {
        findings.retain(|f| f.code != UnreadableFile::META.code);
    }
    sort(&mut findings);
    Outcome {
        findings,
        files: paths.len(),
    }
}

/// Lints files already in memory: per-file checks in parallel, then the
/// cross-rule checks, then suppressions, exceptions and severities.
pub fn lint_files(
    files: &[(Arc<Path>, SigmaFile)],
    settings: &Settings,
    checks: &[&dyn Check],
) -> Vec<Finding> {
    let enabled = enabled(settings, checks);
    let mut findings: Vec<Finding> = files
        .par_iter()
        .flat_map_iter(|(path, file)| check_file(path, file, settings, &enabled))
        .collect();
    let corpus: Vec<CorpusFile> = files.iter().map(|(p, f)| CorpusFile::of(p, f)).collect();
    finish(&corpus, settings, checks, &enabled, &mut findings);
    findings
}

fn enabled<'c>(settings: &Settings, checks: &[&'c dyn Check]) -> Vec<&'c dyn Check> {
    checks
        .iter()
        .copied()
        .filter(|c| settings.enabled(c.meta()))
        .collect()
}

fn check_file(
    path: &Arc<Path>,
    file: &SigmaFile,
    settings: &Settings,
    enabled: &[&dyn Check],
) -> Vec<Finding> {
    let cx = FileContext {
        path,
        file,
        settings,
    };
    let mut out = Vec::new();
    for check in enabled {
        check.check_file(&cx, &mut out);
    }
    out
}

/// Runs the cross-rule checks, then applies configuration to every finding.
fn finish(
    corpus: &[CorpusFile],
    settings: &Settings,
    checks: &[&dyn Check],
    enabled: &[&dyn Check],
    findings: &mut Vec<Finding>,
) {
    let whole = Corpus {
        files: corpus,
        settings,
    };
    for check in enabled {
        check.check_corpus(&whole, findings);
    }
    apply_settings(corpus, settings, checks, findings);
}

fn apply_settings(
    corpus: &[CorpusFile],
    settings: &Settings,
    checks: &[&dyn Check],
    findings: &mut Vec<Finding>,
) {
    let by_path: HashMap<&Path, &CorpusFile> =
        corpus.iter().map(|f| (f.path.as_ref(), f)).collect();
    let mut suppressions: HashMap<Arc<Path>, Suppressions> = HashMap::new();
    findings.retain_mut(|finding| {
        let Some(meta) = checks
            .iter()
            .map(|c| c.meta())
            .find(|m| m.code == finding.code)
        else {
            return true;
        };
        finding.severity = settings.severity(meta);
        let Some(file) = by_path.get(finding.path.as_ref()) else {
            return true;
        };
        if settings.exempt(meta, file.rule_id_at(finding.span.start), &finding.path) {
            return false;
        }
        let suppress = suppressions
            .entry(Arc::clone(&finding.path))
            .or_insert_with(|| Suppressions::scan(&file.source));
        !suppress.covers(meta, finding.line())
    });
}

/// Sorts findings by file, line, column and code, for stable output.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.path, a.span.location, a.code, &a.message).cmp(&(
            &b.path,
            b.span.location,
            b.code,
            &b.message,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_skips_hidden_and_non_yaml_files() {
        let dir = std::env::temp_dir().join(format!("sigma-lint-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".github")).expect("temp dir");
        for name in [
            "b.yml",
            "a.yaml",
            "notes.txt",
            ".sigma-lint.yml",
            ".github/ci.yml",
        ] {
            std::fs::write(dir.join(name), "title: t\n").expect("temp file");
        }
        let (files, errors) = discover(std::slice::from_ref(&dir));
        let names: Vec<_> = files
            .iter()
            .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
            .collect();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(errors.is_empty());
        assert_eq!(names, ["a.yaml", "b.yml"]);
    }
}
