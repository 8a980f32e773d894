//! The command line: flags, environment variables (this is the only place that reads them), exit codes.

mod args;
mod config;
pub mod exit_code;

pub use args::{
    parse_duration, AuditArgs, CasesArgs, CasesFormat, Cli, Command, CorpusArgs, CorpusCommand,
    EndpointArgs, MatrixArgs, MergeArgs, ReplayArgs, RunArgs, SpecArgs, SpecCommand, SpecFormat,
    StubArgs, SweepArgs, TestBinaryArgs, VerifyArgs,
};
pub use config::{credential_sources, env_credentials, parse_seed, random_seed, stub_keys};
