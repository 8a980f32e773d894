//! A request as a copy-paste curl command: what a reproduction runs (see [`super::repro`]), with
//! real credentials left to the environment and bodies written inline, in a here-document, or
//! through `base64 -d`.

use base64::Engine as _;

use super::raw::RawClient;
use super::sign::Signing;
use super::WireRequest;

/// Bodies up to this many bytes, on one line, go inline in [`RawClient::curl`]; longer ones in a here-document.
const CURL_INLINE_MAX: usize = 200;

impl RawClient {
    /// A copy-paste curl command reproducing `req`, without any secret: real credentials appear
    /// as `$AWS_ACCESS_KEY_ID`, `$AWS_SECRET_ACCESS_KEY` and `$AWS_SESSION_TOKEN`; only the fixed
    /// dummy loopback keys are written out. Short one-line bodies go inline; longer ones in a
    /// `<<'JSON'` here-document, which adds a final newline if the body has none; bodies that
    /// are not printable text are piped through `base64 -d`.
    pub fn curl(&self, req: &WireRequest) -> String {
        let user = if self.signing().is_dummy() {
            if let Signing::SigV4 { credentials, .. } = self.signing() {
                shell_quote(&format!(
                    "{}:{}",
                    credentials.access_key_id(),
                    credentials.secret_access_key()
                ))
            } else {
                String::new()
            }
        } else {
            "\"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"".to_owned()
        };
        self.curl_with(
            req,
            "curl -sS -i",
            &shell_quote(&self.url_for(&req.path)),
            &user,
        )
    }

    /// One curl command: `head` (curl and its output flags), the URL as a shell word, the
    /// `--user` argument as a shell word (used when signing).
    pub(crate) fn curl_with(&self, req: &WireRequest, head: &str, url: &str, user: &str) -> String {
        let mut words = vec![head.to_owned(), format!("-X {}", shell_word(&req.method))];
        words.push(url.to_owned());
        for (name, value) in &req.headers {
            // A request that carries its own signature or token: never written out.
            let value = if is_credential_header(name) {
                super::secrets::REDACTED
            } else {
                value.as_str()
            };
            words.push(format!("-H {}", shell_quote(&format!("{name}: {value}"))));
        }
        if !req.body.is_empty() && req.header("content-type").is_none() {
            // curl would otherwise add `Content-Type: application/x-www-form-urlencoded`.
            words.push("-H 'Content-Type:'".to_owned());
        }
        if let (
            Signing::SigV4 {
                credentials,
                region,
                service,
            },
            None,
        ) = (self.signing(), req.header("authorization"))
        {
            words.push(format!(
                "--aws-sigv4 {}",
                shell_quote(&format!("aws:amz:{region}:{service}"))
            ));
            words.push(format!("--user {user}"));
            if !self.signing().is_dummy() && credentials.session_token().is_some() {
                words.push("-H \"x-amz-security-token: $AWS_SESSION_TOKEN\"".to_owned());
            }
        }
        match body_form(&req.body) {
            BodyForm::None => words.join(" "),
            BodyForm::Inline(text) => {
                words.push(format!("--data-binary {}", shell_quote(text)));
                words.join(" ")
            }
            BodyForm::HereDoc(text) => {
                let delimiter = heredoc_delimiter(text);
                words.push(format!("--data-binary @- <<'{delimiter}'"));
                let newline = if text.ends_with('\n') { "" } else { "\n" };
                format!("{}\n{text}{newline}{delimiter}", words.join(" "))
            }
            BodyForm::Binary(bytes) => {
                words.push("--data-binary @-".to_owned());
                let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
                format!("printf '%s' '{b64}' | base64 -d | {}", words.join(" "))
            }
        }
    }
}

/// How curl() writes a body.
enum BodyForm<'a> {
    None,
    Inline(&'a str),
    HereDoc(&'a str),
    Binary(&'a [u8]),
}

fn body_form(body: &[u8]) -> BodyForm<'_> {
    if body.is_empty() {
        return BodyForm::None;
    }
    match std::str::from_utf8(body) {
        Ok(text)
            if !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t') =>
        {
            if text.len() <= CURL_INLINE_MAX && !text.contains('\n') {
                BodyForm::Inline(text)
            } else {
                BodyForm::HereDoc(text)
            }
        }
        _ => BodyForm::Binary(body),
    }
}

/// `JSON`, or `JSON_1`, `JSON_2`… if the body has a line equal to it.
fn heredoc_delimiter(text: &str) -> String {
    let mut delimiter = "JSON".to_owned();
    let mut n = 0;
    while text.lines().any(|line| line == delimiter) {
        n += 1;
        delimiter = format!("JSON_{n}");
    }
    delimiter
}

/// Headers whose value is a credential: `Authorization`, `X-Amz-Security-Token`.
fn is_credential_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("x-amz-security-token")
}

/// `s` in single quotes, each `'` written as `'\''`.
pub fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` bare if it is a plain word, else quoted.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        s.to_owned()
    } else {
        shell_quote(s)
    }
}
