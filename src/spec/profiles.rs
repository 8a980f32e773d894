//! The profiles built into the binary, and loading one from them or from a directory.

use std::path::Path;

use super::load::merge;
use super::Spec;

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "aws-2026";

/// The generated rules file of a profile, next to its model and overlay.
pub const RULES_FILE: &str = "cfn-lint.toml";

/// The profiles built into the binary: name, model.toml, cfn-lint.toml (if any), overlay.toml.
type Embedded = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);
const EMBEDDED: &[Embedded] = &[
    (
        "aws-2026",
        include_str!("../../specs/aws-2026/model.toml"),
        Some(include_str!("../../specs/aws-2026/cfn-lint.toml")),
        include_str!("../../specs/aws-2026/overlay.toml"),
    ),
    (
        "seed-2020",
        include_str!("../../specs/seed-2020/model.toml"),
        None,
        include_str!("../../specs/seed-2020/overlay.toml"),
    ),
];

/// The names of the built-in profiles.
pub fn profiles() -> Vec<&'static str> {
    EMBEDDED.iter().map(|(n, _, _, _)| *n).collect()
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
            let rules = dir.join(profile).join(RULES_FILE);
            let read = |p: &Path| {
                std::fs::read_to_string(p)
                    .map_err(|e| SpecError::Read(p.display().to_string(), e.to_string()))
            };
            let rules_text = if rules.exists() {
                Some(read(&rules)?)
            } else {
                None
            };
            let rules_name = rules.display().to_string();
            load_texts_with(
                &model.display().to_string(),
                &read(&model)?,
                rules_text.as_deref().map(|t| (rules_name.as_str(), t)),
                &overlay.display().to_string(),
                &read(&overlay)?,
            )
        }
        None => {
            let Some((_, model, rules, overlay)) =
                EMBEDDED.iter().find(|(n, _, _, _)| *n == profile)
            else {
                return Err(SpecError::UnknownProfile(
                    profile.to_string(),
                    profiles().join(", "),
                ));
            };
            let rules_name = format!("specs/{profile}/{RULES_FILE}");
            load_texts_with(
                &format!("specs/{profile}/model.toml"),
                model,
                rules.map(|t| (rules_name.as_str(), t)),
                &format!("specs/{profile}/overlay.toml"),
                overlay,
            )
        }
    }
}

/// Loads a profile from the texts of its model and overlay (names are used in error lines).
pub fn load_texts(
    model_name: &str,
    model: &str,
    overlay_name: &str,
    overlay: &str,
) -> Result<Spec, SpecError> {
    merge(model_name, model, None, overlay_name, overlay)
}

/// Loads a profile from the texts of its model, its generated rules file (`(name, text)`, if any) and
/// its overlay.
pub fn load_texts_with(
    model_name: &str,
    model: &str,
    rules: Option<(&str, &str)>,
    overlay_name: &str,
    overlay: &str,
) -> Result<Spec, SpecError> {
    merge(model_name, model, rules, overlay_name, overlay)
}
