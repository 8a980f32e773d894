//! The frozen lines a run's case classes sent, for the run's `corpus_sha256` and its bundle.
//!
//! A run of 10 000 instances sends tens of megabytes of requests. Held in memory, their frozen
//! lines grew the run's memory with every request; they are written to an unnamed temporary file
//! instead (gone when the run ends, even on a crash), and only where each line lies is kept. Lines
//! reach the file [`BUFFER`] bytes at a time (a write per line cost a system call per request,
//! under the lock every check takes). When no temporary file can be made or written, a line
//! is kept in memory.

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

/// Lines are written to the spool file once this many bytes of them wait.
pub const BUFFER: usize = 256 * 1024;

#[derive(Debug)]
struct Spool {
    file: File,
    /// Bytes in the file; the waiting lines come after them.
    written: u64,
    /// Lines not yet written.
    pending: Vec<u8>,
}

impl Spool {
    /// Writes the waiting lines; on failure they stay waiting (and in memory).
    fn flush(&mut self) {
        if self.file.write_all_at(&self.pending, self.written).is_ok() {
            self.written += self.pending.len() as u64;
            self.pending.clear();
        }
    }

    /// The `len` bytes at `at` into `buf`; false when they cannot be read.
    fn read(&self, at: u64, buf: &mut [u8]) -> bool {
        match at.checked_sub(self.written) {
            Some(skip) => usize::try_from(skip)
                .ok()
                .and_then(|skip| self.pending.get(skip..skip + buf.len()))
                .map(|waiting| buf.copy_from_slice(waiting))
                .is_some(),
            None => self.file.read_exact_at(buf, at).is_ok(),
        }
    }
}

/// Bytes read from the spool file at once by [`SentLines::for_each`].
pub const WINDOW: usize = 256 * 1024;

/// The bytes of the spool file last read, and where they start.
#[derive(Default)]
struct Window {
    start: u64,
    bytes: Vec<u8>,
}

impl Window {
    /// The `len` bytes at `at`: from the bytes last read when they hold them, else from the file
    /// (reading [`WINDOW`] bytes from `at`, or the line when longer) or from the lines waiting to
    /// be written (into `buf`). None when they cannot be read.
    fn read<'a>(
        &'a mut self,
        spool: &Spool,
        at: u64,
        len: usize,
        buf: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]> {
        let end = at.checked_add(len as u64)?;
        if end > spool.written {
            // Still waiting (or partly): read as before.
            buf.resize(len, 0);
            return spool.read(at, buf).then_some(&buf[..]);
        }
        let held = self.start..self.start + self.bytes.len() as u64;
        if !(held.contains(&at) && end <= held.end) {
            let take = usize::try_from(spool.written - at)
                .unwrap_or(usize::MAX)
                .min(WINDOW.max(len));
            self.bytes.resize(take, 0);
            if spool.file.read_exact_at(&mut self.bytes, at).is_err() {
                self.bytes.clear();
                return None;
            }
            self.start = at;
        }
        let from = usize::try_from(at - self.start).ok()?;
        self.bytes.get(from..from + len)
    }
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

    /// The bytes of lines held in memory: those waiting to be written (under [`BUFFER`] unless
    /// writing failed), and those kept because no spool file could be made.
    pub fn kept_bytes(&self) -> usize {
        let kept: usize = self
            .by_case
            .values()
            .flatten()
            .map(|slot| match slot {
                Slot::Kept(line) => line.len(),
                Slot::Spooled(..) => 0,
            })
            .sum();
        kept + self.spool.as_ref().map_or(0, |s| s.pending.len())
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

    /// Puts a line in the spool file (made on first use), once [`BUFFER`] bytes wait; `None`
    /// when there is no file.
    fn spool(&mut self, line: &str) -> Option<Slot> {
        if self.spool.is_none() && !self.spool_failed {
            match tempfile::tempfile() {
                Ok(file) => {
                    self.spool = Some(Spool {
                        file,
                        written: 0,
                        pending: Vec::new(),
                    })
                }
                Err(_) => self.spool_failed = true,
            }
        }
        let spool = self.spool.as_mut()?;
        let at = spool.written + spool.pending.len() as u64;
        spool.pending.extend_from_slice(line.as_bytes());
        if spool.pending.len() >= BUFFER {
            // A failed write may leave part of the lines in the file: `written` moves only on
            // success, so the next try writes them again over it.
            spool.flush();
        }
        Some(Slot::Spooled(at, line.len()))
    }

    /// Every line, by case id then send order. A line that cannot be read back from the spool
    /// file is given as empty (the corpus hash then differs from the file's, which `verify` reports).
    ///
    /// Lines are read from the file [`WINDOW`] bytes at a time: a class's lines were written
    /// close together (a few classes run at once), and a read per line was a system call per
    /// request sent.
    pub fn for_each(&self, mut f: impl FnMut(&str)) {
        let mut window = Window::default();
        let mut buf = Vec::new();
        for slot in self.by_case.values().flatten() {
            match slot {
                Slot::Kept(line) => f(line),
                Slot::Spooled(at, len) => {
                    let bytes = self
                        .spool
                        .as_ref()
                        .and_then(|s| window.read(s, *at, *len, &mut buf));
                    f(bytes
                        .and_then(|b| std::str::from_utf8(b).ok())
                        .unwrap_or_default());
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
