//! Leaving nothing behind: the end of every run deletes the run's own functions that may still exist
//! (and, when listing is cheap, checks with ListFunctions that none is left), and `lambda-conform sweep`
//! deletes what earlier runs left, by their run prefix.
//!
//! Only names carrying a harness run prefix (`lc-` and 8 hex digits, then `-`) are ever deleted from
//! a listing; a name the run created itself is deleted whatever it is.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::ledger::Standing;
use super::session::Session;
use crate::transport::{
    resolve_signing, sign::is_loopback, LambdaApi, RawClient, RawConfig, SetupError, Target,
};

/// ListFunctions pages read at most (50 functions a page).
const MAX_PAGES: usize = 200;

/// Whether `p` has the shape of a run prefix: `lc-` and 8 lowercase hex digits (e.g. `lc-1a2b3c4d`).
pub fn is_run_prefix(p: &str) -> bool {
    p.strip_prefix("lc-")
        .is_some_and(|h| h.len() == 8 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Whether a function name belongs to the run with this prefix (`PREFIX-…`).
pub fn carries_prefix(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|rest| rest.starts_with('-'))
}

/// One listed function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// FunctionName.
    pub name: String,
    /// LastModified as the endpoint wrote it.
    pub last_modified: Option<String>,
}

/// Every listed function whose name carries `prefix`, following `NextMarker`.
pub async fn list_prefixed(api: &LambdaApi, prefix: &str) -> Result<Vec<Listed>, String> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let r = api
            .list_functions(50, marker.as_deref())
            .await
            .map_err(|e| format!("ListFunctions: {e}"))?;
        if r.status != 200 {
            return Err(format!("ListFunctions answered {}", r.status));
        }
        let page = r.json().unwrap_or(Value::Null);
        let functions = page
            .get("Functions")
            .and_then(Value::as_array)
            .ok_or("ListFunctions answered without a Functions list")?;
        for f in functions {
            let Some(name) = f.get("FunctionName").and_then(Value::as_str) else {
                continue;
            };
            if carries_prefix(name, prefix) {
                out.push(Listed {
                    name: name.to_string(),
                    last_modified: f
                        .get("LastModified")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                });
            }
        }
        marker = page
            .get("NextMarker")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        if marker.is_none() {
            return Ok(out);
        }
    }
    Err(format!(
        "ListFunctions had more than {MAX_PAGES} pages; the rest was not read"
    ))
}

/// Seconds since `LastModified` (`2026-11-25T02:27:51.123+0000` as AWS writes it, or RFC 3339).
pub fn age(last_modified: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let t = chrono::DateTime::parse_from_str(last_modified, "%Y-%m-%dT%H:%M:%S%.f%z")
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(last_modified))
        .ok()?;
    (now - t.with_timezone(&chrono::Utc)).to_std().ok()
}

/// Deletes one function; Ok when it is gone (2xx or 404).
async fn delete(api: &LambdaApi, name: &str) -> Result<(), String> {
    match api.delete_function(name).await {
        Ok(r) if (200..300).contains(&r.status) || r.status == 404 => Ok(()),
        Ok(r) => Err(format!("DELETE answered {}", r.status)),
        Err(e) => Err(e.to_string()),
    }
}

/// What `sweep` found and did.
#[derive(Debug, Default)]
pub struct Swept {
    /// Functions carrying the prefix (and old enough).
    pub matched: Vec<Listed>,
    /// Carrying the prefix but younger than `--older-than`: left alone.
    pub too_young: usize,
    /// Deleted.
    pub deleted: Vec<String>,
    /// Could not be deleted, with why.
    pub failed: Vec<(String, String)>,
}

/// Deletes (unless `dry_run`) every function whose name carries `prefix` and, with `older_than`,
/// whose LastModified is at least that old (a function whose age cannot be read is left alone).
pub async fn sweep(
    api: &LambdaApi,
    prefix: &str,
    older_than: Option<Duration>,
    dry_run: bool,
) -> Result<Swept, String> {
    if !is_run_prefix(prefix) {
        return Err(format!(
            "--prefix {prefix:?} is not a run prefix (lc- and 8 hex digits, e.g. lc-1a2b3c4d)"
        ));
    }
    let now = chrono::Utc::now();
    let mut out = Swept::default();
    for f in list_prefixed(api, prefix).await? {
        let old_enough = match older_than {
            None => true,
            Some(min) => f
                .last_modified
                .as_deref()
                .and_then(|t| age(t, now))
                .is_some_and(|a| a >= min),
        };
        if old_enough {
            out.matched.push(f);
        } else {
            out.too_young += 1;
        }
    }
    if !dry_run {
        for f in &out.matched {
            match delete(api, &f.name).await {
                Ok(()) => out.deleted.push(f.name.clone()),
                Err(e) => out.failed.push((f.name.clone(), e)),
            }
        }
    }
    Ok(out)
}

/// A client for `sweep`: the endpoint, signing and timeout of `config`, nothing prepared on the target.
pub fn connect(
    config: &super::RunConfig,
    runtime: &tokio::runtime::Runtime,
) -> Result<LambdaApi, SetupError> {
    let endpoint = config
        .endpoint
        .clone()
        .ok_or_else(|| SetupError::BadEndpoint("sweep needs --endpoint".into()))?;
    let signing = runtime.block_on(resolve_signing(
        &endpoint,
        config.region.clone(),
        config.no_sign,
        Some(config.env.clone()),
    ))?;
    let mut raw = RawConfig::new(endpoint, signing);
    raw.timeout = config.timeout;
    raw.rps = config.rps;
    Ok(LambdaApi::new(RawClient::new(raw)?, 0, 0))
}

/// Deletes what the run may have left (its ledger: every created name, and every name with the run
/// prefix whose create got no answer), then, when listing is cheap (a loopback endpoint) or the run
/// was interrupted, lists the run prefix, deletes what it finds and lists again. Bounded by
/// `--settle` (at least 5 s); a second signal cuts it short. Gives the names still there, sorted.
pub fn clean_up(s: &Session) -> Vec<String> {
    let budget = s.config.settle.max(Duration::from_secs(5));
    let deadline = Instant::now() + budget;
    let prefix = s.ctx.run_prefix.clone();
    let interrupt = s.config.interrupt.clone();
    let list = s.config.interrupt.is_set()
        || (s.config.target != Target::Aws && s.config.endpoint.as_ref().is_none_or(is_loopback));
    let work = async {
        let mut leaked = std::collections::BTreeSet::new();
        for (name, standing) in s.ledger.outstanding() {
            if standing == Standing::Sent && !carries_prefix(&name, &prefix) {
                // A create that got no answer, under a name without the run prefix: it may be
                // someone else's function, so it is not deleted; if it exists it is reported.
                if let Ok(r) = s.api().get_function(&name).await {
                    if r.status == 200 {
                        leaked.insert(name);
                    }
                }
                continue;
            }
            if interrupt.repeated() || Instant::now() >= deadline {
                leaked.insert(name);
                continue;
            }
            match delete(s.api(), &name).await {
                Ok(()) => s.ledger.gone(&name),
                Err(_) => {
                    leaked.insert(name);
                }
            }
        }
        if list && !interrupt.repeated() {
            if let Ok(found) = list_prefixed(s.api(), &prefix).await {
                for f in &found {
                    if !leaked.contains(&f.name) && Instant::now() < deadline {
                        let _ = delete(s.api(), &f.name).await;
                    }
                }
                if !found.is_empty() {
                    match list_prefixed(s.api(), &prefix).await {
                        Ok(again) => leaked.extend(again.into_iter().map(|f| f.name)),
                        Err(_) => leaked.extend(found.into_iter().map(|f| f.name)),
                    }
                }
            }
        }
        leaked
    };
    let leaked = s.block_on(async {
        match tokio::time::timeout(budget, work).await {
            Ok(l) => l,
            Err(_) => s
                .ledger
                .outstanding()
                .into_iter()
                .filter(|(n, st)| *st == Standing::Created || carries_prefix(n, &prefix))
                .map(|(n, _)| n)
                .collect(),
        }
    });
    leaked.into_iter().collect()
}
