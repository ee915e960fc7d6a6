//! Finding rules and case files under the paths given on the command line.
//!
//! Every `*.yml`/`*.yaml` file is parsed once: a document with `detection`
//! is a rule, a mapping with `cases` is a case file, anything else (SigmaHQ
//! `info.yml`, configuration) is ignored. Hidden directories and `target`
//! are not entered.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use sigma_core::rule::{Rule, SigmaDocument, SigmaFile};

use crate::case_file::{self, CaseFile};
use crate::problem::InputError;
use crate::repo;

/// One rule of a rule file.
#[derive(Clone, Debug)]
pub struct RuleEntry {
    /// The file it is in.
    pub file: Arc<SigmaFile>,
    /// Its document's index in the file.
    pub document: usize,
    /// The command-line path it was found under (the fallback repository
    /// root when no `.git` is found above it).
    pub base: PathBuf,
}

impl RuleEntry {
    /// The rule.
    pub fn rule(&self) -> Option<&Rule> {
        match self.file.documents.get(self.document)? {
            SigmaDocument::Rule(rule) => Some(rule),
            _ => None,
        }
    }

    /// The rule's id as written, if any.
    pub fn id(&self) -> Option<&str> {
        self.rule()?.header.id.as_ref().map(|id| id.value.as_str())
    }
}

/// What the paths hold.
#[derive(Debug, Default)]
pub struct Corpus {
    /// Every rule, in path order.
    pub rules: Vec<RuleEntry>,
    /// Every case file, in path order.
    pub case_files: Vec<CaseFile>,
    /// Files that could not be read or parsed.
    pub errors: Vec<InputError>,
    /// The ids of correlation rules, with their files: a case that names
    /// one must say they are not supported, not miss it.
    pub correlations: Vec<(String, PathBuf)>,
    /// Paths given that hold neither a rule nor a case file, while others
    /// do (SigmaHQ's `rules*` may match such a folder): worth a note, not
    /// a failed run. When every path is so, discovery fails instead.
    pub empty_paths: Vec<PathBuf>,
}

impl Corpus {
    /// The rule with id `id` (compared case-insensitively, as ids are UUIDs).
    pub fn rule_by_id(&self, id: &str) -> Option<&RuleEntry> {
        self.rules_by_id(id).into_iter().next()
    }

    /// Every rule with id `id`, in path order (more than one is a mistake
    /// a case must not paper over).
    pub fn rules_by_id(&self, id: &str) -> Vec<&RuleEntry> {
        self.rules
            .iter()
            .filter(|r| r.id().is_some_and(|mine| mine.eq_ignore_ascii_case(id)))
            .collect()
    }

    /// The file of the correlation rule with id `id`, if any.
    pub fn correlation_by_id(&self, id: &str) -> Option<&Path> {
        self.correlations
            .iter()
            .find(|(mine, _)| mine.eq_ignore_ascii_case(id))
            .map(|(_, path)| path.as_path())
    }

    /// The first rule of the file at `path`.
    pub fn rule_by_path(&self, path: &Path) -> Option<&RuleEntry> {
        let wanted = path.canonicalize().ok()?;
        self.rules
            .iter()
            .find(|r| r.file.path.canonicalize().is_ok_and(|p| p == wanted))
    }
}

/// Why discovery could not start: a path that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("{}: no such file or directory", path.display())]
pub struct MissingPath {
    /// The path as given.
    pub path: PathBuf,
}

/// Why there is nothing to run: a path given is missing, or holds no rule
/// and no case file (an empty folder, a mistyped name): a run that tests
/// nothing must not pass.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// A path that does not exist.
    #[error(transparent)]
    Missing(#[from] MissingPath),
    /// Paths under which no file is a rule or a case file: every path
    /// given.
    #[error("{}: no rule and no case file found", list(.0))]
    Empty(Vec<PathBuf>),
}

/// Paths as a message lists them: `a, b`.
fn list(paths: &[PathBuf]) -> String {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    shown.join(", ")
}

/// The YAML files under `paths`, sorted within each path.
pub fn yaml_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, PathBuf)>, MissingPath> {
    let mut found = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for base in paths {
        if !base.exists() {
            return Err(MissingPath { path: base.clone() });
        }
        if base.is_file() {
            found.push((base.clone(), base.clone()));
            continue;
        }
        let walker = walkdir::WalkDir::new(base)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                let name = entry.file_name().to_string_lossy();
                entry.depth() == 0 || !(name.starts_with('.') || name == "target")
            });
        for entry in walker.flatten() {
            let path = entry.path();
            let is_yaml = path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"));
            if entry.file_type().is_file() && is_yaml {
                found.push((path.to_path_buf(), base.clone()));
            }
        }
    }
    // Overlapping paths (`rules rules/windows`) must not run a rule twice.
    if paths.len() > 1 {
        found.retain(|(path, _)| seen.insert(path.canonicalize().unwrap_or_else(|_| path.clone())));
    }
    Ok(found)
}

enum Loaded {
    /// The rules of a file, and the ids of its correlation rules.
    Rules(Vec<RuleEntry>, Vec<(String, PathBuf)>),
    Cases(CaseFile),
    Nothing,
    Error(InputError),
}

/// What discovery keeps of each rule file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Everything: the runner reads keys outside the typed model
    /// (`regression_tests_path`) from each rule's YAML tree.
    Trees,
    /// The typed model and the text only. The YAML tree of a rule is about
    /// a third of a loaded corpus's memory, and `match` never reads it:
    /// dropping each as it is read lets the next file reuse its pages.
    TypedModel,
}

/// Reads every rule and case file under `paths`, in parallel.
pub fn discover(paths: &[PathBuf]) -> Result<Corpus, DiscoverError> {
    discover_keeping(paths, Keep::Trees)
}

/// As [`discover`], keeping of each rule what `keep` says.
pub fn discover_keeping(paths: &[PathBuf], keep: Keep) -> Result<Corpus, DiscoverError> {
    let files = yaml_files(paths)?;
    let given = repo::given_dirs(paths);
    let loaded: Vec<Loaded> = files
        .par_iter()
        .map(|(path, base)| load(path, base, &given, keep))
        .collect();

    // A file that is neither a rule nor a case file yields nothing; one
    // that cannot be read yields its error, which is something to report.
    // Overlapping paths (`rules rules/windows`) share their files, so each
    // path is checked against every yielding file, not only its own.
    let yielding: Vec<PathBuf> = files
        .iter()
        .zip(&loaded)
        .filter(|(_, item)| !matches!(item, Loaded::Nothing))
        .map(|((path, _), _)| repo::normalise(&repo::absolute(path)))
        .collect();
    let empty_paths: Vec<PathBuf> = paths
        .iter()
        .filter(|path| {
            let wanted = repo::normalise(&repo::absolute(path));
            !yielding.iter().any(|file| file.starts_with(&wanted))
        })
        .cloned()
        .collect();
    if !paths.is_empty() && empty_paths.len() == paths.len() {
        return Err(DiscoverError::Empty(empty_paths));
    }

    let mut corpus = Corpus {
        empty_paths,
        ..Corpus::default()
    };
    for item in loaded {
        match item {
            Loaded::Rules(rules, correlations) => {
                corpus.rules.extend(rules);
                corpus.correlations.extend(correlations);
            }
            Loaded::Cases(case_file) => corpus.case_files.push(case_file),
            Loaded::Nothing => {}
            Loaded::Error(error) => corpus.errors.push(error),
        }
    }
    Ok(corpus)
}

fn load(path: &Path, base: &Path, given: &Arc<[PathBuf]>, keep: Keep) -> Loaded {
    let file = match SigmaFile::read(path) {
        Ok(file) => file,
        Err(e) => return Loaded::Error(InputError::file(path, format!("cannot read: {e}"))),
    };
    if let Some(error) = &file.syntax_error {
        let message = format!("invalid YAML: {}", error.message);
        return Loaded::Error(InputError::at(path, error.span, message));
    }

    let case_root = file.documents.iter().find_map(|d| match d {
        SigmaDocument::Other(header) => header.root.as_ref().filter(|r| case_file::is_case_file(r)),
        _ => None,
    });
    if let Some(root) = case_root {
        let scope = repo::Scope::of(path, given);
        return Loaded::Cases(CaseFile::from_yaml(path, &scope, root));
    }

    let mut file = file;
    if keep == Keep::TypedModel {
        for document in &mut file.documents {
            if let SigmaDocument::Rule(rule) = document {
                rule.header.root = None;
            }
        }
    }
    let file = Arc::new(file);
    let rules: Vec<RuleEntry> = file
        .documents
        .iter()
        .enumerate()
        .filter(|(_, d)| matches!(d, SigmaDocument::Rule(_)))
        .map(|(document, _)| RuleEntry {
            file: Arc::clone(&file),
            document,
            base: base.to_path_buf(),
        })
        .collect();
    let correlations: Vec<(String, PathBuf)> = file
        .documents
        .iter()
        .filter_map(|d| match d {
            SigmaDocument::Correlation(c) => c.header.id.as_ref().map(|id| id.value.clone()),
            _ => None,
        })
        .map(|id| (id, path.to_path_buf()))
        .collect();
    if rules.is_empty() && correlations.is_empty() {
        Loaded::Nothing
    } else {
        Loaded::Rules(rules, correlations)
    }
}

/// Loads the rule file at `path` on its own (a case file names a rule by
/// path that the command line did not include).
pub fn load_rule_file(path: &Path, base: &Path) -> Result<Vec<RuleEntry>, InputError> {
    match load(path, base, &Arc::from(Vec::new()), Keep::Trees) {
        Loaded::Rules(rules, _) => Ok(rules),
        Loaded::Error(error) => Err(error),
        Loaded::Cases(_) | Loaded::Nothing => {
            Err(InputError::file(path, "not a rule file (no `detection`)"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_rules_and_case_files_and_skips_the_rest() {
        let dir = std::env::temp_dir().join(format!("sigma-discover-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for sub in ["rules", "cases", ".hidden", "target", "regression_data"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let rule = "title: t\nid: r1\ndetection: {s: {a: 1}, condition: s}\n";
        let write = |path: &str, text: &str| std::fs::write(dir.join(path), text).unwrap();
        write("rules/a.yml", rule);
        write(
            "rules/two.yaml",
            &format!("{rule}---\ntitle: u\nid: r2\ndetection: {{}}\n"),
        );
        write(".hidden/b.yml", rule);
        write("target/c.yml", rule);
        write("rules/notes.txt", rule);
        write(
            "cases/a.yml",
            "rule: r1\ncases:\n  - {name: n, expect: match, event: {a: 1}}\n",
        );
        write("regression_data/info.yml", "regression_tests_info: []\n");
        write("rules/broken.yml", "title: 'open\n");

        let corpus = discover(std::slice::from_ref(&dir)).unwrap();
        let mut ids: Vec<_> = corpus.rules.iter().filter_map(RuleEntry::id).collect();
        ids.sort_unstable();
        assert_eq!(ids, vec!["r1", "r1", "r2"]);
        assert_eq!(corpus.case_files.len(), 1);
        assert_eq!(corpus.case_files[0].cases.len(), 1);
        assert_eq!(corpus.errors.len(), 1);
        assert!(corpus.errors[0].message.starts_with("invalid YAML"));
        assert_eq!(corpus.rule_by_id("R1").map(|r| r.document), Some(0));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[cfg(test)]
mod keep_tests {
    use super::*;

    #[test]
    fn only_the_typed_model_is_kept_when_asked() {
        let dir = std::env::temp_dir().join(format!("sigma-keep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let rule = "title: t\nid: r1\nregression_tests_path: x/info.yml\n\
                    detection: {s: {a: 1}, condition: s}\n";
        std::fs::write(dir.join("r.yml"), rule).unwrap();

        let tree = |keep| {
            let corpus = discover_keeping(std::slice::from_ref(&dir), keep).unwrap();
            let entry = corpus.rules.first().expect("one rule");
            let rule = entry.rule().expect("a rule");
            (
                rule.header.get("regression_tests_path").is_some(),
                rule.header.title.as_ref().map(|t| t.value.clone()),
            )
        };
        assert_eq!(tree(Keep::Trees), (true, Some("t".to_owned())));
        assert_eq!(tree(Keep::TypedModel), (false, Some("t".to_owned())));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
