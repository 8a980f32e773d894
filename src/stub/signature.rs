//! `lambda-conform stub --require-signature`: SigV4 checked as AWS checks it, by signing the
//! request again with the secret of its access key and comparing the signatures.
//!
//! The request is signed again with aws-sigv4 (the signer of the harness and of the official SDK)
//! over exactly the headers the request says it signed, at the time its `X-Amz-Date` says, for
//! the region and service of its credential scope. So a header aws-sigv4 never signs
//! (`user-agent`, `expect`, `transfer-encoding`, `x-amzn-trace-id`) cannot be verified when a
//! client signed it: such a request is refused as a mismatch.
//!
//! The answers' types and statuses are AWS's; their texts are not in the recordings
//! (AWS_OBSERVED.md has no unsigned or badly signed exchange), so they are AWS's documented texts,
//! assumed.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;

use super::wire::header;

/// How far `X-Amz-Date` may be from the stub's clock (AWS: 5 minutes).
const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// Assumed (not recorded): AWS's text for a request without `Authorization`.
pub const MISSING_TOKEN_MESSAGE: &str = "Missing Authentication Token";
/// Assumed (not recorded): AWS's text for a signature that does not match.
pub const MISMATCH_MESSAGE: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
/// Assumed (not recorded): AWS's text for an access key id it does not know.
pub const UNKNOWN_KEY_MESSAGE: &str = "The security token included in the request is invalid.";

/// Why a request's signature is refused: the answer's status, error type and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status (403 for all of them).
    pub status: u16,
    /// `MissingAuthenticationTokenException`, `IncompleteSignatureException`,
    /// `UnrecognizedClientException` or `InvalidSignatureException`.
    pub error_type: &'static str,
    /// The text.
    pub message: String,
}

impl Refusal {
    fn new(error_type: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: 403,
            error_type,
            message: message.into(),
        }
    }
}

/// The key pairs the stub accepts.
#[derive(Clone, Default)]
pub struct SignatureCheck {
    keys: Vec<(String, String)>,
}

impl std::fmt::Debug for SignatureCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SignatureCheck({} key pairs)", self.keys.len())
    }
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
struct Authorization<'a> {
    access_key_id: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<String>,
    signature: &'a str,
}

impl SignatureCheck {
    /// Accepts requests signed with any of these (access key id, secret key) pairs.
    pub fn new(keys: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            keys: keys.into_iter().collect(),
        }
    }

    /// Whether the request is signed with a known key, correctly, at about `now`.
    pub fn verify(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), Refusal> {
        let Some(value) = header(headers, "authorization") else {
            return Err(Refusal::new(
                "MissingAuthenticationTokenException",
                MISSING_TOKEN_MESSAGE,
            ));
        };
        let auth = parse(value)?;
        let Some(secret) = self
            .keys
            .iter()
            .find(|(id, _)| id == auth.access_key_id)
            .map(|(_, s)| s)
        else {
            return Err(Refusal::new(
                "UnrecognizedClientException",
                UNKNOWN_KEY_MESSAGE,
            ));
        };
        let Some(amz_date) = header(headers, "x-amz-date") else {
            return Err(Refusal::new(
                "IncompleteSignatureException",
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
            ));
        };
        let Some(time) = parse_amz_date(amz_date) else {
            return Err(Refusal::new(
                "IncompleteSignatureException",
                format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"),
            ));
        };
        if !amz_date.starts_with(auth.date) {
            return Err(mismatch());
        }
        if let Some(refusal) = skewed(amz_date, time, now) {
            return Err(refusal);
        }
        let expected =
            resign(method, path, headers, body, &auth, secret, time).ok_or_else(mismatch)?;
        if expected.eq_ignore_ascii_case(auth.signature) {
            Ok(())
        } else {
            Err(mismatch())
        }
    }
}

fn mismatch() -> Refusal {
    Refusal::new("InvalidSignatureException", MISMATCH_MESSAGE)
}

/// The `Authorization` header's parts, or AWS's `IncompleteSignatureException` naming what lacks.
fn parse(value: &str) -> Result<Authorization<'_>, Refusal> {
    let incomplete = |what: &str| {
        Refusal::new(
            "IncompleteSignatureException",
            format!("Authorization header requires '{what}' parameter. Authorization={value}"),
        )
    };
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| incomplete("Credential"))?;
    let field = |name: &str| {
        rest.split(',')
            .map(str::trim)
            .find_map(|p| p.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
    };
    let credential = field("Credential").ok_or_else(|| incomplete("Credential"))?;
    let signed = field("SignedHeaders").ok_or_else(|| incomplete("SignedHeaders"))?;
    let signature = field("Signature").ok_or_else(|| incomplete("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope[..] else {
        return Err(incomplete("Credential"));
    };
    Ok(Authorization {
        access_key_id,
        date,
        region,
        service,
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature,
    })
}

/// `20261129T214438Z` as a time.
fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let t = chrono::NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%SZ").ok()?;
    let secs = u64::try_from(t.and_utc().timestamp()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(secs))
}

/// AWS's refusal of a request signed more than 5 minutes away from now (texts assumed).
fn skewed(amz_date: &str, time: SystemTime, now: SystemTime) -> Option<Refusal> {
    let fmt = |t: SystemTime| {
        chrono::DateTime::<chrono::Utc>::from(t)
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    };
    if time + MAX_SKEW < now {
        return Some(Refusal::new(
            "InvalidSignatureException",
            format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - 5 min.)",
                fmt(now - MAX_SKEW),
                fmt(now)
            ),
        ));
    }
    if time > now + MAX_SKEW {
        return Some(Refusal::new(
            "InvalidSignatureException",
            format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + 5 min.)",
                fmt(now + MAX_SKEW),
                fmt(now)
            ),
        ));
    }
    None
}

/// The signature aws-sigv4 computes for the request as received, over the headers it signed.
fn resign(
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
    auth: &Authorization<'_>,
    secret: &str,
    time: SystemTime,
) -> Option<String> {
    let signs = |name: &str| auth.signed_headers.iter().any(|h| h == name);
    // The signer adds these two itself (the token from the identity).
    let token = signs("x-amz-security-token")
        .then(|| header(headers, "x-amz-security-token").map(str::to_owned))
        .flatten();
    let identity = Credentials::new(auth.access_key_id, secret, token, None, "stub").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(auth.region)
        .name(auth.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .ok()?
        .into();
    let host = header(headers, "host")?;
    let url = format!("http://{host}{path}");
    let signed: Vec<(&str, &str)> = headers
        .iter()
        .filter(|(name, _)| {
            let name = name.to_ascii_lowercase();
            signs(&name) && name != "x-amz-date" && name != "x-amz-security-token"
        })
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let payload = match header(headers, "x-amz-content-sha256") {
        Some(hash) if signs("x-amz-content-sha256") => SignableBody::Precomputed(hash.to_owned()),
        _ => SignableBody::Bytes(body),
    };
    let signable = SignableRequest::new(method, &url, signed.into_iter(), payload).ok()?;
    let (_, signature) = sign(signable, &params).ok()?.into_parts();
    Some(signature)
}
