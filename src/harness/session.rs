//! A prepared run: the table, the endpoint (the embedded stub by default), the clients and counters;
//! and running its checks on threads.

use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::stream::{FuturesUnordered, StreamExt as _};
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

use super::check::{checks, Check};
use super::feasible::{feasible_cases, feasible_matching};
use super::lanes::{Lane, Lanes};
use super::ledger::Ledger;
use super::lifecycle::Lifecycle;
use super::regressions::Regressions;
use super::run_config::{ClientMode, RunConfig};
use super::{execute, lifecycle, sdk_twin};

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
    main_sdk: Option<SdkClient>,
    main_runtime: tokio::runtime::Runtime,
    /// The check threads' own runtimes and clients.
    lanes: Lanes,
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
        let setup =
            runtime.block_on(target::prepare(config.target, &client, config.role.clone()))?;
        let client = client.with_reproduction(ReproContext {
            target: config.target,
            role_arn: setup.role_arn.clone(),
        });
        let sdk = (config.client != ClientMode::Raw).then(|| {
            SdkClient::new(&endpoint, &signing, config.timeout)
                .with_limiter(client.limiter().clone())
                .with_max_body(config.max_body)
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
            lanes: Lanes::new(task_threads(config.concurrency.max(1)) + 1),
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
            None => self.main_sdk.as_ref(),
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
            .current(|| Lane::new(&self.main_api, self.main_sdk.as_ref()))
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
    pub fn report(&self, mut trials: Vec<TrialRecord>) -> Report {
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
        report.corpus_sha256 = match &self.config.corpus {
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

    /// Runs one check on this thread, which it owns until it ends: a case class, its SDK twin or a
    /// lifecycle check; its verdict requests are bounded by `check_timeout`
    /// ([`crate::transport::deadline`]). Not from inside an async runtime.
    pub fn run_check(&self, check: &Check) -> TrialRecord {
        match Task::of(check) {
            Ok(task) => self.block_on(self.run_task(task)),
            Err(l) => self.run_lifecycle(l),
        }
    }

    /// A lifecycle check on this thread, which it owns until it ends (it waits in place between
    /// its requests).
    fn run_lifecycle(&self, l: Lifecycle) -> TrialRecord {
        crate::transport::record::set_check(l.id());
        crate::transport::deadline::within_thread(self.config.check_timeout, || {
            lifecycle::run_lifecycle(self, l)
        })
    }

    /// A case class or its SDK twin as a future: polled beside other checks on one thread, it
    /// keeps its own deadline and its own recorded requests.
    async fn run_task(&self, task: Task<'_>) -> TrialRecord {
        let id = task.id();
        let run = async {
            match task {
                Task::Case(c) => execute::run_case(self, c).await,
                Task::Sdk(c) => sdk_twin::run_sdk(self, id.clone(), c).await,
            }
        };
        crate::transport::record::for_check(
            &id,
            crate::transport::deadline::within(self.config.check_timeout, run),
        )
        .await
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

    /// Runs every check with at most `--concurrency` of them at once; `progress` is called after
    /// each trial. After an interrupt no check starts, and a check cut short is recorded as skipped
    /// (`interrupted`).
    ///
    /// Case classes and SDK twins run as futures, several to a thread, on as many threads as the
    /// machine has cores (at most `--concurrency`): a thread waiting for one answer works on
    /// another check instead of sleeping, and no more threads take turns on a core than it has.
    /// Lifecycle checks wait in place between requests and run on a thread of their own, in one of
    /// the `--concurrency` places (a future waits while the lifecycle thread holds it).
    pub fn run_all(
        &self,
        cases: &[Check],
        progress: &(dyn Fn(&TrialRecord) + Sync),
    ) -> Vec<TrialRecord> {
        let mut tasks = Vec::with_capacity(cases.len());
        let mut lifecycles = Vec::new();
        for check in cases {
            match Task::of(check) {
                Ok(task) => tasks.push(task),
                Err(l) => lifecycles.push(l),
            }
        }
        let concurrency = self.config.concurrency.max(1);
        let threads = task_threads(concurrency);
        let out = Mutex::new(Vec::with_capacity(cases.len()));
        // A check runs only in one of these places, wherever it runs.
        let places = tokio::sync::Semaphore::new(concurrency);
        let tasks = Queue::new(&tasks, &places, &out, progress);
        let lifecycles = Queue::new(&lifecycles, &places, &out, progress);
        std::thread::scope(|s| {
            let tasks = &tasks;
            for lane in 0..threads {
                // `concurrency` checks at once, spread over the threads.
                let at_once = concurrency / threads + usize::from(lane < concurrency % threads);
                s.spawn(move || {
                    self.lanes.enter(lane, || {
                        let mut running: FuturesUnordered<_> =
                            (0..at_once).map(|_| self.take_tasks(tasks)).collect();
                        self.block_on(async { while running.next().await.is_some() {} });
                    })
                });
            }
            if !lifecycles.items.is_empty() {
                let lifecycles = &lifecycles;
                s.spawn(move || {
                    self.lanes.enter(threads, || {
                        while let Some((l, _place)) = self.block_on(lifecycles.take(self)) {
                            lifecycles.done(self, self.run_lifecycle(l));
                        }
                    })
                });
            }
        });
        out.into_inner().unwrap_or_default()
    }

    /// One of a thread's check futures: takes checks from `queue` until none is left.
    async fn take_tasks(&self, queue: &Queue<'_, Task<'_>>) {
        while let Some((task, _place)) = queue.take(self).await {
            let record = self.run_task(task).await;
            queue.done(self, record);
        }
    }
}

/// A check that runs as a future: a case class or its SDK twin.
#[derive(Clone, Copy)]
enum Task<'a> {
    Case(&'a Case),
    Sdk(&'a Case),
}

impl<'a> Task<'a> {
    /// The check as a future, or the lifecycle check it is (which needs a thread of its own).
    fn of(check: &'a Check) -> Result<Self, Lifecycle> {
        match check {
            Check::Case(c) => Ok(Task::Case(c)),
            Check::Sdk(c) => Ok(Task::Sdk(c)),
            Check::Lifecycle(l) => Err(*l),
        }
    }

    fn id(self) -> String {
        match self {
            Task::Case(c) => c.id.clone(),
            Task::Sdk(c) => super::check::sdk_id(&c.id),
        }
    }
}

/// The checks of a run left to take, the places they run in, and where their records go.
struct Queue<'a, T> {
    items: &'a [T],
    places: &'a tokio::sync::Semaphore,
    next: AtomicU64,
    out: &'a Mutex<Vec<TrialRecord>>,
    progress: &'a (dyn Fn(&TrialRecord) + Sync),
}

impl<'a, T: Copy> Queue<'a, T> {
    fn new(
        items: &'a [T],
        places: &'a tokio::sync::Semaphore,
        out: &'a Mutex<Vec<TrialRecord>>,
        progress: &'a (dyn Fn(&TrialRecord) + Sync),
    ) -> Self {
        Self {
            items,
            places,
            next: AtomicU64::new(0),
            out,
            progress,
        }
    }

    /// The next check and a place to run it in (held until it is dropped), once one is free; none
    /// when all are taken or the run was interrupted.
    async fn take(&self, s: &Session) -> Option<(T, tokio::sync::SemaphorePermit<'a>)> {
        let place = self.places.acquire().await.ok()?;
        let i = self.next.fetch_add(1, Ordering::Relaxed) as usize;
        let item = self.items.get(i).copied()?;
        (!s.interrupted()).then_some((item, place))
    }

    /// Keeps a check's record (skipped, when it was cut short by an interrupt) and reports it.
    fn done(&self, s: &Session, mut record: TrialRecord) {
        if s.interrupted() && record.outcome.is_harness_error() {
            let why = format!(
                "interrupted by {}",
                s.config.interrupt.name().unwrap_or("a signal")
            );
            let kind = record.kind.clone();
            record = TrialRecord::judged(record.id, &kind, &crate::oracle::Judgement::skipped(why));
        }
        (self.progress)(&record);
        if let Ok(mut o) = self.out.lock() {
            o.push(record);
        }
    }
}

/// The threads a run's check futures take turns on: one per core, at most one per check at once.
fn task_threads(concurrency: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    concurrency.clamp(1, cores.max(1))
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
