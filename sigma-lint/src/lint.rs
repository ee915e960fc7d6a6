//! The run: discover files, parse them in parallel, run the checks, then
//! the cross-rule checks, then apply configuration to what was found.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use sigma_core::rule::SigmaFile;
use sigma_core::span::Span;

use crate::check::{Check, Corpus, CorpusFile, FileContext};
use crate::checks::a::text::span_at;
use crate::checks::a::unreadable_file::UnreadableFile;
use crate::finding::Finding;
use crate::settings::Settings;
use crate::suppress::Suppressions;

/// Files larger than this are reported, not parsed: no rule comes close.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// The top-level keys that make a YAML document a Sigma document. A file
/// found by walking a directory is linted only when one of its documents
/// has one of them at the root: SigmaHQ's `regression_data/**/info.yml`,
/// sigma-test case files (`rule:`, `cases:`) and data files such as a log
/// source mapping live beside rules and are not rules.
pub const SIGMA_ROOT_KEYS: [&str; 5] = ["title", "detection", "logsource", "correlation", "filter"];

/// What [`discover_all`] found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The files to lint, sorted and without duplicates.
    pub files: Vec<PathBuf>,
    /// Of `files`, those found by walking a directory, which are linted
    /// only if their text turns out to be Sigma ([`looks_like_sigma`]).
    /// Empty once [`discover_all`] has decided; [`walk`] leaves the
    /// decision to [`lint_discovered`], which reads each file only once.
    pub walked: std::collections::HashSet<PathBuf>,
    /// Paths that could not be used, with why.
    pub errors: Vec<(PathBuf, String)>,
    /// YAML files under a directory skipped because no document of theirs
    /// looks like a Sigma document (see [`SIGMA_ROOT_KEYS`]).
    pub skipped: Vec<PathBuf>,
    /// Directories given on the command line with no YAML file below them
    /// (a usage error: a mistyped path must not pass a CI run).
    pub empty_dirs: Vec<PathBuf>,
}

/// Finds the rule files under `paths`, as [`discover_all`], keeping only
/// the files and the errors.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let found = discover_all(paths);
    (found.files, found.errors)
}

/// Finds the rule files under `paths`: every `*.yml` and `*.yaml` below a
/// directory (hidden ones skipped) that looks like a Sigma document, and
/// every path given as a file whatever its name or content. Sorted, so
/// output and cross-rule checks do not depend on the file system's order.
/// A path that is neither a regular file nor a directory (missing, a fifo,
/// a device) is an error: linting nothing there would look like success.
///
/// This reads every walked file to decide; [`walk`] then
/// [`lint_discovered`] decide while linting, reading each file once.
pub fn discover_all(paths: &[PathBuf]) -> Discovery {
    let mut found = walk(paths);
    let walked = std::mem::take(&mut found.walked);
    let (files, skipped): (Vec<PathBuf>, Vec<PathBuf>) = found
        .files
        .into_iter()
        .partition(|path| !walked.contains(path) || may_be_sigma(path));
    found.files = files;
    found.skipped = skipped;
    found
}

/// Finds the files under `paths` as [`discover_all`] does, without reading
/// any: the files found by walking a directory are listed in
/// [`Discovery::walked`], for [`lint_discovered`] to keep or skip.
pub fn walk(paths: &[PathBuf]) -> Discovery {
    let mut found = Discovery::default();
    let mut named = Vec::new();
    for path in paths {
        if path.is_file() {
            named.push(path.clone());
            continue;
        }
        if !path.exists() {
            let error = "no such file or directory".to_owned();
            found.errors.push((path.clone(), error));
            continue;
        }
        if !path.is_dir() {
            let error = "not a regular file or a directory".to_owned();
            found.errors.push((path.clone(), error));
            continue;
        }

        // Hidden files and folders (`.github/`, `.sigma-lint.yml`) are
        // tooling, not rules.
        let walk = walkdir::WalkDir::new(path)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        let mut yaml_files = 0usize;
        for entry in walk {
            match entry {
                Ok(entry) if entry.file_type().is_file() && is_rule_file(entry.path()) => {
                    yaml_files += 1;
                    found.files.push(entry.into_path());
                }
                Ok(_) => {}
                Err(error) => {
                    let at = error.path().map_or_else(|| path.clone(), Path::to_path_buf);
                    found.errors.push((at, error.to_string()));
                }
            }
        }
        if yaml_files == 0 {
            found.empty_dirs.push(path.clone());
        }
    }
    // A file both named and walked is named: it is linted whatever it
    // holds, once, under the name given (`r.yml` and `./r.yml` are one).
    let named_keys: std::collections::HashSet<PathBuf> =
        named.iter().map(|p| without_dots(p)).collect();
    found
        .files
        .retain(|p| !named_keys.contains(&without_dots(p)));
    found.walked = found.files.iter().cloned().collect();
    found.files.extend(named);
    found.files.sort();
    found.files.dedup();
    found
}

/// `path` without its `.` components, to tell two spellings of one file.
fn without_dots(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| *c != std::path::Component::CurDir)
        .collect()
}

fn is_rule_file(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yml" | "yaml")
    )
}

/// Whether a file found under a directory should be linted. A file that
/// cannot be read, is too large or is not UTF-8 is kept, so that the run
/// reports it rather than passing over it in silence.
fn may_be_sigma(path: &Path) -> bool {
    let too_big = std::fs::metadata(path).map_or(true, |m| m.len() > MAX_FILE_BYTES);
    if too_big {
        return true;
    }
    match std::fs::read(path).map(String::from_utf8) {
        Ok(Ok(text)) => looks_like_sigma(&text),
        _ => true,
    }
}

/// Whether any document of `text` has a key of [`SIGMA_ROOT_KEYS`] at its
/// root, by a look at the lines, so that it also works on broken YAML (a
/// rule with a syntax error must still be reported). A root key is a line
/// starting at column 0 with the key, plain or quoted, then `:`. A root
/// written as a flow mapping (`{title: x}`) is not recognised; SigmaHQ and
/// the specification write rules as block mappings. Nested keys are
/// indented, and plain scalars continued at column 0 are not valid YAML
/// inside a root mapping, so a match is a root key.
pub fn looks_like_sigma(text: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start_matches('\u{feff}');
        let key_end = |rest: &str| rest.trim_start_matches([' ', '\t']).starts_with(':');
        SIGMA_ROOT_KEYS.iter().any(|key| {
            [("", ""), ("'", "'"), ("\"", "\"")]
                .iter()
                .any(|(open, close)| {
                    line.strip_prefix(open)
                        .and_then(|rest| rest.strip_prefix(key))
                        .and_then(|rest| rest.strip_prefix(close))
                        .is_some_and(key_end)
                })
        })
    })
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// What the checks found, sorted by file, line and column.
    pub findings: Vec<Finding>,
    /// How many files were read.
    pub files: usize,
}

/// The outcome of a run over a [`Discovery`] from [`walk`].
#[derive(Debug, Default)]
pub struct DiscoveredOutcome {
    /// As [`lint_paths`] gives it, for the files linted.
    pub outcome: Outcome,
    /// Walked files skipped because their text has no Sigma document,
    /// sorted.
    pub skipped: Vec<PathBuf>,
}

/// What reading one file gave.
enum Loaded {
    File(SigmaFile),
    /// A walked file with no Sigma document.
    NotSigma,
    Unreadable(Box<Finding>),
}

/// Reads and parses one file; an unreadable one becomes a finding. When
/// `walked`, a text with no Sigma document is not parsed: the file is
/// skipped (a file that cannot be read, is too large or is not UTF-8 is
/// reported rather than passed over in silence).
fn load(path: &Path, walked: bool) -> Loaded {
    let arc: Arc<Path> = Arc::from(path);
    // `shown` is the text the report quotes; `span` points into it.
    let unreadable_at = |shown: &str, span: Span, message: String| {
        Loaded::Unreadable(Box::new(Finding::new(
            &UnreadableFile::META,
            &arc,
            &Arc::from(shown),
            span,
            message,
        )))
    };
    let unreadable = |message: String| unreadable_at("", span_at("", 0, 0), message);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return unreadable(format!(
            "file is {size} bytes, more than the {MAX_FILE_BYTES} a rule may have"
        ));
    }
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => return unreadable(format!("cannot read the file: {e}")),
    };
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let bytes = e.as_bytes();
            if let Some(encoding) = utf16_encoding(bytes) {
                return unreadable(format!(
                    "cannot read the file: it is {encoding} (byte order mark), not UTF-8"
                ));
            }
            // Shown with the bad byte replaced by U+FFFD: the bytes before
            // it are valid, so its offset stays the same.
            let at = e.utf8_error().valid_up_to();
            let shown = String::from_utf8_lossy(bytes);
            let span = span_at(&shown, at, at + '\u{fffd}'.len_utf8());
            let byte = bytes.get(at).copied().unwrap_or(0);
            return unreadable_at(
                &shown,
                span,
                format!("cannot read the file: not valid UTF-8 (byte 0x{byte:02X} at offset {at})"),
            );
        }
    };
    if walked && !looks_like_sigma(&text) {
        return Loaded::NotSigma;
    }
    Loaded::File(SigmaFile::parse(path, text))
}

/// The UTF-16 encoding a text's byte order mark names. Windows editors
/// save "Unicode" text so; said by name, the fix is obvious.
fn utf16_encoding(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0xFF, 0xFE, ..] => Some("UTF-16 little-endian"),
        [0xFE, 0xFF, ..] => Some("UTF-16 big-endian"),
        _ => None,
    }
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
    let found = Discovery {
        files: paths.to_vec(),
        ..Discovery::default()
    };
    lint_discovered(&found, settings, checks, progress).outcome
}

/// Lints what [`walk`] found: each walked file is read once, on the
/// thread that lints it, and skipped there if it holds no Sigma document.
pub fn lint_discovered(
    found: &Discovery,
    settings: &Settings,
    checks: &[&dyn Check],
    progress: &(dyn Fn() + Sync),
) -> DiscoveredOutcome {
    let enabled = enabled(settings, checks);
    let per_file: Vec<(Vec<Finding>, Option<CorpusFile>, bool)> = found
        .files
        .par_iter()
        .map(|path| {
            let result = match load(path, found.walked.contains(path)) {
                Loaded::File(file) => {
                    let path: Arc<Path> = Arc::from(file.path.as_path());
                    let findings = check_file(&path, &file, settings, &enabled);
                    (findings, Some(CorpusFile::of(&path, &file)), false)
                }
                Loaded::NotSigma => (Vec::new(), None, true),
                Loaded::Unreadable(finding) => (vec![*finding], None, false),
            };
            progress();
            result
        })
        .collect();

    let mut findings = Vec::new();
    let mut corpus = Vec::with_capacity(per_file.len());
    let mut skipped = Vec::new();
    for ((found, file, not_sigma), path) in per_file.into_iter().zip(&found.files) {
        if not_sigma {
            skipped.push(path.clone());
        }
        findings.extend(found);
        corpus.extend(file);
    }
    finish(&corpus, settings, checks, &enabled, &mut findings);
    if !settings.enabled(&UnreadableFile::META) {
        findings.retain(|f| f.code != UnreadableFile::META.code);
    }
    sort(&mut findings);
    DiscoveredOutcome {
        outcome: Outcome {
            findings,
            files: found.files.len().saturating_sub(skipped.len()),
        },
        skipped,
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

    #[test]
    fn walked_files_are_kept_or_skipped_while_linting() {
        let dir = std::env::temp_dir().join(format!("sigma-lint-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes);
        write(
            "rule.yml",
            b"title: t\ndetection:\n  sel: {a: 1}\n  condition: sel\n",
        )
        .expect("temp file");
        write("case.yml", b"rule: rule.yml\ncases: []\n").expect("temp file");
        write("bad.yml", b"title: t\r\nid: \xc3\xa9\xff\n").expect("temp file");
        write("wide.yml", b"\xff\xfet\x00").expect("temp file");
        write("named.yml", b"cases: []\n").expect("temp file");

        let found = walk(&[dir.clone(), dir.join("named.yml")]);
        assert_eq!(found.files.len(), 5);
        assert!(!found.walked.contains(&dir.join("named.yml")));
        // Named and walked under two spellings, it is still one named file.
        let twice = walk(&[dir.join("."), dir.join("named.yml")]);
        assert_eq!(twice.files.len(), 5);
        assert!(twice.files.contains(&dir.join("named.yml")));
        assert!(!twice.walked.iter().any(|p| p.ends_with("named.yml")));
        let run = lint_discovered(&found, &Settings::default(), crate::checks::ALL, &|| {});
        let _ = std::fs::remove_dir_all(&dir);

        // The case file is skipped; the one named on the command line is
        // linted whatever it holds; the unreadable one is reported.
        assert_eq!(run.skipped, vec![dir.join("case.yml")]);
        assert_eq!(run.outcome.files, 4);
        let unreadable: Vec<_> = run
            .outcome
            .findings
            .iter()
            .filter(|f| f.code == UnreadableFile::META.code)
            .map(|f| {
                (
                    f.path.to_path_buf(),
                    f.line(),
                    f.column(),
                    f.message.clone(),
                )
            })
            .collect();
        assert_eq!(
            unreadable,
            vec![
                (
                    dir.join("bad.yml"),
                    2,
                    6,
                    "cannot read the file: not valid UTF-8 (byte 0xFF at offset 16)".to_owned()
                ),
                (
                    dir.join("wide.yml"),
                    1,
                    1,
                    "cannot read the file: it is UTF-16 little-endian (byte order mark), \
                     not UTF-8"
                        .to_owned()
                )
            ]
        );
    }

    #[test]
    fn root_keys_make_a_sigma_document() {
        assert!(looks_like_sigma("# c\nid: x\ndetection:\n  sel: {a: 1}\n"));
        assert!(looks_like_sigma("---\n\"title\" : t\n"));
        assert!(looks_like_sigma("\u{feff}logsource:\n  product: windows\n"));
        assert!(looks_like_sigma(
            "a: 1\n---\ncorrelation:\n  type: event_count\n"
        ));
        // A sigma-test case file, a regression `info.yml`, nested keys.
        assert!(!looks_like_sigma("rule: r.yml\ncases:\n  - title: t\n"));
        assert!(!looks_like_sigma("id: x\nrule_metadata:\n  - title: t\n"));
        assert!(!looks_like_sigma("titles: x\nfilters: y\n"));
    }
}
