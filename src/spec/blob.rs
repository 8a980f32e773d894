//! Blobs in a request (`Code.ZipFile`): their base64 decoded and their zip read, each once per
//! thread for the zip every generated request carries.

use std::io::Cursor;

use base64::Engine as _;
use serde_json::Value;

/// The largest blob (base64 text or zip bytes) a thread keeps from one request to the next.
const KEEP_BLOB_BYTES: usize = 64 * 1024;

thread_local! {
    /// The last blob decoded on this thread: every generated request carries the same zip, and the
    /// type check and the zip checks each need its bytes.
    static LAST_BLOB: std::cell::RefCell<Option<(String, Option<Vec<u8>>)>> =
        const { std::cell::RefCell::new(None) };
    /// The last zip read on this thread and its entry count.
    static LAST_ZIP: std::cell::RefCell<Option<(Vec<u8>, Option<usize>)>> =
        const { std::cell::RefCell::new(None) };
}

pub(super) fn decoded(v: &Value) -> Option<Vec<u8>> {
    let s = v.as_str()?;
    LAST_BLOB.with(|last| {
        let mut last = last.borrow_mut();
        if let Some((text, bytes)) = last.as_ref() {
            if text == s {
                return bytes.clone();
            }
        }
        let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok();
        // Only small blobs are kept: a thread holding a megabyte-sized zip per worker would cost
        // more memory than decoding it again costs time.
        *last = (s.len() <= KEEP_BLOB_BYTES).then(|| (s.to_string(), bytes.clone()));
        bytes
    })
}

/// The base64 decoding of `v`, worked out on first use and kept in `bytes`.
pub(super) fn bytes_of<'b>(bytes: &'b mut Option<Option<Vec<u8>>>, v: &Value) -> Option<&'b [u8]> {
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
