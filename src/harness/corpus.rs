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

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Digest as _;

use crate::generate::{handler_zip, handler_zip_of, Case, Context, Instance};
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

/// Every occurrence of `from` in `hay` (leftmost first, not overlapping) replaced by `to`: what
/// [`replace_found`] gives. The searcher is built for a short head of `from` and each hit checked in
/// full, because building one for the whole of `from` costs in proportion to it (a zip's base64 is
/// up to 1.4 MB, and most requests carry a zip).
fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let n = from.len();
    if n == 0 || hay.len() < n {
        return hay.to_vec();
    }
    let head = memchr::memmem::Finder::new(&from[..n.min(32)]);
    let mut out = Vec::with_capacity(hay.len());
    let (mut last, mut at) = (0, 0);
    while let Some(j) = head.find(&hay[at..]) {
        let i = at + j;
        if hay[i..].starts_with(from) {
            out.extend_from_slice(&hay[last..i]);
            out.extend_from_slice(to);
            last = i + n;
            at = last;
        } else {
            at = i + 1;
        }
    }
    out.extend_from_slice(&hay[last..]);
    out
}

/// [`replace_bytes`] with the searcher for `from` built beforehand (building one costs more than
/// searching a request body).
fn replace_found(hay: &[u8], from: &memchr::memmem::Finder<'_>, to: &[u8]) -> Vec<u8> {
    let n = from.needle().len();
    if n == 0 || hay.len() < n {
        return hay.to_vec();
    }
    let mut out = Vec::with_capacity(hay.len());
    let mut last = 0;
    for i in from.find_iter(hay) {
        // Matches do not overlap: one that starts inside the previous replacement is skipped.
        if i < last {
            continue;
        }
        out.extend_from_slice(&hay[last..i]);
        out.extend_from_slice(to);
        last = i + n;
    }
    out.extend_from_slice(&hay[last..]);
    out
}

/// The concrete values the placeholders stand for in a run.
#[derive(Debug, Clone)]
struct Fill {
    pairs: Vec<(String, String)>,
    /// Per pair, the searchers for its concrete value (freezing) and its placeholder (thawing).
    finders: Vec<(
        memchr::memmem::Finder<'static>,
        memchr::memmem::Finder<'static>,
    )>,
}

impl Fill {
    /// Concrete → placeholder pairs, in the order they are replaced when freezing (the role holds
    /// the account, so it goes first).
    fn of(ctx: &Context) -> Self {
        let mut pairs = vec![
            (ctx.run_prefix.clone(), RUN.to_string()),
            (ctx.role.clone(), ROLE.to_string()),
        ];
        if let Some(a) = &ctx.account {
            pairs.push((a.clone(), ACCOUNT.to_string()));
        }
        pairs.push((ctx.region.clone(), REGION.to_string()));
        let finders = pairs
            .iter()
            .map(|(c, p)| {
                (
                    memchr::memmem::Finder::new(c.as_bytes()).into_owned(),
                    memchr::memmem::Finder::new(p.as_bytes()).into_owned(),
                )
            })
            .collect();
        Self { pairs, finders }
    }

    /// Whether these are the pairs [`Fill::of`] makes for `ctx` (its concrete values, in order).
    fn is_for(&self, ctx: &Context) -> bool {
        let concrete = [
            Some(ctx.run_prefix.as_str()),
            Some(ctx.role.as_str()),
            ctx.account.as_deref(),
            Some(ctx.region.as_str()),
        ];
        self.pairs
            .iter()
            .map(|(c, _)| c.as_str())
            .eq(concrete.into_iter().flatten())
    }

    /// [`Fill::of`], made once per thread and context: every request a run freezes uses the same.
    fn cached(ctx: &Context) -> std::rc::Rc<Self> {
        thread_local! {
            static LAST: std::cell::RefCell<Option<std::rc::Rc<Fill>>> =
                const { std::cell::RefCell::new(None) };
        }
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            match last.as_ref() {
                Some(fill) if fill.is_for(ctx) => fill.clone(),
                _ => {
                    let fill = std::rc::Rc::new(Self::of(ctx));
                    *last = Some(fill.clone());
                    fill
                }
            }
        })
    }

    fn freeze_text(&self, s: &str) -> String {
        self.pairs
            .iter()
            .fold(s.to_string(), |acc, (c, p)| acc.replace(c.as_str(), p))
    }

    fn thaw_text(&self, s: &str) -> String {
        self.pairs
            .iter()
            .fold(s.to_string(), |acc, (c, p)| acc.replace(p.as_str(), c))
    }

    fn freeze_bytes(&self, b: &[u8], json: Option<&Value>) -> Vec<u8> {
        let mut out = freeze_zips(b, json);
        for ((_, p), (concrete, _)) in self.pairs.iter().zip(&self.finders) {
            out = replace_found(&out, concrete, p.as_bytes());
        }
        out
    }

    fn thaw_bytes(&self, b: &[u8]) -> Vec<u8> {
        let mut out = b.to_vec();
        for ((c, _), (_, placeholder)) in self.pairs.iter().zip(&self.finders) {
            out = replace_found(&out, placeholder, c.as_bytes());
        }
        thaw_zips(&out)
    }

    /// `json`: the body as JSON when the caller has it (else it is read from the bytes if needed).
    fn request(&self, r: &WireRequest, freeze: bool, json: Option<&Value>) -> WireRequest {
        let text = |s: &str| {
            if freeze {
                self.freeze_text(s)
            } else {
                self.thaw_text(s)
            }
        };
        WireRequest {
            method: r.method.clone(),
            path: text(&r.path),
            headers: r
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), text(v)))
                .collect(),
            body: if freeze {
                self.freeze_bytes(&r.body, json)
            } else {
                self.thaw_bytes(&r.body)
            },
        }
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Replaces every base64 zip the generator makes with its placeholder: `Code.ZipFile` of a JSON body.
fn freeze_zips(body: &[u8], json: Option<&Value>) -> Vec<u8> {
    let parsed;
    let v = match json {
        Some(v) => v,
        None => match serde_json::from_slice::<Value>(body) {
            Ok(v) => {
                parsed = v;
                &parsed
            }
            Err(_) => return body.to_vec(),
        },
    };
    let Some(z) = v
        .get("Code")
        .and_then(|c| c.get("ZipFile"))
        .and_then(Value::as_str)
    else {
        return body.to_vec();
    };
    if z.len() < 64 {
        return body.to_vec();
    }
    // The handler zip's base64, computed once.
    static HANDLER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let placeholder = if z == HANDLER.get_or_init(|| b64(&handler_zip())) {
        ZIP.to_string()
    } else {
        match zip_of_size(z) {
            Some(n) => format!("${{ZIP_OF:{n}}}"),
            None => return body.to_vec(),
        }
    };
    replace_bytes(body, z.as_bytes(), placeholder.as_bytes())
}

/// The `N` of `z` when `z` is the base64 of [`handler_zip_of`]`(N)`. Compared as text with the
/// base64 the generator made once per size, when it made that size (a 2 MiB zip was decoded and
/// made again for every request a run froze); otherwise decoded and compared with the zip made
/// again, nothing kept. Only text that begins as those zips begin (their first entry, the handler,
/// is the same at every size) is compared whole.
fn zip_of_size(z: &str) -> Option<usize> {
    // The first 48 bytes (64 base64 characters) of every padded zip, and their overhead.
    static START: std::sync::OnceLock<(String, usize)> = std::sync::OnceLock::new();
    let (start, overhead) = START.get_or_init(|| {
        let empty = handler_zip_of(0);
        let start = b64(&empty[..empty.len().min(48)]);
        (start, empty.len())
    });
    if !z.starts_with(start.as_str()) || z.len() % 4 != 0 {
        return None;
    }
    let padding = z.bytes().rev().take_while(|&b| b == b'=').count();
    let n = (z.len() / 4 * 3)
        .checked_sub(padding)?
        .checked_sub(*overhead)?;
    match crate::generate::context::made_zip_of_b64(n) {
        Some(made) => (*made == *z).then_some(n),
        None => {
            let bytes = base64::engine::general_purpose::STANDARD.decode(z).ok()?;
            (handler_zip_of(n) == bytes).then_some(n)
        }
    }
}

/// Fills `${ZIP}` and `${ZIP_OF:N}`.
fn thaw_zips(body: &[u8]) -> Vec<u8> {
    let mut out = replace_bytes(body, ZIP.as_bytes(), b64(&handler_zip()).as_bytes());
    let marker = b"${ZIP_OF:";
    while let Some(start) = out.windows(marker.len()).position(|w| w == marker) {
        let Some(len) = out[start..].iter().position(|&b| b == b'}') else {
            break;
        };
        let n: Option<usize> = std::str::from_utf8(&out[start + marker.len()..start + len])
            .ok()
            .and_then(|t| t.parse().ok());
        let Some(n) = n else { break };
        let zip = b64(&handler_zip_of(n));
        out.splice(start..start + len + 1, zip.into_bytes());
    }
    out
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

    /// A padded zip is recognised by its text as it was by its bytes (decoded, and compared with
    /// the zip made again), at every size, before the generator made that size (nothing is kept)
    /// and after; a zip with one byte changed, cut short or grown, or other base64, is not.
    pub(crate) fn zips_of_a_size_are_recognised() {
        use crate::generate::context::{handler_zip_of_b64, made_zip_of_b64};
        let by_bytes = |z: &str| {
            let bytes = base64::engine::general_purpose::STANDARD.decode(z).ok()?;
            let n = bytes.len().checked_sub(handler_zip_of(0).len())?;
            (handler_zip_of(n) == bytes).then_some(n)
        };
        for n in [0, 1, 2, 3, 47, 48, 1000, 65_537, 2_097_152] {
            let zip = handler_zip_of(n);
            let z = b64(&zip);
            if made_zip_of_b64(n).is_none() {
                assert_eq!(zip_of_size(&z), Some(n), "size {n}, not made");
                assert!(made_zip_of_b64(n).is_none(), "size {n} kept");
            }
            handler_zip_of_b64(n);
            assert!(made_zip_of_b64(n).is_some(), "size {n} made");
            assert_eq!(zip_of_size(&z), Some(n), "size {n}");
            assert_eq!(by_bytes(&z), Some(n), "size {n}");
            let mut changed = zip.clone();
            let last = changed.len() - 30;
            changed[last] ^= 1;
            let mut grown = zip.clone();
            grown.push(0);
            let others = [
                b64(&changed),
                b64(&zip[..zip.len() - 1]),
                b64(&grown),
                // Another last character (with padding, the last before it).
                {
                    let at = z.trim_end_matches('=').len() - 1;
                    let other = if z.as_bytes()[at] == b'A' { "B" } else { "A" };
                    format!("{}{other}{}", &z[..at], &z[at + 1..])
                },
                b64(&handler_zip()),
                b64(&[7u8; 300]),
            ];
            for other in &others {
                assert_eq!(zip_of_size(other), None, "size {n}");
                assert_eq!(by_bytes(other), None, "size {n}");
            }
        }
    }

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

    /// `replace_bytes` (a short head searched, each hit checked in full) replaces exactly what a
    /// searcher for the whole needle finds, on haystacks of few letters where matches overlap.
    pub(crate) fn replace_bytes_is_replace_found() {
        let mut rng = crate::generate::strings::Rng::new(3);
        for round in 0..4000 {
            let word = |rng: &mut crate::generate::strings::Rng, max: u64| -> Vec<u8> {
                let n = rng.below(max + 1) as usize;
                (0..n).map(|_| b"ab"[rng.below(2) as usize]).collect()
            };
            // Needles longer than the 32-byte head half of the time.
            let from = word(&mut rng, if round % 2 == 0 { 6 } else { 48 });
            // The needle, cut-off copies of it (hits of the head only) and noise, run together.
            let mut hay = Vec::new();
            for _ in 0..rng.below(8) {
                match rng.below(3) {
                    0 => hay.extend_from_slice(&from),
                    1 => hay.extend_from_slice(&from[..rng.below(from.len() as u64 + 1) as usize]),
                    _ => hay.extend(word(&mut rng, 8)),
                }
            }
            let got = replace_bytes(&hay, &from, b"<>");
            let want = replace_found(&hay, &memchr::memmem::Finder::new(&from), b"<>");
            assert_eq!(got, want, "needle {from:?} in {hay:?}");
        }
    }
}
