//! SIGINT / SIGTERM during a run: a shared flag the workers read between requests, a wake-up for
//! requests in flight, and the exit code (128 + the signal number) the CLI ends with.

use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::Arc;

/// SIGINT's number.
pub const SIGINT: i32 = 2;
/// SIGTERM's number.
pub const SIGTERM: i32 = 15;

/// Whether (and by which signal) the run was asked to stop. Cheap to clone; every clone sees the same flag.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    signal: AtomicI32,
    count: AtomicU32,
    notify: tokio::sync::Notify,
}

impl Interrupt {
    /// A flag nothing fires but [`Interrupt::fire`] (tests, the conformance binary).
    pub fn new() -> Self {
        Self::default()
    }

    /// Listens for SIGINT and SIGTERM from now on (the handlers are in place when this returns) on
    /// a thread of its own, and gives the flag they fire.
    pub fn on_signals() -> std::io::Result<Self> {
        let me = Self::new();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let fired = me.clone();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let (mut int, mut term) = {
                let _guard = runtime.enter();
                (
                    signal(SignalKind::interrupt())?,
                    signal(SignalKind::terminate())?,
                )
            };
            std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    runtime.block_on(async move {
                        loop {
                            tokio::select! {
                                Some(()) = int.recv() => fired.on_os_signal(SIGINT),
                                Some(()) = term.recv() => fired.on_os_signal(SIGTERM),
                                else => break,
                            }
                        }
                    })
                })?;
        }
        #[cfg(not(unix))]
        {
            std::thread::Builder::new()
                .name("signals".into())
                .spawn(move || {
                    runtime.block_on(async move {
                        while tokio::signal::ctrl_c().await.is_ok() {
                            fired.on_os_signal(SIGINT);
                        }
                    })
                })?;
        }
        Ok(me)
    }

    /// Marks the run interrupted by `signal` (the first signal is the one kept) and wakes every waiter.
    /// Gives how many signals have come.
    pub fn fire(&self, signal: i32) -> u32 {
        let _ = self
            .0
            .signal
            .compare_exchange(0, signal, Ordering::SeqCst, Ordering::SeqCst);
        let n = self.0.count.fetch_add(1, Ordering::SeqCst) + 1;
        self.0.notify.notify_waiters();
        n
    }

    /// A signal from the listener: the first stops the run, the second cuts clean-up short, the
    /// third ends the process at once (still with 128 + the first signal's number).
    fn on_os_signal(&self, signal: i32) {
        if self.fire(signal) >= 3 {
            eprintln!("third signal: exiting without clean-up");
            std::process::exit(i32::from(self.exit_code().unwrap_or(130)));
        }
    }

    /// Whether a signal came.
    pub fn is_set(&self) -> bool {
        self.signal().is_some()
    }

    /// The first signal's number.
    pub fn signal(&self) -> Option<i32> {
        match self.0.signal.load(Ordering::SeqCst) {
            0 => None,
            s => Some(s),
        }
    }

    /// Whether a second signal came (clean-up is then cut short).
    pub fn repeated(&self) -> bool {
        self.0.count.load(Ordering::SeqCst) >= 2
    }

    /// The signal's name, `SIGINT` or `SIGTERM`.
    pub fn name(&self) -> Option<&'static str> {
        self.signal().map(|s| match s {
            SIGINT => "SIGINT",
            SIGTERM => "SIGTERM",
            _ => "a signal",
        })
    }

    /// The exit code of an interrupted run: 128 + the signal number (130 SIGINT, 143 SIGTERM).
    pub fn exit_code(&self) -> Option<u8> {
        self.signal().map(|s| (128 + s.clamp(0, 127)) as u8)
    }

    /// Resolves once a signal has come (at once if one already has).
    pub async fn wait(&self) {
        loop {
            let notified = self.0.notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_set() {
                return;
            }
            notified.await;
        }
    }
}
