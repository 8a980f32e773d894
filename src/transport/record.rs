//! Keeping every exchange a run makes with the Lambda API (for the results bundle's HAR file).
//!
//! [`LambdaApi`](super::LambdaApi) pushes each request it sends and what came back. The check that
//! sent it is the one being polled ([`for_check`]: a check run as a task among others on its
//! thread), else the one that owns the thread ([`set_check`]), and [`last_index`] tells the caller
//! which entry its last request became.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::Mutex;
use std::time::Instant;

use super::{TransportError, WireRequest, WireResponse};

/// The check a request belongs to, and the entry its last request became.
#[derive(Debug, Default)]
struct CheckTag {
    id: String,
    last: Cell<Option<usize>>,
}

thread_local! {
    static CHECK: RefCell<CheckTag> = RefCell::new(CheckTag::default());
}

tokio::task_local! {
    static TASK_CHECK: CheckTag;
}

/// `f` with this future's check (being polled, else owning the thread).
fn with_tag<R>(f: impl Fn(&CheckTag) -> R) -> R {
    TASK_CHECK
        .try_with(&f)
        .unwrap_or_else(|_| CHECK.with(|c| f(&c.borrow())))
}

/// Runs `check` as check `id`: the requests it sends, on whatever thread polls it, are its own.
pub async fn for_check<F: Future>(id: &str, check: F) -> F::Output {
    let tag = CheckTag {
        id: id.to_string(),
        last: Cell::new(None),
    };
    TASK_CHECK.scope(tag, check).await
}

/// Names the check that owns this thread (and sends its requests) from now on.
pub fn set_check(id: &str) {
    CHECK.with(|c| {
        *c.borrow_mut() = CheckTag {
            id: id.to_string(),
            last: Cell::new(None),
        }
    });
}

/// The index of the entry the running check's last recorded request became.
pub fn last_index() -> Option<usize> {
    with_tag(|t| t.last.get())
}

/// One recorded exchange.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The check that sent it (empty for set-up).
    pub check: String,
    /// The request as the harness built it (before signing).
    pub request: WireRequest,
    /// The answer, or the transport's error.
    pub result: Result<WireResponse, String>,
    /// RFC 3339 time it was sent.
    pub started: String,
    /// Milliseconds until the answer.
    pub millis: u64,
}

/// Every exchange of a run, in the order they completed.
#[derive(Debug, Default)]
pub struct Recorder {
    entries: Mutex<Vec<Recorded>>,
}

impl Recorder {
    /// Keeps one exchange; sets the running check's [`last_index`].
    pub fn push(
        &self,
        request: &WireRequest,
        result: &Result<WireResponse, TransportError>,
        sent_at: Instant,
        started: String,
    ) {
        let entry = Recorded {
            check: with_tag(|t| t.id.clone()),
            request: request.clone(),
            result: result.clone().map_err(|e| e.to_string()),
            started,
            millis: sent_at.elapsed().as_millis() as u64,
        };
        if let Ok(mut e) = self.entries.lock() {
            e.push(entry);
            let i = e.len() - 1;
            with_tag(|t| t.last.set(Some(i)));
        }
    }

    /// A copy of every exchange so far.
    pub fn entries(&self) -> Vec<Recorded> {
        self.entries.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

/// The current time, RFC 3339 with milliseconds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::Duration;

    use super::*;
    use crate::transport::deadline;

    /// Two checks polled in turns on one thread (as a run's check futures are): each sees its own
    /// deadline, each of its requests is recorded under its own id, and each learns which entry its
    /// own last request became. Outside them, the check that owns the thread.
    pub(crate) fn interleaved_checks_keep_their_own_requests_and_deadlines() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let recorder = Recorder::default();
        let check = |id: &'static str| {
            let recorder = &recorder;
            async move {
                let mut seen = Vec::new();
                for _ in 0..3 {
                    let req = WireRequest::bodiless("GET", &format!("/{id}"));
                    let answer = Err(TransportError::Timeout(Duration::from_secs(1)));
                    recorder.push(&req, &answer, Instant::now(), String::new());
                    // The other check runs here.
                    tokio::task::yield_now().await;
                    seen.push((last_index(), deadline::current().map(|(_, budget)| budget)));
                }
                seen
            }
        };
        set_check("the thread's own");
        let (a, b) = rt.block_on(async {
            tokio::join!(
                for_check("a", deadline::within(Duration::from_secs(5), check("a"))),
                for_check("b", deadline::within(Duration::from_secs(7), check("b"))),
            )
        });
        let entries = recorder.entries();
        assert_eq!(entries.len(), 6);
        // They did take turns: the first two entries are one of each.
        assert_ne!(entries[0].check, entries[1].check);
        for (id, budget, seen) in [("a", 5, a), ("b", 7, b)] {
            assert_eq!(seen.len(), 3);
            let mut indices = Vec::new();
            for (last, deadline) in seen {
                let i = last.expect("the check's last request has an entry");
                assert_eq!(entries[i].check, id);
                assert_eq!(entries[i].request.path, format!("/{id}"));
                assert_eq!(deadline, Some(Duration::from_secs(budget)));
                indices.push(i);
            }
            indices.dedup();
            assert_eq!(indices.len(), 3, "{id}: each request its own entry");
        }
        let req = WireRequest::bodiless("GET", "/after");
        recorder.push(
            &req,
            &Ok(WireResponse {
                status: 204,
                headers: Default::default(),
                body: Vec::new(),
            }),
            Instant::now(),
            String::new(),
        );
        let entries = recorder.entries();
        assert_eq!(entries[6].check, "the thread's own");
        assert_eq!(last_index(), Some(6));
        assert_eq!(deadline::current(), None);
        set_check("");
    }
}
