//! From flags and the environment to what a run needs: the seed, the credentials the environment
//! holds, and the endpoint flags checked into a `RunConfig`.

use std::path::PathBuf;
use std::time::Duration;

use crate::harness::{RunConfig, Snapshots};
use crate::transport::{EnvCredentials, Target};

use super::args::EndpointArgs;

/// Parses a seed given in hex (`0x…` or 16 hex digits) or decimal.
pub fn parse_seed(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let hex = t
        .strip_prefix("0x")
        .map(|h| (h, true))
        .unwrap_or((t, t.len() == 16));
    let parsed = if hex.1 {
        u64::from_str_radix(hex.0, 16)
    } else {
        t.parse::<u64>().or_else(|_| u64::from_str_radix(t, 16))
    };
    parsed
        .map_err(|_| format!("--seed (or CONFORMANCE_SEED) {s:?} is not a number (hex or decimal)"))
}

/// A fresh random seed.
pub fn random_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    t ^ (u64::from(std::process::id()) << 32)
}

/// The key pairs `stub --require-signature` accepts: the harness's dummy loopback keys, and the
/// pair in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY when both are set.
pub fn stub_keys() -> Vec<(String, String)> {
    let mut keys = vec![(
        crate::transport::sign::DUMMY_ACCESS_KEY_ID.to_owned(),
        crate::transport::sign::DUMMY_SECRET_ACCESS_KEY.to_owned(),
    )];
    let env = env_credentials();
    if let (Some(id), Some(secret)) = (env.access_key_id, env.secret_access_key) {
        if !id.is_empty() && !secret.is_empty() {
            keys.push((id, secret));
        }
    }
    keys
}

/// Credentials from the environment (read here, handed down).
pub fn env_credentials() -> EnvCredentials {
    EnvCredentials {
        access_key_id: std::env::var("AWS_ACCESS_KEY_ID").ok(),
        secret_access_key: std::env::var("AWS_SECRET_ACCESS_KEY").ok(),
        session_token: std::env::var("AWS_SESSION_TOKEN").ok(),
    }
}

/// Where aws-config looked for credentials, when the environment points it somewhere: ` (looked in
/// AWS_SHARED_CREDENTIALS_FILE=PATH, AWS_CONFIG_FILE=PATH, AWS_PROFILE=NAME)`, or nothing. Paths and
/// the profile name only, never a key.
pub fn credential_sources() -> String {
    let set: Vec<String> = [
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CONFIG_FILE",
        "AWS_PROFILE",
    ]
    .iter()
    .filter_map(|k| std::env::var(k).ok().map(|v| format!("{k}={v}")))
    .collect();
    if set.is_empty() {
        String::new()
    } else {
        format!(" (looked in {})", set.join(", "))
    }
}

impl EndpointArgs {
    /// The run configuration these flags describe.
    pub fn config(&self, spec_dir: Option<PathBuf>) -> Result<RunConfig, String> {
        let seed = match &self.seed {
            Some(s) => parse_seed(s)?,
            None => random_seed(),
        };
        if self.timeout.is_nan() || self.timeout <= 0.0 || self.timeout > 3600.0 {
            return Err(format!(
                "--timeout {} must be between 0 and 3600 seconds",
                self.timeout
            ));
        }
        if self.check_timeout.is_nan() || self.check_timeout <= 0.0 || self.check_timeout > 86400.0
        {
            return Err(format!(
                "--check-timeout {} must be between 0 and 86400 seconds",
                self.check_timeout
            ));
        }
        if self.max_body == 0 {
            return Err("--max-body must be at least 1 byte".into());
        }
        if let Some(r) = self.rps {
            if !r.is_finite() || r < 0.001 {
                return Err(format!(
                    "--rps {r} must be a number of requests per second from 0.001 up"
                ));
            }
        }
        if let Some(e) = &self.endpoint {
            // Checked first, and the URL not quoted: it holds a password.
            if !e.username().is_empty() || e.password().is_some() {
                return Err("--endpoint must not carry a user or password (the URL would reach reports and reproductions): give keys as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY".into());
            }
            if !matches!(e.scheme(), "http" | "https") || e.host_str().is_none() {
                return Err(format!("--endpoint {e} must be an http(s) URL with a host"));
            }
            if e.path() != "/" || e.query().is_some() || e.fragment().is_some() {
                return Err(format!(
                    "--endpoint {e} must be the service root, without a path or query (the harness adds /2015-03-31/…): e.g. {}://{}{}/",
                    e.scheme(),
                    e.host_str().unwrap_or_default(),
                    e.port().map(|p| format!(":{p}")).unwrap_or_default()
                ));
            }
        }
        if self.cases == 0 {
            return Err("--cases (or CONFORMANCE_CASES) must be at least 1".into());
        }
        let target = match (self.target, &self.endpoint) {
            (Some(t), _) => t,
            (None, None) => Target::Stub,
            (None, Some(url)) if url.host_str().is_some_and(|h| h.ends_with("amazonaws.com")) => {
                Target::Aws
            }
            (None, Some(_)) => Target::Stub,
        };
        let loopback = self
            .endpoint
            .as_ref()
            .is_none_or(crate::transport::sign::is_loopback);
        if !loopback && self.target != Some(Target::Aws) && !self.allow_remote {
            return Err(format!(
                "--endpoint {} is not on this machine: pass --target aws (a real account) or --allow-remote (a shared emulator) to test it",
                self.endpoint.as_ref().map(|u| u.as_str()).unwrap_or_default()
            ));
        }
        let rps = self.rps.or(if loopback { None } else { Some(5.0) });
        if self.mutant.is_some() && self.endpoint.is_some() {
            return Err("--mutant runs the embedded stub; it cannot go with --endpoint".into());
        }
        Ok(RunConfig {
            profile: self.profile.clone(),
            spec_dir,
            endpoint: self.endpoint.clone(),
            target,
            seed,
            cases: self.cases,
            timeout: Duration::from_secs_f64(self.timeout),
            rps,
            client: self.client,
            role: self.role.clone(),
            region: self.region.clone(),
            no_sign: self.no_sign,
            env: env_credentials(),
            mutant: self.mutant,
            snapshots: Snapshots::Off,
            max_body: self.max_body,
            sts_endpoint: self.sts_endpoint.clone(),
            check_timeout: Duration::from_secs_f64(self.check_timeout),
            ..RunConfig::default()
        })
    }
}
