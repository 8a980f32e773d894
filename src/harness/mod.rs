//! A run: the spec, the cases, the endpoint (the embedded stub by default), and running every case.
//!
//! Used by both interfaces: the CLI (`lambda-conform run`) and the libtest-mimic binary
//! (`cargo test -- --endpoint URL`), so both judge exactly alike. The harness only runs things:
//! every outcome is decided by [`crate::oracle`].

mod check;
mod execute;
pub mod expectations;
pub mod lifecycle;
pub mod progress;
pub mod regressions;
mod sdk_twin;
mod session;

pub use check::{checks, Check};
pub use execute::{boundary, corpus, generated, instance_seed};
pub use lifecycle::Lifecycle;
pub use regressions::Regressions;
pub use session::{
    feasible_cases, infeasible_cases, ClientMode, RunConfig, RunError, Session, Snapshots,
};
