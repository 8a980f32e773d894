//! Frozen requests' placeholders: a run's concrete values (its name prefix, role, account, region)
//! and the generator's zips in a request, replaced by `${RUN}`, `${ROLE}`, `${ACCOUNT}`,
//! `${REGION}`, `${ZIP}` and `${ZIP_OF:N}` to freeze it, and back to thaw it (see [`super::corpus`]).

use base64::Engine as _;
use serde_json::Value;

use super::corpus::{ACCOUNT, REGION, ROLE, RUN, ZIP};
use crate::generate::{handler_zip, handler_zip_of, Context};
use crate::wire::WireRequest;

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
pub(super) struct Fill {
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
    pub(super) fn of(ctx: &Context) -> Self {
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
    pub(super) fn cached(ctx: &Context) -> std::rc::Rc<Self> {
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

    pub(super) fn freeze_text(&self, s: &str) -> String {
        self.pairs
            .iter()
            .fold(s.to_string(), |acc, (c, p)| acc.replace(c.as_str(), p))
    }

    pub(super) fn thaw_text(&self, s: &str) -> String {
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
    pub(super) fn request(
        &self,
        r: &WireRequest,
        freeze: bool,
        json: Option<&Value>,
    ) -> WireRequest {
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
    let mut from = 0;
    while let Some(start) = memchr::memmem::find(&out[from..], marker).map(|i| from + i) {
        let Some(len) = out[start..].iter().position(|&b| b == b'}') else {
            break;
        };
        let n: Option<usize> = std::str::from_utf8(&out[start + marker.len()..start + len])
            .ok()
            .and_then(|t| t.parse().ok());
        let Some(n) = n else { break };
        // The zip the generator makes for `{zip_of:N}`, made once per size and process.
        let zip = crate::generate::context::handler_zip_of_b64(n);
        out.splice(start..start + len + 1, zip.bytes());
        from = start + zip.len();
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Thawing puts back every zip freezing took out: the handler zip and padded zips of two
    /// sizes, one of them twice, in one body.
    pub(crate) fn thawed_zips_are_the_zips_frozen() {
        let zips = [
            b64(&handler_zip_of(70_000)),
            b64(&handler_zip_of(5)),
            b64(&handler_zip_of(70_000)),
        ];
        let body = format!(
            "{{\"a\":\"{}\",\"b\":\"{}\",\"c\":\"{}\",\"d\":\"{}\"}}",
            zips[0],
            b64(&handler_zip()),
            zips[1],
            zips[2]
        );
        let mut frozen = body.clone().into_bytes();
        for z in &zips {
            if let Some(n) = zip_of_size(z) {
                frozen =
                    replace_bytes(&frozen, z.as_bytes(), format!("${{ZIP_OF:{n}}}").as_bytes());
            }
        }
        frozen = replace_bytes(&frozen, b64(&handler_zip()).as_bytes(), ZIP.as_bytes());
        let text = String::from_utf8(frozen.clone()).expect("text");
        assert!(
            text.contains("${ZIP_OF:70000}") && text.contains("${ZIP_OF:5}") && text.contains(ZIP),
            "{text}"
        );
        assert_eq!(thaw_zips(&frozen), body.into_bytes());
    }

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
