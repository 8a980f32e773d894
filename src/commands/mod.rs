//! One file per group of subcommands; `main.rs` dispatches to them.

pub(crate) mod audit;
pub(crate) mod certify;
pub(crate) mod out;
pub(crate) mod replay;
pub(crate) mod run;
pub(crate) mod stub;
pub(crate) mod sweep;
pub(crate) mod table;
