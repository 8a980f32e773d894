//! Boundary instances shared by the runs of one process ([`RunConfig::share_instances`]): a
//! self-test runs the same suite against many stubs, and building the same requests again was most
//! of each run's work. Instances are deterministic in the table, the context, the class and the
//! seed, which is what they are keyed by.
//!
//! [`RunConfig::share_instances`]: super::RunConfig::share_instances

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::feasible::table_key;
use super::session::Session;
use crate::generate::{Case, Instance};

/// Table and context, class id, whether the class is exact, seed.
type Key = ([u8; 32], String, bool, u64);
type Slot = Arc<OnceLock<Option<Instance>>>;

impl Session {
    /// The boundary instance of `case` for `seed` ([`super::boundary`]); with
    /// `share_instances`, built once per process and cloned after.
    pub(super) fn boundary_of(&self, case: &Case, seed: u64) -> Option<Instance> {
        let build = || super::boundary(&self.spec, &self.ctx, case, seed);
        if !self.config.share_instances {
            return build();
        }
        let Some(table) = *self
            .table_key
            .get_or_init(|| table_key(&self.spec, &self.ctx))
        else {
            return build();
        };
        static MEMO: OnceLock<Mutex<HashMap<Key, Slot>>> = OnceLock::new();
        let slot = MEMO.get_or_init(Default::default).lock().ok().map(|mut m| {
            m.entry((table, case.id.clone(), case.exact, seed))
                .or_default()
                .clone()
        });
        match slot {
            Some(slot) => slot.get_or_init(build).clone(),
            None => build(),
        }
    }
}
