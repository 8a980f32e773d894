//! Joining the reports of several runs of one suite (the shards of `run --shard K/N`) into one.
//!
//! The merged report has the same schema: every trial of every part, sorted by id; the counts and
//! the findings worked out again from those trials ([`Report::recount`]), so a finding's stable id is
//! the one an unsharded run gives; requests and retries summed; the earliest start and latest end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{json, Report, ReportError};

/// Why reports could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A report could not be read.
    #[error(transparent)]
    Read(#[from] ReportError),
    /// Nothing to merge.
    #[error("merge: no reports given")]
    Empty,
    /// The reports are not parts of one suite run.
    #[error("merge: `{}` differs from `{}` in {what} ({theirs:?} vs {ours:?}): not parts of one run", other.display(), first.display())]
    Mismatch {
        /// The first report.
        first: PathBuf,
        /// The report that differs.
        other: PathBuf,
        /// The field (`profile`, `target`, `seed`, `endpoint`, `tool`).
        what: &'static str,
        /// The first report's value.
        ours: String,
        /// The other report's value.
        theirs: String,
    },
    /// One check id is in two reports.
    #[error("merge: check {id} is in both `{}` and `{}` (shards must be disjoint)", a.display(), b.display())]
    Duplicate {
        /// The check id.
        id: String,
        /// One report.
        a: PathBuf,
        /// The other.
        b: PathBuf,
    },
}

/// `report.json` inside a directory, or the path itself when it is a file.
pub fn report_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join("report.json")
    } else {
        path.to_path_buf()
    }
}

/// Reads each report (a directory holding report.json, or the file) and merges them.
pub fn merge_files(paths: &[PathBuf]) -> Result<Report, MergeError> {
    let mut parts = Vec::with_capacity(paths.len());
    for p in paths {
        let file = report_path(p);
        parts.push((json::read_json(&file)?, file));
    }
    merge(parts)
}

/// Merges reports (each with the file it came from, for error messages).
pub fn merge(parts: Vec<(Report, PathBuf)>) -> Result<Report, MergeError> {
    let mut parts = parts.into_iter();
    let (mut out, first) = parts.next().ok_or(MergeError::Empty)?;
    let mut seen: BTreeMap<String, PathBuf> = out
        .trials
        .iter()
        .map(|t| (t.id.clone(), first.clone()))
        .collect();
    for (r, file) in parts {
        let same = [
            ("profile", &out.profile, &r.profile),
            ("target", &out.target, &r.target),
            ("seed", &out.seed, &r.seed),
            ("endpoint", &out.endpoint, &r.endpoint),
            ("tool", &out.tool.version, &r.tool.version),
        ];
        for (what, ours, theirs) in same {
            if ours != theirs {
                return Err(MergeError::Mismatch {
                    first: first.clone(),
                    other: file,
                    what,
                    ours: ours.clone(),
                    theirs: theirs.clone(),
                });
            }
        }
        for t in &r.trials {
            if let Some(a) = seen.insert(t.id.clone(), file.clone()) {
                return Err(MergeError::Duplicate {
                    id: t.id.clone(),
                    a,
                    b: file,
                });
            }
        }
        if r.started < out.started {
            out.started = r.started.clone();
        }
        if r.finished > out.finished {
            out.finished = r.finished.clone();
        }
        let s = &mut out.summary;
        s.requests += r.summary.requests;
        s.throttled_retries += r.summary.throttled_retries;
        s.partial |= r.summary.partial;
        if s.interrupted.is_none() {
            s.interrupted = r.summary.interrupted.clone();
        }
        s.not_run += r.summary.not_run;
        s.leaked.extend(r.summary.leaked.iter().cloned());
        out.coverage.extend(r.coverage);
        out.trials.extend(r.trials);
    }
    out.summary.leaked.sort();
    out.summary.leaked.dedup();
    out.trials.sort_by(|a, b| a.id.cmp(&b.id));
    out.recount();
    Ok(out)
}
