//! SigmaHQ regression data: a rule's `regression_tests_path` names an
//! `info.yml` whose `regression_tests_info` lists `.evtx` files the rule
//! must match (at least once, or exactly `match_count` times).
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
    /// `match_count`: the exact number of matching events required.
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
}

/// Finds the root of the rule repository a rule belongs to: the nearest
/// ancestor of `rule_path` that holds `.git` or under which
/// `regression_tests_path` exists; otherwise `fallback`.
pub fn rule_repo_root(rule_path: &Path, regression_tests_path: &str, fallback: &Path) -> PathBuf {
    repo::normalise(&repo::absolute(rule_path))
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists() || dir.join(regression_tests_path).is_file())
        .map_or_else(
            || repo::normalise(&repo::absolute(fallback)),
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
    };
    let Some(root_node) = documents.into_iter().find_map(|d| d.root) else {
        return Ok(info);
    };
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
    fn commented_out_tests_yield_none() {
        let text = "id: x\n# regression_tests_info:\n#   - name: a\n";
        let info = parse_info(Path::new("info.yml"), Path::new("/r"), text).unwrap();
        assert!(info.tests.is_empty() && info.errors.is_empty());
    }
}
