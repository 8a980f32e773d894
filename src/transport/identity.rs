//! Who a run acts as, before it sends anything to a remote endpoint: the account from STS
//! GetCallerIdentity (a raw signed query-API call, like the emulator set-up's IAM calls).

use std::time::Duration;

use url::Url;

use super::raw::{RawClient, RawConfig};
use super::sign::Signing;
use super::WireRequest;

/// How long the STS call may take.
const STS_TIMEOUT: Duration = Duration::from_secs(10);

/// AWS's regional STS endpoint for `region` (`https://sts.REGION.amazonaws.com/`, `.com.cn` in China).
pub fn sts_endpoint(region: &str) -> Option<Url> {
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    Url::parse(&format!("https://sts.{region}.{suffix}/")).ok()
}

/// The account the credentials of `signing` belong to, asked of STS at `sts` with
/// GetCallerIdentity; the reason in one line when it cannot be known.
pub async fn caller_account(signing: &Signing, sts: &Url) -> Result<String, String> {
    if matches!(signing, Signing::None) {
        return Err("unsigned run (--no-sign)".into());
    }
    let mut config = RawConfig::new(sts.clone(), signing.for_service("sts"));
    config.timeout = STS_TIMEOUT;
    config.max_in_flight = 1;
    config.max_body = 64 * 1024;
    let client = RawClient::new(config).map_err(|e| e.to_string())?;
    let req = WireRequest {
        method: "POST".into(),
        path: "/".into(),
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded; charset=utf-8".into(),
        )],
        body: b"Action=GetCallerIdentity&Version=2011-06-15".to_vec(),
    };
    let resp = client
        .send(&req)
        .await
        .map_err(|e| format!("STS at {sts}: {e}"))?;
    let text = String::from_utf8_lossy(&resp.body);
    match (resp.status, element(&text, "Account")) {
        (200, Some(account)) => Ok(account),
        (status, _) => Err(format!(
            "STS at {sts} answered {status}{}",
            element(&text, "Code")
                .map(|c| format!(" {c}"))
                .unwrap_or_default()
        )),
    }
}

/// The text of the first `<name>…</name>`.
fn element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&close)?;
    let text = xml[start..start + len].trim();
    (!text.is_empty() && text.len() <= 64).then(|| text.to_owned())
}
