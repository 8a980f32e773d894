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

/// Bodies serialise as text when they are UTF-8 and as `base64:` + base64 otherwise.
mod body_text {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(body) {
            Ok(text) if !text.starts_with("base64:") => s.serialize_str(text),
            _ => s.serialize_str(&format!(
                "base64:{}",
                base64::engine::general_purpose::STANDARD.encode(body)
            )),
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
mod tests {
    use super::*;

    fn response(body: &str) -> WireResponse {
        WireResponse {
            status: 201,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        }
    }

    /// `json_str_member` answers what `json()?.get(key)?.as_str()` answers, on bodies of every shape.
    #[test]
    fn json_str_member_is_json_get_as_str() {
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
