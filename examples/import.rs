//! Runs the botocore importer until the CLI has its `spec import` subcommand.
//!
//! ```text
//! cargo run --example import -- PATH [VERSION] > model.toml
//! cargo run --example import -- spec import --botocore PATH [--botocore-version V] --profile P
//! ```
//!
//! The first form prints the table. The second takes the arguments `scripts/spec.sh` gives the CLI
//! and writes `specs/P/model.toml`, so `LC="cargo run --quiet --example import --" scripts/spec.sh all`
//! runs the whole pipeline today.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lambda_conform::spec::import::import_file;

const USAGE: &str = "usage: import PATH [VERSION]\n       \
                     import spec import --botocore PATH [--botocore-version V] --profile P";

/// What to import and where the table goes.
struct Args {
    botocore: PathBuf,
    version: Option<String>,
    /// `None`: print to stdout.
    profile: Option<String>,
}

fn parse(args: &[String]) -> Option<Args> {
    match args {
        [path] => Some(Args {
            botocore: path.into(),
            version: None,
            profile: None,
        }),
        [path, version] if !path.starts_with("--") => Some(Args {
            botocore: path.into(),
            version: Some(version.clone()),
            profile: None,
        }),
        [spec, import, rest @ ..] if spec == "spec" && import == "import" => {
            let (mut botocore, mut version, mut profile) = (None, None, None);
            let mut it = rest.iter();
            while let Some(flag) = it.next() {
                let value = it.next()?.clone();
                match flag.as_str() {
                    "--botocore" => botocore = Some(PathBuf::from(value)),
                    "--botocore-version" => version = Some(value),
                    "--profile" => profile = Some(value),
                    _ => return None,
                }
            }
            Some(Args {
                botocore: botocore?,
                version,
                profile: Some(profile?),
            })
        }
        _ => None,
    }
}

/// Writes `text` to `path` through a temporary file, so a failed run leaves the old table intact.
fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(args) = parse(&args) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let text = match import_file(&args.botocore, args.version.as_deref()) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match args.profile {
        None => print!("{text}"),
        Some(profile) => {
            let out = Path::new("specs").join(profile).join("model.toml");
            if let Err(e) = write_atomic(&out, &text) {
                eprintln!("error: cannot write {}: {e}", out.display());
                return ExitCode::from(2);
            }
            eprintln!("wrote {}", out.display());
        }
    }
    ExitCode::SUCCESS
}
