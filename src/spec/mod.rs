//! The spec table: CreateFunction as data, loaded from `specs/<profile>/`.
//!
//! `model.toml` is generated from botocore's model by [`import`]; `overlay.toml` is hand-written and says
//! what AWS does beyond the model, every row with its source. [`load`] merges and checks them.

pub mod import;
mod load;
pub mod message;
mod model;
mod overlay;
pub mod pattern;
mod rows;
pub mod validate;
mod view;

use std::path::Path;

pub use model::*;
pub use view::{json_view, table_view};

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "aws-2026";

/// The profiles built into the binary: name, model.toml, overlay.toml.
const EMBEDDED: &[(&str, &str, &str)] = &[
    (
        "aws-2026",
        include_str!("../../specs/aws-2026/model.toml"),
        include_str!("../../specs/aws-2026/overlay.toml"),
    ),
    (
        "seed-2020",
        include_str!("../../specs/seed-2020/model.toml"),
        include_str!("../../specs/seed-2020/overlay.toml"),
    ),
];

/// The names of the built-in profiles.
pub fn profiles() -> Vec<&'static str> {
    EMBEDDED.iter().map(|(n, _, _)| *n).collect()
}

/// A spec that cannot be used. Displayed as one line: `file:line: key: message`.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// A file's content is wrong.
    #[error("{file}:{line}: {key}: {message}")]
    Invalid {
        /// The file.
        file: String,
        /// The line (1-based; 0 when unknown).
        line: usize,
        /// The key at fault.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// No such profile.
    #[error("unknown profile `{0}` (built in: {1})")]
    UnknownProfile(String, String),
    /// A file could not be read.
    #[error("cannot read {0}: {1}")]
    Read(String, String),
}

/// Loads a profile: from `dir/<profile>/` when `dir` is given, else the copy built into the binary.
pub fn load(profile: &str, dir: Option<&Path>) -> Result<Spec, SpecError> {
    match dir {
        Some(dir) => {
            let model = dir.join(profile).join("model.toml");
            let overlay = dir.join(profile).join("overlay.toml");
            let read = |p: &Path| {
                std::fs::read_to_string(p)
                    .map_err(|e| SpecError::Read(p.display().to_string(), e.to_string()))
            };
            load_texts(
                &model.display().to_string(),
                &read(&model)?,
                &overlay.display().to_string(),
                &read(&overlay)?,
            )
        }
        None => {
            let Some((_, model, overlay)) = EMBEDDED.iter().find(|(n, _, _)| *n == profile) else {
                return Err(SpecError::UnknownProfile(
                    profile.to_string(),
                    profiles().join(", "),
                ));
            };
            load_texts(
                &format!("specs/{profile}/model.toml"),
                model,
                &format!("specs/{profile}/overlay.toml"),
                overlay,
            )
        }
    }
}

/// Loads a profile from the texts of its two files (names are used in error lines).
pub fn load_texts(
    model_name: &str,
    model: &str,
    overlay_name: &str,
    overlay: &str,
) -> Result<Spec, SpecError> {
    load::merge(model_name, model, overlay_name, overlay)
}
