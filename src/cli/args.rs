//! The flags and subcommands, as clap parses them.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::harness::ClientMode;
use crate::stub::Mutant;
use crate::transport::Target;

/// Tells where an AWS Lambda-compatible endpoint's CreateFunction differs from AWS, with a minimal
/// reproduction for every difference.
#[derive(Debug, Parser)]
#[command(
    name = "lambda-conform",
    version,
    after_help = "Exit codes: 0 conformant (unconfirmed allowed without --strict), 1 divergent, 2 usage or spec error, 3 set-up error or harness errors, 130 / 143 interrupted by SIGINT / SIGTERM (functions cleaned up, report marked partial)."
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
    /// Delete the functions earlier runs left behind: only names carrying one run prefix.
    Sweep(Box<SweepArgs>),
    /// Send the requests recorded against real AWS and score how many answers equal AWS's.
    Replay(Box<ReplayArgs>),
    /// One Markdown table, case id × endpoint, of several runs (report.json files, or endpoints to
    /// run), marking where they disagree with AWS's recordings and with each other.
    #[command(alias = "compat")]
    Matrix(MatrixArgs),
    /// Freeze every request a seed makes into a corpus file (`run --corpus FILE` sends exactly it).
    Corpus(CorpusArgs),
    /// Check a results bundle (`run --bundle DIR`) offline: file hashes, and every recorded
    /// exchange judged again against its recorded verdict.
    Verify(VerifyArgs),
    /// Join the reports of several runs of one suite (e.g. `run --shard K/N`) into one report.
    Merge(MergeArgs),
}

/// `corpus`.
#[derive(Debug, Args)]
pub struct CorpusArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: CorpusCommand,
}

/// `corpus freeze`.
#[derive(Debug, Subcommand)]
pub enum CorpusCommand {
    /// Write every CreateFunction request of every case class, with its expectation and evidence,
    /// one JSON line each (the same arguments give the same bytes).
    Freeze {
        /// Spec profile.
        #[arg(long, default_value = crate::spec::DEFAULT_PROFILE)]
        profile: String,
        /// Seed (hex or decimal).
        #[arg(long, default_value = "0")]
        seed: String,
        /// Instances per case class.
        #[arg(long, default_value_t = 16)]
        cases: u32,
        /// The file to write (`-` for standard output).
        #[arg(long)]
        out: PathBuf,
    },
}

/// `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle directory `run --bundle DIR` wrote.
    pub dir: PathBuf,
}

/// `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Endpoint and signing flags (`--endpoint` is required).
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// The run prefix whose functions to delete: `lc-` and 8 hex digits, as `run` names them
    /// (`lc-1a2b3c4d-…`). Other names are never touched.
    #[arg(long)]
    pub prefix: String,
    /// Only functions whose LastModified is at least this long ago (`90s`, `30m`, `2h`, `7d`, or seconds).
    #[arg(long, value_parser = parse_duration)]
    pub older_than: Option<Duration>,
    /// List what would be deleted; delete nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Parses `90`, `90s`, `30m`, `2h` or `7d`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (digits, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 90s, 30m, 2h or 7d"))?;
    let per = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "{s:?} is not a duration such as 90s, 30m, 2h or 7d"
            ))
        }
    };
    n.checked_mul(per)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{s:?} is too long"))
}

/// `replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Endpoint flags (as `run`; the embedded stub when no endpoint is given).
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Recorded exchanges (JSON lines or HAR) instead of the recordings built into the tool
    /// (tests/fixtures/aws-recorded.jsonl).
    #[arg(long)]
    pub recordings: Option<PathBuf>,
    /// Write replay.json here (default `reports/<target>`).
    #[arg(long)]
    pub report_dir: Option<PathBuf>,
    /// Less output: only the score line.
    #[arg(long, short)]
    pub quiet: bool,
}

/// `matrix` (alias `compat`).
#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// report.json files, one per endpoint, in column order (labelled by their target, or
    /// `label=PATH`). A replay.json beside a report.json adds that endpoint's parity score.
    pub reports: Vec<PathBuf>,
    /// Run these endpoints first (`label=URL`, the label a target kind or any name; `stub` alone
    /// runs the embedded stub), with reports in `reports/<label>/`.
    #[arg(long = "endpoint", value_name = "LABEL=URL")]
    pub endpoints: Vec<String>,
    /// Write the table to this file (e.g. COMPATIBILITY.md); prints it when absent.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Seed for `--endpoint` runs.
    #[arg(long)]
    pub seed: Option<String>,
    /// Instances per case class for `--endpoint` runs.
    #[arg(long, default_value_t = 8)]
    pub cases: u32,
}

/// The flags `cargo test -- …` hands to every test binary of the package: the conformance
/// binary's (`tests/conformance.rs`). The binaries that test something else (the library's unit
/// tests, the rest of `tests/`) accept them and ignore them.
#[derive(Debug, Args, Clone)]
pub struct TestBinaryArgs {
    /// Where the conformance trials send (and how).
    #[command(flatten)]
    pub endpoint: EndpointArgs,
    /// Compare answers with the snapshots (default: on for the embedded stub, off for an endpoint).
    #[arg(long)]
    pub snapshots: Option<bool>,
    /// Fail on unconfirmed trials too (always on for the embedded stub, the reference: it must not
    /// differ even from an assumption).
    #[arg(long)]
    pub strict: bool,
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
    /// Longest answer body read, in bytes; the rest is not read and the check is a harness error
    /// ("answer body over N bytes (truncated)").
    #[arg(long, value_name = "BYTES", default_value_t = crate::transport::raw::DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// Seconds a check may take; after that its requests stop and it is a harness error.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::harness::DEFAULT_CHECK_TIMEOUT.as_secs_f64())]
    pub check_timeout: f64,
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
    /// Allow an endpoint that is not on this machine without `--target aws` (a shared emulator).
    #[arg(long)]
    pub allow_remote: bool,
    /// The STS endpoint a remote run asks its account of (default `https://sts.REGION.amazonaws.com/`).
    #[arg(long, value_name = "URL")]
    pub sts_endpoint: Option<url::Url>,
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
    /// Send exactly the requests of this frozen corpus (`lambda-conform corpus freeze`); its
    /// profile is the run's.
    #[arg(long)]
    pub corpus: Option<PathBuf>,
    /// Write a results bundle here: the reports, every exchange (HAR 1.2), the corpus, a badge, a
    /// vendor.toml to fill in and SHA256SUMS (`lambda-conform verify DIR` checks it).
    #[arg(long)]
    pub bundle: Option<PathBuf>,
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
    /// Less output: only the summary line and the leak line (no progress bar or progress lines).
    #[arg(long, short)]
    pub quiet: bool,
    /// Seconds between progress lines when stderr is not a terminal (on a terminal: a bar).
    #[arg(long, default_value_t = 10.0)]
    pub progress_every: f64,
    /// Fail (exit 1) on unconfirmed trials too: differences from what the table only assumes AWS does.
    #[arg(long)]
    pub strict: bool,
    /// Run only part K of N of the checks (a stable split by a hash of the check id; `merge` joins
    /// the parts' reports).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::harness::Shard>,
    /// Every case id once with the fewest requests: one instance per class, successful creates
    /// shared by the valid classes that fit in one body, the lifecycle checks run on those shared
    /// creates (report.json says which request covered which case ids). No SDK twins.
    #[arg(long)]
    pub covering: bool,
}

/// `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Report directories (holding report.json) or report.json files, e.g. one per shard.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// Write the merged report.json, junit.xml, report.md and report.html here.
    #[arg(long)]
    pub report_dir: PathBuf,
    /// Fail (exit 1) on unconfirmed trials too.
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
    /// Refuse requests not signed (SigV4) with the harness's dummy loopback keys or with
    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, as AWS does (403 MissingAuthenticationTokenException,
    /// InvalidSignatureException, UnrecognizedClientException, IncompleteSignatureException).
    #[arg(long)]
    pub require_signature: bool,
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
