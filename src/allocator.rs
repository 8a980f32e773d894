//! The tuning of the mimalloc global allocator the `lambda-conform` binary runs on: mimalloc v3's
//! options, set before a command's work starts. A module of the binary (the library forbids
//! `unsafe`), which the generation bench and `examples/gen_by_class.rs` include by path, so that
//! what they time runs as `cases` does.

/// mimalloc v3's options: the environment variable that sets one, its number (`mi_option_t` in
/// its `mimalloc.h`; the Rust crate names only the v2 ones) and its default (`src/options.c`).
mod mi_option {
    use libc::{c_int, c_long};
    pub const PURGE_DELAY: (&str, c_int, c_long) = ("MIMALLOC_PURGE_DELAY", 15, 1000);
    pub const ALLOW_THP: (&str, c_int, c_long) = ("MIMALLOC_ALLOW_THP", 43, 1);
}

/// Sets a mimalloc option unless its environment variable is set, and only where the option still
/// has its default (a number that names another option in some other mimalloc is left alone).
/// Whether it was set.
fn mi_set((env, option, default): (&str, libc::c_int, libc::c_long), value: libc::c_long) -> bool {
    if std::env::var_os(env).is_some() {
        return false;
    }
    // SAFETY: mi_option_get and mi_option_set only read and store an option's value.
    unsafe {
        if libmimalloc_sys::mi_option_get(option) != default {
            return false;
        }
        libmimalloc_sys::mi_option_set(option, value);
    }
    true
}

/// mimalloc as it comes backs its arenas with transparent huge pages: a `--cases 64` run held
/// 124-134 MiB against glibc's 51-55. Turned off only after the flags were parsed, the first
/// allocations (clap's) had already made the arena's first touches zero 2 MiB pages: 13 % of a
/// one-check start's samples, and the SDK's first client took 26 ms instead of 10. No huge pages
/// from the first allocation on: call this before anything else allocates.
pub fn no_huge_pages() {
    if mi_set(mi_option::ALLOW_THP, 0) {
        // What mimalloc does itself for allow_thp = 0 when it starts, which is before `main`.
        #[cfg(target_os = "linux")]
        // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process's memory map.
        unsafe {
            libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
        }
    }
}

/// mimalloc as it comes keeps freed pages for a second: freed pages given back at once (and no
/// huge pages, [`no_huge_pages`]) hold a `--cases 64` run at about 61 MiB (docs/benchmarks.md).
/// `cases` only makes requests and writes them out, one thread, nothing kept: there giving pages
/// back at once cost 8 % of the generation time, so it keeps mimalloc's delay.
///
/// `generation_only`: the command is `cases` (or a bench timing what it does).
pub fn tune(generation_only: bool) {
    if !generation_only {
        mi_set(mi_option::PURGE_DELAY, 0);
    }
    no_huge_pages();
}
