//! The command line: flags, environment variables (this is the only place that reads them), exit codes.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::harness::{ClientMode, RunConfig, Snapshots};
use crate::stub::Mutant;
use crate::transport::{EnvCredentials, Target};

/// Exit codes of the `lambda-conform` command.
pub mod exit_code {
    /// No trial diverged (unconfirmed ones allowed unless `--strict`; or, with `--expectations`,
    /// exactly the expected trials differ).
    pub const CONFORMANT: u8 = 0;
    /// A divergence on evidence (with `--strict` also an unconfirmed one), or the expectation file no
    /// longer holds.
    pub const DIVERGENT: u8 = 1;
    /// Bad flags or a bad spec / expectation file.
    pub const USAGE: u8 = 2;
    /// Set-up failed (endpoint unreachable, no credentials, the target could not be prepared), or no
    /// divergence but some trials could not be judged (harness errors).
    pub const SETUP: u8 = 3;
}

/// Tells where an AWS Lambda-compatible endpoint's CreateFunction differs from AWS, with a minimal
/// reproduction for every difference.
#[derive(Debug, Parser)]
#[command(
    name = "lambda-conform",
    version,
    after_help = "Exit codes: 0 conformant (unconfirmed allowed without --strict), 1 divergent, 2 usage or spec error, 3 set-up error or harness errors."
)]
pub struct Cli {
    /// Read spec tables from this directory instead of the copy built into the binary.
    #[arg(long, global = true, env = "CONFORMANCE_SPEC_DIR")]
    pub spec_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the suite against an endpoint (the embedded reference stub when none is given).
    Run(Box<RunArgs>),
    /// Print the merged spec table, or import botocore's model into it.
    Spec(SpecArgs),
    /// List the case classes, or export every request a seed makes.
    Cases(CasesArgs),
    /// Serve the embedded reference stub on 127.0.0.1 until interrupted.
    Stub(StubArgs),
    /// Judge recorded exchanges (HAR 1.2 or JSON lines) without sending anything.
    Audit(AuditArgs),
    /// Write the compatibility table of several runs' report.json into the README.
    Compat(CompatArgs),
}

/// `compat`.
#[derive(Debug, Args)]
pub struct CompatArgs {
    /// report.json files, one per target, in column order.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// The README to write the table into (between the compat markers); prints it when absent.
    #[arg(long)]
    pub readme: Option<PathBuf>,
}

/// Flags shared by everything that sends requests.
#[derive(Debug, Args, Clone)]
pub struct EndpointArgs {
    /// The endpoint, e.g. http://127.0.0.1:5000. Without it, the embedded stub.
    #[arg(long, env = "CONFORMANCE_ENDPOINT")]
    pub endpoint: Option<url::Url>,
    /// What the endpoint is: decides set-up (role, reset) and which cases can run.
    #[arg(long, value_enum, env = "CONFORMANCE_TARGET")]
    pub target: Option<Target>,
    /// Spec profile.
    #[arg(long, env = "CONFORMANCE_PROFILE", default_value = crate::spec::DEFAULT_PROFILE)]
    pub profile: String,
    /// Run seed (hex or decimal); the same seed sends the same requests. Random when absent.
    #[arg(long, env = "CONFORMANCE_SEED")]
    pub seed: Option<String>,
    /// Generated instances per case class.
    #[arg(long, env = "CONFORMANCE_CASES", default_value_t = 16)]
    pub cases: u32,
    /// Which clients send the cases.
    #[arg(long, value_enum, default_value_t = ClientMode::Both)]
    pub client: ClientMode,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 10.0)]
    pub timeout: f64,
    /// At most this many requests per second (default: none on loopback, 5 elsewhere).
    #[arg(long)]
    pub rps: Option<f64>,
    /// The execution role ARN (required for --target aws).
    #[arg(long, env = "CONFORMANCE_ROLE")]
    pub role: Option<String>,
    /// The region to sign for.
    #[arg(long)]
    pub region: Option<String>,
    /// Send unsigned requests.
    #[arg(long)]
    pub no_sign: bool,
    /// Run against a deliberately broken embedded stub (self-test; see `lambda-conform stub --list-mutants`).
    #[arg(long)]
    pub mutant: Option<Mutant>,
}

/// `run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Endpoint and generation flags.
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Cases run at once.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Write report.json, junit.xml, report.md and report.html here.
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Known divergences of this target: pass when exactly these diverge.
    #[arg(long)]
    pub expectations: Option<PathBuf>,
    /// Rewrite the expectation file from this run.
    #[arg(long, requires = "expectations")]
    pub update_expectations: bool,
    /// Compare every answer with the snapshots in `DIR/<profile>/` (insta; see README).
    #[arg(long)]
    pub snapshots: Option<PathBuf>,
    /// Record this endpoint's answers as the snapshots under `--snapshots DIR` (insta's `INSTA_UPDATE=always`).
    #[arg(long, requires = "snapshots")]
    pub record: bool,
    /// Where failing seeds are kept (default `regressions/<target>.txt`; `none` to keep none).
    #[arg(long)]
    pub regressions: Option<String>,
    /// Only case ids containing this text.
    #[arg(long)]
    pub filter: Option<String>,
    /// Seconds to wait for a created function to leave Pending in the lifecycle checks.
    #[arg(long, default_value_t = 30.0)]
    pub settle: f64,
    /// Less output: only the summary line (no progress bar or progress lines).
    #[arg(long, short)]
    pub quiet: bool,
    /// Seconds between progress lines when stderr is not a terminal (on a terminal: a bar).
    #[arg(long, default_value_t = 10.0)]
    pub progress_every: f64,
    /// Fail (exit 1) on unconfirmed trials too: differences from what the table only assumes AWS does.
    #[arg(long)]
    pub strict: bool,
}

/// Output formats of `spec`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SpecFormat {
    /// One line per constraint.
    Table,
    /// The merged table as JSON.
    Json,
    /// The request and response schemas and the error answers as an OpenAPI 3.1 document (JSON).
    Openapi,
}

/// `spec`.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// Spec profile.
    #[arg(long, default_value = crate::spec::DEFAULT_PROFILE)]
    pub profile: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SpecFormat::Table)]
    pub format: SpecFormat,
    /// Import instead of printing.
    #[command(subcommand)]
    pub import: Option<SpecCommand>,
}

/// `spec import`.
#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Write `specs/<profile>/model.toml` from botocore's service-2.json(.gz).
    Import {
        /// Path to botocore/data/lambda/2015-03-31/service-2.json (or .json.gz).
        #[arg(long)]
        botocore: PathBuf,
        /// The botocore version (else read from the package next to the file).
        #[arg(long)]
        botocore_version: Option<String>,
        /// The profile to write.
        #[arg(long)]
        profile: String,
        /// The output file (default `specs/<profile>/model.toml`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Output formats of `cases`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum CasesFormat {
    /// One case id per line, with its kind.
    List,
    /// Every request the seed makes, as JSON lines (the certification corpus).
    Jsonl,
}

/// `cases`.
#[derive(Debug, Args)]
pub struct CasesArgs {
    /// Spec profile.
    #[arg(long, default_value = crate::spec::DEFAULT_PROFILE)]
    pub profile: String,
    /// Run seed.
    #[arg(long)]
    pub seed: Option<String>,
    /// Instances per case class (for --format jsonl).
    #[arg(long, default_value_t = 16)]
    pub cases: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CasesFormat::List)]
    pub format: CasesFormat,
    /// List the case classes the generator cannot build for this profile instead.
    #[arg(long)]
    pub infeasible: bool,
}

/// `stub`.
#[derive(Debug, Args)]
pub struct StubArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 9001)]
    pub port: u16,
    /// Spec profile.
    #[arg(long, default_value = crate::spec::DEFAULT_PROFILE)]
    pub profile: String,
    /// Serve a deliberately broken variant.
    #[arg(long)]
    pub mutant: Option<Mutant>,
    /// List the broken variants and exit.
    #[arg(long)]
    pub list_mutants: bool,
}

/// `audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// HAR 1.2 files or JSON-lines files of exchanges.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Spec profile.
    #[arg(long, default_value = crate::spec::DEFAULT_PROFILE)]
    pub profile: String,
    /// Write the reports here.
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// The region the exchanges were made in, when the requests do not say (no signature, no Host).
    #[arg(long)]
    pub region: Option<String>,
    /// The caller's account, for the ARN-account check.
    #[arg(long)]
    pub account: Option<String>,
    /// Less output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Fail (exit 1) on unconfirmed exchanges too.
    #[arg(long)]
    pub strict: bool,
}

/// Parses a seed given in hex (`0x…` or 16 hex digits) or decimal.
pub fn parse_seed(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let hex = t
        .strip_prefix("0x")
        .map(|h| (h, true))
        .unwrap_or((t, t.len() == 16));
    let parsed = if hex.1 {
        u64::from_str_radix(hex.0, 16)
    } else {
        t.parse::<u64>().or_else(|_| u64::from_str_radix(t, 16))
    };
    parsed
        .map_err(|_| format!("--seed (or CONFORMANCE_SEED) {s:?} is not a number (hex or decimal)"))
}

/// A fresh random seed.
pub fn random_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    t ^ (u64::from(std::process::id()) << 32)
}

/// Credentials from the environment (read here, handed down).
pub fn env_credentials() -> EnvCredentials {
    EnvCredentials {
        access_key_id: std::env::var("AWS_ACCESS_KEY_ID").ok(),
        secret_access_key: std::env::var("AWS_SECRET_ACCESS_KEY").ok(),
        session_token: std::env::var("AWS_SESSION_TOKEN").ok(),
    }
}

impl EndpointArgs {
    /// The run configuration these flags describe.
    pub fn config(&self, spec_dir: Option<PathBuf>) -> Result<RunConfig, String> {
        let seed = match &self.seed {
            Some(s) => parse_seed(s)?,
            None => random_seed(),
        };
        if self.timeout.is_nan() || self.timeout <= 0.0 || self.timeout > 3600.0 {
            return Err(format!(
                "--timeout {} must be between 0 and 3600 seconds",
                self.timeout
            ));
        }
        if let Some(r) = self.rps {
            if r.is_nan() || r <= 0.0 {
                return Err(format!("--rps {r} must be greater than 0"));
            }
        }
        if let Some(e) = &self.endpoint {
            if !matches!(e.scheme(), "http" | "https") || e.host_str().is_none() {
                return Err(format!("--endpoint {e} must be an http(s) URL with a host"));
            }
            if e.path() != "/" || e.query().is_some() || e.fragment().is_some() {
                return Err(format!(
                    "--endpoint {e} must be the service root, without a path or query (the harness adds /2015-03-31/…): e.g. {}://{}{}/",
                    e.scheme(),
                    e.host_str().unwrap_or_default(),
                    e.port().map(|p| format!(":{p}")).unwrap_or_default()
                ));
            }
        }
        if self.cases == 0 {
            return Err("--cases (or CONFORMANCE_CASES) must be at least 1".into());
        }
        let target = match (self.target, &self.endpoint) {
            (Some(t), _) => t,
            (None, None) => Target::Stub,
            (None, Some(url)) if url.host_str().is_some_and(|h| h.ends_with("amazonaws.com")) => {
                Target::Aws
            }
            (None, Some(_)) => Target::Stub,
        };
        let loopback = self
            .endpoint
            .as_ref()
            .is_none_or(crate::transport::sign::is_loopback);
        let rps = self.rps.or(if loopback { None } else { Some(5.0) });
        if self.mutant.is_some() && self.endpoint.is_some() {
            return Err("--mutant runs the embedded stub; it cannot go with --endpoint".into());
        }
        Ok(RunConfig {
            profile: self.profile.clone(),
            spec_dir,
            endpoint: self.endpoint.clone(),
            target,
            seed,
            cases: self.cases,
            timeout: Duration::from_secs_f64(self.timeout),
            rps,
            client: self.client,
            role: self.role.clone(),
            region: self.region.clone(),
            no_sign: self.no_sign,
            env: env_credentials(),
            mutant: self.mutant,
            snapshots: Snapshots::Off,
            ..RunConfig::default()
        })
    }
}
