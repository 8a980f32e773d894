//! The frozen lines a run's case classes sent, for the run's `corpus_sha256` and its bundle.
//!
//! A run of 10 000 instances sends tens of megabytes of requests. Held in memory, their frozen
//! lines grew the run's memory with every request; they are written to an unnamed temporary file
//! instead (gone when the run ends, even on a crash), and only where each line lies is kept. When
//! no temporary file can be made or written, a line is kept in memory.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::fs::FileExt as _;

use sha2::Digest as _;

/// The frozen lines per case id, in send order.
#[derive(Debug, Default)]
pub struct SentLines {
    /// Where the lines are written; `None` until the first line, or when no file could be made.
    spool: Option<Spool>,
    /// Whether making the spool file was tried (and failed): not tried again.
    spool_failed: bool,
    by_case: BTreeMap<String, Vec<Slot>>,
}

#[derive(Debug)]
struct Spool {
    file: File,
    end: u64,
}

/// Where one line is.
#[derive(Debug)]
enum Slot {
    /// In the spool file, at this offset, this many bytes.
    Spooled(u64, usize),
    /// In memory (no spool file, or writing it failed).
    Kept(String),
}

impl SentLines {
    /// How many lines a case class has sent.
    pub fn count(&self, case: &str) -> usize {
        self.by_case.get(case).map_or(0, Vec::len)
    }

    /// The bytes of lines held in memory (not in the spool file): 0 unless the file failed.
    pub fn kept_bytes(&self) -> usize {
        self.by_case
            .values()
            .flatten()
            .map(|slot| match slot {
                Slot::Kept(line) => line.len(),
                Slot::Spooled(..) => 0,
            })
            .sum()
    }

    /// Keeps a case class's next line.
    pub fn push(&mut self, case: &str, line: String) {
        let slot = self.spool(&line).unwrap_or(Slot::Kept(line));
        match self.by_case.get_mut(case) {
            Some(lines) => lines.push(slot),
            None => {
                self.by_case.insert(case.to_string(), vec![slot]);
            }
        }
    }

    /// Writes a line to the spool file (made on first use); `None` if it cannot.
    fn spool(&mut self, line: &str) -> Option<Slot> {
        if self.spool.is_none() && !self.spool_failed {
            match tempfile::tempfile() {
                Ok(file) => self.spool = Some(Spool { file, end: 0 }),
                Err(_) => self.spool_failed = true,
            }
        }
        let spool = self.spool.as_mut()?;
        let at = spool.end;
        // A failed write may leave part of the line: the next line is written after it anyway
        // (`end` moves only on success, so a retry overwrites the part).
        spool.file.write_all_at(line.as_bytes(), at).ok()?;
        spool.end += line.len() as u64;
        Some(Slot::Spooled(at, line.len()))
    }

    /// Every line, by case id then send order. A line that cannot be read back from the spool
    /// file is given as empty (the corpus hash then differs from the file's, which `verify` reports).
    pub fn for_each(&self, mut f: impl FnMut(&str)) {
        let mut buf = Vec::new();
        for slot in self.by_case.values().flatten() {
            match slot {
                Slot::Kept(line) => f(line),
                Slot::Spooled(at, len) => {
                    buf.resize(*len, 0);
                    let read = self
                        .spool
                        .as_ref()
                        .is_some_and(|s| s.file.read_exact_at(&mut buf, *at).is_ok());
                    f(if read {
                        std::str::from_utf8(&buf).unwrap_or_default()
                    } else {
                        ""
                    });
                }
            }
        }
    }

    /// The sha256 of a header line then every line, each ended by a newline: the sha256 of the
    /// corpus file these lines make.
    pub fn sha256(&self, header: &str) -> String {
        let mut h = sha2::Sha256::new();
        h.update(header.as_bytes());
        h.update(b"\n");
        self.for_each(|l| {
            h.update(l.as_bytes());
            h.update(b"\n");
        });
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The corpus file these lines make after `header`.
    pub fn write_to(&self, header: &str, out: &mut impl std::io::Write) -> std::io::Result<()> {
        writeln!(out, "{header}")?;
        let mut result = Ok(());
        self.for_each(|l| {
            if result.is_ok() {
                result = writeln!(out, "{l}");
            }
        });
        result
    }
}
