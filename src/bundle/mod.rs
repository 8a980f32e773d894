//! Results bundles: what a vendor publishes (`run --bundle DIR`) and anyone checks offline
//! (`lambda-conform verify DIR`).
//!
//! A bundle holds:
//! - `report.json`, `junit.xml`, `report.md`, `report.html`: the reports;
//! - `exchanges.har`: every exchange the run made with the Lambda API (HAR 1.2; requests as the
//!   harness built them, before signing, so no credential is in the file). A check's judged request
//!   carries `_check` and `_verdict` (the oracle's outcome and findings on that exchange alone);
//!   read-back and clean-up calls carry `_check`; a request that got no answer has status 0 and `_error`.
//!   The SDK twins' requests go through aws-sdk-lambda's own HTTP stack and are not in it;
//! - `corpus.jsonl`: the frozen corpus of what the case classes sent (its sha256 is the report's
//!   `corpus_sha256`);
//! - `run.json`: tool version, profile, target, endpoint, seed, corpus sha256, the region and account
//!   the oracle judged with, the levels;
//! - `badge.svg`: the highest level passed and the date;
//! - `vendor.toml`: product, version and contact, for the vendor to fill in — **not** in the hash
//!   list, because it is meant to be edited after the run;
//! - `SHA256SUMS`: the sha256 of every other file (`sha256sum -c SHA256SUMS` reads it).
//!
//! [`verify`] finds every problem, one line each naming the file: a hash that does not match, a
//! file missing or not listed, a report whose Markdown, HTML or JUnit is not what report.json
//! renders to, counts or levels that its trials do not give, a recorded verdict that the oracle,
//! judging the recorded exchange again, does not give, and a check whose reported outcome none of
//! its recorded exchanges supports.

pub(crate) mod layout;
mod verify;
mod write;

pub use layout::{RunFacts, BADGE, CORPUS, FILES, HAR, HASHED, MANIFEST, RUN, VENDOR};
pub use verify::verify;
pub use write::{badge, check_target, har, vendor_template, write_bundle, BundleError};
