//! Runs Sigma rules against their test cases.
