//! Sending requests to an endpoint: raw signed HTTP for every case, the official SDK for the cases it can express.

mod curl;
pub mod deadline;
mod errors;
pub mod identity;
pub mod lambda_api;
pub mod raw;
pub mod record;
pub mod repro;
pub mod sdk;
mod sdk_output;
mod sdk_request;
pub mod secrets;
pub mod sign;
pub mod target;

pub use crate::wire::{WireRequest, WireResponse};
pub use curl::shell_quote;
pub use errors::{SetupError, TransportError};
pub use lambda_api::LambdaApi;
pub use raw::{Limiter, RawClient, RawConfig, RetryPolicy};
pub use repro::ReproContext;
pub use sdk::{SdkClient, SdkOutcome};
pub use secrets::Secrets;
pub use sign::{resolve_signing, EnvCredentials, Signing};
pub use target::{prepare, Target, TargetSetup};
