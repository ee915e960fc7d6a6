//! Lints Sigma rules: every finding names a file, a line and a column.
//!
//! The pieces: [`check`] (the `Check` trait and check metadata),
//! [`checks`] (one file per check, and the registry), [`finding`] (what a
//! check reports), [`settings`] and [`config`] (what runs, how), [`lint`]
//! (the run itself) and [`report`] (output formats).
//!
//! ```
//! use std::{path::Path, sync::Arc};
//! use sigma_core::rule::SigmaFile;
//! use sigma_lint::{checks, lint, settings::Settings};
//!
//! let path: Arc<Path> = Arc::from(Path::new("r.yml"));
//! let file = SigmaFile::parse("r.yml", "title: t\nid: not-a-uuid\n");
//! let findings = lint::lint_files(&[(path, file)], &Settings::default(), checks::ALL);
//! assert!(findings.iter().any(|f| f.name == "invalid-id"));
//! ```

pub mod check;
pub mod checks;
pub mod config;
pub mod finding;
pub mod fix;
pub mod lint;
pub mod report;
pub mod schema;
pub mod settings;
pub mod sigma_cli;
pub mod suppress;

#[cfg(test)]
pub(crate) mod testing;
