//! The run: discover files, parse them in parallel, run the checks, then
//! the cross-rule checks, then apply configuration to what was found.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use sigma_core::rule::SigmaFile;
use sigma_core::span::{Location, Span};

use crate::check::{Check, Corpus, FileContext};
use crate::checks::a::unreadable_file::UnreadableFile;
use crate::finding::Finding;
use crate::settings::Settings;
use crate::suppress::Suppressions;

/// Files larger than this are reported, not parsed: no rule comes close.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Finds the rule files under `paths`: every `*.yml` and `*.yaml` below a
/// directory, and every path given as a file whatever its name. Sorted, so
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
        for entry in walkdir::WalkDir::new(path).follow_links(false) {
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
pub fn lint_paths_with_progress(
    paths: &[PathBuf],
    settings: &Settings,
    checks: &[&dyn Check],
    progress: &(dyn Fn() + Sync),
) -> Outcome {
    let loaded: Vec<Result<SigmaFile, Box<Finding>>> = paths
        .par_iter()
        .map(|p| {
            let file = load(p);
            progress();
            file
        })
        .collect();
    let mut files = Vec::with_capacity(loaded.len());
    let mut findings = Vec::new();
    for result in loaded {
        match result {
            Ok(file) => files.push((Arc::<Path>::from(file.path.as_path()), file)),
            Err(finding) => findings.push(*finding),
        }
    }
    let count = files.len() + findings.len();
    findings.extend(lint_files(&files, settings, checks));
    if !settings.enabled(&UnreadableFile::META) {
        findings.retain(|f| f.code != UnreadableFile::META.code);
    }
    sort(&mut findings);
    Outcome {
        findings,
        files: count,
    }
}

/// Lints files already in memory: per-file checks in parallel, then the
/// cross-rule checks, then suppressions, exceptions and severities.
pub fn lint_files(
    files: &[(Arc<Path>, SigmaFile)],
    settings: &Settings,
    checks: &[&dyn Check],
) -> Vec<Finding> {
    let enabled: Vec<&dyn Check> = checks
        .iter()
        .copied()
        .filter(|c| settings.enabled(c.meta()))
        .collect();

    let mut findings: Vec<Finding> = files
        .par_iter()
        .flat_map_iter(|(path, file)| {
            let cx = FileContext {
                path,
                file,
                settings,
            };
            let mut out = Vec::new();
            for check in &enabled {
                check.check_file(&cx, &mut out);
            }
            out
        })
        .collect();

    let corpus = Corpus { files, settings };
    for check in &enabled {
        check.check_corpus(&corpus, &mut findings);
    }

    apply_settings(files, settings, checks, &mut findings);
    findings
}

fn apply_settings(
    files: &[(Arc<Path>, SigmaFile)],
    settings: &Settings,
    checks: &[&dyn Check],
    findings: &mut Vec<Finding>,
) {
    let by_path: std::collections::HashMap<&Path, &SigmaFile> =
        files.iter().map(|(p, f)| (p.as_ref(), f)).collect();
    let mut suppressions: std::collections::HashMap<Arc<Path>, Suppressions> =
        std::collections::HashMap::new();
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
        let rule_id = rule_id_at(file, finding.span.start);
        if settings.exempt(meta, rule_id, &finding.path) {
            return false;
        }
        let suppress = suppressions
            .entry(Arc::clone(&finding.path))
            .or_insert_with(|| Suppressions::scan(&file.source));
        !suppress.covers(meta, finding.line())
    });
}

/// The id of the document that holds byte `offset`.
fn rule_id_at(file: &SigmaFile, offset: usize) -> Option<&str> {
    file.documents
        .iter()
        .map(|d| d.header())
        .take_while(|h| h.span.start <= offset)
        .last()
        .and_then(|h| h.id.as_ref())
        .map(|id| id.value.as_str())
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
