//! Standard output for the commands. A reader that goes away (`lambda-conform cases | head`) ends
//! the output quietly: no panic, nothing more written, and the command still finishes (a run still
//! cleans up and writes its reports) and exits with its own code.

use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};

static CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether standard output is gone (its reader closed the pipe, or a write failed).
pub(crate) fn closed() -> bool {
    CLOSED.load(Ordering::Relaxed)
}

/// Writes one line, as `println!` does; a closed pipe ends the output instead of a panic, and any
/// other failed write is said once on standard error.
pub(crate) fn line(args: std::fmt::Arguments<'_>) {
    write(args, true);
}

/// Writes text as `print!` does, with the same care as [`line`].
pub(crate) fn text(args: std::fmt::Arguments<'_>) {
    write(args, false);
}

/// Writes bytes and a newline, with the same care as [`line`] (a line already made, such as a
/// `cases --format jsonl` line: written as it is, not read again as text).
pub(crate) fn line_bytes(bytes: &[u8]) {
    if closed() {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out
        .write_all(bytes)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    failed(written);
}

fn write(args: std::fmt::Arguments<'_>, newline: bool) {
    if closed() {
        return;
    }
    let mut out = std::io::stdout().lock();
    let written = out
        .write_fmt(args)
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| out.flush());
    failed(written);
}

/// A failed write ends the output: said once on standard error, unless the reader went away.
fn failed(written: std::io::Result<()>) {
    if let Err(e) = written {
        CLOSED.store(true, Ordering::Relaxed);
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("warning: standard output: {e}; nothing more is written to it");
        }
    }
}

/// `println!` for the commands' output (see [`line`]).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::commands::out::line(format_args!($($arg)*))
    };
}
pub(crate) use outln;

/// `print!` for the commands' output (see [`text`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::commands::out::text(format_args!($($arg)*))
    };
}
pub(crate) use out;
