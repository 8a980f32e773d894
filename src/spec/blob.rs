//! Blobs in a request (`Code.ZipFile`): their base64 decoded and their zip read, each once per
//! thread for the zip every generated request carries.

use std::io::Cursor;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use serde_json::Value;

/// The largest blob (base64 text or zip bytes) a thread keeps from one request to the next.
const KEEP_BLOB_BYTES: usize = 64 * 1024;

/// The largest base64 text the process keeps decoded (one, shared by every thread): the
/// over-1-MB zip of `Code.ZipFile`'s size cases (3.7 MB of base64) was decoded twice per instance
/// (the type check and the size check), each time it was built and judged.
const KEEP_BIG_BLOB_BYTES: usize = 8 * 1024 * 1024;

/// A blob's base64 text and its decoding (None: not valid base64).
type Decoded = (String, Option<Arc<[u8]>>);

thread_local! {
    /// The last blob decoded on this thread: every generated request carries the same zip, and the
    /// type check and the zip checks each need its bytes.
    static LAST_BLOB: std::cell::RefCell<Option<Decoded>> = const { std::cell::RefCell::new(None) };
    /// The last zip read on this thread and its entry count.
    static LAST_ZIP: std::cell::RefCell<Option<(Vec<u8>, Option<usize>)>> =
        const { std::cell::RefCell::new(None) };
}

/// The last blob over [`KEEP_BLOB_BYTES`] decoded in this process: one, whichever thread, so a
/// run holds it once rather than once per worker.
static LAST_BIG_BLOB: Mutex<Option<Decoded>> = Mutex::new(None);

/// The base64 decoding of a string value (None when it is not a string or not valid base64).
pub(super) fn decoded(v: &Value) -> Option<Arc<[u8]>> {
    let s = v.as_str()?;
    if s.len() > KEEP_BLOB_BYTES {
        return decoded_big(s);
    }
    LAST_BLOB.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((text, bytes)) = last.as_ref() {
            if text == s {
                return bytes.clone();
            }
        }
        let bytes = decode(s);
        *last = Some((s.to_string(), bytes.clone()));
        bytes
    })
}

fn decode(s: &str) -> Option<Arc<[u8]>> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .ok()
        .map(Arc::from)
}

fn decoded_big(s: &str) -> Option<Arc<[u8]>> {
    if s.len() > KEEP_BIG_BLOB_BYTES {
        return decode(s);
    }
    if let Ok(last) = LAST_BIG_BLOB.lock() {
        if let Some((_, bytes)) = last.as_ref().filter(|(text, _)| text == s) {
            return bytes.clone();
        }
    }
    // Decoded outside the lock: another thread's different blob does not wait for this one.
    let bytes = decode(s);
    if let Ok(mut last) = LAST_BIG_BLOB.lock() {
        *last = Some((s.to_string(), bytes.clone()));
    }
    bytes
}

/// A value's base64 decoding once worked out (`Some(None)`: not base64), `None` until asked for.
pub(super) type Kept = Option<Option<Arc<[u8]>>>;

/// The base64 decoding of `v`, worked out on first use and kept in `bytes`.
pub(super) fn bytes_of<'b>(bytes: &'b mut Kept, v: &Value) -> Option<&'b [u8]> {
    bytes.get_or_insert_with(|| decoded(v)).as_deref()
}

pub(super) fn zip_entries(bytes: &[u8]) -> Option<usize> {
    LAST_ZIP.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((zip, entries)) = last.as_ref() {
            if zip == bytes {
                return *entries;
            }
        }
        let entries = zip::ZipArchive::new(Cursor::new(bytes))
            .ok()
            .map(|a| a.len());
        *last = (bytes.len() <= KEEP_BLOB_BYTES).then(|| (bytes.to_vec(), entries));
        entries
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Big blobs share one process-wide entry: each text still gets its own bytes, whichever was
    /// decoded last, and a big text that is not base64 stays undecodable.
    pub(crate) fn big_blobs_decode_to_their_own_bytes() {
        let a: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let b: Vec<u8> = (0..100_000u32).map(|i| (i % 241) as u8).collect();
        let text =
            |bytes: &[u8]| Value::String(base64::engine::general_purpose::STANDARD.encode(bytes));
        let (ta, tb) = (text(&a), text(&b));
        for _ in 0..3 {
            assert_eq!(decoded(&ta).as_deref(), Some(&a[..]));
            assert_eq!(decoded(&tb).as_deref(), Some(&b[..]));
        }
        let mut bad = ta.as_str().map(str::to_string).unwrap_or_default();
        bad.replace_range(10..11, "*");
        assert_eq!(decoded(&Value::String(bad)), None);
        assert_eq!(decoded(&ta).as_deref(), Some(&a[..]));
    }
}
