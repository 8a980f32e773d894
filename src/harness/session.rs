//! A prepared run: the table, the endpoint (the embedded stub by default), the clients and counters,
//! and sending its requests. How its checks are run: [`super::schedule`].

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use url::Url;

use crate::generate::{Case, Context};
use crate::oracle::Facts;
use crate::report::{Report, Summary, Tool, TrialRecord};
use crate::spec::{self, Spec, SpecError};
use crate::stub::{self, EmbeddedStub};
use crate::transport::{
    resolve_signing, target, LambdaApi, RawClient, RawConfig, ReproContext, SdkClient, SetupError,
    Target,
};

use super::background::Background;
use super::check::{checks, Check};
use super::feasible::{feasible_cases, feasible_matching};
use super::lanes::{Lane, Lanes};
use super::ledger::Ledger;
use super::regressions::Regressions;
use super::run_config::{ClientMode, RunConfig};

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The spec is unusable (exit 2).
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The endpoint, credentials or target could not be set up (exit 3).
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The embedded stub did not start (exit 3).
    #[error("the embedded stub did not start: {0}")]
    Stub(String),
    /// The async runtime did not start (exit 3).
    #[error("could not start the async runtime: {0}")]
    Runtime(String),
}

impl RunError {
    /// The documented exit code: 2 spec/usage, 3 set-up.
    pub fn exit_code(&self) -> u8 {
        match self {
            RunError::Spec(_) => 2,
            _ => 3,
        }
    }
}

/// A prepared run.
pub struct Session {
    /// The merged table.
    pub spec: Arc<Spec>,
    /// Names, role, code.
    pub ctx: Arc<Context>,
    /// The configuration.
    pub config: RunConfig,
    /// The raw client with the run's request counters (outside a lane: see [`Session::api`]).
    main_api: LambdaApi,
    /// The SDK client outside a lane, when the run uses it (see [`Session::sdk`]).
    main_sdk: Option<Background<SdkClient>>,
    main_runtime: tokio::runtime::Runtime,
    /// The check threads' own runtimes and clients.
    pub(super) lanes: Lanes,
    _stub: Option<EmbeddedStub>,
    pub(super) facts: Facts,
    pub(super) endpoint_label: String,
    pub(super) regressions: Mutex<Regressions>,
    pub(super) started: String,
    cases: std::sync::OnceLock<Vec<Case>>,
    /// The run's functions that may still exist (deleted by [`super::clean_up`]).
    pub(super) ledger: Ledger,
    /// The frozen lines of the requests the case classes sent, per case id, in send order.
    pub(super) sent: Mutex<super::sent::SentLines>,
    /// Every exchange, when the run keeps them (`RunConfig::record`).
    recorder: Option<Arc<crate::transport::record::Recorder>>,
    /// The oracle's verdict on recorded exchanges, by entry index.
    pub(super) verdicts: Mutex<std::collections::BTreeMap<usize, crate::oracle::Judgement>>,
    /// The key of this run's table and context ([`table_key`]), worked out once.
    pub(super) table_key: std::sync::OnceLock<Option<[u8; 32]>>,
}

impl Session {
    /// Loads the spec, starts the stub when no endpoint is given, resolves credentials and prepares the target.
    pub fn prepare(mut config: RunConfig) -> Result<Self, RunError> {
        let spec = Arc::new(spec::load(&config.profile, config.spec_dir.as_deref())?);
        // Made while the run prepares, before probing needs them (without a thread, when drawn).
        // A filtered run probes only its own classes, most often without a zip.
        if config.only.is_none() {
            let zips = spec.clone();
            let _ = std::thread::Builder::new()
                .name("lc-zips".into())
                .spawn(move || crate::generate::make_table_zips(&zips));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| RunError::Runtime(e.to_string()))?;
        let (endpoint, stub) = match &config.endpoint {
            Some(url) => (url.clone(), None),
            None => {
                config.target = Target::Stub;
                let stub = runtime
                    .block_on(stub::start(spec.clone(), config.mutant))
                    .map_err(|e| RunError::Stub(e.to_string()))?;
                let url = Url::parse(&stub.uri()).map_err(|e| RunError::Stub(e.to_string()))?;
                (url, Some(stub))
            }
        };
        let endpoint_label = if stub.is_some() {
            format!("embedded stub ({})", spec.profile)
        } else {
            endpoint.to_string()
        };
        let signing = runtime.block_on(resolve_signing(
            &endpoint,
            config.region.clone(),
            config.no_sign,
            Some(config.env.clone()),
        ))?;
        if !crate::transport::sign::is_loopback(&endpoint) {
            // Before anything is sent to it: who the run acts as, where, against what.
            eprintln!(
                "{}",
                runtime.block_on(remote_banner(&config, &endpoint, &signing))
            );
        }
        let mut raw = RawConfig::new(endpoint.clone(), signing.clone());
        raw.timeout = config.timeout;
        raw.max_in_flight = config.concurrency.max(1) * 2;
        raw.rps = config.rps;
        raw.max_body = config.max_body;
        let client = RawClient::new(raw)?;
        // Made while the target is set up and the case classes are probed (see `Background`).
        let sdk = (config.client != ClientMode::Raw).then(|| {
            let (endpoint, signing, limiter) =
                (endpoint.clone(), signing.clone(), client.limiter().clone());
            let (timeout, max_body) = (config.timeout, config.max_body);
            Background::spawn(move || {
                SdkClient::new(&endpoint, &signing, timeout)
                    .with_limiter(limiter.clone())
                    .with_max_body(max_body)
            })
        });
        let setup =
            runtime.block_on(target::prepare(config.target, &client, config.role.clone()))?;
        let client = client.with_reproduction(ReproContext {
            target: config.target,
            role_arn: setup.role_arn.clone(),
        });
        let region = signing
            .region()
            .map(str::to_string)
            .unwrap_or_else(|| setup.region.clone());
        let ctx = Arc::new(
            Context::new(config.seed, &setup.role_arn).in_place(&region, setup.account.clone()),
        );
        let facts = Facts {
            region: Some(region),
            account: setup.account.clone(),
            assumption: None,
        };
        let regressions = Regressions::open(config.regressions.as_deref());
        let recorder = config
            .record
            .then(|| Arc::new(crate::transport::record::Recorder::default()));
        let mut api = LambdaApi::new(
            client,
            u64::from(setup.setup_requests),
            u64::from(setup.throttled_retries),
        );
        if let Some(r) = &recorder {
            api = api.with_recorder(r.clone());
        }
        Ok(Self {
            spec,
            ctx,
            main_api: api,
            recorder,
            verdicts: Mutex::new(std::collections::BTreeMap::new()),
            main_sdk: sdk,
            main_runtime: runtime,
            // The task threads' lanes, and one for the thread lifecycle checks run on.
            lanes: Lanes::new(super::schedule::task_threads(config.concurrency.max(1)) + 1),
            _stub: stub,
            facts,
            endpoint_label,
            regressions: Mutex::new(regressions),
            started: now(),
            cases: std::sync::OnceLock::new(),
            ledger: Ledger::default(),
            sent: Mutex::new(Default::default()),
            table_key: std::sync::OnceLock::new(),
            config,
        })
    }

    /// Gives the run the case classes another run of the same profile, seed and corpus already worked
    /// out (they take seconds to build), before anything asked for them; false when it had its own.
    pub fn use_cases(&self, cases: Vec<Case>) -> bool {
        self.cases.set(cases).is_ok()
    }

    /// The raw client: this check thread's own (see [`super::lanes`]), else the session's.
    pub(super) fn api(&self) -> &LambdaApi {
        self.lane().map_or(&self.main_api, |l| &l.api)
    }

    /// The SDK client, when the run uses it: this check thread's own, else the session's.
    pub(super) fn sdk(&self) -> Option<&SdkClient> {
        match self.lane() {
            Some(l) => l.sdk.as_ref(),
            None => self.main_sdk(),
        }
    }

    /// Drives `f` to its end on this thread: with this check thread's runtime, else the session's.
    /// The clients [`Session::api`] and [`Session::sdk`] give on a thread belong to the runtime
    /// this gives on it.
    pub(super) fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        match self.lane() {
            Some(l) => l.runtime.block_on(f),
            None => self.main_runtime.block_on(f),
        }
    }

    fn lane(&self) -> Option<&Lane> {
        self.lanes
            .current(|| Lane::new(&self.main_api, self.main_sdk()))
    }

    fn main_sdk(&self) -> Option<&SdkClient> {
        self.main_sdk.as_ref().map(Background::get)
    }

    /// Every case class the run has, sorted by id (classes that cannot be built are left out).
    pub fn cases(&self) -> Vec<Case> {
        self.cases
            .get_or_init(|| {
                // A lifecycle check picks its requests from the whole list: a filter that keeps
                // one builds every class, as without a filter.
                let lifecycle =
                    |f: &str| super::Lifecycle::all().iter().any(|l| l.id().contains(f));
                let mut all = match &self.config.only {
                    Some(f) if !lifecycle(f) => feasible_matching(&self.spec, &self.ctx, f),
                    _ => feasible_cases(&self.spec, &self.ctx),
                };
                if let Some(c) = &self.config.corpus {
                    all.retain(|case| c.cases.contains_key(&case.id));
                }
                all
            })
            .clone()
    }

    /// Requests sent so far.
    pub fn requests(&self) -> u64 {
        self.api().requests()
    }

    /// The report for a list of trial records.
    pub fn report(&self, trials: Vec<TrialRecord>) -> Report {
        let mut report = self.report_unhashed(trials);
        report.corpus_sha256 = self.corpus_sha256();
        report
    }

    /// After the checks: cleans up ([`super::clean_up`]; the names left behind are returned) and
    /// makes the report, while the sent lines are hashed on another thread (the sha256 of a run's
    /// lines is most of the work between its last check and its reports).
    pub fn conclude(&self, trials: Vec<TrialRecord>) -> (Vec<String>, Report) {
        std::thread::scope(|s| {
            let hashing = s.spawn(|| self.corpus_sha256());
            let leaked = super::clean_up(self);
            let mut report = self.report_unhashed(trials);
            report.corpus_sha256 = hashing
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (leaked, report)
        })
    }

    /// The run's `corpus_sha256`: the given corpus's, else that of the lines its checks sent.
    fn corpus_sha256(&self) -> String {
        match &self.config.corpus {
            Some(c) => c.sha256.clone(),
            None => {
                let header = super::corpus::header_line(
                    &self.spec.profile,
                    self.config.seed,
                    self.config.cases,
                );
                match self.sent.lock() {
                    Ok(sent) => super::corpus::sent_sha256(&header, &sent),
                    Err(_) => super::corpus::sent_sha256(&header, &Default::default()),
                }
            }
        }
    }

    /// The report without its `corpus_sha256` (a hex digest: nothing in it to redact).
    fn report_unhashed(&self, mut trials: Vec<TrialRecord>) -> Report {
        trials.sort_by(|a, b| a.id.cmp(&b.id));
        let mut report = Report {
            levels: Vec::new(),
            corpus_sha256: String::new(),
            findings: Vec::new(),
            coverage: Vec::new(),
            tool: Tool {
                name: env!("CARGO_PKG_NAME").into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            profile: self.spec.profile.clone(),
            endpoint: self.endpoint_label.clone(),
            target: self.config.target.to_string(),
            seed: format!("{:016x}", self.config.seed),
            started: self.started.clone(),
            finished: now(),
            summary: Summary {
                requests: self.requests(),
                throttled_retries: self.api().throttled(),
                ..Summary::default()
            },
            trials,
        };
        report.recount();
        // Whatever text an endpoint echoed into a trial, no output carries the run's secrets.
        let secrets =
            crate::transport::Secrets::of(self.api().client().signing(), &self.config.env);
        crate::report::redact(report, &|t| secrets.scrub(t))
    }

    /// Every recorded exchange with the oracle's verdict on it when it is a check's judged request
    /// (empty unless the run keeps exchanges).
    pub fn exchanges(
        &self,
    ) -> Vec<(
        crate::transport::record::Recorded,
        Option<crate::oracle::Judgement>,
    )> {
        let Some(r) = &self.recorder else {
            return Vec::new();
        };
        let verdicts = self.verdicts.lock().map(|v| v.clone()).unwrap_or_default();
        r.entries()
            .into_iter()
            .enumerate()
            .map(|(i, e)| (e, verdicts.get(&i).cloned()))
            .collect()
    }

    /// The frozen form of what the case classes sent: the corpus file's bytes (header, then lines
    /// by case id and send order); with `--corpus`, the lines of the corpus run.
    pub fn sent_corpus(&self) -> String {
        let header =
            super::corpus::header_line(&self.spec.profile, self.config.seed, self.config.cases);
        let mut out = Vec::new();
        // Writing to memory cannot fail.
        let written = match self.sent.lock() {
            Ok(sent) => sent.write_to(&header, &mut out),
            Err(_) => writeln!(out, "{header}"),
        };
        debug_assert!(written.is_ok());
        String::from_utf8(out).unwrap_or_default()
    }

    /// The endpoint's URL (the embedded stub's when it runs one).
    pub fn endpoint_url(&self) -> String {
        self.api().client().endpoint().to_string()
    }

    /// The region and account the oracle judged with.
    pub fn judged_in(&self) -> (Option<String>, Option<String>) {
        (self.facts.region.clone(), self.facts.account.clone())
    }

    /// Corpus case ids that are no (buildable) case class of this run's table: a corpus of another
    /// profile or tool version.
    pub fn unknown_corpus_cases(&self) -> Vec<String> {
        let Some(c) = &self.config.corpus else {
            return Vec::new();
        };
        let known: std::collections::BTreeSet<String> =
            self.cases().into_iter().map(|c| c.id).collect();
        c.cases
            .keys()
            .filter(|id| !known.contains(*id))
            .cloned()
            .collect()
    }

    /// Every check of the run: case classes, their SDK twins (unless `--client raw`), lifecycle checks.
    pub fn checks(&self) -> Vec<Check> {
        let mut all = checks(self.cases(), self.config.client != ClientMode::Raw);
        if self.config.client == ClientMode::Sdk {
            all.retain(|c| !matches!(c, Check::Case(_)));
        }
        all
    }

    /// Whether SIGINT / SIGTERM came.
    pub fn interrupted(&self) -> bool {
        self.config.interrupt.is_set()
    }

    /// Sends a create (a verdict request, once) naming `name`, noting it in the ledger until an
    /// answer comes (see [`Session::send_once`] for interrupts: a create cut short stays in the ledger).
    pub(super) async fn send_create(
        &self,
        req: &crate::transport::WireRequest,
        name: &str,
    ) -> Result<crate::transport::WireResponse, crate::transport::TransportError> {
        if self.interrupted() {
            return Err(interrupted_error());
        }
        self.ledger.sent(name);
        let r = self.send_once(req).await;
        if r.is_ok() {
            self.ledger.answered(name);
        }
        r
    }

    /// Sends a verdict request once. After an interrupt nothing is sent, and a request already in
    /// flight gets [`INTERRUPT_GRACE`] to be answered (so the run knows whether its create made a
    /// function) before it is cut short.
    pub(super) async fn send_once(
        &self,
        req: &crate::transport::WireRequest,
    ) -> Result<crate::transport::WireResponse, crate::transport::TransportError> {
        if self.interrupted() {
            return Err(interrupted_error());
        }
        let send = self.api().send(req);
        tokio::pin!(send);
        tokio::select! {
            r = &mut send => r,
            () = self.config.interrupt.wait() => {
                tokio::time::timeout(INTERRUPT_GRACE, send)
                    .await
                    .unwrap_or_else(|_| Err(interrupted_error()))
            }
        }
    }
}

/// How long a request in flight when SIGINT / SIGTERM comes may still take to be answered.
pub const INTERRUPT_GRACE: Duration = Duration::from_secs(2);

fn interrupted_error() -> crate::transport::TransportError {
    crate::transport::TransportError::Broken(
        "interrupted by a signal before the answer came".into(),
    )
}

/// The lines a run against a remote endpoint prints first: account (from STS GetCallerIdentity,
/// asked only for `--target aws` or a given `--sts-endpoint`), region and endpoint.
async fn remote_banner(
    config: &RunConfig,
    endpoint: &Url,
    signing: &crate::transport::Signing,
) -> String {
    use crate::transport::identity;
    let region = signing.region().unwrap_or("none (unsigned)");
    let sts = config.sts_endpoint.clone().or_else(|| {
        (config.target == Target::Aws)
            .then(|| signing.region().and_then(identity::sts_endpoint))
            .flatten()
    });
    let account = match sts {
        Some(sts) => match identity::caller_account(signing, &sts).await {
            Ok(account) => account,
            Err(why) => format!("unknown ({why})"),
        },
        None => format!(
            "unknown (not asked: STS is asked only with --target aws or --sts-endpoint; target {})",
            config.target
        ),
    };
    format!(
        "remote endpoint: {endpoint}\naccount: {account}\nregion: {region}\ntarget: {}",
        config.target
    )
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
