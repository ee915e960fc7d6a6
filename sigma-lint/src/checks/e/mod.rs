//! Family E: log source.

pub mod missing_logsource;
pub mod unknown_logsource;
pub mod unknown_logsource_key;
