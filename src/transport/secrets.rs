//! Keeping the caller's secrets out of everything the tool writes: answers that echo them (AWS's
//! `IncompleteSignatureException` quotes the `Authorization` header), error texts, reports,
//! snapshots, reproductions and the terminal.
//!
//! What counts as a secret: the access key id, secret key and session token the run signs with or
//! was given in the environment (except the fixed dummy loopback keys, which reproductions print
//! on purpose, and values under 8 characters such as LocalStack's conventional `test`: replacing
//! those would garble ordinary text and they protect nothing), and any SigV4 signature value
//! (`Signature=<hex>`), whoever made it.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use super::sign::{is_dummy, EnvCredentials, Signing};
use super::WireResponse;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Shorter values are not treated as secrets (see the module documentation).
const MIN_SECRET_LEN: usize = 8;

/// `Signature=` (also `X-Amz-Signature=`) and a hex signature.
static SIGNATURE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)(signature=)[0-9a-f]{16,}").ok());

/// The secret values of a run.
#[derive(Clone, Default)]
pub struct Secrets {
    literals: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} values)", self.literals.len())
    }
}

impl Secrets {
    /// The keys `signing` signs with (none for the dummy loopback keys) and those of `env`.
    pub fn of(signing: &Signing, env: &EnvCredentials) -> Self {
        let mut s = Self::from_env(env);
        if let Signing::SigV4 { credentials, .. } = signing {
            if !is_dummy(credentials) {
                s.add(credentials.access_key_id());
                s.add(credentials.secret_access_key());
                if let Some(token) = credentials.session_token() {
                    s.add(token);
                }
            }
        }
        s
    }

    /// The keys given in the environment.
    pub fn from_env(env: &EnvCredentials) -> Self {
        let mut s = Self::default();
        for value in [
            &env.access_key_id,
            &env.secret_access_key,
            &env.session_token,
        ]
        .into_iter()
        .flatten()
        {
            if value != super::sign::DUMMY_ACCESS_KEY_ID
                && value != super::sign::DUMMY_SECRET_ACCESS_KEY
            {
                s.add(value);
            }
        }
        s
    }

    fn add(&mut self, value: &str) {
        if value.len() >= MIN_SECRET_LEN && !self.literals.iter().any(|l| l == value) {
            self.literals.push(value.to_owned());
            // The longest first, so a value containing another is replaced whole.
            self.literals.sort_by_key(|l| std::cmp::Reverse(l.len()));
        }
    }

    /// `text` with every secret value and signature replaced by [`REDACTED`].
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for secret in &self.literals {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
            }
        }
        if let Some(re) = SIGNATURE.as_ref() {
            if re.is_match(&out) {
                out = Cow::Owned(re.replace_all(&out, "${1}[redacted]").into_owned());
            }
        }
        out
    }

    /// `bytes` scrubbed the same way, when they are text and hold a secret; `None` when unchanged.
    pub fn scrub_bytes(&self, bytes: &[u8]) -> Option<Vec<u8>> {
        let text = std::str::from_utf8(bytes).ok()?;
        match self.scrub(text) {
            Cow::Borrowed(_) => None,
            Cow::Owned(t) => Some(t.into_bytes()),
        }
    }

    /// An answer with the secrets it echoes replaced, in its headers and (text) body.
    pub fn scrub_response(&self, resp: &mut WireResponse) {
        for (_, value) in resp.headers.iter_mut() {
            if let Cow::Owned(v) = self.scrub(value) {
                *value = v;
            }
        }
        if let Some(body) = self.scrub_bytes(&resp.body) {
            resp.body = body;
        }
    }
}
