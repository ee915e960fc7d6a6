//! Which repository a test input belongs to, and keeping every file it
//! names inside that repository.
//!
//! A case file that says `file: ../../etc/passwd` must not make a CI job
//! read outside the checkout; neither may a rule's `regression_tests_path`.

use std::path::{Component, Path, PathBuf};

/// The repository `path` belongs to: the nearest ancestor holding `.git`
/// (a directory, or the file a worktree has); else the current directory
/// when `path` lies inside it (so `sigma-test rules cases` in an exported
/// tree lets a case name `../rules/x.yml`); else `fallback` (the path given
/// on the command line).
pub fn root_of(path: &Path, fallback: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok().map(|d| normalise(&d));
    root_with_cwd(path, fallback, cwd.as_deref())
}

fn root_with_cwd(path: &Path, fallback: &Path, cwd: Option<&Path>) -> PathBuf {
    // `..` is resolved first: the ancestors of `wt/../shared/x.yml` must not
    // include `wt`.
    let absolute = normalise(&absolute(path));
    if let Some(git) = absolute
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
    {
        return git.to_path_buf();
    }
    match cwd {
        Some(cwd) if absolute.starts_with(cwd) => cwd.to_path_buf(),
        _ => absolute_dir(fallback),
    }
}

/// Whether `path` lies inside `root`, judged on the path as written
/// (`..` resolved lexically) and, when it exists, on the real path (so a
/// symbolic link cannot lead out either).
pub fn is_inside(path: &Path, root: &Path) -> bool {
    let root_lexical = normalise(&absolute(root));
    if !normalise(&absolute(path)).starts_with(&root_lexical) {
        return false;
    }
    match (path.canonicalize(), root.canonicalize()) {
        (Ok(real), Ok(real_root)) => real.starts_with(real_root),
        _ => true,
    }
}

/// `path` made absolute against the current directory (not resolved).
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path))
    }
}

fn absolute_dir(path: &Path) -> PathBuf {
    let path = normalise(&absolute(path));
    if path.is_file() {
        path.parent().map_or(path.clone(), Path::to_path_buf)
    } else {
        path
    }
}

/// Resolves `.` and `..` without touching the file system.
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            // `..` above the start of a relative path is kept, so that
            // `../shared` stays where it points.
            Component::ParentDir => {
                let climbable = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if climbable {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_dot_cannot_leave_the_root() {
        let root = Path::new("/repo");
        assert!(is_inside(Path::new("/repo/cases/data/x.evtx"), root));
        assert!(is_inside(Path::new("/repo/cases/../data/x.evtx"), root));
        assert!(!is_inside(Path::new("/repo/cases/../../etc/passwd"), root));
        assert!(!is_inside(Path::new("/repository-other/x"), root));
        assert_eq!(normalise(Path::new("../a/./b/../c")), Path::new("../a/c"));
        assert_eq!(normalise(Path::new("/../a")), Path::new("/a"));
    }

    #[test]
    fn the_root_is_the_nearest_git_ancestor_or_the_fallback() {
        let dir = std::env::temp_dir().join(format!("sigma-repo-{}", std::process::id()));
        let nested = dir.join("repo/cases/windows");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(dir.join("repo/.git"), "gitdir: elsewhere").unwrap();
        let case = nested.join("x.yml");
        assert_eq!(root_of(&case, Path::new("/fallback")), dir.join("repo"));

        std::fs::remove_file(dir.join("repo/.git")).unwrap();
        let fallback = dir.join("repo/cases");
        assert_eq!(
            root_with_cwd(&case, &fallback, Some(&dir.join("repo"))),
            dir.join("repo"),
            "no .git: the current directory, which holds the case"
        );
        assert_eq!(
            root_with_cwd(&case, &fallback, Some(Path::new("/elsewhere"))),
            fallback,
            "no .git and not under the current directory: the path given"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
