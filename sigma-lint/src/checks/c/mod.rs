//! Family C: rule metadata.

pub mod date_order;
pub(crate) mod dates;
pub mod document_structure;
pub mod duplicate_id;
pub mod duplicate_reference;
pub mod duplicate_title;
pub mod enum_value;
pub mod id_not_v4;
pub mod invalid_date;
pub mod invalid_id;
pub mod invalid_related;
pub mod missing_id;
pub mod missing_recommended;
pub mod missing_title;
pub mod title_style;
pub mod unknown_key;
