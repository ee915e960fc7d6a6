//! Family L: JSON Schema.

pub mod schema_violation;
