//! lambda-conform tells where an AWS Lambda-compatible endpoint's **CreateFunction** differs from AWS,
//! with a minimal reproduction for every difference.
//!
//! The pipeline, one module per stage:
//!
//! | stage | module | what it does |
//! |---|---|---|
//! | spec | [`spec`] | CreateFunction as data: the botocore model plus the overlay of what AWS was recorded doing; [`spec::validate`] says what AWS answers to any request |
//! | generate | [`generate`] | case classes with stable ids read off the table, and proptest strategies for their requests |
//! | transport | [`transport`] | raw HTTP signed with SigV4, the official aws-sdk-lambda client, per-target set-up |
//! | oracle | [`oracle`] | an answer against the table: conformant, divergent, or not judged |
//! | report | [`report`] | JSON, JUnit XML, Markdown and HTML reports; the AWS parity score; the compatibility matrix |
//! | stub | [`stub`] | the embedded reference stub (the default endpoint) and its deliberately broken variants |
//!
//! [`wire`] holds the HTTP exchange every stage shares. [`harness`] runs a whole suite (the CLI and `cargo test -- --endpoint URL` share it), [`audit`]
//! judges recorded exchanges without sending anything, and [`cli`] holds the flags and exit codes.
//!
//! # Quick start
//!
//! ```text
//! cargo run -- run                                   # every check against the embedded stub
//! cargo test -- --endpoint http://127.0.0.1:5000     # the suite as libtest trials against an endpoint
//! cargo run -- spec --format json                    # the merged table
//! ```
//!
//! # Known limitations
//!
//! - The 413 size limits are in the table and the stub but are not generated (they need 50 MB bodies).
//! - Checks whose valid values name cloud resources (subnets, layers, KMS keys, images) run against the
//!   embedded stub only; elsewhere they are listed as skipped.
//! - What nobody recorded AWS doing is `assumed` in the table: such checks only ask for "some 4xx" and
//!   every divergence built on one says so.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod audit;
pub mod bundle;
pub mod cli;
pub mod generate;
pub mod harness;
pub mod oracle;
pub mod report;
pub mod spec;
pub mod stub;
pub mod transport;
pub mod wire;

#[cfg(test)]
mod unit_tests;

/// `cargo test`'s entry to the unit tests (the library's test target has no libtest harness).
#[cfg(test)]
fn main() -> std::process::ExitCode {
    unit_tests::main()
}
