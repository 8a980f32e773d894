//! The frozen corpus: every CreateFunction request a seed's case classes send, one JSON line per
//! instance with its expectation and evidence, in bytes that never vary (`lambda-conform corpus
//! freeze`), and `run --corpus FILE`, which sends exactly those requests.
//!
//! What differs from one run to the next is written as a placeholder and filled per run:
//! `${RUN}` (the run's function-name prefix, `lc-` and 8 hex digits), `${ROLE}` (the execution role
//! ARN), `${ACCOUNT}` (the endpoint's account), `${REGION}` (the signing region). The zips are
//! placeholders too, so that the file stays readable: `${ZIP}` (the handler zip, base64) and
//! `${ZIP_OF:N}` (the handler zip padded to N bytes, base64); both are byte-for-byte the same every
//! time (`generate::context`).
//!
//! The file's first line is a header (`{"corpus":"lambda-conform","profile":…,"seed":…,"cases":N}`);
//! then one line per instance, sorted by case id and, within a case, in the order a run sends them
//! (the boundary first): `case`, `kind`, `n` (its position), `param`, `seed`, `function_name`,
//! `request` (method, path, headers, body) and `expect` (status, error type, message, rows, basis,
//! evidence).
//!
//! The corpus is the raw requests of the case classes. The SDK twin of a class sends the class's
//! first request through aws-sdk-lambda (under a sibling name); the lifecycle checks are fixed
//! sequences built from the base request, and are not in the file.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::placeholders::Fill;
use crate::generate::{Case, Context, Instance};
use crate::oracle;
use crate::spec::validate::{self, Expectation};
use crate::spec::Spec;
use crate::wire::WireRequest;

/// The run's function-name prefix.
pub const RUN: &str = "${RUN}";
/// The execution role ARN.
pub const ROLE: &str = "${ROLE}";
/// The endpoint's account.
pub const ACCOUNT: &str = "${ACCOUNT}";
/// The signing region.
pub const REGION: &str = "${REGION}";
/// The handler zip, base64.
pub const ZIP: &str = "${ZIP}";

/// The account and region a corpus is frozen with (what the emulators and the stub act for).
const FROZEN_ACCOUNT: &str = "123456789012";
const FROZEN_REGION: &str = "us-east-1";

/// Why a corpus file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// Unreadable.
    #[error("cannot read corpus {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        error: String,
    },
    /// A line that is not a corpus line.
    #[error("corpus {path}:{line}: {what}")]
    Format {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        what: String,
    },
}

/// The corpus file's first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Always `lambda-conform`.
    pub corpus: String,
    /// The spec profile the requests were generated from.
    pub profile: String,
    /// The seed (16 hex digits).
    pub seed: String,
    /// Instances per case class asked for.
    pub cases: u32,
}

/// What the table expects for one request, as frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expect {
    /// HTTP status.
    pub status: u16,
    /// Error type (empty for a success).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub error_type: String,
    /// The message (cut to 240 characters), for an error.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// The table rows the error comes from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<String>,
    /// What the expectation rests on.
    pub basis: oracle::Basis,
    /// The recorded exchanges it rests on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// One frozen request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frozen {
    /// The case class.
    pub case: String,
    /// `valid`, `boundary`, `violation` or `wire`.
    pub kind: String,
    /// Its position among the class's requests (0: the boundary).
    pub n: u32,
    /// The shrinkable parameter.
    pub param: u64,
    /// The instance seed (16 hex digits).
    pub seed: String,
    /// The function name it would create, with placeholders.
    pub function_name: String,
    /// The request, with placeholders.
    pub request: WireRequest,
    /// The expectation.
    pub expect: Expect,
}

/// A corpus read from a file.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The header.
    pub header: Header,
    /// The requests per case class, in file order.
    pub cases: BTreeMap<String, Vec<Frozen>>,
    /// sha256 (hex) of the file's bytes.
    pub sha256: String,
}

/// sha256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The expectation for a request, as the oracle derives it.
fn expect_of(answer: &Expectation, spec: &Spec, fill: &Fill) -> Expect {
    match answer {
        Expectation::Success => Expect {
            status: spec.source.success_status,
            error_type: String::new(),
            message: String::new(),
            rows: Vec::new(),
            basis: oracle::Basis::Recorded,
            evidence: Vec::new(),
        },
        Expectation::Error(e) => Expect {
            status: e.status,
            error_type: e.error_type.clone(),
            message: fill.freeze_text(&oracle::short(&e.message.display())),
            rows: e.rows.clone(),
            basis: oracle::error_basis(e),
            evidence: e.evidence.clone(),
        },
    }
}

/// The frozen form of one instance, as sent with `ctx`.
pub fn freeze_instance(spec: &Spec, ctx: &Context, case: &Case, n: u32, inst: &Instance) -> Frozen {
    let answer = validate::answer_with(
        spec,
        &inst.request.body,
        inst.request.header("content-type"),
        &ctx.facts(inst.request.body.len()),
    );
    freeze_answered(spec, ctx, case, n, inst, &answer)
}

/// The same, with the table's answer to the request already derived.
pub fn freeze_answered(
    spec: &Spec,
    ctx: &Context,
    case: &Case,
    n: u32,
    inst: &Instance,
    answer: &Expectation,
) -> Frozen {
    let fill = Fill::cached(ctx);
    let mut expect = expect_of(answer, spec, &fill);
    if case.assumption.is_some() && expect.basis != oracle::Basis::Assumed {
        expect.basis = oracle::Basis::Assumed;
    }
    Frozen {
        case: case.id.clone(),
        kind: case.kind.as_str().to_string(),
        n,
        param: inst.param,
        seed: format!("{:016x}", inst.seed),
        function_name: fill.freeze_text(&inst.function_name),
        request: fill.request(&inst.request, true, inst.json.as_ref()),
        expect,
    }
}

/// One frozen instance as its JSON line (no newline): what `serde_json::to_string(f)` writes, with
/// the request written by [`WireRequest::write_json`] (a run freezes every request it sends, and
/// escaping the bodies byte by byte was a third of that).
pub fn line(f: &Frozen) -> String {
    use crate::wire::write_json_str;
    let mut out = Vec::with_capacity(f.request.body.len() + 512);
    out.extend_from_slice(b"{\"case\":");
    write_json_str(&f.case, &mut out);
    out.extend_from_slice(b",\"kind\":");
    write_json_str(&f.kind, &mut out);
    out.extend_from_slice(format!(",\"n\":{},\"param\":{},\"seed\":", f.n, f.param).as_bytes());
    write_json_str(&f.seed, &mut out);
    out.extend_from_slice(b",\"function_name\":");
    write_json_str(&f.function_name, &mut out);
    out.extend_from_slice(b",\"request\":");
    f.request.write_json(&mut out);
    out.extend_from_slice(b",\"expect\":");
    if serde_json::to_writer(&mut out, &f.expect).is_err() {
        return String::new();
    }
    out.push(b'}');
    String::from_utf8(out).unwrap_or_default()
}

/// The header line (no newline).
pub fn header_line(profile: &str, seed: u64, cases: u32) -> String {
    serde_json::to_string(&Header {
        corpus: "lambda-conform".into(),
        profile: profile.into(),
        seed: format!("{seed:016x}"),
        cases,
    })
    .unwrap_or_default()
}

/// The context a corpus is frozen with: the seed's names, the emulators' role, account and region.
pub fn frozen_context(seed: u64) -> Context {
    Context::new(seed, crate::transport::target::EMULATOR_ROLE_ARN)
        .in_place(FROZEN_REGION, Some(FROZEN_ACCOUNT.to_string()))
}

/// The whole corpus file for a spec, seed and instance count: the header, then every case class's
/// requests (sorted by case id). The same arguments give the same bytes.
pub fn freeze(spec: &Arc<Spec>, seed: u64, cases: u32) -> String {
    let ctx = frozen_context(seed);
    let mut classes = super::feasible_cases(spec, &ctx);
    classes.sort_by(|a, b| a.id.cmp(&b.id));
    let mut out = header_line(&spec.profile, seed, cases);
    out.push('\n');
    for c in &classes {
        for (n, inst) in super::corpus(spec, &ctx, c, seed, cases).iter().enumerate() {
            out.push_str(&line(&freeze_instance(spec, &ctx, c, n as u32, inst)));
            out.push('\n');
        }
    }
    out
}

/// The sha256 of sent requests' frozen lines (case id order, then send order), as a generated run
/// reports it: equal to the sha256 of `corpus freeze` of the same seed when the run sent exactly
/// the corpus (a conformant endpoint, no regression replays).
pub fn sent_sha256(header: &str, sent: &super::sent::SentLines) -> String {
    sent.sha256(header)
}

impl Corpus {
    /// Reads a corpus file.
    pub fn read(path: &Path) -> Result<Self, CorpusError> {
        let name = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| CorpusError::Read {
            path: name.clone(),
            error: e.to_string(),
        })?;
        let text = String::from_utf8(bytes.clone()).map_err(|_| CorpusError::Format {
            path: name.clone(),
            line: 1,
            what: "not UTF-8".into(),
        })?;
        let bad = |line: usize, what: String| CorpusError::Format {
            path: name.clone(),
            line,
            what,
        };
        let mut lines = text.lines().enumerate();
        let header: Header = match lines.next() {
            Some((_, l)) => {
                serde_json::from_str(l).map_err(|e| bad(1, format!("not a corpus header: {e}")))?
            }
            None => return Err(bad(1, "empty file".into())),
        };
        if header.corpus != "lambda-conform" {
            return Err(bad(1, "not a lambda-conform corpus".into()));
        }
        let mut cases: BTreeMap<String, Vec<Frozen>> = BTreeMap::new();
        for (i, l) in lines {
            if l.trim().is_empty() {
                continue;
            }
            let f: Frozen = serde_json::from_str(l).map_err(|e| bad(i + 1, e.to_string()))?;
            cases.entry(f.case.clone()).or_default().push(f);
        }
        Ok(Self {
            header,
            cases,
            sha256: sha256_hex(&bytes),
        })
    }

    /// The instances of a case class, filled for a run's context, each with the answer the table
    /// gives it.
    pub fn instances(&self, case_id: &str, spec: &Spec, ctx: &Context) -> Vec<Instance> {
        let fill = Fill::of(ctx);
        self.cases
            .get(case_id)
            .map(|v| {
                v.iter()
                    .map(|f| {
                        let request = fill.request(&f.request, false, None);
                        let answer = validate::answer_with(
                            spec,
                            &request.body,
                            request.header("content-type"),
                            &ctx.facts(request.body.len()),
                        );
                        Instance {
                            answer,
                            case_id: f.case.clone(),
                            param: f.param,
                            seed: u64::from_str_radix(&f.seed, 16).unwrap_or(0),
                            json: serde_json::from_slice(&request.body).ok(),
                            request,
                            function_name: fill.thaw_text(&f.function_name),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A frozen line is what serde_json writes for it, for every request of every shipped profile's
    /// corpus (bodies of megabytes, control characters, non-ASCII text, bodies that are not text).
    pub(crate) fn lines_are_serde_json() {
        for profile in crate::spec::profiles() {
            let spec = Arc::new(crate::spec::load(profile, None).expect("a shipped profile loads"));
            let text = freeze(&spec, 7, 2);
            let mut lines = 0;
            for written in text.lines().skip(1) {
                let f: Frozen = serde_json::from_str(written).expect("a frozen line");
                let want = serde_json::to_string(&f).expect("serialised");
                assert_eq!(line(&f), want, "{profile}: {}", f.case);
                assert_eq!(written, want, "{profile}: {}", f.case);
                lines += 1;
            }
            assert!(lines > 200, "{profile}: {lines} lines");
        }
    }
}
