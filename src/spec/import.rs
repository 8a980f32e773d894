//! `spec import`: botocore's Lambda model (`service-2.json`) → the CreateFunction table `model.toml`.
//!
//! The output is TOML text in the format of `specs/README.md`, written by hand rather than through a
//! serializer so that it is byte-for-byte deterministic and readable in a diff:
//!
//! - a `[source]` table (botocore version, model file, sha256 of the uncompressed JSON, HTTP binding);
//! - one `[[member]]` table per input path of `CreateFunctionRequest`, in model member order, each
//!   parent before its children;
//! - one `[[response]]` table per path of the output shape (`FunctionConfiguration`), the same way;
//! - one `[[error]]` table per modeled error of the operation, in model order.
//!
//! Paths are `A.B` (structure member), `A[]` (list item), `A{key}` / `A{value}` (map key / value).
//! A structure that is already on the current path gets its row but is not descended into again,
//! so recursive shapes end.
//!
//! Constraints are copied as the model states them: `min`/`max` become `min_length`/`max_length`
//! on strings and blobs, `min`/`max` on integers, longs (TOML integers) and doubles (TOML floats),
//! and `min_items`/`max_items` on lists and maps. Patterns are written as TOML literal strings, so
//! they read exactly as the model prints them.
//!
//! An error's `fault` is `server` when the model sets `fault: true`, `client` when it sets
//! `error.senderFault: true`; older models (botocore 1.17.63) set neither, and then the HTTP status
//! decides (5xx is `server`). An error's `members` are its body members: members bound to a header
//! (TooManyRequestsException's `retryAfterSeconds` ← `Retry-After`) are left out.
//!
//! `model` reads the JSON into rows, `table` writes them. Nothing outside `spec::import` is used.

mod model;
mod table;

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use model::{object, shape_ref, string, Model};
use table::{hex, kv_str};

/// The operation the table describes.
const OPERATION: &str = "CreateFunction";
/// Where botocore keeps the Lambda model, relative to site-packages.
const MODEL_FILE: &str = "botocore/data/lambda/2015-03-31/service-2.json";
/// The first two bytes of a gzip stream (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Why a botocore model could not be turned into a spec table.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The model file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The input starts like gzip but does not decompress.
    #[error("model is gzip-compressed but does not decompress: {0}")]
    Gzip(#[source] std::io::Error),
    /// The (uncompressed) input is not JSON.
    #[error("model is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The model has no `operations.CreateFunction`.
    #[error("operation CreateFunction not found in the model")]
    MissingOperation,
    /// A member, list, map, input, output or error refers to a shape the model does not define.
    #[error("shape {0} referenced but not defined")]
    UnknownShape(String),
    /// A part of the model does not have the form botocore gives it.
    #[error("model is malformed at {at}: expected {expected}")]
    Malformed {
        /// Where in the model, e.g. `shapes.FunctionCode.members.ZipFile`.
        at: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// A shape has a type the spec table has no name for.
    #[error("shape {shape} has type {kind}, which the spec table has no type for")]
    UnsupportedType {
        /// The shape name.
        shape: String,
        /// The model's type.
        kind: String,
    },
    /// A constraint value does not fit the shape's type (or the type takes no such constraint).
    #[error("shape {shape} ({kind}): {key} = {value} cannot be recorded: {reason}")]
    BadConstraint {
        /// The shape name.
        shape: String,
        /// The shape's type.
        kind: String,
        /// The model key, `min` or `max`.
        key: &'static str,
        /// The value as the model prints it.
        value: String,
        /// Why it cannot be recorded.
        reason: &'static str,
    },
    /// An error shape of the operation has no HTTP status.
    #[error("error shape {0} has no error.httpStatusCode")]
    NoStatus(String),
    /// No version was given and none could be derived from the model file's path.
    #[error(
        "no botocore version given and none found for {}: expected a path component like \
         botocore-1.44.8 or a botocore/__init__.py next to the data folder; pass the version",
        path.display()
    )]
    NoVersion {
        /// The model file.
        path: PathBuf,
    },
    /// The version given, or found in the path, differs from the installed package's.
    #[error("botocore version mismatch: {stated} was {how}, but {} says {found}", init.display())]
    VersionMismatch {
        /// The version given or found in a path component.
        stated: String,
        /// `given` or `found in the path`.
        how: &'static str,
        /// The `__version__` in `botocore/__init__.py`.
        found: String,
        /// That `__init__.py`.
        init: PathBuf,
    },
}

/// Reads botocore's service-2.json (plain or gzip-compressed, detected by magic bytes) and returns the
/// model table for CreateFunction as TOML text in the format of specs/README.md.
pub fn import_botocore(model: &[u8], botocore_version: &str) -> Result<String, ImportError> {
    let compressed = model.starts_with(&GZIP_MAGIC);
    let json = if compressed {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(model)
            .read_to_end(&mut out)
            .map_err(ImportError::Gzip)?;
        out
    } else {
        model.to_vec()
    };
    let sha256 = hex(&Sha256::digest(&json));
    let root: Value = serde_json::from_slice(&json)?;
    let model = Model::new(&root)?;

    let op = model.operation(OPERATION)?;
    let http = object(op.get("http"), "operations.CreateFunction.http")?;
    let method = string(http.get("method"), "operations.CreateFunction.http.method")?;
    let uri = string(
        http.get("requestUri"),
        "operations.CreateFunction.http.requestUri",
    )?;
    // botocore's default when a model leaves responseCode out.
    let success_status = match http.get("responseCode") {
        None => 200,
        Some(v) => v.as_u64().ok_or_else(|| ImportError::Malformed {
            at: "operations.CreateFunction.http.responseCode".into(),
            expected: "an HTTP status code",
        })?,
    };
    let input = shape_ref(op.get("input"), "operations.CreateFunction.input")?;
    let output = shape_ref(op.get("output"), "operations.CreateFunction.output")?;

    let members = model.rows(input)?;
    let response = model.rows(output)?;
    let errors = match op.get("errors") {
        None => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let name = shape_ref(Some(e), &format!("operations.CreateFunction.errors[{i}]"))?;
                model.error_row(name)
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ImportError::Malformed {
                at: "operations.CreateFunction.errors".into(),
                expected: "an array",
            })
        }
    };

    let model_file = if compressed {
        format!("{MODEL_FILE}.gz")
    } else {
        MODEL_FILE.to_string()
    };
    let mut out = String::new();
    out.push_str("# generated by `make spec` (scripts/spec.sh) from botocore's Lambda model\n");
    out.push_str(
        "# do not edit: regenerate with `make spec`; hand-written rows go in overlay.toml\n",
    );
    let _ = writeln!(out, "# source: botocore {botocore_version}, {model_file}");
    out.push_str("\n[source]\n");
    kv_str(&mut out, "kind", "botocore");
    kv_str(&mut out, "botocore_version", botocore_version);
    kv_str(&mut out, "model_file", &model_file);
    kv_str(&mut out, "model_sha256", &sha256);
    kv_str(&mut out, "operation", OPERATION);
    kv_str(&mut out, "method", method);
    kv_str(&mut out, "uri", uri);
    let _ = writeln!(out, "success_status = {success_status}");

    let _ = write!(
        out,
        "\n# request: {input}, {} paths, parents before children, model order\n",
        members.len()
    );
    for row in &members {
        row.write(&mut out, "member");
    }
    let _ = write!(out, "\n# response: {output}, {} paths\n", response.len());
    for row in &response {
        row.write(&mut out, "response");
    }
    let _ = write!(
        out,
        "\n# errors: {} modeled, in model order\n",
        errors.len()
    );
    for row in &errors {
        row.write(&mut out);
    }
    Ok(out)
}

/// Reads the model file at `botocore` and imports it. Without a version, the version comes from
/// `botocore/__init__.py` next to the data folder (`__version__ = '…'`) or from a path component
/// like `botocore-1.44.8`; if both are there they must agree, and so must a version that is given.
pub fn import_file(botocore: &Path, botocore_version: Option<&str>) -> Result<String, ImportError> {
    let bytes = std::fs::read(botocore).map_err(|source| ImportError::Read {
        path: botocore.to_path_buf(),
        source,
    })?;
    let installed = installed_version(botocore)?;
    let (stated, how) = match botocore_version {
        Some(v) => (Some(v.to_string()), "given"),
        None => (path_version(botocore), "found in the path"),
    };
    let version = match (stated, installed) {
        (Some(stated), Some((init, found))) if stated != found => {
            return Err(ImportError::VersionMismatch {
                stated,
                how,
                found,
                init,
            })
        }
        (Some(v), _) | (None, Some((_, v))) => v,
        (None, None) => {
            return Err(ImportError::NoVersion {
                path: botocore.to_path_buf(),
            })
        }
    };
    import_botocore(&bytes, &version)
}

/// The version in a path component like `botocore-1.44.8` (or `botocore-1.44.8-py3-none-any`).
fn path_version(path: &Path) -> Option<String> {
    path.components().rev().find_map(|c| {
        let rest = c.as_os_str().to_str()?.strip_prefix("botocore-")?;
        let version: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let version = version.trim_end_matches('.');
        version
            .starts_with(|c: char| c.is_ascii_digit())
            .then(|| version.to_string())
    })
}

/// The `__version__` of the botocore package the model file sits in: `botocore/__init__.py` next to
/// the `data` folder that is an ancestor of the file. `None` when there is no such file.
fn installed_version(path: &Path) -> Result<Option<(PathBuf, String)>, ImportError> {
    let Some(data) = path
        .ancestors()
        .skip(1)
        .find(|a| a.file_name().is_some_and(|n| n == "data"))
    else {
        return Ok(None);
    };
    let Some(init) = data.parent().map(|p| p.join("__init__.py")) else {
        return Ok(None);
    };
    if !init.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&init).map_err(|source| ImportError::Read {
        path: init.clone(),
        source,
    })?;
    let version = text.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("__version__")?;
        let rest = rest.trim_start().strip_prefix('=')?.trim();
        let quote = rest.chars().next().filter(|q| *q == '\'' || *q == '"')?;
        let inner = &rest[1..];
        inner.find(quote).map(|end| inner[..end].to_string())
    });
    Ok(version.map(|v| (init, v)))
}
