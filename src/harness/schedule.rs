//! How a run's checks are scheduled: case classes and SDK twins as futures, several to a thread on
//! one thread per core; lifecycle checks on a thread of their own; all of them in the
//! `--concurrency` places of one semaphore.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use futures_util::stream::{FuturesUnordered, StreamExt as _};

use super::check::Check;
use super::lifecycle::{self, Lifecycle};
use super::session::Session;
use super::{execute, sdk_twin};
use crate::generate::Case;
use crate::report::TrialRecord;

impl Session {
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
pub(super) fn task_threads(concurrency: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    concurrency.clamp(1, cores.max(1))
}
