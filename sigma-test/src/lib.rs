//! Runs Sigma rules against their test cases.
//!
//! `sigma-test` finds rules and case files under the paths it is given
//! ([`discover`]), reads each case file ([`case_file`]) and each rule's
//! SigmaHQ regression data ([`regression`]), routes events to rules through
//! the log-source mapping and judges them with the matcher ([`runner`],
//! [`engine`]), and reports ([`report`]).
//!
//! ```no_run
//! use std::path::PathBuf;
//! use sigma_test::{discover, engine::SigmaEngine, runner};
//!
//! let corpus = discover::discover(&[PathBuf::from("rules"), PathBuf::from("cases")]).unwrap();
//! let options = runner::RunOptions::default();
//! let results = runner::run(&SigmaEngine::default(), &corpus, &options, &|| {});
//! println!("{}", runner::Summary::of(&results));
//! ```

mod bench;
pub mod case_file;
pub mod cli;
pub mod config;
pub mod coverage;
pub mod discover;
pub mod engine;
pub mod fuzz;
pub mod mutate;
pub mod pipe;
pub mod placeholders;
pub mod problem;
pub mod quality;
pub mod regression;
pub mod repo;
pub mod report;
pub mod runner;
pub mod scaffold;
