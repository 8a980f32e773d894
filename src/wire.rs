//! One HTTP exchange exactly as it goes on the wire: what generators build, the stub answers, the
//! audit reads from recordings and the transport sends.

/// One HTTP request exactly as it goes on the wire (before signing adds its headers).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WireRequest {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Path and query, e.g. `/2015-03-31/functions`.
    pub path: String,
    /// Headers to send, in order; names as written.
    pub headers: Vec<(String, String)>,
    /// The body bytes (usually JSON text).
    #[serde(with = "body_text")]
    pub body: Vec<u8>,
}

/// One HTTP response as received.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct WireResponse {
    /// HTTP status code.
    pub status: u16,
    /// Headers, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    #[serde(with = "body_text")]
    pub body: Vec<u8>,
}

/// What kind of JSON value this is, for messages (`null`, `a string`, `an array`, …).
pub fn json_kind(v: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl WireRequest {
    /// A `POST` of a JSON body with `Content-Type: application/json`.
    pub fn post_json(path: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            method: "POST".into(),
            path: path.into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.into(),
        }
    }

    /// A request with no body.
    pub fn bodiless(method: &str, path: &str) -> Self {
        Self {
            method: method.into(),
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Appends this request as JSON: what `serde_json::to_vec(self)` writes, with the body
    /// escaped by [`write_json_str`] (a line of `cases --format jsonl` is mostly its body).
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"method\":");
        write_json_str(&self.method, out);
        out.extend_from_slice(b",\"path\":");
        write_json_str(&self.path, out);
        out.extend_from_slice(b",\"headers\":[");
        for (i, (k, v)) in self.headers.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.push(b'[');
            write_json_str(k, out);
            out.push(b',');
            write_json_str(v, out);
            out.push(b']');
        }
        out.extend_from_slice(b"],\"body\":");
        write_json_str(&body_text::text(&self.body), out);
        out.push(b'}');
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl WireResponse {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// `json()?.get(key)?.as_str()`, read without building the body (the name of a created
    /// function, looked up after every successful create): None when the body is not JSON, not an
    /// object, or has no string there; with `key` twice, the last, as `json()` has it.
    pub fn json_str_member(&self, key: &str) -> Option<String> {
        use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, Visitor};
        struct Member<'k>(&'k str);
        impl<'de> Visitor<'de> for Member<'_> {
            type Value = Option<String>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut found = None;
                while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    if k == self.0 {
                        found = match map.next_value::<serde_json::Value>()? {
                            serde_json::Value::String(s) => Some(s),
                            _ => None,
                        };
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(found)
            }
        }
        impl<'de> DeserializeSeed<'de> for Member<'_> {
            type Value = Option<String>;
            fn deserialize<D: serde::Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Self::Value, D::Error> {
                d.deserialize_map(self)
            }
        }
        let mut de = serde_json::Deserializer::from_slice(&self.body);
        let found = Member(key).deserialize(&mut de).ok()?;
        de.end().ok()?;
        found
    }
}

/// Appends `v` as compact JSON text: byte for byte what `serde_json::to_vec` writes (members in
/// the map's order, strings escaped the same way), with strings escaped by [`write_json_str`]. A
/// generated request is mostly long strings (a 10 000-character ARN, 1 500 list items), and
/// escaping them byte by byte was a tenth of generating it.
pub fn write_json(v: &serde_json::Value, out: &mut Vec<u8>) {
    use serde_json::Value;
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => {
            // serde_json's own text for a number (integers as they are, floats by ryu).
            let _ = serde_json::to_writer(&mut *out, n);
        }
        Value::String(s) => write_json_str(s, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(item, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json_str(k, out);
                out.push(b':');
                write_json(item, out);
            }
            out.push(b'}');
        }
    }
}

/// `v` as compact JSON text ([`write_json`]).
pub fn json_bytes(v: &serde_json::Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    write_json(v, &mut out);
    out
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it: `"` and `\` with a backslash,
/// `\b \f \n \r \t` by name, every other control character below U+0020 as `\u00xx` (lower-case
/// hex); everything else, DEL and non-ASCII included, as it is. A line of `cases --format jsonl` is
/// mostly a body escaped, and a body mostly long strings: json-escape-simd (sonic-rs's escaping)
/// scans 16 or 32 bytes at a time, and took 2.35 ms for the aws-2026 corpus's 8.4 MB of bodies
/// where eight bytes at a time took 4.28 (serde_json: 8.0). `tests::write_json_is_serde_json` holds
/// it to serde_json's bytes.
pub fn write_json_str(s: &str, out: &mut Vec<u8>) {
    json_escape_simd::escape_into(s, out);
}

/// Bodies serialise as text when they are UTF-8 and as `base64:` + base64 otherwise.
mod body_text {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&text(body))
    }

    /// The text a body serialises as.
    pub fn text(body: &[u8]) -> std::borrow::Cow<'_, str> {
        match simdutf8::basic::from_utf8(body) {
            Ok(text) if !text.starts_with("base64:") => text.into(),
            _ => format!(
                "base64:{}",
                base64::engine::general_purpose::STANDARD.encode(body)
            )
            .into(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        match text.strip_prefix("base64:") {
            Some(b64) => base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(serde::de::Error::custom),
            None => Ok(text.into_bytes()),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn response(body: &str) -> WireResponse {
        WireResponse {
            status: 201,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    /// `write_json` writes what `serde_json::to_vec` writes: every string of every character
    /// class around the escapes, at every offset of an eight-byte word, and nested values.
    pub(crate) fn write_json_is_serde_json() {
        use serde_json::{json, Value};
        let pieces = [
            "a", "\"", "\\", "\n", "\r", "\t", "\u{8}", "\u{c}", "\u{0}", "\u{1f}", "\u{1}", " ",
            "\u{7f}", "é", "漢", "😀", "/", "'", "~", "\u{20}", "!", "#", "]", "[",
        ];
        let mut strings = vec![String::new()];
        for a in pieces {
            for b in pieces {
                // Each escape at every offset of three 32-byte blocks (json-escape-simd scans 16
                // or 32 bytes at a time, and the last few bytes one by one).
                for pad in 0..97 {
                    strings.push(format!("{}{a}{}{b}", "x".repeat(pad), "y".repeat(96 - pad)));
                }
            }
        }
        strings.push("long plain text, no escapes at all, well past eight bytes".into());
        strings.extend((0..0x80u8).map(|c| char::from(c).to_string().repeat(40)));
        for s in &strings {
            let v = Value::String(s.clone());
            assert_eq!(
                json_bytes(&v),
                serde_json::to_vec(&v).expect("serialises"),
                "{s:?}"
            );
        }
        let nested = json!({
            "Code": {"ZipFile": "UEsDBAo="}, "n": 1, "neg": -7, "f": 1.5, "big": 1e300,
            "t": true, "fa": false, "z": null, "list": [1, "two", [], {}, [null]],
            "k\"ey": {"é": "漢\u{1}"}, "empty": ""
        });
        assert_eq!(
            json_bytes(&nested),
            serde_json::to_vec(&nested).expect("serialises")
        );
        // A request's JSON, with bodies that are text, not UTF-8, or text that reads as base64.
        for body in [
            &b"{\"a\":\"\\n\"}"[..],
            &[0xff, 0xfe, 0],
            b"base64:AAAA",
            b"",
        ] {
            let mut r = WireRequest::post_json("/2015-03-31/functions", body);
            r.headers.push(("X-\"q".into(), "v\u{1}".into()));
            let mut out = Vec::new();
            r.write_json(&mut out);
            assert_eq!(out, serde_json::to_vec(&r).expect("serialises"), "{body:?}");
        }
    }

    /// `json_str_member` answers what `json()?.get(key)?.as_str()` answers, on bodies of every shape.
    pub(crate) fn json_str_member_is_json_get_as_str() {
        for body in [
            r#"{"FunctionName":"f1","Runtime":"python3.12","Layers":[{"Arn":"a"}]}"#,
            r#"{"Runtime":"x","FunctionName":"f\u0032"}"#,
            r#"{"FunctionName":"first","FunctionName":"last"}"#,
            r#"{"FunctionName":7}"#,
            r#"{"FunctionName":null}"#,
            r#"{"Other":{"FunctionName":"nested"}}"#,
            r#"["FunctionName","f"]"#,
            r#"{"FunctionName":"f"} trailing"#,
            r#"{"FunctionName":"f","#,
            "",
            "not json",
        ] {
            let r = response(body);
            let want = r.json().and_then(|v| {
                v.get("FunctionName")
                    .and_then(|n| n.as_str())
                    .map(str::to_string)
            });
            assert_eq!(r.json_str_member("FunctionName"), want, "{body}");
        }
    }
}
