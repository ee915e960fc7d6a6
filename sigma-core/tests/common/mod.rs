//! What the corpus tests share: where `../shared` is.

use std::path::{Path, PathBuf};

/// The shared corpus: `$SIGMA_SHARED`, else `../shared` beside the
/// workspace. `None`, with a note on stderr, when it is absent, so a fresh
/// clone still passes.
pub fn shared() -> Option<PathBuf> {
    let dir = match std::env::var_os("SIGMA_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: ../shared not found");
        None
    }
}
