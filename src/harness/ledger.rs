//! The functions a run may have left on the endpoint: names whose create was sent but not answered,
//! and names created but not yet deleted. Clean-up at the end of a run (or after an interrupt) deletes
//! what is left here.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Where a name stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// A create naming it was sent and no answer came (timed out, interrupted): it may exist.
    Sent,
    /// A create answered 2xx: it exists until a delete succeeds.
    Created,
}

/// The run's own names that may still exist.
#[derive(Debug, Default)]
pub struct Ledger {
    names: Mutex<BTreeMap<String, Standing>>,
}

impl Ledger {
    fn with<T>(&self, f: impl FnOnce(&mut BTreeMap<String, Standing>) -> T) -> Option<T> {
        self.names.lock().ok().map(|mut m| f(&mut m))
    }

    /// A create naming `name` is about to be sent.
    pub fn sent(&self, name: &str) {
        self.with(|m| {
            m.entry(name.to_string()).or_insert(Standing::Sent);
        });
    }

    /// The create naming `name` was answered (whatever the answer: a 2xx is followed by [`Ledger::created`]).
    pub fn answered(&self, name: &str) {
        self.with(|m| {
            if m.get(name) == Some(&Standing::Sent) {
                m.remove(name);
            }
        });
    }

    /// `name` exists (a create answered 2xx).
    pub fn created(&self, name: &str) {
        self.with(|m| m.insert(name.to_string(), Standing::Created));
    }

    /// `name` was deleted (or was never there).
    pub fn gone(&self, name: &str) {
        self.with(|m| m.remove(name));
    }

    /// Every name that may still exist.
    pub fn outstanding(&self) -> Vec<(String, Standing)> {
        self.with(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default()
    }
}
