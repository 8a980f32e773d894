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

/// The files a bundle holds: the hashed ones, then the vendor's file and the hash list itself.
pub const FILES: [&str; 10] = [
    "report.json",
    "junit.xml",
    "report.md",
    "report.html",
    HAR,
    CORPUS,
    RUN,
    BADGE,
    VENDOR,
    MANIFEST,
];

/// The files the hash list must name: all but the vendor's file and the list itself.
pub const HASHED: &[&str] = FILES.split_at(8).0;

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The hash list names every file but the vendor's and itself: reordering FILES must keep those
    /// two last.
    pub(crate) fn hashed_is_every_file_but_the_vendors_and_the_list() {
        assert_eq!(HASHED.len() + 2, FILES.len());
        assert_eq!(&FILES[HASHED.len()..], &[VENDOR, MANIFEST]);
    }
}
