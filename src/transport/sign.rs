//! SigV4 signing of wire requests, and where the credentials come from.
//!
//! The transport never reads the environment itself: the CLI fills an [`EnvCredentials`] and
//! passes it to [`resolve_signing`]; only aws-config's own default chain reads the environment
//! on its own, for non-loopback endpoints.

use std::fmt;
use std::time::{Duration, SystemTime};

use aws_config::BehaviorVersion;
use aws_credential_types::provider::ProvideCredentials as _;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use url::{Host, Url};

use super::{SetupError, TransportError, WireRequest};

/// Access key id used on loopback endpoints when no credentials are given. Being 12 digits,
/// LocalStack and moto both take it as the account id 123456789012. Not a secret.
pub const DUMMY_ACCESS_KEY_ID: &str = "123456789012";
/// Secret key paired with [`DUMMY_ACCESS_KEY_ID`]. Not a secret: emulators do not check it.
pub const DUMMY_SECRET_ACCESS_KEY: &str = "lambda-conform-dummy-secret";
/// Region used on loopback endpoints when none is given.
pub const DEFAULT_LOOPBACK_REGION: &str = "us-east-1";
/// The SigV4 service name of Lambda.
pub const LAMBDA_SERVICE: &str = "lambda";
/// How long the aws-config default chain may take to find a region and credentials.
const CHAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Name of the provider shown in the SDK's own diagnostics.
const PROVIDER_NAME: &str = "lambda-conform";

/// How requests are signed.
#[derive(Clone)]
pub enum Signing {
    /// No `Authorization` header at all (`--no-sign`).
    None,
    /// AWS Signature Version 4 in headers.
    SigV4 {
        /// The key pair (and session token, if any).
        credentials: Credentials,
        /// Region in the credential scope, e.g. `us-east-1`.
        region: String,
        /// Service in the credential scope: `lambda` (or `iam` for emulator set-up).
        service: String,
    },
}

/// Credentials read from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`
/// by the caller (the CLI is the only environment reader).
#[derive(Clone, Default)]
pub struct EnvCredentials {
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<String>,
    /// `AWS_SESSION_TOKEN`.
    pub session_token: Option<String>,
}

impl Signing {
    /// SigV4 for `lambda` with the fixed dummy loopback keys.
    pub fn dummy(region: &str) -> Self {
        Signing::SigV4 {
            credentials: dummy_credentials(),
            region: region.to_owned(),
            service: LAMBDA_SERVICE.to_owned(),
        }
    }

    /// The same signing with another service in the credential scope (e.g. `iam`).
    /// `Signing::None` stays `None`.
    pub fn for_service(&self, service: &str) -> Self {
        match self {
            Signing::None => Signing::None,
            Signing::SigV4 {
                credentials,
                region,
                ..
            } => Signing::SigV4 {
                credentials: credentials.clone(),
                region: region.clone(),
                service: service.to_owned(),
            },
        }
    }

    /// The region of the credential scope, if signing.
    pub fn region(&self) -> Option<&str> {
        match self {
            Signing::None => None,
            Signing::SigV4 { region, .. } => Some(region),
        }
    }

    /// Whether these are the fixed dummy loopback keys (which may be printed).
    pub fn is_dummy(&self) -> bool {
        match self {
            Signing::None => false,
            Signing::SigV4 { credentials, .. } => is_dummy(credentials),
        }
    }

    /// The headers SigV4 adds to `req` when it is sent to `url` at `time`: `Authorization`,
    /// `X-Amz-Date` and, with a session token, `X-Amz-Security-Token`. Empty for `None`.
    ///
    /// Signed headers are `host` (the request's own `Host` header, else taken from `url`),
    /// `x-amz-date`, the session token and `content-type` when the request has one; the
    /// request's other headers are left out of the signature so that deliberately odd headers
    /// cannot make signing fail.
    pub fn headers_for(
        &self,
        req: &WireRequest,
        url: &str,
        time: SystemTime,
    ) -> Result<Vec<(String, String)>, TransportError> {
        let Signing::SigV4 {
            credentials,
            region,
            service,
        } = self
        else {
            return Ok(Vec::new());
        };
        let identity = credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(service)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| TransportError::Signing(e.to_string()))?
            .into();
        let signed: Vec<(&str, &str)> = req
            .headers
            .iter()
            .filter(|(name, _)| {
                name.eq_ignore_ascii_case("content-type") || name.eq_ignore_ascii_case("host")
            })
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let signable = SignableRequest::new(
            &req.method,
            url,
            signed.into_iter(),
            SignableBody::Bytes(&req.body),
        )
        .map_err(|e| TransportError::Signing(e.to_string()))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| TransportError::Signing(e.to_string()))?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect())
    }
}

impl fmt::Debug for Signing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signing::None => f.write_str("Signing::None"),
            Signing::SigV4 {
                credentials,
                region,
                service,
            } => f
                .debug_struct("Signing::SigV4")
                .field("access_key_id", &redact(credentials.access_key_id()))
                .field("region", region)
                .field("service", service)
                .field(
                    "session_token",
                    &credentials.session_token().map(|_| "<redacted>"),
                )
                .finish_non_exhaustive(),
        }
    }
}

impl fmt::Debug for EnvCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvCredentials")
            .field("access_key_id", &self.access_key_id.as_deref().map(redact))
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The first four characters of an access key id and an ellipsis.
fn redact(access_key_id: &str) -> String {
    let head: String = access_key_id.chars().take(4).collect();
    format!("{head}…")
}

/// The fixed dummy loopback credentials.
pub fn dummy_credentials() -> Credentials {
    Credentials::new(
        DUMMY_ACCESS_KEY_ID,
        DUMMY_SECRET_ACCESS_KEY,
        None,
        None,
        PROVIDER_NAME,
    )
}

/// Whether `credentials` are the fixed dummy loopback keys.
pub(crate) fn is_dummy(credentials: &Credentials) -> bool {
    credentials.access_key_id() == DUMMY_ACCESS_KEY_ID
        && credentials.secret_access_key() == DUMMY_SECRET_ACCESS_KEY
        && credentials.session_token().is_none()
}

/// Whether the endpoint is on this machine: 127.0.0.0/8, `::1` or `localhost`.
pub fn is_loopback(endpoint: &Url) -> bool {
    match endpoint.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

/// Decides how to sign requests to `endpoint`.
///
/// - `no_sign` → [`Signing::None`].
/// - Loopback endpoint → the key pair from `env` if both halves are set, else the fixed dummy
///   keys ([`DUMMY_ACCESS_KEY_ID`]); region `region` or `us-east-1`.
/// - Any other endpoint → aws-config's default chain (region from `region`, else the chain, else
///   the endpoint host `lambda.<region>.amazonaws.com`), bounded by 10 s;
///   [`SetupError::NoCredentials`] when it finds none.
pub async fn resolve_signing(
    endpoint: &Url,
    region: Option<String>,
    no_sign: bool,
    env: Option<EnvCredentials>,
) -> Result<Signing, SetupError> {
    if no_sign {
        return Ok(Signing::None);
    }
    if endpoint.host().is_none() {
        return Err(SetupError::BadEndpoint(format!(
            "endpoint {endpoint} has no host"
        )));
    }
    if is_loopback(endpoint) {
        let region = region.unwrap_or_else(|| DEFAULT_LOOPBACK_REGION.to_owned());
        let credentials = env
            .and_then(|env| match (env.access_key_id, env.secret_access_key) {
                (Some(id), Some(secret)) if !id.is_empty() && !secret.is_empty() => Some(
                    Credentials::new(id, secret, env.session_token, None, PROVIDER_NAME),
                ),
                _ => None,
            })
            .unwrap_or_else(dummy_credentials);
        return Ok(Signing::SigV4 {
            credentials,
            region,
            service: LAMBDA_SERVICE.to_owned(),
        });
    }
    from_default_chain(endpoint, region).await
}

/// Region and credentials from aws-config's default chain.
async fn from_default_chain(endpoint: &Url, region: Option<String>) -> Result<Signing, SetupError> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(region) = &region {
        loader = loader.region(aws_config::Region::new(region.clone()));
    }
    let config = tokio::time::timeout(CHAIN_TIMEOUT, loader.load())
        .await
        .map_err(|_| {
            SetupError::NoCredentials(format!(
                "the AWS config chain gave no answer within {CHAIN_TIMEOUT:?}"
            ))
        })?;
    let region = region
        .or_else(|| config.region().map(|r| r.to_string()))
        .or_else(|| region_from_host(endpoint))
        .ok_or_else(|| {
            SetupError::NoRegion(format!(
                "no AWS region for {endpoint}: pass --region or configure one (AWS_REGION, profile)"
            ))
        })?;
    let provider = config.credentials_provider().ok_or_else(|| {
        SetupError::NoCredentials("the AWS config chain has no credentials provider".into())
    })?;
    let credentials = tokio::time::timeout(CHAIN_TIMEOUT, provider.provide_credentials())
        .await
        .map_err(|_| {
            SetupError::NoCredentials(format!(
                "no AWS credentials found within {CHAIN_TIMEOUT:?}"
            ))
        })?
        .map_err(|e| {
            SetupError::NoCredentials(format!(
                "no AWS credentials found ({}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --no-sign",
                // The provider's own one-line reason; the full chain of causes is noise here.
                e.to_string().lines().next().unwrap_or("no provider had any")
            ))
        })?;
    Ok(Signing::SigV4 {
        credentials,
        region,
        service: LAMBDA_SERVICE.to_owned(),
    })
}

/// `us-west-2` from `lambda.us-west-2.amazonaws.com` (and `.amazonaws.com.cn`).
fn region_from_host(endpoint: &Url) -> Option<String> {
    let host = endpoint.host_str()?;
    let mut labels = host.split('.');
    match (labels.next(), labels.next(), labels.next()) {
        (Some("lambda"), Some(region), Some("amazonaws")) if !region.is_empty() => {
            Some(region.to_owned())
        }
        _ => None,
    }
}
