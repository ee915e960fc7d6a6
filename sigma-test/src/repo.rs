//! Which repository a test input belongs to, and keeping every file it
//! names inside that repository.
//!
//! A case file that says `file: ../../etc/passwd` must not make a CI job
//! read outside the checkout; neither may a rule's `regression_tests_path`.
//! The answer must not depend on the directory `sigma-test` is started in:
//! the same command gives the same verdict from anywhere.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// Where the files a case file names may lie: its repository, and every
/// path given on the command line (those the user chose to run, so they are
/// inside by definition).
#[derive(Clone, Debug, PartialEq)]
pub struct Scope {
    /// The repository root: the nearest ancestor of the case file holding
    /// `.git` (a directory, or the file a worktree has); else the deepest
    /// common ancestor of the paths given. Rule paths and mirrored rules are
    /// looked up under it.
    pub root: PathBuf,
    /// The paths given on the command line, absolute, `..` resolved, a file
    /// replaced by its directory. Shared by every case file of a run.
    pub given: Arc<[PathBuf]>,
}

impl Scope {
    /// The scope of the case file at `path`, found under the command-line
    /// paths `given` (as made by [`given_dirs`]).
    pub fn of(path: &Path, given: &Arc<[PathBuf]>) -> Scope {
        let absolute = normalise(&absolute(path));
        let git = absolute
            .ancestors()
            .skip(1)
            .find(|dir| dir.join(".git").exists());
        let root = match git {
            Some(dir) => dir.to_path_buf(),
            None => common_ancestor(given).unwrap_or_else(|| parent_dir(&absolute)),
        };
        Scope {
            root,
            given: Arc::clone(given),
        }
    }

    /// A scope of `root` alone (tests, and callers without command-line
    /// paths).
    pub fn root_only(root: &Path) -> Scope {
        Scope {
            root: root.to_path_buf(),
            given: Arc::from(Vec::new()),
        }
    }

    /// Whether `path` may be read: inside the root or a given path.
    pub fn contains(&self, path: &Path) -> bool {
        is_inside(path, &self.root) || self.given.iter().any(|dir| is_inside(path, dir))
    }
}

/// The command-line paths as [`Scope::given`] holds them.
pub fn given_dirs(paths: &[PathBuf]) -> Arc<[PathBuf]> {
    paths.iter().map(|p| absolute_dir(p)).collect()
}

/// The deepest directory holding every one of `dirs`; `None` when there is
/// none below the file-system root (`/tmp/a` and `/home/b`): the root would
/// let a case read every file of the machine, so only the paths given count.
fn common_ancestor(dirs: &[PathBuf]) -> Option<PathBuf> {
    let (first, rest) = dirs.split_first()?;
    let common = first
        .ancestors()
        .find(|dir| rest.iter().all(|other| other.starts_with(dir)))?;
    let below_root = common
        .components()
        .any(|c| matches!(c, Component::Normal(_)));
    below_root.then(|| common.to_path_buf())
}

fn parent_dir(path: &Path) -> PathBuf {
    path.parent()
        .map_or_else(|| path.to_path_buf(), Path::to_path_buf)
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
    fn the_root_is_the_nearest_git_ancestor_else_the_common_ancestor() {
        let dir = std::env::temp_dir().join(format!("sigma-repo-{}", std::process::id()));
        let nested = dir.join("repo/cases/windows");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::create_dir_all(dir.join("repo/rules")).unwrap();
        std::fs::write(dir.join("repo/.git"), "gitdir: elsewhere").unwrap();
        let case = nested.join("x.yml");
        let given = given_dirs(&[dir.join("repo/cases")]);
        assert_eq!(Scope::of(&case, &given).root, dir.join("repo"));

        std::fs::remove_file(dir.join("repo/.git")).unwrap();
        let given = given_dirs(&[dir.join("repo/rules"), dir.join("repo/cases/../cases")]);
        let scope = Scope::of(&case, &given);
        assert_eq!(scope.root, dir.join("repo"), "no .git: the common ancestor");
        assert!(scope.contains(&dir.join("repo/rules/r.yml")));
        assert!(!scope.contains(&dir.join("elsewhere.yml")));

        let given = given_dirs(&[dir.join("repo/cases")]);
        let scope = Scope::of(&case, &given);
        assert_eq!(scope.root, dir.join("repo/cases"), "one path: that path");
        assert!(!scope.contains(&dir.join("repo/rules/r.yml")));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn paths_sharing_only_the_file_system_root_count_one_by_one() {
        let given = given_dirs(&[PathBuf::from("/a/rules"), PathBuf::from("/b/cases")]);
        let scope = Scope::of(Path::new("/b/cases/x.yml"), &given);
        assert_eq!(scope.root, Path::new("/b/cases"));
        assert!(scope.contains(Path::new("/a/rules/r.yml")));
        assert!(!scope.contains(Path::new("/etc/passwd")));
    }
}
