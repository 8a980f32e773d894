//! What a bundle holds: its file names and `run.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The hash list's file name.
pub const MANIFEST: &str = "SHA256SUMS";
/// The vendor's file (not hashed: the vendor edits it).
pub const VENDOR: &str = "vendor.toml";
/// The exchanges.
pub const HAR: &str = "exchanges.har";
/// The corpus.
pub const CORPUS: &str = "corpus.jsonl";
/// The run's facts.
pub const RUN: &str = "run.json";
/// The badge.
pub const BADGE: &str = "badge.svg";

/// What `run.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunFacts {
    /// `lambda-conform`.
    pub tool: String,
    /// The tool's version.
    pub version: String,
    /// The spec profile.
    pub profile: String,
    /// The target kind.
    pub target: String,
    /// The endpoint.
    pub endpoint: String,
    /// The run seed.
    pub seed: String,
    /// sha256 of corpus.jsonl.
    pub corpus_sha256: String,
    /// The region the oracle judged with.
    pub region: Option<String>,
    /// The account the oracle judged with.
    pub account: Option<String>,
    /// Start time.
    pub started: String,
    /// Each level's status (`core: pass`).
    pub levels: BTreeMap<String, String>,
}
