//! The spec table: CreateFunction as data, loaded from `specs/<profile>/`.
//!
//! `model.toml` is generated from botocore's model by [`import`]; `cfn-lint.toml` (optional) is generated
//! by `make spec` from cfn-lint's Lambda schema extensions (AWS-maintained cross-member rules, `doc`);
//! `overlay.toml` is hand-written and says what AWS does beyond them, every row with its source.
//! [`load`] merges and checks them, in that order.

pub(crate) mod blob;
pub mod import;
mod load;
mod members;
pub mod message;
mod model;
pub mod openapi;
mod overlay;
mod path;
pub mod pattern;
mod place;
mod profiles;
mod response;
mod rows;
pub mod validate;
mod view;

pub use model::*;
pub use openapi::openapi_view;
pub use profiles::{
    load, load_texts, load_texts_with, profiles, SpecError, DEFAULT_PROFILE, RULES_FILE,
};
pub use view::{json_view, table_view};
