//! A run: the spec, the cases, the endpoint (the embedded stub by default), and running every case.
//!
//! Used by both interfaces: the CLI (`lambda-conform run`) and the libtest-mimic binary
//! (`cargo test -- --endpoint URL`), so both judge exactly alike. The harness only runs things:
//! every outcome is decided by [`crate::oracle`].

pub(crate) mod background;
mod check;
mod cleanup;
pub mod corpus;
mod covering;
mod covering_lifecycle;
mod execute;
pub mod expectations;
mod feasible;
mod instances;
mod interrupt;
pub(crate) mod lanes;
mod ledger;
pub mod lifecycle;
pub(crate) mod placeholders;
pub mod progress;
pub mod regressions;
pub mod replay;
mod run_config;
mod schedule;
mod sdk_twin;
pub mod sent;
mod session;
pub mod shard;

pub use check::{checks, Check};
pub use cleanup::{
    age, carries_prefix, clean_up, connect, is_run_prefix, list_prefixed, sweep, Listed, Swept,
};
pub use execute::{boundary, corpus, generated, instance_seed};
pub use feasible::{feasible_cases, feasible_matching, infeasible_cases};
pub use interrupt::{Interrupt, SIGINT, SIGTERM};
pub use ledger::{Ledger, Standing};
pub use lifecycle::Lifecycle;
pub use regressions::Regressions;
pub use run_config::{ClientMode, RunConfig, Snapshots, DEFAULT_CHECK_TIMEOUT};
pub use session::{RunError, Session};
pub use shard::Shard;
