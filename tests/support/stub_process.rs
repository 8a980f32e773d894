//! A real `lambda-conform stub` process on a free 127.0.0.1 port, killed when dropped, and a client
//! that lists, creates and counts its functions.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use lambda_conform::harness::{connect, RunConfig};
use lambda_conform::transport::{LambdaApi, WireRequest};
use serde_json::Value;

/// The spec profile the process tests use: small, so a run starts in about a second.
pub const PROFILE: &str = "seed-2020";

/// A stub process.
pub struct StubProcess {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl StubProcess {
    /// Starts `lambda-conform stub --port 0 --profile seed-2020` and reads the URL it listens on.
    pub fn start() -> Result<Self, String> {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
            .args(["stub", "--port", "0", "--profile", PROFILE])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start the stub: {e}"))?;
        let out = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(out)
            .read_line(&mut line)
            .map_err(|e| format!("stub stdout: {e}"))?;
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(|u| u.trim_end_matches('/').to_string());
        match url {
            Some(url) => Ok(Self { child, url }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("the stub did not say where it listens: {line:?}"))
            }
        }
    }

    /// A client for the stub (the harness's own, signed as a run signs).
    pub fn client(&self) -> Result<(tokio::runtime::Runtime, LambdaApi), String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let config = RunConfig {
            endpoint: Some(url::Url::parse(&self.url).map_err(|e| e.to_string())?),
            ..RunConfig::default()
        };
        let api = connect(&config, &runtime).map_err(|e| e.to_string())?;
        Ok((runtime, api))
    }

    /// Every function name on the stub, through ListFunctions pages (`Marker` / `NextMarker`).
    pub fn function_names(&self) -> Result<Vec<String>, String> {
        let (rt, api) = self.client()?;
        let mut names = Vec::new();
        let mut marker: Option<String> = None;
        for _ in 0..1000 {
            let r = rt
                .block_on(api.list_functions(50, marker.as_deref()))
                .map_err(|e| e.to_string())?;
            if r.status != 200 {
                return Err(format!("ListFunctions answered {}", r.status));
            }
            let page = r.json().unwrap_or(Value::Null);
            for f in page
                .get("Functions")
                .and_then(Value::as_array)
                .ok_or("no Functions list")?
            {
                if let Some(n) = f.get("FunctionName").and_then(Value::as_str) {
                    names.push(n.to_string());
                }
            }
            marker = page
                .get("NextMarker")
                .and_then(Value::as_str)
                .map(str::to_string);
            if marker.is_none() {
                names.sort();
                return Ok(names);
            }
        }
        Err("ListFunctions never ended".into())
    }

    /// Creates functions with these names (the table's base request), each must answer 201.
    pub fn plant(&self, names: &[String]) -> Result<(), String> {
        let spec = lambda_conform::spec::load(PROFILE, None).map_err(|e| e.to_string())?;
        let ctx = lambda_conform::generate::Context::new(
            0,
            lambda_conform::transport::target::EMULATOR_ROLE_ARN,
        );
        let (rt, api) = self.client()?;
        for name in names {
            let body =
                serde_json::to_vec(&ctx.base_request(&spec, name)).map_err(|e| e.to_string())?;
            let r = rt
                .block_on(api.send(&WireRequest::post_json(&spec.source.uri, body)))
                .map_err(|e| e.to_string())?;
            if r.status != 201 {
                return Err(format!("creating {name} answered {}", r.status));
            }
        }
        Ok(())
    }
}

impl Drop for StubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
