//! A value made on a thread of its own while the caller goes on, waited for where it is first
//! needed.
//!
//! A run's SDK client is one: the SDK's first client in a process loads the platform's root
//! certificates and sets up its TLS provider (10 ms on this project's 2-core machine), which need
//! not hold up the run's probing of its case classes, the other wait before the first check.

use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

/// A value being made on another thread, or made.
pub(crate) struct Background<T> {
    made: OnceLock<T>,
    making: Mutex<Option<JoinHandle<T>>>,
    make: Arc<dyn Fn() -> T + Send + Sync>,
}

impl<T: Send + 'static> Background<T> {
    /// Starts making the value with `make` on a new thread (made where it is first needed instead
    /// when no thread can be started, or the thread failed).
    pub fn spawn(make: impl Fn() -> T + Send + Sync + 'static) -> Self {
        let make: Arc<dyn Fn() -> T + Send + Sync> = Arc::new(make);
        let theirs = make.clone();
        let thread = std::thread::Builder::new()
            .name("lc-background".into())
            .spawn(move || theirs());
        Self {
            made: OnceLock::new(),
            making: Mutex::new(thread.ok()),
            make,
        }
    }

    /// The value, once made (waiting for the thread making it).
    pub fn get(&self) -> &T {
        self.made.get_or_init(|| {
            let thread = self.making.lock().ok().and_then(|mut t| t.take());
            match thread.map(JoinHandle::join) {
                Some(Ok(value)) => value,
                _ => (self.make)(),
            }
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The value is made once, on the background thread, while the caller goes on; `get` waits
    /// for it and gives the same value every time.
    pub(crate) fn made_once_on_its_own_thread() {
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = calls.clone();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let wait = Mutex::new(wait);
        let value = Background::spawn(move || {
            // Held until the caller has gone on past the spawn.
            let _ = wait.lock().map(|w| w.recv());
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            std::thread::current().name().map(str::to_owned)
        });
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
        go.send(()).expect("the thread waits");
        assert_eq!(value.get().as_deref(), Some("lc-background"));
        assert_eq!(value.get().as_deref(), Some("lc-background"));
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
