//! The spec table: CreateFunction as data, loaded from `specs/<profile>/`.

pub mod import;
