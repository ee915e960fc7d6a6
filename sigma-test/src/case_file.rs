//! Case files: the events a rule must match and must not match.
//!
//! ```yaml
//! rule: 4c5fba4a-9ef6-4f16-823d-606246054741   # rule id, or a path
//! cases:
//!   - name: ClickOnce service calls out on 8080
//!     expect: match              # or no-match
//!     event: {Image: 'C:\...\dfsvc.exe', DestinationPort: 8080}
//!   - name: recorded on a lab host
//!     expect: match
//!     file: data/dfsvc.evtx      # .evtx .json .jsonl .yml, relative to this file
//!     count: 1                   # optional: exactly this many matching events
//! ```
//!
//! Loading is lenient like rule loading: a broken case becomes a located
//! [`InputError`] of its own, and the file's other cases still run.

use std::path::{Path, PathBuf};

use sigma_core::events;
use sigma_core::span::{Span, Spanned};
use sigma_core::yaml::{Node, Resolved};

use crate::problem::InputError;
use crate::repo;

/// What a case expects of the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Expect {
    /// The rule must match (at least one event of a file, or exactly `count`).
    Match,
    /// The rule must match no event.
    NoMatch,
}

impl Expect {
    /// The spelling used in case files.
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Match => "match",
            Expect::NoMatch => "no-match",
        }
    }
}

/// Where a case's events come from.
#[derive(Clone, Debug, PartialEq)]
pub enum CaseInput {
    /// One event written in the case file (already flattened if it is a
    /// Windows event).
    Inline(serde_json::Value),
    /// An event file, resolved against the case file's directory.
    File(Spanned<PathBuf>),
}

/// One case of a case file.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// `name`.
    pub name: String,
    /// `expect`.
    pub expect: Expect,
    /// `event` or `file`.
    pub input: CaseInput,
    /// `count`: the exact number of matching events required.
    pub count: Option<usize>,
    /// Where the case is written.
    pub span: Span,
}

/// A case that could not be read, with its name when it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct BrokenCase {
    /// `name`, or `case N` when it has none.
    pub name: String,
    /// Why it cannot run.
    pub error: InputError,
}

/// A parsed case file.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseFile {
    /// The file.
    pub path: PathBuf,
    /// Where the files it names may lie; no case reads outside it.
    pub scope: repo::Scope,
    /// `rule`: the rule's id or path, as written.
    pub rule: Option<Spanned<String>>,
    /// The cases that can run.
    pub cases: Vec<Case>,
    /// The cases that cannot, each with its error.
    pub broken: Vec<BrokenCase>,
    /// Problems with the file as a whole (no `rule`, no `cases`).
    pub errors: Vec<InputError>,
}

impl CaseFile {
    /// Reads a case file from its parsed YAML `node`; `scope` says where
    /// the files it names may lie.
    pub fn from_yaml(path: &Path, scope: &repo::Scope, node: &Node) -> Self {
        let mut file = CaseFile {
            path: path.to_owned(),
            scope: scope.clone(),
            rule: None,
            cases: Vec::new(),
            broken: Vec::new(),
            errors: Vec::new(),
        };
        let Some(entries) = node.as_mapping() else {
            let message = format!("a case file is a mapping, found {}", node.kind_name());
            file.errors.push(InputError::at(path, node.span, message));
            return file;
        };

        for (key, _) in entries {
            if !matches!(key.as_str(), Some("rule" | "cases")) {
                let message = format!(
                    "unknown key `{}` (expected `rule`, `cases`)",
                    key.as_str().unwrap_or("?")
                );
                file.errors.push(InputError::at(path, key.span, message));
            }
        }

        match node.get("rule") {
            Some(rule) => match rule.as_scalar() {
                Some(scalar) if !rule.is_null() && !scalar.text.trim().is_empty() => {
                    file.rule = Some(Spanned::new(scalar.text.trim().to_owned(), rule.span));
                }
                _ => file.errors.push(InputError::at(
                    path,
                    rule.span,
                    "`rule` must be the rule's id or a path to it",
                )),
            },
            None => file.errors.push(InputError::at(
                path,
                node.span,
                "the case file has no `rule`",
            )),
        }

        match node.get("cases").map(|n| (n, n.as_sequence())) {
            Some((cases, Some([]))) => {
                let message = "`cases` is empty: write at least one case";
                file.errors.push(InputError::at(path, cases.span, message));
            }
            Some((_, Some(items))) => {
                for (index, item) in items.iter().enumerate() {
                    match read_case(path, scope, item) {
                        Ok(case) => file.cases.push(case),
                        Err(error) => file.broken.push(BrokenCase {
                            name: item
                                .get("name")
                                .and_then(Node::as_str)
                                .map_or_else(|| format!("case {}", index + 1), str::to_owned),
                            error,
                        }),
                    }
                }
            }
            Some((cases, None)) => file.errors.push(InputError::at(
                path,
                cases.span,
                format!("`cases` must be a list, found {}", cases.kind_name()),
            )),
            None => file.errors.push(InputError::at(
                path,
                node.span,
                "the case file has no `cases`",
            )),
        }
        file
    }
}

/// Whether a parsed YAML root looks like a case file rather than a rule.
pub fn is_case_file(node: &Node) -> bool {
    node.get("cases").is_some() && node.get("detection").is_none()
}

fn read_case(path: &Path, scope: &repo::Scope, node: &Node) -> Result<Case, InputError> {
    let error = |span: Span, message: &str| InputError::at(path, span, message);
    let Some(entries) = node.as_mapping() else {
        let message = format!("a case is a mapping, found {}", node.kind_name());
        return Err(InputError::at(path, node.span, message));
    };
    for (key, _) in entries {
        if !matches!(
            key.as_str(),
            Some("name" | "expect" | "event" | "file" | "count")
        ) {
            let message = format!(
                "unknown key `{}` (expected `name`, `expect`, `event`, `file`, `count`)",
                key.as_str().unwrap_or("?")
            );
            return Err(InputError::at(path, key.span, message));
        }
    }

    let name = match node.get("name") {
        Some(name) => match name.as_str() {
            Some(text) if !text.trim().is_empty() && !name.is_null() => text.trim().to_owned(),
            _ => return Err(error(name.span, "`name` must be non-empty text")),
        },
        None => return Err(error(node.span, "the case has no `name`")),
    };

    let expect = match node.get("expect") {
        Some(expect) => match expect.as_str() {
            Some("match") => Expect::Match,
            Some("no-match") => Expect::NoMatch,
            _ => return Err(error(expect.span, "`expect` must be `match` or `no-match`")),
        },
        None => {
            return Err(error(
                node.span,
                "the case has no `expect` (`match` or `no-match`)",
            ))
        }
    };

    let input = match (node.get("event"), node.get("file")) {
        (Some(_), Some(file)) => {
            return Err(error(file.span, "a case has `event` or `file`, not both"));
        }
        (None, None) => return Err(error(node.span, "the case has neither `event` nor `file`")),
        (Some(event), None) => {
            if event.as_mapping().is_none() {
                let message = format!("`event` must be a mapping, found {}", event.kind_name());
                return Err(InputError::at(path, event.span, message));
            }
            let json = events::yaml::to_json(event);
            CaseInput::Inline(events::windows::flatten(json))
        }
        (None, Some(file)) => CaseInput::File(event_file(path, scope, file)?),
    };

    let count = match node.get("count") {
        None => None,
        Some(count) => match count.as_scalar().map(|s| s.resolve()) {
            Some(Resolved::Int(n)) if n >= 0 => Some(n as usize),
            _ => {
                return Err(error(
                    count.span,
                    "`count` must be a whole number, 0 or more",
                ))
            }
        },
    };
    if count.is_some() && expect == Expect::NoMatch {
        let span = node.get("count").map_or(node.span, |c| c.span);
        return Err(error(span, "`count` goes with `expect: match`"));
    }

    Ok(Case {
        name,
        expect,
        input,
        count,
        span: node.span,
    })
}

fn event_file(
    path: &Path,
    scope: &repo::Scope,
    node: &Node,
) -> Result<Spanned<PathBuf>, InputError> {
    let Some(text) = node
        .as_str()
        .filter(|t| !t.trim().is_empty() && !node.is_null())
    else {
        return Err(InputError::at(path, node.span, "`file` must be a path"));
    };
    let relative = Path::new(text.trim());
    if events::EventFormat::from_path(relative).is_none() {
        let message = format!("`{text}` is not an event file (.evtx .json .jsonl .yml .yaml)");
        return Err(InputError::at(path, node.span, message));
    }

    let base = path.parent().unwrap_or(Path::new("."));
    let resolved = repo::normalise(&base.join(relative));
    if !scope.contains(&resolved) {
        let message = format!(
            "`{text}` lies outside the repository ({}) and the paths given; cases may only \
             read files inside them",
            scope.root.display()
        );
        return Err(InputError::at(path, node.span, message));
    }
    Ok(Spanned::new(resolved, node.span))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigma_core::yaml;

    fn load(text: &str) -> CaseFile {
        let documents = yaml::parse(text).unwrap();
        let root = documents[0].root.as_ref().unwrap();
        let scope = repo::Scope::root_only(Path::new("/repo"));
        CaseFile::from_yaml(Path::new("/repo/cases/x.yml"), &scope, root)
    }

    #[test]
    fn reads_inline_and_file_cases() {
        let file = load(
            "rule: 4c5fba4a-9ef6-4f16-823d-606246054741
cases:
  - name: calls out on 8080
    expect: match
    event: {Image: 'C:\\x\\dfsvc.exe', DestinationPort: 8080}
  - name: recorded
    expect: match
    file: data/dfsvc.evtx
    count: 2
",
        );
        assert!(file.errors.is_empty() && file.broken.is_empty(), "{file:?}");
        assert_eq!(
            file.rule.unwrap().value,
            "4c5fba4a-9ef6-4f16-823d-606246054741"
        );
        let event = serde_json::json!({"Image": "C:\\x\\dfsvc.exe", "DestinationPort": 8080});
        assert_eq!(file.cases[0].input, CaseInput::Inline(event));
        let CaseInput::File(path) = &file.cases[1].input else {
            panic!("a file case");
        };
        assert_eq!(path.value, Path::new("/repo/cases/data/dfsvc.evtx"));
        assert_eq!(file.cases[1].count, Some(2));
    }

    #[test]
    fn broken_cases_are_located_and_the_rest_still_load() {
        let file = load(
            "rule: r
cases:
  - name: fine
    expect: no-match
    event: {a: 1}
  - name: bad expect
    expect: maybe
    event: {a: 1}
  - name: escapes
    expect: match
    file: ../../etc/events.json
  - expect: match
    event: {a: 1}
  - name: both
    expect: match
    event: {a: 1}
    file: x.json
  - name: counted no-match
    expect: no-match
    count: 1
    file: x.json
",
        );
        assert_eq!(file.cases.len(), 1);
        let broken: Vec<_> = file
            .broken
            .iter()
            .map(|b| (b.name.as_str(), b.error.span.unwrap().location.line))
            .collect();
        assert_eq!(
            broken,
            vec![
                ("bad expect", 7),
                ("escapes", 11),
                ("case 4", 12),
                ("both", 17),
                ("counted no-match", 20),
            ]
        );
        assert!(file.broken[1]
            .error
            .message
            .contains("outside the repository"));
        assert_eq!(file.broken[2].error.message, "the case has no `name`");
    }

    #[test]
    fn file_level_problems_are_located() {
        let empty = load("rule: r\ncases: []\n");
        assert_eq!(
            empty.errors[0].message,
            "`cases` is empty: write at least one case"
        );

        let file = load("cases: {a: 1}\nextra: 1\n");
        let messages: Vec<_> = file.errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            vec![
                "/repo/cases/x.yml:2:1: unknown key `extra` (expected `rule`, `cases`)",
                "/repo/cases/x.yml:1:1: the case file has no `rule`",
                "/repo/cases/x.yml:1:8: `cases` must be a list, found a mapping",
            ]
        );
    }
}
