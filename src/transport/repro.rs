//! Reproductions that stand alone: a short shell snippet per divergence that anyone can run
//! against a fresh endpoint of the same kind.
//!
//! A snippet names the endpoint as `${LAMBDA_ENDPOINT:-URL}` (the run's URL is only the default),
//! signs with curl's own `--aws-sigv4` and keys read from the shell (the fixed dummy loopback keys
//! as defaults for an emulator; never a secret), sets up what the request needs on the target (the
//! execution role on moto and LocalStack, through the emulator's IAM API; earlier requests whose
//! state the answer depends on), sends the request, and deletes the function afterwards.
//! Only the request's own answer reaches standard output (`curl -i`); the other steps are quiet.

use super::curl::shell_quote;
use super::raw::RawClient;
use super::sign::{Signing, DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY};
use super::target::{self, Target};
use super::WireRequest;

/// What a reproduction must set up on its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReproContext {
    /// The kind of endpoint the run was against.
    pub target: Target,
    /// The execution role the requests name (`Role`).
    pub role_arn: String,
}

impl Default for ReproContext {
    fn default() -> Self {
        Self {
            target: Target::Stub,
            role_arn: target::EMULATOR_ROLE_ARN.to_owned(),
        }
    }
}

/// The name of the environment variable that points a reproduction at another endpoint.
pub const ENDPOINT_VARIABLE: &str = "LAMBDA_ENDPOINT";

/// The snippet reproducing `req` on a fresh endpoint like `client`'s: set-up, `prior`, `req`,
/// clean-up. See the module documentation.
pub fn reproduction(
    client: &RawClient,
    prior: &[&WireRequest],
    req: &WireRequest,
    ctx: &ReproContext,
) -> String {
    let endpoint = format!(
        "\"${{{ENDPOINT_VARIABLE}:-{}}}\"",
        double_quoted(client.endpoint().as_str().trim_end_matches('/'))
    );
    let url = |path: &str| format!("{endpoint}{}", shell_quote(path));
    let user = match client.signing() {
        Signing::SigV4 { .. } if client.signing().is_dummy() => format!(
            "\"${{AWS_ACCESS_KEY_ID:-{DUMMY_ACCESS_KEY_ID}}}:${{AWS_SECRET_ACCESS_KEY:-{DUMMY_SECRET_ACCESS_KEY}}}\""
        ),
        _ => "\"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"".to_owned(),
    };
    let quiet = "curl -sS -o /dev/null";
    let mut lines = vec![format!(
        "# Reproduction ({} target). Set {ENDPOINT_VARIABLE} to run it against another endpoint.",
        ctx.target
    )];
    match ctx.target {
        Target::Moto | Target::Localstack => {
            let iam = client.for_service("iam");
            let role = role_request(&ctx.role_arn);
            lines.push(format!(
                "# set-up: the execution role {} (IAM CreateRole; an existing role is fine)",
                ctx.role_arn
            ));
            lines.push(iam.curl_with(&role, quiet, &url(&role.path), &user));
        }
        Target::Aws => lines.push(format!(
            "# set-up: the role {} must exist in your account and trust lambda.amazonaws.com",
            ctx.role_arn
        )),
        Target::Stub => {}
    }
    if !prior.is_empty() {
        lines.push("# set-up: the earlier requests whose state the answer depends on".to_owned());
        for p in prior {
            lines.push(client.curl_with(p, quiet, &url(&p.path), &user));
        }
    }
    lines.push("# the request".to_owned());
    lines.push(client.curl_with(req, "curl -sS -i", &url(&req.path), &user));
    let names: Vec<String> = prior
        .iter()
        .copied()
        .chain(std::iter::once(req))
        .filter_map(function_name)
        .fold(Vec::new(), |mut acc, n| {
            if !acc.contains(&n) {
                acc.push(n);
            }
            acc
        });
    if !names.is_empty() {
        lines.push("# clean-up: delete the function if it was created".to_owned());
    }
    for name in names {
        let delete = WireRequest::bodiless("DELETE", &super::lambda_api::function_path(&name));
        lines.push(format!(
            "{} || true",
            client.curl_with(&delete, quiet, &url(&delete.path), &user)
        ));
    }
    lines.join("\n")
}

/// The IAM CreateRole request for the role `arn` names (its last path segment, and its path).
fn role_request(arn: &str) -> WireRequest {
    let resource = arn.split(':').nth(5).unwrap_or("");
    let path = resource.strip_prefix("role").unwrap_or("/");
    match path.rsplit_once('/') {
        Some((dir, name)) if !name.is_empty() => {
            target::create_role_request_for(name, &format!("{dir}/"))
        }
        _ => target::create_role_request(),
    }
}

/// The `FunctionName` of a JSON request body, when it is a non-empty string.
fn function_name(req: &WireRequest) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(&req.body).ok()?;
    let name = body.get("FunctionName")?.as_str()?;
    (!name.is_empty()).then(|| name.to_owned())
}

/// `s` safe inside double quotes and a `${…:-…}` default.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '$' | '`' | '"' | '\\' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
