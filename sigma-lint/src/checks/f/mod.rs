//! Family F: detection body and field names.

pub mod empty_detection;
pub mod field_name_space;
pub mod unknown_field;
