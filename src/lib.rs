//! lambda-conform: where an AWS Lambda-compatible endpoint's CreateFunction differs from AWS.
#![deny(missing_docs)]

pub mod generate;
pub mod report;
pub mod spec;
pub mod stub;
pub mod transport;
