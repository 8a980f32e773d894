//! The per-check deadline (`--check-timeout`): the harness runs one check inside [`within`] (a
//! check driven as a task among others on its thread) or [`within_thread`] (a check that owns its
//! thread until it ends), and every verdict request that check sends is bounded by what is left of it.
//!
//! Kept beside the check, not passed down, because the requests are sent from many places that
//! need not pass it on: a task-local for a check run as a task, else a thread-local.
//! Clean-up and read-back calls are not bounded by it: a function the run created is deleted even
//! after the check ran out of time.

use std::cell::Cell;
use std::future::Future;
use std::time::{Duration, Instant};

use super::TransportError;

type Deadline = Option<(Instant, Duration)>;

thread_local! {
    /// The deadline of the check that owns this thread, and its budget (for the message).
    static DEADLINE: Cell<Deadline> = const { Cell::new(None) };
}

tokio::task_local! {
    /// The deadline of the check this future is, and its budget.
    static TASK_DEADLINE: Deadline;
}

fn from_now(budget: Duration) -> Deadline {
    Instant::now().checked_add(budget).map(|at| (at, budget))
}

/// Runs `check` with a deadline `budget` from its first poll: every request it sends, on whatever
/// thread polls it, sees this deadline, and checks polled beside it on the same thread see theirs.
pub async fn within<F: Future>(budget: Duration, check: F) -> F::Output {
    TASK_DEADLINE.scope(from_now(budget), check).await
}

/// Runs `f` (one check that owns this thread until it ends) with a deadline `budget` from now;
/// the previous deadline, if any, is restored afterwards.
pub fn within_thread<R>(budget: Duration, f: impl FnOnce() -> R) -> R {
    let previous = DEADLINE.with(|d| d.replace(from_now(budget)));
    let out = f();
    DEADLINE.with(|d| d.set(previous));
    out
}

/// The deadline of the check being polled, else of the check that owns this thread, if any.
pub fn current() -> Deadline {
    TASK_DEADLINE
        .try_with(|d| *d)
        .unwrap_or_else(|_| DEADLINE.with(Cell::get))
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
