//! The embedded reference stub: answers CreateFunction, GetFunction, GetFunctionConfiguration and
//! DeleteFunction exactly as the spec table says AWS does.
//!
//! It judges every CreateFunction with [`spec::validate::answer`](crate::spec::validate::answer), the
//! function the generators and the oracle use, so the three never disagree; a successful create is
//! answered with the FunctionConfiguration the table's defaults and response rules describe. It is the
//! endpoint `cargo test` runs against when none is given, so plain `cargo test` needs no network.
//!
//! - [`StubCore`]: the behaviour, without a server (routing, bounded state, the error wire format).
//! - [`start`] / [`start_blocking`]: on a wiremock server, for tests.
//! - [`serve`] / [`bind`]: on hyper directly, for `lambda-conform stub --port P`, whose memory stays flat.
//! - [`Mutant`]: deliberately broken variants, to check that the harness notices.
//!
//! ```no_run
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! let spec = Arc::new(lambda_conform::spec::load("aws-2026", None)?);
//! let stub = lambda_conform::stub::start_blocking(spec, None)?;
//! println!("CreateFunction at {}/2015-03-31/functions", stub.uri());
//! # Ok(()) }
//! ```

mod config;
mod core;
mod embedded;
pub mod mutants;
mod serve;
pub mod signature;
mod wire;

use std::net::SocketAddr;

pub use self::core::{
    Reply, StubCore, ACCOUNT, DEFAULT_ACTIVE_AFTER, DEFAULT_CAPACITY, DEFAULT_REGION, HANG,
};
pub use embedded::{start, start_blocking, start_blocking_with, start_with, EmbeddedStub};
pub use mutants::Mutant;
pub use serve::{bind, bind_with, serve, StubServer, MAX_BODY_BYTES};
pub use signature::SignatureCheck;
pub use wire::region_of;

/// Why a stub could not start.
#[derive(Debug, thiserror::Error)]
pub enum StubError {
    /// The long-running stub only listens on loopback addresses.
    #[error(
        "refusing to listen on {0}: the stub only listens on a loopback address such as 127.0.0.1"
    )]
    NotLoopback(SocketAddr),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {message}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The operating system's reason.
        message: String,
    },
    /// The stub's thread or runtime could not be started.
    #[error("cannot start the stub: {0}")]
    Runtime(String),
}
