//! `run --shard K/N`: a deterministic split of the run's check ids into N disjoint parts.
//!
//! A check belongs to shard `1 + (h mod N)`, where `h` is the first 8 bytes (big-endian) of the
//! SHA-256 of its id: the same id always lands in the same shard, whatever else the run holds (so a
//! shard's checks stay put when checks are added), and every id is in exactly one shard.

use sha2::{Digest, Sha256};

/// One part of N (`K/N`, 1 ≤ K ≤ N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This part, 1-based.
    pub index: u64,
    /// How many parts.
    pub total: u64,
}

impl Shard {
    /// Whether the check `id` is in this shard.
    pub fn contains(&self, id: &str) -> bool {
        shard_of(id, self.total) == self.index
    }
}

/// The 1-based shard of `id` among `total` (1 when `total` is 0 or 1).
pub fn shard_of(id: &str, total: u64) -> u64 {
    if total <= 1 {
        return 1;
    }
    let digest = Sha256::digest(id.as_bytes());
    let mut h = [0u8; 8];
    h.copy_from_slice(&digest[..8]);
    1 + u64::from_be_bytes(h) % total
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let form = || format!("--shard {s:?}: expected K/N with 1 <= K <= N (e.g. 2/4)");
        let (k, n) = s.split_once('/').ok_or_else(form)?;
        let k: u64 = k.trim().parse().map_err(|_| form())?;
        let n: u64 = n.trim().parse().map_err(|_| form())?;
        if k == 0 || n == 0 || k > n {
            return Err(form());
        }
        Ok(Self { index: k, total: n })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.total)
    }
}
