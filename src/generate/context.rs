//! What requests need from the run (names, the role, the code, the region and account), and the
//! zips they carry.

use std::borrow::Cow;

use std::io::Write as _;

use base64::Engine as _;
use serde_json::Value;

use super::strings;
use crate::spec::{validate, Spec};

/// What the harness knows about the run that requests need: names, the role, the code.
#[derive(Debug, Clone)]
pub struct Context {
    /// Every function this run creates has a name starting with this (e.g. `lc-1a2b3c4d`).
    pub run_prefix: String,
    /// The execution role ARN.
    pub role: String,
    /// The zip every valid request uploads.
    pub zip: Vec<u8>,
    /// The region requests are signed for.
    pub region: String,
    /// The account the endpoint acts for, when known.
    pub account: Option<String>,
}

/// `zip` as base64: encoded once per thread for the zip a run uploads (every base request asks).
/// The cache starts as the empty zip's entry, which is right for it.
fn zip_b64(zip: &[u8]) -> String {
    thread_local! {
        static LAST: std::cell::RefCell<(Vec<u8>, String)> =
            const { std::cell::RefCell::new((Vec::new(), String::new())) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != zip {
            *last = (
                zip.to_vec(),
                base64::engine::general_purpose::STANDARD.encode(zip),
            );
        }
        last.1.clone()
    })
}

impl Context {
    /// A context whose names derive from `seed`, so that one seed gives the same requests.
    pub fn new(seed: u64, role: &str) -> Self {
        Self {
            run_prefix: format!("lc-{:08x}", (seed ^ (seed >> 32)) as u32),
            role: role.to_string(),
            zip: handler_zip(),
            region: "us-east-1".into(),
            account: Some("123456789012".into()),
        }
    }

    /// The same context for another region and account.
    pub fn in_place(mut self, region: &str, account: Option<String>) -> Self {
        self.region = region.to_string();
        self.account = account;
        self
    }

    /// What the table's checks need to know about the call.
    pub fn facts(&self, body_bytes: usize) -> validate::CallFacts {
        validate::CallFacts {
            body_bytes,
            region: Some(self.region.clone()),
            account: self.account.clone(),
        }
    }

    fn fill(&self, v: &Value, name: &str) -> Value {
        // Cloned whole, then its placeholders filled in place: a cloned object keeps its key index
        // (collecting a new one hashed every key again, for every instance).
        let mut out = v.clone();
        self.fill_in_place(&mut out, name);
        out
    }

    fn fill_in_place(&self, v: &mut Value, name: &str) {
        match v {
            Value::String(s) if s.contains('{') => {
                // One pass over the text; what goes in is not looked at again.
                let mut t = String::with_capacity(s.len() + name.len());
                let mut rest = s.as_str();
                while let Some(at) = rest.find('{') {
                    t.push_str(&rest[..at]);
                    let tail = &rest[at..];
                    let (filled, len) = if tail.starts_with("{name}") {
                        (Cow::Borrowed(name), 6)
                    } else if tail.starts_with("{role}") {
                        (Cow::Borrowed(self.role.as_str()), 6)
                    } else if tail.starts_with("{zip}") {
                        (Cow::Owned(zip_b64(&self.zip)), 5)
                    } else {
                        (Cow::Borrowed("{"), 1)
                    };
                    t.push_str(&filled);
                    rest = &tail[len..];
                }
                t.push_str(rest);
                *s = t;
            }
            Value::Array(a) => a.iter_mut().for_each(|x| self.fill_in_place(x, name)),
            Value::Object(m) => m.values_mut().for_each(|x| self.fill_in_place(x, name)),
            _ => {}
        }
    }

    /// A `[[case]]` row's value filled for one instance: the base request's placeholders and `{region}`,
    /// `{account}`, `{repeat:C:N}`, `{zip_of:N}`. None when the account is unknown and the value needs it.
    pub fn fill_case(&self, v: &Value, name: &str) -> Option<Value> {
        Some(match v {
            Value::String(s) => {
                let mut s = match self.fill(v, name) {
                    Value::String(t) => t,
                    _ => s.clone(),
                };
                s = s.replace("{region}", &self.region);
                if s.contains("{account}") {
                    s = s.replace("{account}", self.account.as_deref()?);
                }
                while let Some(start) = s.find("{repeat:") {
                    let len = s[start..].find('}')?;
                    let inner = &s[start + 8..start + len];
                    let (unit, count) = inner.rsplit_once(':')?;
                    let text = unit.repeat(count.parse().ok()?);
                    s.replace_range(start..start + len + 1, &text);
                }
                if s.contains(ZIP_OF) {
                    let (at, bytes) = zip_of_placeholder(&s)?;
                    s.replace_range(at, &handler_zip_of_b64(bytes?));
                }
                Value::String(s)
            }
            Value::Array(a) => Value::Array(
                a.iter()
                    .map(|x| self.fill_case(x, name))
                    .collect::<Option<_>>()?,
            ),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, x)| Some((k.clone(), self.fill_case(x, name)?)))
                    .collect::<Option<_>>()?,
            ),
            other => other.clone(),
        })
    }

    /// The table's base request with a fresh function name.
    pub fn base_request(&self, spec: &Spec, name: &str) -> Value {
        self.fill(&spec.base_request, name)
    }

    /// The base request's value at a (field-only) path, if it sets one.
    pub fn base_value(&self, spec: &Spec, member: &crate::spec::Member) -> Option<Value> {
        let found = validate::reach_steps(&spec.base_request, &member.walk.steps);
        let raw = found.first()?;
        Some(self.fill(raw, &format!("{}-base", self.run_prefix)))
    }

    /// Whether the base request fills this member with the function name.
    pub fn is_name_member(&self, spec: &Spec, path: &str) -> bool {
        validate::reach_ref(&spec.base_request, path)
            .first()
            .is_some_and(|v| v.as_str() == Some("{name}"))
    }

    /// A function name of exactly `n` characters that starts with the run prefix when it fits.
    pub fn name_of_length(&self, n: usize, rng: &mut strings::Rng) -> Option<String> {
        const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let mut s = if n >= self.run_prefix.len() + 2 {
            format!("{}-", self.run_prefix)
        } else {
            String::new()
        };
        while s.len() < n {
            s.push(ALNUM[rng.below(ALNUM.len() as u64) as usize] as char);
        }
        (n > 0).then_some(s)
    }

    /// A fresh function name for one instance.
    pub fn fresh_name(&self, rng: &mut strings::Rng) -> String {
        format!("{}-{:08x}", self.run_prefix, rng.next_u64() as u32)
    }
}

/// The handler every generated zip carries (`index.handler`).
const HANDLER: (&str, &[u8]) = (
    "index.py",
    b"def handler(event, context):\n    return event\n",
);

/// A zip of `files` (name, content), stored, with fixed dates: the same bytes every time. Writing
/// into memory cannot fail; a file the writer refused would simply be missing.
fn stored_zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .last_modified_time(zip::DateTime::default());
        for (name, content) in files {
            if zip.start_file(*name, options).is_ok() {
                let _ = zip.write_all(content);
            }
        }
        let _ = zip.finish();
    }
    out.into_inner()
}

/// A small real zip with a Python handler (`index.handler`), byte-for-byte the same every time.
pub fn handler_zip() -> Vec<u8> {
    stored_zip(&[HANDLER])
}

/// The handler zip padded with a stored file of incompressible bytes to at least `bytes` bytes,
/// byte-for-byte the same every time.
pub fn handler_zip_of(bytes: usize) -> Vec<u8> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let pad: Vec<u8> = (0..bytes)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    stored_zip(&[HANDLER, ("padding.bin", &pad)])
}

/// [`handler_zip_of`] in base64, made once per size and process (a `{zip_of:N}` row is filled for
/// every instance of its class; the zip is the same every time). A caller asking for a size that
/// another thread is making waits for it instead of making it too.
pub(crate) fn handler_zip_of_b64(bytes: usize) -> std::sync::Arc<str> {
    let make = || {
        base64::engine::general_purpose::STANDARD
            .encode(handler_zip_of(bytes))
            .into()
    };
    let slot = MADE_ZIPS
        .get_or_init(Default::default)
        .lock()
        .ok()
        .map(|mut made| made.entry(bytes).or_default().clone());
    match slot {
        Some(slot) => slot.get_or_init(make).clone(),
        None => make(),
    }
}

/// [`handler_zip_of_b64`] of this size when this process has made it already; None otherwise
/// (nothing is made: a size read from a request may be any size).
pub(crate) fn made_zip_of_b64(bytes: usize) -> Option<std::sync::Arc<str>> {
    let made = MADE_ZIPS.get()?.lock().ok()?;
    made.get(&bytes)?.get().cloned()
}

type ZipSlot = std::sync::Arc<std::sync::OnceLock<std::sync::Arc<str>>>;
/// The zips [`handler_zip_of_b64`] made, by size.
static MADE_ZIPS: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<usize, ZipSlot>>> =
    std::sync::OnceLock::new();

/// Makes the zips the table's `[[case]]` rows name (`{zip_of:N}`). A run calls this on a thread of
/// its own while it prepares, so that the first draw of such a class (probing it) does not make a
/// 2 MiB zip on the way to the first check.
pub fn make_table_zips(spec: &crate::spec::Spec) {
    fn sizes(v: &Value, out: &mut Vec<usize>) {
        match v {
            Value::String(s) => {
                let mut rest = s.as_str();
                while let Some((at, bytes)) = zip_of_placeholder(rest) {
                    out.extend(bytes);
                    rest = &rest[at.end..];
                }
            }
            Value::Array(a) => a.iter().for_each(|x| sizes(x, out)),
            Value::Object(m) => m.values().for_each(|x| sizes(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    for row in &spec.cases {
        sizes(&row.set, &mut all);
    }
    all.sort_unstable();
    all.dedup();
    for bytes in all {
        handler_zip_of_b64(bytes);
    }
}

/// How a `[[case]]` row asks for [`handler_zip_of`]: `{zip_of:N}`.
const ZIP_OF: &str = "{zip_of:";

/// The first `{zip_of:N}` in `s`: where it lies (its `}` included) and N, None when N is not a
/// number. None when `s` has no such placeholder or it is never closed.
fn zip_of_placeholder(s: &str) -> Option<(std::ops::Range<usize>, Option<usize>)> {
    let start = s.find(ZIP_OF)?;
    let len = s[start..].find('}')?;
    let bytes = s[start + ZIP_OF.len()..start + len].parse().ok();
    Some((start..start + len + 1, bytes))
}

/// A zip archive with no entries.
pub fn empty_zip() -> Vec<u8> {
    stored_zip(&[])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// `{name}`, `{role}` and `{zip}` are filled wherever they stand in a string, once: a value put
    /// in is not filled again, and other braces stay as they are.
    /// A row's `{zip_of:N}` is read the same way where it is filled and where the table's zips are
    /// made ahead: filled in place with that zip's base64; a size that is not a number, or a
    /// placeholder never closed, fails the fill; every placeholder of a string is made ahead.
    pub(crate) fn zip_of_placeholders_are_read_alike() {
        let ctx = Context::new(7, "arn:aws:iam::123456789012:role/r");
        let fill = |text: &str| ctx.fill_case(&Value::String(text.into()), "f");
        let zip = handler_zip_of_b64(13);
        assert_eq!(
            fill("<{zip_of:13}>"),
            Some(Value::String(format!("<{zip}>")))
        );
        assert_eq!(fill("{zip_of:x}"), None);
        assert_eq!(fill("{zip_of:13"), None);
        assert_eq!(fill("no zip"), Some(Value::String("no zip".into())));
        assert_eq!(zip_of_placeholder("a{zip_of:17}b"), Some((1..12, Some(17))));
        assert_eq!(zip_of_placeholder("{zip_of:}"), Some((0..9, None)));
        assert_eq!(zip_of_placeholder("{zip_of:17"), None);

        let mut spec = crate::spec::load("aws-2026", None).expect("the shipped table");
        spec.cases.truncate(1);
        let row = spec.cases.first_mut().expect("a [[case]] row");
        row.set = serde_json::json!({"Code": {"ZipFile": "{zip_of:19}{zip_of:x}{zip_of:23}"}});
        make_table_zips(&spec);
        assert!(made_zip_of_b64(19).is_some() && made_zip_of_b64(23).is_some());
    }

    pub(crate) fn placeholders_are_filled_once() {
        let ctx = Context::new(7, "arn:aws:iam::123456789012:role/{name}");
        let zip = base64::engine::general_purpose::STANDARD.encode(&ctx.zip);
        let v = serde_json::json!({
            "a": "{name}/{role}/{zip}",
            "b": ["{other} {", "{{name}}", "no braces"],
            "c": {"d": "x{zip}y{zip}"},
        });
        let filled = ctx.fill(&v, "fn-{role}");
        let want = serde_json::json!({
            "a": format!("fn-{{role}}/arn:aws:iam::123456789012:role/{{name}}/{zip}"),
            "b": ["{other} {", "{fn-{role}}", "no braces"],
            "c": {"d": format!("x{zip}y{zip}")},
        });
        assert_eq!(filled, want);
    }
}
