//! The check threads' own async runtimes and connections.
//!
//! A run's case classes and SDK twins are futures, several polled in turns on each of a few
//! threads (one per core, see [`super::session::Session::run_all`]); lifecycle checks run on a
//! thread of their own. Each such thread has a lane: a current-thread runtime and clients whose
//! connections were opened on it, so the thread that waits for an answer is the one that reads it
//! (on one shared multi-thread runtime, a request crossed threads twice: the check's thread handed
//! it to a runtime worker that owned the connection, and the worker woke the check's thread when
//! the answer came).
//!
//! A lane is made the first time its thread asks for it. Code outside a lane (set-up, clean-up,
//! replay, a `cargo test` trial) keeps the session's own runtime and clients.

use std::cell::Cell;
use std::sync::OnceLock;

use crate::transport::{LambdaApi, SdkClient};

/// One check thread's runtime and clients.
pub(super) struct Lane {
    /// Drives this lane's requests, on the thread that asks.
    pub runtime: tokio::runtime::Runtime,
    /// The raw client, sharing the run's counters, recorder and limiter.
    pub api: LambdaApi,
    /// The SDK client, when the run has one.
    pub sdk: Option<SdkClient>,
}

impl Lane {
    /// A lane for clients like these; `None` when its runtime or HTTP client cannot be made (the
    /// thread then uses the session's own).
    pub fn new(api: &LambdaApi, sdk: Option<&SdkClient>) -> Option<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        Some(Self {
            runtime,
            api: api.on_own_connections().ok()?,
            sdk: sdk.map(SdkClient::on_own_connections),
        })
    }
}

thread_local! {
    /// The lane this thread is in: which [`Lanes`] (by address) and which of its lanes.
    static ON: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
}

/// The lanes of one session, one per check thread, each made on first use.
pub(super) struct Lanes(Vec<OnceLock<Option<Lane>>>);

impl Lanes {
    /// Room for `n` lanes.
    pub fn new(n: usize) -> Self {
        Self((0..n).map(|_| OnceLock::new()).collect())
    }

    fn id(&self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Runs `f` on this thread in lane `i`; the thread's previous lane is restored afterwards.
    pub fn enter<R>(&self, i: usize, f: impl FnOnce() -> R) -> R {
        let previous = ON.with(|on| on.replace(Some((self.id(), i))));
        let out = f();
        ON.with(|on| on.set(previous));
        out
    }

    /// This thread's lane, made with `make` if it is its first use; `None` outside
    /// [`Lanes::enter`] or when the lane could not be made.
    pub fn current(&self, make: impl FnOnce() -> Option<Lane>) -> Option<&Lane> {
        let (owner, i) = ON.with(Cell::get)?;
        if owner != self.id() {
            return None;
        }
        self.0.get(i)?.get_or_init(make).as_ref()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Outside `enter` there is no lane; inside, the same lane on every ask; another `Lanes` does
    /// not see this one's lane.
    pub(crate) fn a_thread_sees_only_its_own_lane() {
        let lanes = Lanes::new(2);
        let other = Lanes::new(2);
        let made = std::sync::atomic::AtomicUsize::new(0);
        let make = || {
            made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            None
        };
        assert!(lanes.current(make).is_none());
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 0);
        lanes.enter(1, || {
            assert!(lanes.current(make).is_none());
            assert!(lanes.current(make).is_none());
            assert!(other.current(make).is_none());
        });
        // Made once (a lane that could not be made is not tried again), never for `other`.
        assert_eq!(made.load(std::sync::atomic::Ordering::Relaxed), 1);
        assert!(ON.with(Cell::get).is_none());
    }
}
