//! The Sigma rule model and what every tool needs of it.
//!
//! `sigma-core` reads Sigma rules into a typed model whose every key and
//! value knows where it was written ([`yaml`], [`rule`]), parses conditions
//! ([`condition`]), and evaluates rules against events. It knows nothing of
//! lint checks, reports or case files: those live in `sigma-lint` and
//! `sigma-test`.
//!
//! ```
//! use sigma_core::rule::SigmaFile;
//!
//! let file = SigmaFile::parse("r.yml", "title: t\ndetection:\n  s: {a: 1}\n  condition: s\n");
//! let rule = file.rules().next().unwrap();
//! assert_eq!(rule.detection.conditions[0].value, "s");
//! ```

#![deny(missing_docs)]

pub mod analysis;
pub mod attack;
pub mod condition;
pub mod event;
pub mod events;
pub mod logsource;
pub mod matcher;
pub mod modifier;
pub mod reference;
pub mod rule;
pub mod span;
pub mod value;
pub mod yaml;
