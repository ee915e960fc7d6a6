//! `sigma-test`: run Sigma rules against their test cases.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(sigma_test::cli::main())
}
