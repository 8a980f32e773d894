//! Progress of a long run on stderr: a bar on a terminal (checks done, divergent so far, requests
//! per second, ETA), one plain line every interval otherwise (CI logs), nothing with `--quiet`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::report::TrialRecord;

/// How progress is shown.
enum Display {
    /// `--quiet`: nothing.
    Hidden,
    /// A terminal: an indicatif bar.
    Bar(ProgressBar),
    /// Not a terminal: one line when `every` has passed since the last one.
    Lines {
        every: Duration,
        last: Mutex<Instant>,
    },
}

/// The progress of one run of `total` checks.
pub struct Progress {
    display: Display,
    total: u64,
    done: AtomicU64,
    divergent: AtomicU64,
    started: Instant,
    /// Check ids not named as they come (the expectation file already lists them).
    expected: std::collections::BTreeSet<String>,
}

impl Progress {
    /// Silent with `quiet`; a bar when `terminal`; else a line every `every`.
    pub fn new(total: u64, quiet: bool, terminal: bool, every: Duration) -> Self {
        let display = if quiet {
            Display::Hidden
        } else if terminal {
            let bar = ProgressBar::new(total);
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} checks, {msg}, ETA {eta} ({elapsed})",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message("0 divergent");
            Display::Bar(bar)
        } else {
            Display::Lines {
                every,
                last: Mutex::new(Instant::now()),
            }
        };
        Self {
            display,
            total,
            done: AtomicU64::new(0),
            divergent: AtomicU64::new(0),
            started: Instant::now(),
            expected: std::collections::BTreeSet::new(),
        }
    }

    /// Does not name the trials of these check ids (still counted): with an expectation file only
    /// what it does not already list is worth a line.
    pub fn hiding(mut self, expected: std::collections::BTreeSet<String>) -> Self {
        self.expected = expected;
        self
    }

    /// One check finished; `requests` is the number sent so far. Divergences and harness errors
    /// are named as they come (unless quiet).
    pub fn record(&self, t: &TrialRecord, requests: u64) {
        let divergent = if t.outcome.differs() {
            self.divergent.fetch_add(1, Ordering::Relaxed) + 1
        } else {
            self.divergent.load(Ordering::Relaxed)
        };
        let named = ((t.outcome.differs() && !self.expected.contains(&t.id))
            || t.outcome.is_harness_error())
        .then(|| {
            if t.outcome.is_harness_error() {
                // Why it could not be judged is the whole point of the line.
                format!("{:<13} {}: {}", t.outcome.as_str(), t.id, t.headline())
            } else {
                format!("{:<13} {}", t.outcome.as_str(), t.id)
            }
        });
        match &self.display {
            Display::Hidden => {
                self.done.fetch_add(1, Ordering::Relaxed);
            }
            Display::Bar(bar) => {
                self.done.fetch_add(1, Ordering::Relaxed);
                if let Some(line) = named {
                    bar.println(line);
                }
                bar.set_message(format!(
                    "{divergent} divergent, {:.0} req/s",
                    self.rate(requests)
                ));
                bar.inc(1);
            }
            Display::Lines { every, last } => {
                if let Some(line) = named {
                    eprintln!("{line}");
                }
                // Counted and printed under the lock: lines from two checks that finish together
                // never come out of order.
                let mut l = last
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
                if l.elapsed() >= *every {
                    *l = Instant::now();
                    eprintln!("{}", self.line(done, divergent, requests));
                }
            }
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
            bar.finish_and_clear();
        }
    }

    fn rate(&self, requests: u64) -> f64 {
        let secs = self.started.elapsed().as_secs_f64();
        if secs > 0.0 {
            requests as f64 / secs
        } else {
            0.0
        }
    }

    /// The plain line: `progress: 120/418 checks, 3 divergent, 2150 req/s, ETA 14s`.
    fn line(&self, done: u64, divergent: u64, requests: u64) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        let eta = if done > 0 {
            (secs / done as f64 * self.total.saturating_sub(done) as f64).round() as u64
        } else {
            0
        };
        format!(
            "progress: {done}/{} checks, {divergent} divergent, {:.0} req/s, ETA {eta}s",
            self.total,
            self.rate(requests)
        )
    }
}

/// The skipped trials counted by reason, most frequent first (ties by reason).
pub fn skipped_by_reason<'a>(
    trials: impl IntoIterator<Item = &'a TrialRecord>,
) -> Vec<(String, usize)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for t in trials {
        if let Some(why) = &t.skipped {
            *counts.entry(why.as_str()).or_default() += 1;
        }
    }
    let mut v: Vec<(String, usize)> = counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}
