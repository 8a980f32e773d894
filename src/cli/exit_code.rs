//! Exit codes of the `lambda-conform` command.

/// No trial diverged (unconfirmed ones allowed unless `--strict`; or, with `--expectations`,
/// exactly the expected trials differ).
pub const CONFORMANT: u8 = 0;
/// A divergence on evidence (with `--strict` also an unconfirmed one), or the expectation file no
/// longer holds.
pub const DIVERGENT: u8 = 1;
/// Bad flags or a bad spec / expectation file.
pub const USAGE: u8 = 2;
/// Set-up failed (endpoint unreachable, no credentials, the target could not be prepared), or no
/// divergence but some trials could not be judged (harness errors).
pub const SETUP: u8 = 3;
/// `run` was interrupted by SIGINT (128 + 2): in-flight checks stopped, the run's functions were
/// deleted (bounded by `--settle`), and the report was written marked partial.
pub const INTERRUPTED: u8 = 130;
/// `run` was stopped by SIGTERM (128 + 15): as for SIGINT.
pub const TERMINATED: u8 = 143;
