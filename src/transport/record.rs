//! Keeping every exchange a run makes with the Lambda API (for the results bundle's HAR file).
//!
//! [`LambdaApi`](super::LambdaApi) pushes each request it sends and what came back. The check that
//! sent it is the one running on the thread ([`set_check`]: each check runs on one thread), and
//! [`last_index`] tells the caller which entry its last request became.

use std::cell::{Cell, RefCell};
use std::sync::Mutex;
use std::time::Instant;

use super::{TransportError, WireRequest, WireResponse};

thread_local! {
    static CHECK: RefCell<String> = const { RefCell::new(String::new()) };
    static LAST: Cell<Option<usize>> = const { Cell::new(None) };
}

/// Names the check whose requests this thread sends from now on.
pub fn set_check(id: &str) {
    CHECK.with(|c| *c.borrow_mut() = id.to_string());
    LAST.with(|l| l.set(None));
}

/// The index of the entry this thread's last recorded request became.
pub fn last_index() -> Option<usize> {
    LAST.with(Cell::get)
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
    /// Keeps one exchange; sets this thread's [`last_index`].
    pub fn push(
        &self,
        request: &WireRequest,
        result: &Result<WireResponse, TransportError>,
        sent_at: Instant,
        started: String,
    ) {
        let entry = Recorded {
            check: CHECK.with(|c| c.borrow().clone()),
            request: request.clone(),
            result: result.clone().map_err(|e| e.to_string()),
            started,
            millis: sent_at.elapsed().as_millis() as u64,
        };
        if let Ok(mut e) = self.entries.lock() {
            e.push(entry);
            let i = e.len() - 1;
            LAST.with(|l| l.set(Some(i)));
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
