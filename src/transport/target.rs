//! Getting a target ready before the first case: a reachability probe, then what each kind of
//! endpoint needs (moto: a state reset and an IAM role; LocalStack: the role; AWS: a given role).

use std::fmt;

use url::form_urlencoded;

use super::raw::{RawClient, RetryPolicy};
use super::sign::DEFAULT_LOOPBACK_REGION;
use super::{SetupError, TransportError, WireRequest, WireResponse};

/// The name of the role the harness creates in emulators.
pub const ROLE_NAME: &str = "lambda-conform-role";
/// The role ARN in the emulators' default account.
pub const EMULATOR_ROLE_ARN: &str = "arn:aws:iam::123456789012:role/lambda-conform-role";
/// The path of the reachability probe: a function that does not exist.
pub const PROBE_PATH: &str = "/2015-03-31/functions/lambda-conform-probe-does-not-exist";
/// The trust policy of the emulator role: Lambda may assume it.
const TRUST_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// What kind of endpoint is under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// The embedded reference stub.
    Stub,
    /// moto in server mode.
    Moto,
    /// LocalStack.
    Localstack,
    /// Real AWS (needs `--role`).
    Aws,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Target::Stub => "stub",
            Target::Moto => "moto",
            Target::Localstack => "localstack",
            Target::Aws => "aws",
        })
    }
}

/// What the cases need to know about a prepared target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSetup {
    /// The execution role to put in `Role`.
    pub role_arn: String,
    /// The account id, read from the role ARN.
    pub account: Option<String>,
    /// The region requests are signed for.
    pub region: String,
    /// HTTP requests sent during set-up, absorbed 429s included.
    pub setup_requests: u32,
    /// 429 answers absorbed by retries during set-up.
    pub throttled_retries: u32,
}

/// Probes the endpoint, then prepares `target`. `role` is required for [`Target::Aws`] and, when
/// given for another target, used instead of the created role's ARN.
pub async fn prepare(
    target: Target,
    client: &RawClient,
    role: Option<String>,
) -> Result<TargetSetup, SetupError> {
    if target == Target::Aws && role.is_none() {
        return Err(SetupError::NoRole);
    }
    let region = client
        .signing()
        .region()
        .unwrap_or(DEFAULT_LOOPBACK_REGION)
        .to_owned();
    let mut counts = Counts::default();
    probe(client).await?;
    counts.requests += 1;
    let created = match target {
        Target::Stub | Target::Aws => None,
        Target::Moto => {
            reset_moto(client, &mut counts).await?;
            Some(create_role(client, &mut counts).await?)
        }
        Target::Localstack => Some(create_role(client, &mut counts).await?),
    };
    let role_arn = role
        .or(created)
        .unwrap_or_else(|| EMULATOR_ROLE_ARN.to_owned());
    Ok(TargetSetup {
        account: account_of(&role_arn),
        role_arn,
        region,
        setup_requests: counts.requests,
        throttled_retries: counts.throttled,
    })
}

/// Requests and absorbed 429s so far.
#[derive(Default)]
struct Counts {
    requests: u32,
    throttled: u32,
}

impl Counts {
    async fn send(
        &mut self,
        client: &RawClient,
        req: &WireRequest,
    ) -> Result<WireResponse, TransportError> {
        let result = client.send_with_retry(req, &RetryPolicy::default()).await;
        self.requests += 1;
        if let Ok((_, throttled)) = &result {
            self.requests += throttled;
            self.throttled += throttled;
        }
        result.map(|(resp, _)| resp)
    }
}

/// One GET of a function that does not exist; any HTTP answer will do (one over the body cap too:
/// the endpoint answers, and each check then says the answer was truncated).
async fn probe(client: &RawClient) -> Result<(), SetupError> {
    let endpoint = client.endpoint();
    match client.send(&WireRequest::bodiless("GET", PROBE_PATH)).await {
        Ok(_) | Err(TransportError::Truncated(_)) => Ok(()),
        Err(TransportError::Signing(e)) => Err(SetupError::BadEndpoint(format!(
            "requests to {endpoint} cannot be signed: {e}"
        ))),
        Err(e) => Err(SetupError::Unreachable(format!(
            "{endpoint} did not answer GET {PROBE_PATH}: {e}"
        ))),
    }
}

/// `POST /moto-api/reset`, which must answer 200.
async fn reset_moto(client: &RawClient, counts: &mut Counts) -> Result<(), SetupError> {
    let req = WireRequest::bodiless("POST", "/moto-api/reset");
    let resp = counts
        .send(client, &req)
        .await
        .map_err(|e| SetupError::Target(format!("moto reset (POST /moto-api/reset): {e}")))?;
    if resp.status != 200 {
        return Err(SetupError::Target(format!(
            "moto reset (POST /moto-api/reset) answered {}, expected 200: is {} really moto?",
            resp.status,
            client.endpoint()
        )));
    }
    Ok(())
}

/// The IAM query-API request creating the emulator role.
pub fn create_role_request() -> WireRequest {
    create_role_request_for(ROLE_NAME, "/")
}

/// The IAM query-API request creating the role `name` under `path` (`/` for none), which
/// Lambda may assume.
pub fn create_role_request_for(name: &str, path: &str) -> WireRequest {
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.append_pair("Action", "CreateRole")
        .append_pair("Version", "2010-05-08")
        .append_pair("RoleName", name);
    if path != "/" {
        body.append_pair("Path", path);
    }
    form_post(
        body.append_pair("AssumeRolePolicyDocument", TRUST_POLICY)
            .finish(),
    )
}

/// The IAM query-API request reading the emulator role back.
fn get_role_request() -> WireRequest {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", "GetRole")
        .append_pair("Version", "2010-05-08")
        .append_pair("RoleName", ROLE_NAME)
        .finish();
    form_post(body)
}

fn form_post(body: String) -> WireRequest {
    WireRequest {
        method: "POST".into(),
        path: "/".into(),
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded; charset=utf-8".into(),
        )],
        body: body.into_bytes(),
    }
}

/// IAM CreateRole (signed for `iam`); an existing role is read back with GetRole.
/// Returns the role's ARN.
async fn create_role(client: &RawClient, counts: &mut Counts) -> Result<String, SetupError> {
    let iam = client.for_service("iam");
    let resp = counts
        .send(&iam, &create_role_request())
        .await
        .map_err(|e| SetupError::Target(format!("IAM CreateRole: {e}")))?;
    let text = String::from_utf8_lossy(&resp.body);
    if resp.status == 200 {
        return Ok(xml_element(&text, "Arn").unwrap_or_else(|| EMULATOR_ROLE_ARN.to_owned()));
    }
    if !text.contains("EntityAlreadyExists") {
        return Err(SetupError::Target(format!(
            "IAM CreateRole answered {}: {}",
            resp.status,
            one_line(&text)
        )));
    }
    let resp = counts
        .send(&iam, &get_role_request())
        .await
        .map_err(|e| SetupError::Target(format!("IAM GetRole: {e}")))?;
    let text = String::from_utf8_lossy(&resp.body);
    Ok(match (resp.status, xml_element(&text, "Arn")) {
        (200, Some(arn)) => arn,
        _ => EMULATOR_ROLE_ARN.to_owned(),
    })
}

/// The text of the first `<name>…</name>`.
fn xml_element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&close)?;
    let text = xml[start..start + len].trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The account field of an ARN (`arn:partition:service:region:account:…`).
fn account_of(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then(|| account.to_owned())
}

/// At most 300 characters on one line.
fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}
