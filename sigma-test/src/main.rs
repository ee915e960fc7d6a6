//! `sigma-test`: run Sigma rules against their test cases.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: event folding and rule
/// compilation allocate many small strings from several threads, where
/// glibc's malloc spent a tenth of the time growing and trimming arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    ExitCode::from(sigma_test::cli::main())
}
