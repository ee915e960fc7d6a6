//! SigmaHQ regression data: a rule's `regression_tests_path` names an
//! `info.yml` whose `regression_tests_info` lists `.evtx` files the rule
//! must match (at least once, or at least `match_count` times, as SigmaHQ's
//! regression runner counts them).
//!
//! SigmaHQ keeps a `.json` rendering beside each `.evtx`; both are run, so
//! the readers and the flattening are tested against each other too. A
//! missing `.evtx` that `info.yml` names is a failure; a `.json` absent
//! beside an existing `.evtx` is simply not run.

use std::path::{Path, PathBuf};

use sigma_core::span::Span;
use sigma_core::yaml::{self, Node, Resolved};

use crate::problem::InputError;
use crate::repo;

/// One event file a rule must match.
#[derive(Clone, Debug, PartialEq)]
pub struct RegressionTest {
    /// The test's `name` (with the file's extension appended by the runner).
    pub name: String,
    /// The event file, resolved against the rule repository's root.
    pub path: PathBuf,
    /// `match_count`: the least number of matching events required.
    pub match_count: Option<usize>,
    /// Where the entry is written in `info.yml`.
    pub span: Span,
}

/// What a rule's `info.yml` yields.
#[derive(Clone, Debug, PartialEq)]
pub struct RegressionInfo {
    /// The `info.yml` file.
    pub path: PathBuf,
    /// The tests that can run.
    pub tests: Vec<RegressionTest>,
    /// Entries that cannot (bad shape, outside the repository).
    pub errors: Vec<InputError>,
    /// The rule ids `rule_metadata` names, with where each is written: the
    /// data belongs to one of these rules.
    pub rule_ids: Vec<(String, Span)>,
}

/// Finds the root of the rule repository a rule belongs to: the nearest
/// ancestor of `rule_path` that holds `.git` or under which
/// `regression_tests_path` exists; otherwise `fallback`, or the folder
/// holding it when it is a file (the rule file named on the command line).
pub fn rule_repo_root(rule_path: &Path, regression_tests_path: &str, fallback: &Path) -> PathBuf {
    repo::normalise(&repo::absolute(rule_path))
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists() || dir.join(regression_tests_path).is_file())
        .map_or_else(
            || {
                let fallback = repo::normalise(&repo::absolute(fallback));
                match fallback.parent() {
                    Some(dir) if fallback.is_file() => dir.to_path_buf(),
                    _ => fallback,
                }
            },
            Path::to_path_buf,
        )
}

/// Reads the `info.yml` at `path`; `root` is the rule repository's root,
/// against which test paths are resolved.
pub fn read_info(path: &Path, root: &Path) -> Result<RegressionInfo, InputError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| InputError::file(path, format!("cannot read the regression info: {e}")))?;
    parse_info(path, root, &text)
}

/// Parses an `info.yml` read from `path`.
pub fn parse_info(path: &Path, root: &Path, text: &str) -> Result<RegressionInfo, InputError> {
    let documents = yaml::parse(text)
        .map_err(|e| InputError::at(path, e.span, format!("invalid YAML: {}", e.message)))?;
    let mut info = RegressionInfo {
        path: path.to_owned(),
        tests: Vec::new(),
        errors: Vec::new(),
        rule_ids: Vec::new(),
    };
    let Some(root_node) = documents.into_iter().find_map(|d| d.root) else {
        return Ok(info);
    };
    if let Some(metadata) = root_node.get("rule_metadata").and_then(Node::as_sequence) {
        info.rule_ids = metadata
            .iter()
            .filter_map(|m| m.get("id"))
            .filter_map(|id| Some((id.as_str()?.to_owned(), id.span)))
            .collect();
    }
    let Some(list) = root_node.get("regression_tests_info") else {
        return Ok(info);
    };
    let Some(items) = list.as_sequence() else {
        if !list.is_null() {
            let message = "`regression_tests_info` must be a list";
            info.errors.push(InputError::at(path, list.span, message));
        }
        return Ok(info);
    };

    for (index, item) in items.iter().enumerate() {
        match read_test(path, root, item, index) {
            Ok(Some(test)) => info.tests.push(test),
            Ok(None) => {}
            Err(error) => info.errors.push(error),
        }
    }
    Ok(info)
}

fn read_test(
    path: &Path,
    root: &Path,
    node: &Node,
    index: usize,
) -> Result<Option<RegressionTest>, InputError> {
    if node.as_mapping().is_none() {
        return Err(InputError::at(
            path,
            node.span,
            "a regression test is a mapping",
        ));
    }
    // Only `evtx` tests exist in SigmaHQ today; other types (`raw`) name
    // data no reader of ours understands, and are left to the runner to skip.
    let kind = node.get("type").and_then(Node::as_str).unwrap_or("evtx");
    if !kind.eq_ignore_ascii_case("evtx") {
        return Ok(None);
    }

    let name = node
        .get("name")
        .and_then(Node::as_str)
        .map_or_else(|| format!("test {}", index + 1), str::to_owned);
    let Some(file) = node.get("path") else {
        return Err(InputError::at(
            path,
            node.span,
            "the regression test has no `path`",
        ));
    };
    let Some(relative) = file.as_str().filter(|t| !t.trim().is_empty()) else {
        return Err(InputError::at(path, file.span, "`path` must be text"));
    };
    let resolved = repo::normalise(&root.join(relative.trim()));
    if !repo::is_inside(&resolved, root) {
        let message = format!("`{relative}` lies outside the rule repository");
        return Err(InputError::at(path, file.span, message));
    }

    let match_count = match node.get("match_count") {
        None => None,
        Some(count) => match count.as_scalar().map(|s| s.resolve()) {
            Some(Resolved::Int(n)) if n >= 0 => Some(n as usize),
            _ => {
                let message = "`match_count` must be a whole number";
                return Err(InputError::at(path, count.span, message));
            }
        },
    };
    Ok(Some(RegressionTest {
        name,
        path: resolved,
        match_count,
        span: node.span,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tests_with_counts() {
        let text = "id: x
regression_tests_info:
    - name: Positive Detection Test
      type: evtx
      match_count: 7
      path: regression_data/rules/a/b.evtx
    - name: Raw
      type: raw
      path: regression_data/rules/a/b.raw
    - name: Outside
      path: ../x.evtx
    - name: Bad count
      match_count: many
      path: regression_data/c.evtx
";
        let info = parse_info(Path::new("/r/info.yml"), Path::new("/r"), text).unwrap();
        assert!(info.rule_ids.is_empty());
        assert_eq!(info.tests.len(), 1);
        assert_eq!(
            info.tests[0].path,
            Path::new("/r/regression_data/rules/a/b.evtx")
        );
        assert_eq!(info.tests[0].match_count, Some(7));
        let errors: Vec<_> = info.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            errors,
            vec![
                "/r/info.yml:11:13: `../x.evtx` lies outside the rule repository",
                "/r/info.yml:13:20: `match_count` must be a whole number",
            ]
        );
    }

    #[test]
    fn rule_metadata_ids_are_kept() {
        let text = "rule_metadata:\n    - id: abc\n      title: t\n";
        let info = parse_info(Path::new("info.yml"), Path::new("/r"), text).unwrap();
        let ids: Vec<_> = info
            .rule_ids
            .iter()
            .map(|(id, span)| (id.as_str(), span.location.line))
            .collect();
        assert_eq!(ids, vec![("abc", 2)]);
    }

    #[test]
    fn commented_out_tests_yield_none() {
        let text = "id: x\n# regression_tests_info:\n#   - name: a\n";
        let info = parse_info(Path::new("info.yml"), Path::new("/r"), text).unwrap();
        assert!(info.tests.is_empty() && info.errors.is_empty());
    }
}

#[cfg(test)]
mod root_tests {
    use super::*;

    #[test]
    fn a_rule_file_named_alone_falls_back_to_its_folder() {
        let dir = std::env::temp_dir().join(format!("sigma-root-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("rules")).unwrap();
        let rule = dir.join("rules/r.yml");
        std::fs::write(&rule, "title: t\n").unwrap();

        let root = rule_repo_root(&rule, "regression_data/x/info.yml", &rule);
        assert_eq!(root, repo::normalise(&dir.join("rules")));

        std::fs::create_dir_all(dir.join("regression_data/x")).unwrap();
        std::fs::write(dir.join("regression_data/x/info.yml"), "").unwrap();
        let root = rule_repo_root(&rule, "regression_data/x/info.yml", &rule);
        assert_eq!(root, repo::normalise(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
