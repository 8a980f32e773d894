//! What a run is told: the endpoint, profile, seed, clients, limits and timeouts
//! ([`RunConfig`]), filled by the CLI or the test binary.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::interrupt::Interrupt;
use crate::spec;
use crate::stub::Mutant;
use crate::transport::{EnvCredentials, Target};

/// Which clients send the cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ClientMode {
    /// Raw signed HTTP only.
    Raw,
    /// The official SDK only (cases it cannot express are skipped).
    Sdk,
    /// Raw HTTP for every case, and the SDK as well for every case it can express.
    #[default]
    Both,
}

/// Snapshot handling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Snapshots {
    /// No snapshots.
    Off,
    /// Compare every answer with `DIR/<profile>/<case>.snap` (insta; `INSTA_UPDATE` decides what a difference does).
    Check(PathBuf),
}

/// The default per-check deadline: room for 16 instances and a shrink at `--rps 5` shared by 8
/// checks, far below the minutes a drip-feeding endpoint would take.
pub const DEFAULT_CHECK_TIMEOUT: Duration = Duration::from_secs(120);

/// Everything a run needs to know. Filled by the CLI or the test binary (the only env readers).
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Spec profile.
    pub profile: String,
    /// Read the spec from this directory instead of the built-in copy.
    pub spec_dir: Option<PathBuf>,
    /// The endpoint; None starts the embedded stub.
    pub endpoint: Option<Url>,
    /// What the endpoint is (decides set-up and which cases can run).
    pub target: Target,
    /// The run seed.
    pub seed: u64,
    /// Instances per case class.
    pub cases: u32,
    /// Cases run at once (CLI).
    pub concurrency: usize,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Request-rate cap.
    pub rps: Option<f64>,
    /// Which clients.
    pub client: ClientMode,
    /// The execution role (required for real AWS).
    pub role: Option<String>,
    /// Region (else from the environment or `us-east-1` on loopback).
    pub region: Option<String>,
    /// Send unsigned requests.
    pub no_sign: bool,
    /// Credentials from the environment, read by the caller.
    pub env: EnvCredentials,
    /// Shrink steps at most per failure.
    pub max_shrink: u32,
    /// Where failing seeds are kept.
    pub regressions: Option<PathBuf>,
    /// Snapshot handling.
    pub snapshots: Snapshots,
    /// A deliberately broken stub (self-test).
    pub mutant: Option<Mutant>,
    /// How long to wait for a created function to leave Pending (lifecycle checks); also bounds
    /// the clean-up at the end of a run (at least 5 s).
    pub settle: Duration,
    /// Fired by SIGINT / SIGTERM: checks stop, clean-up runs, the report is partial.
    pub interrupt: Interrupt,
    /// Send exactly this frozen corpus (`run --corpus FILE`) instead of generating requests.
    pub corpus: Option<Arc<super::corpus::Corpus>>,
    /// Keep every exchange and verdict (for a results bundle, `run --bundle DIR`).
    pub record: bool,
    /// Longest answer body read, in bytes; a longer answer is a harness error (truncated).
    pub max_body: usize,
    /// A check's verdict requests stop after this long, and the check is a harness error.
    pub check_timeout: Duration,
    /// Where a remote run asks STS its account (default AWS's regional STS).
    pub sts_endpoint: Option<Url>,
    /// Build only the checks whose id contains this (`run --filter` without an expectation file or
    /// corpus): the case classes of other checks are not even probed for feasibility (unless the
    /// filter keeps a lifecycle check, which picks its requests among every class).
    pub only: Option<String>,
    /// Build each boundary instance once per process for the table, context, class and seed, and
    /// share it between the process's runs (a self-test runs one suite against many stubs).
    pub share_instances: bool,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            profile: spec::DEFAULT_PROFILE.into(),
            spec_dir: None,
            endpoint: None,
            target: Target::Stub,
            seed: 0,
            cases: 16,
            concurrency: 8,
            timeout: Duration::from_secs(10),
            rps: None,
            client: ClientMode::Both,
            role: None,
            region: None,
            no_sign: false,
            env: EnvCredentials::default(),
            max_shrink: 32,
            regressions: None,
            snapshots: Snapshots::Off,
            mutant: None,
            settle: Duration::from_secs(30),
            interrupt: Interrupt::new(),
            corpus: None,
            record: false,
            max_body: crate::transport::raw::DEFAULT_MAX_BODY,
            check_timeout: DEFAULT_CHECK_TIMEOUT,
            sts_endpoint: None,
            only: None,
            share_instances: false,
        }
    }
}
