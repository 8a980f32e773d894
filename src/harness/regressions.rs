//! Failing instances worth replaying first: a committed text file, one line per failure.
//!
//! `cc <case-id> <param> <seed-hex> # <what failed>` — the case id and the (param, seed) pair rebuild
//! the exact (shrunk) request, so the file stays valid across runs with other seeds.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The persisted failures of one file.
#[derive(Debug, Default)]
pub struct Regressions {
    path: Option<PathBuf>,
    entries: BTreeSet<(String, u64, u64)>,
}

impl Regressions {
    /// Reads `path` (a missing file is empty); None keeps nothing.
    pub fn open(path: Option<&Path>) -> Self {
        let mut entries = BTreeSet::new();
        if let Some(p) = path {
            if let Ok(text) = std::fs::read_to_string(p) {
                for line in text.lines() {
                    let mut parts = line.split_whitespace();
                    if parts.next() != Some("cc") {
                        continue;
                    }
                    let (Some(id), Some(param), Some(seed)) =
                        (parts.next(), parts.next(), parts.next())
                    else {
                        continue;
                    };
                    if let (Ok(param), Ok(seed)) = (param.parse(), u64::from_str_radix(seed, 16)) {
                        entries.insert((id.to_string(), param, seed));
                    }
                }
            }
        }
        Self {
            path: path.map(Path::to_path_buf),
            entries,
        }
    }

    /// The (param, seed) pairs persisted for a case.
    pub fn for_case(&self, id: &str) -> Vec<(u64, u64)> {
        self.entries
            .iter()
            .filter(|(c, _, _)| c == id)
            .map(|(_, p, s)| (*p, *s))
            .collect()
    }

    /// Records a failure (appends a line to the file when it is new).
    pub fn record(&mut self, id: &str, param: u64, seed: u64, what: &str) {
        if !self.entries.insert((id.to_string(), param, seed)) {
            return;
        }
        let Some(path) = &self.path else { return };
        let header = "# Seeds for failure cases lambda-conform has found. Commit this file: runs replay\n\
                      # these instances first. Format: cc <case-id> <param> <seed-hex> # <what failed>\n";
        let exists = path.exists();
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let line = format!(
            "cc {id} {param} {seed:016x} # {}\n",
            what.lines().next().unwrap_or("")
        );
        let text = if exists {
            line
        } else {
            format!("{header}{line}")
        };
        use std::io::Write as _;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = f.write_all(text.as_bytes());
        }
    }
}
