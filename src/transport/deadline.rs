//! The per-check deadline (`--check-timeout`): the harness runs one check inside [`within`] on the
//! check's own thread, and every verdict request that check sends is bounded by what is left of it.
//!
//! A thread-local, because a check runs on one thread from start to end (its requests are driven
//! by `block_on` on that thread) and the requests are sent from many places that need not pass it on.
//! Clean-up and read-back calls are not bounded by it: a function the run created is deleted even
//! after the check ran out of time.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

use super::TransportError;

thread_local! {
    /// The running check's deadline on this thread, and its budget (for the message).
    static DEADLINE: Cell<Option<(Instant, Duration)>> = const { Cell::new(None) };
}

/// Runs `f` (one check) with a deadline `budget` from now on this thread; the previous deadline,
/// if any, is restored afterwards.
pub fn within<R>(budget: Duration, f: impl FnOnce() -> R) -> R {
    let deadline = Instant::now().checked_add(budget).map(|at| (at, budget));
    let previous = DEADLINE.with(|d| d.replace(deadline));
    let out = f();
    DEADLINE.with(|d| d.set(previous));
    out
}

/// The deadline of the check running on this thread, if any.
pub fn current() -> Option<(Instant, Duration)> {
    DEADLINE.with(Cell::get)
}

/// `request` bounded by `deadline` (taken with [`current`] before the future is first polled):
/// [`TransportError::CheckDeadline`] when it passes first, or at once when it has passed already.
pub async fn bounded<T>(
    deadline: Option<(Instant, Duration)>,
    request: impl Future<Output = Result<T, TransportError>>,
) -> Result<T, TransportError> {
    let Some((at, budget)) = deadline else {
        return request.await;
    };
    if Instant::now() >= at {
        return Err(TransportError::CheckDeadline(budget));
    }
    tokio::time::timeout_at(tokio::time::Instant::from_std(at), request)
        .await
        .unwrap_or(Err(TransportError::CheckDeadline(budget)))
}
