//! Helpers shared by the integration tests.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::PathBuf;

/// `../shared`: `$SIGMA_SHARED` if set, else beside the workspace root.
/// `None` (with a note on stderr) when it is absent, so a fresh clone
/// still passes.
pub fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("SIGMA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("..")
                .join("shared")
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared not found (set SIGMA_SHARED)");
        None
    }
}
