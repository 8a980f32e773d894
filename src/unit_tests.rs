//! The library's unit tests (the `#[cfg(test)] mod tests` beside the code they test), run as
//! libtest-mimic trials by `cargo test`. The library's test target has no libtest harness
//! (Cargo.toml): `cargo test -- --endpoint URL` hands that flag to every test binary, and libtest
//! rejects it. This runner accepts the conformance binary's flags and ignores them, as the binaries
//! under `tests/` do.

use std::process::ExitCode;

use clap::Parser;
use libtest_mimic::{Arguments, Trial};

/// libtest's arguments plus the conformance binary's flags, which the unit tests ignore.
#[derive(Parser, Debug)]
struct Cli {
    #[command(flatten)]
    _flags: crate::cli::TestBinaryArgs,
    #[command(flatten)]
    libtest: Arguments,
}

/// A unit test by its path under the crate: its name is the path (a panic fails it).
macro_rules! unit {
    ($($path:ident)::+) => {
        (
            stringify!($($path)::+)
                .split_whitespace()
                .collect::<String>(),
            crate::$($path)::+ as fn(),
        )
    };
}

/// Every unit test of the library. A `pub(crate) fn` in a `tests` module that is not listed here
/// does not run: `unit_tests_are_all_listed` (below) reads the sources to catch that.
fn tests() -> Vec<(String, fn())> {
    vec![
        unit!(bundle::layout::tests::hashed_is_every_file_but_the_vendors_and_the_list),
        unit!(generate::cases::tests::filtered_marks_are_the_exhaustive_marks),
        unit!(generate::context::tests::placeholders_are_filled_once),
        unit!(generate::context::tests::zip_of_placeholders_are_read_alike),
        unit!(generate::par::tests::results_are_in_the_items_order),
        unit!(generate::strings::tests::characters_are_drawn_range_by_range),
        unit!(generate::strings::tests::exact_patterns_emit_only_matching_strings),
        unit!(generate::text::tests::letters_are_even),
        unit!(generate::text::tests::shortest_in_place_is_the_shortest_placeable_length),
        unit!(harness::background::tests::made_once_on_its_own_thread),
        unit!(harness::corpus::tests::lines_are_serde_json),
        unit!(harness::placeholders::tests::thawed_zips_are_the_zips_frozen),
        unit!(harness::placeholders::tests::replace_bytes_is_replace_found),
        unit!(harness::placeholders::tests::zips_of_a_size_are_recognised),
        unit!(harness::lanes::tests::a_thread_sees_only_its_own_lane),
        unit!(harness::lifecycle::tests::pending_reads_back_off_from_25_to_200_ms),
        unit!(spec::blob::tests::big_blobs_decode_to_their_own_bytes),
        unit!(transport::raw::tests::request_urls_are_the_urls_parsed_whole),
        unit!(transport::record::tests::interleaved_checks_keep_their_own_requests_and_deadlines),
        unit!(spec::message::tests::fill_replaces_each_key_once_and_leaves_values_alone),
        unit!(spec::pattern::tests::byte_dots_match_what_unicode_dots_match),
        unit!(spec::pattern::tests::kept_answers_are_per_pattern),
        unit!(spec::pattern::tests::one_compilation_per_source),
        unit!(wire::tests::write_json_is_serde_json),
        unit!(wire::tests::json_str_member_is_json_get_as_str),
        unit!(unit_tests::unit_tests_are_all_listed),
    ]
}

/// Every `pub(crate) fn` of every `#[cfg(test)] pub(crate) mod tests` under `src/` is in [`tests`].
pub(crate) fn unit_tests_are_all_listed() {
    let listed: Vec<String> = tests().into_iter().map(|(name, _)| name).collect();
    let mut found = Vec::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            let Some(at) = text.find("#[cfg(test)]\npub(crate) mod tests {") else {
                continue;
            };
            let module = path
                .strip_prefix(&root)
                .expect("under src/")
                .with_extension("")
                .to_string_lossy()
                .replace('/', "::");
            for line in text[at..].lines() {
                if let Some(rest) = line.trim_start().strip_prefix("pub(crate) fn ") {
                    let name = rest.split('(').next().unwrap_or_default();
                    found.push(format!("{module}::tests::{name}"));
                }
            }
        }
    }
    assert!(found.len() >= 11, "found only {found:?}");
    for name in &found {
        assert!(
            listed.contains(name),
            "{name} is not listed in src/unit_tests.rs"
        );
    }
}

/// Runs the unit tests; gives libtest's exit code.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    let trials = tests()
        .into_iter()
        .map(|(name, f)| {
            Trial::test(name, move || {
                f();
                Ok(())
            })
        })
        .collect();
    libtest_mimic::run(&cli.libtest, trials).exit_code()
}
