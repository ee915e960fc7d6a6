//! Applies the fixes that checks attach to findings (`--fix`), or shows
//! them as a unified diff (`--diff`).
//!
//! Checks only describe edits; this module is the one place that changes
//! a file's text. Every byte outside an edit stays as it was. Edits that
//! overlap one already taken, or that do not fall on character
//! boundaries, are left out: the finding stays reported, and a second run
//! picks it up once the first edit is in.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use crate::finding::{Applicability, Edit, Finding};

/// What fixing changes in one file.
#[derive(Debug)]
pub struct FileFix {
    /// The file.
    pub path: Arc<Path>,
    /// Its text as linted.
    pub before: Arc<str>,
    /// Its text with the fixes applied.
    pub after: String,
}

/// The fixes of a run, file by file, and which findings they resolve.
#[derive(Debug, Default)]
pub struct Plan {
    /// Each file that changes.
    pub files: Vec<FileFix>,
    /// For each finding of the run (same order), whether a fix resolves it.
    pub resolved: Vec<bool>,
}

/// Works out every file's fixed text from a run's findings.
pub fn plan(findings: &[Finding], unsafe_fixes: bool) -> Plan {
    let mut by_file: BTreeMap<&Path, Vec<usize>> = BTreeMap::new();
    for (index, finding) in findings.iter().enumerate() {
        if finding.fix.is_some() {
            by_file.entry(&finding.path).or_default().push(index);
        }
    }

    let mut plan = Plan {
        files: Vec::new(),
        resolved: vec![false; findings.len()],
    };
    for indices in by_file.values() {
        let of_file: Vec<&Finding> = indices.iter().filter_map(|&i| findings.get(i)).collect();
        let Some(first) = of_file.first() else {
            continue;
        };
        let fixed = apply(&first.source, &of_file, unsafe_fixes);
        for (&index, applied) in indices.iter().zip(&fixed.applied) {
            if let Some(flag) = plan.resolved.get_mut(index) {
                *flag = *applied;
            }
        }
        if fixed.text != *first.source {
            plan.files.push(FileFix {
                path: Arc::clone(&first.path),
                before: Arc::clone(&first.source),
                after: fixed.text,
            });
        }
    }
    plan
}

/// Writes a fixed file, unless it changed on disk since it was linted (or
/// was read with a conversion): then every byte is left alone.
pub fn write(fix: &FileFix) -> Result<(), String> {
    let on_disk = std::fs::read(&fix.path)
        .map_err(|e| format!("{}: cannot read the file again: {e}", fix.path.display()))?;
    if on_disk != fix.before.as_bytes() {
        return Err(format!(
            "{}: not fixed: the file differs from the text that was linted",
            fix.path.display()
        ));
    }
    std::fs::write(&fix.path, &fix.after)
        .map_err(|e| format!("{}: cannot write the fixed file: {e}", fix.path.display()))
}

/// The outcome of fixing one file.
#[derive(Debug, PartialEq, Eq)]
pub struct Fixed {
    /// The new text.
    pub text: String,
    /// For each finding given, whether its fix was applied.
    pub applied: Vec<bool>,
}

/// Applies the fixes of `findings` (all of one file) to `source`.
///
/// Unsafe fixes are applied only when `unsafe_fixes` is set. A fix is
/// taken whole or not at all.
pub fn apply(source: &str, findings: &[&Finding], unsafe_fixes: bool) -> Fixed {
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = vec![false; findings.len()];

    for (index, finding) in findings.iter().enumerate() {
        let Some(fix) = &finding.fix else {
            continue;
        };
        if fix.applicability == Applicability::Unsafe && !unsafe_fixes {
            continue;
        }
        let fits = fix.edits.iter().all(|e| {
            e.start <= e.end
                && source.is_char_boundary(e.start)
                && source.is_char_boundary(e.end)
                && !taken.iter().any(|t| overlaps(t, e))
        });
        let within = fix
            .edits
            .iter()
            .enumerate()
            .all(|(i, e)| fix.edits.iter().skip(i + 1).all(|o| !overlaps(e, o)));
        if fits && within && !fix.edits.is_empty() {
            taken.extend(fix.edits.iter());
            if let Some(flag) = applied.get_mut(index) {
                *flag = true;
            }
        }
    }

    taken.sort_by_key(|e| (e.start, e.end));
    let mut text = String::with_capacity(source.len());
    let mut at = 0;
    for edit in taken {
        text.push_str(source.get(at..edit.start).unwrap_or(""));
        text.push_str(&edit.replacement);
        at = edit.end;
    }
    text.push_str(source.get(at..).unwrap_or(""));
    Fixed { text, applied }
}

/// Whether two edits touch the same bytes; two insertions at one place
/// also count, since their order would be a guess.
fn overlaps(a: &Edit, b: &Edit) -> bool {
    (a.start < b.end && b.start < a.end) || (a.start == b.start)
}

/// A unified diff of one file's text before and after, with paths as
/// `a/` and `b/` headers (see [`diff_name`]); empty when nothing changed.
pub fn unified_diff(path: &Path, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    let cwd = std::env::current_dir().ok();
    let name = diff_name(path, cwd.as_deref());
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

/// The path a diff header names, so that `git apply` (which strips the
/// `a/`) finds the file from the working directory: relative to `cwd` when
/// the file lies below it, without `.` components, and with no leading
/// `/` (which would make `a//tmp/r.yml`).
pub fn diff_name(path: &Path, cwd: Option<&Path>) -> String {
    use std::path::Component;

    // `..` is resolved against the working directory first: `git apply`
    // refuses a header that climbs (`a/../sub/r.yml`).
    let absolute = match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    let mut resolved: Vec<Component<'_>> = Vec::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(resolved.last(), Some(Component::Normal(_))) => {
                resolved.pop();
            }
            other => resolved.push(other),
        }
    }
    let resolved: std::path::PathBuf = resolved.iter().collect();
    let below = cwd.and_then(|cwd| resolved.strip_prefix(cwd).ok());
    let shown = below.unwrap_or(&resolved);
    let parts: Vec<String> = shown
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_owned()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect();
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::findings_of;

    const RULE: &str = "title: t   \ntags:\n  - Attack.T1059\ndetection:\n  sel:\n    \
                        EventID: 1\n  condition: sel";

    fn all_findings(source: &str) -> Vec<Finding> {
        let mut found = Vec::new();
        for code in ["A005", "D001"] {
            found.extend(findings_of(code, source));
        }
        found
    }

    #[test]
    fn safe_fixes_change_only_their_bytes() {
        let findings = all_findings(RULE);
        let refs: Vec<&Finding> = findings.iter().collect();
        assert!(refs.iter().any(|f| f.fix.is_some()), "{findings:?}");
        let fixed = apply(RULE, &refs, false);
        assert!(
            fixed.text.starts_with("title: t\ntags:\n"),
            "{}",
            fixed.text
        );
        assert!(fixed.text.ends_with("condition: sel\n"), "{:?}", fixed.text);
        let after: Vec<Finding> = all_findings(&fixed.text)
            .into_iter()
            .filter(|f| {
                f.fix
                    .as_ref()
                    .is_some_and(|x| x.applicability == Applicability::Safe)
            })
            .collect();
        assert!(after.is_empty(), "{after:?}");
    }

    #[test]
    fn overlapping_edits_keep_the_first() {
        let finding = |start, end, text: &str, applicability| {
            let mut f = findings_of("A005", "title: t \n").remove(0);
            f.fix = Some(crate::finding::Fix {
                message: "x".into(),
                applicability,
                edits: vec![Edit {
                    start,
                    end,
                    replacement: text.into(),
                }],
            });
            f
        };
        let a = finding(0, 5, "TITLE", Applicability::Safe);
        let b = finding(2, 4, "xx", Applicability::Safe);
        let c = finding(7, 8, "T", Applicability::Unsafe);
        let fixed = apply("title: t \n", &[&a, &b, &c], false);
        assert_eq!(fixed.text, "TITLE: t \n");
        assert_eq!(fixed.applied, vec![true, false, false]);
        let fixed = apply("title: t \n", &[&a, &b, &c], true);
        assert_eq!(fixed.text, "TITLE: T \n");
    }

    #[test]
    fn plan_and_write_keep_other_bytes() {
        let dir = std::env::temp_dir().join(format!("sigma-lint-fix-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let path = dir.join("r.yml");
        let source = "title: t  \r\nlevel: low";
        std::fs::write(&path, source).unwrap_or_default();
        let file = sigma_core::rule::SigmaFile::parse(path.clone(), source);
        let arc: Arc<Path> = Arc::from(path.as_path());
        let settings = crate::settings::Settings {
            select: vec!["A005".into()],
            ..Default::default()
        };
        let findings = crate::lint::lint_files(&[(arc, file)], &settings, crate::checks::ALL);
        let plan = plan(&findings, false);
        assert_eq!(plan.files.len(), 1);
        assert!(plan.resolved.iter().all(|r| *r), "{findings:?}");
        let fix = &plan.files[0];
        assert_eq!(fix.after, "title: t\r\nlevel: low\n");
        assert_eq!(write(fix), Ok(()));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap_or_default(),
            fix.after
        );
        assert!(
            write(fix).is_err(),
            "a file changed since linting is left alone"
        );
        std::fs::remove_dir_all(&dir).unwrap_or_default();
    }

    #[test]
    fn diff_names_the_file() {
        let diff = unified_diff(Path::new("r.yml"), "a\nb\n", "a\nc\n");
        assert!(diff.contains("--- a/r.yml\n+++ b/r.yml\n"), "{diff}");
        assert!(diff.contains("-b\n+c\n"), "{diff}");
        assert!(unified_diff(Path::new("r.yml"), "a\n", "a\n").is_empty());
    }

    #[test]
    fn diff_names_are_relative_without_dots_or_double_slashes() {
        let cwd = Some(Path::new("/work/repo"));
        let name = |path: &str| diff_name(Path::new(path), cwd);
        assert_eq!(name("./r.yml"), "r.yml");
        assert_eq!(name("./rules/./r.yml"), "rules/r.yml");
        assert_eq!(name("/work/repo/rules/r.yml"), "rules/r.yml");
        assert_eq!(name("/tmp/r.yml"), "tmp/r.yml");
        assert_eq!(name("../repo/rules/r.yml"), "rules/r.yml");
        assert_eq!(name("rules/../rules/r.yml"), "rules/r.yml");
        assert_eq!(name("../other/r.yml"), "work/other/r.yml");
        let diff = unified_diff(Path::new("./r.yml"), "a\n", "b\n");
        assert!(diff.starts_with("--- a/r.yml\n+++ b/r.yml\n"), "{diff}");
    }
}
