//! Lints Sigma rules.
