//! A harness pointed at a hostile or foreign endpoint: answer bodies are capped (a 10 MiB answer
//! cannot blow the memory up), secrets never reach an output, a remote endpoint is never tested by
//! accident, and the stub can check signatures as AWS does. Most tests run the real binary.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use libtest_mimic::Failed;
use support::check;
use url::Url;

use lambda_conform::transport::{
    RawClient, RawConfig, SdkClient, SdkOutcome, Signing, TransportError, WireRequest,
};

/// The size of every answer the hostile endpoint gives.
const HOSTILE_BODY: usize = 10 * 1024 * 1024;

/// An HTTP/1.1 server on 127.0.0.1 answering every request with a 400 whose body is 10 MiB of
/// JSON-looking bytes, delimited by closing the connection (no `Content-Length`: the client has to
/// read it to know its size). With `declared`, it sends `Content-Length` too. Runs until the test
/// process ends.
fn hostile_endpoint(declared: bool) -> Result<Url, Failed> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("local_addr: {e}"))?
        .port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer_huge(stream, declared));
        }
    });
    Url::parse(&format!("http://127.0.0.1:{port}/")).map_err(|e| e.to_string().into())
}

/// Reads one request (head and `Content-Length` body), then writes the 10 MiB answer; write
/// errors (the client hung up, as it should) end it.
fn answer_huge(stream: TcpStream, declared: bool) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(&stream);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let mut out = &stream;
    let head = if declared {
        format!("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {HOSTILE_BODY}\r\nConnection: close\r\n\r\n")
    } else {
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
            .to_owned()
    };
    if out.write_all(head.as_bytes()).is_err() || out.write_all(b"{\"message\":\"").is_err() {
        return;
    }
    let chunk = vec![b'x'; 64 * 1024];
    let mut sent = 12;
    while sent < HOSTILE_BODY {
        let n = chunk.len().min(HOSTILE_BODY - sent);
        if out.write_all(&chunk[..n]).is_err() {
            return;
        }
        sent += n;
    }
}

fn block<T>(f: impl std::future::Future<Output = T>) -> Result<T, Failed> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("runtime: {e}"))?;
    Ok(rt.block_on(f))
}

/// The raw client stops reading at the cap: the answer is `Truncated`, whether the size is
/// declared or only found by reading.
fn raw_client_truncates_at_the_cap() -> Result<(), Failed> {
    for declared in [false, true] {
        let url = hostile_endpoint(declared)?;
        let mut config = RawConfig::new(url, Signing::dummy("us-east-1"));
        config.max_body = 64 * 1024;
        let client = RawClient::new(config).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let result = block(client.send(&WireRequest::post_json("/2015-03-31/functions", "{}")))?;
        check(
            result == Err(TransportError::Truncated(64 * 1024)),
            format!("declared={declared}: expected Truncated(65536), got {result:?}"),
        )?;
        check(
            started.elapsed() < Duration::from_secs(5),
            format!("declared={declared}: took {:?}", started.elapsed()),
        )?;
        let text = TransportError::Truncated(64 * 1024).to_string();
        check(
            text == "answer body over 65536 bytes (truncated)",
            format!("the reason reads {text:?}"),
        )?;
    }
    Ok(())
}

/// The SDK path is bounded too: its interceptor caps the body, and the outcome is a fault
/// (`NoAnswer(Truncated)`), not a reading the oracle would judge.
fn sdk_client_truncates_at_the_cap() -> Result<(), Failed> {
    let url = hostile_endpoint(false)?;
    let client = SdkClient::new(&url, &Signing::dummy("us-east-1"), Duration::from_secs(20))
        .with_max_body(64 * 1024);
    let request = serde_json::json!({
        "FunctionName": "f",
        "Role": "arn:aws:iam::123456789012:role/r",
        "Code": {"ZipFile": "UEsDBAo="}
    });
    let outcome = block(client.create_function(&request))?;
    check(
        outcome == SdkOutcome::NoAnswer(TransportError::Truncated(64 * 1024)),
        format!("expected NoAnswer(Truncated(65536)), got {outcome:?}"),
    )
}

/// The peak resident memory of process `pid` so far (`VmHWM`), in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// The real binary against an endpoint answering 10 MiB to everything: every check is a harness
/// error naming the truncation (exit 3), the run stays under 64 MiB of resident memory and ends
/// in reasonable time. (Before the cap: 239 s and 2.3 GB RSS for `--cases 2`.)
///
/// The run is the `memory_size` checks (raw and SDK twins, 8 at once): the debug binary's own
/// footprint for the whole table (its code pages and case generation) is already above 64 MiB
/// against a well-behaved endpoint, whatever the answers; what this measures is that answers add
/// at most the cap per request in flight.
fn ten_mib_answers_stay_small() -> Result<(), Failed> {
    let url = hostile_endpoint(false)?;
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .args([
            "run",
            "--endpoint",
            url.as_str(),
            "--cases",
            "2",
            "--filter",
            "memory_size",
            "--regressions",
            "none",
            "--seed",
            "7",
        ])
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_TARGET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    let pid = child.id();
    let mut peak = 0u64;
    let status = loop {
        if let Some(kib) = peak_rss_kib(pid) {
            peak = peak.max(kib);
        }
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => break status,
            None if started.elapsed() > Duration::from_secs(300) => {
                let _ = child.kill();
                return Err("the run did not end within 300 s".into());
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let elapsed = started.elapsed();
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut stdout);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut stderr);
    }
    eprintln!(
        "10 MiB answers: exit {:?}, peak RSS {} KiB, {:.1} s",
        status.code(),
        peak,
        elapsed.as_secs_f64()
    );
    check(
        status.code() == Some(3),
        format!("expected exit 3, got {status:?}\nstdout {stdout}\nstderr {stderr}"),
    )?;
    check(peak > 0, "VmHWM was never read")?;
    check(
        peak < 64 * 1024,
        format!("peak RSS {peak} KiB, over 64 MiB"),
    )?;
    check(
        elapsed < Duration::from_secs(180),
        format!("took {elapsed:?}"),
    )?;
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("harness_error"))
        .collect();
    check(
        !errors.is_empty()
            && errors
                .iter()
                .all(|l| l.contains("answer body over 1048576 bytes (truncated)")),
        format!("every harness error names the truncation: {stderr}"),
    )?;
    check(
        stdout.contains(" 0 divergent") && stdout.contains(" 0 conformant"),
        format!("nothing is judged from a truncated answer: {stdout}"),
    )
}

/// `--check-timeout`: a check whose endpoint answers slower than the check may take stops at its
/// deadline (well before the 10 s request timeout) and is a harness error saying so.
fn check_deadline_is_a_harness_error() -> Result<(), Failed> {
    let (url, _) = slow_endpoint(Duration::from_secs(4))?;
    let (code, stdout, stderr) = support::lc(&[
        "run",
        "--endpoint",
        url.as_str(),
        "--cases",
        "16",
        "--filter",
        "create_function::memory_size::above_max",
        "--client",
        "raw",
        "--check-timeout",
        "1",
        "--regressions",
        "none",
        "--seed",
        "7",
    ])?;
    check(
        code == 3,
        format!("expected exit 3, got {code}\n{stdout}\n{stderr}"),
    )?;
    check(
        stderr.contains("over its 1s deadline (--check-timeout)"),
        format!("the harness error names the deadline: {stderr}"),
    )
}

/// `--concurrency N` holds exactly N checks' requests at once, however the checks are spread over
/// threads (an odd N splits unevenly over two cores) and with the lifecycle checks on a thread of
/// their own among them: with every create answered 100 ms late, the endpoint sees N creates at
/// once, never more.
fn concurrency_is_the_requests_at_once() -> Result<(), Failed> {
    for n in [1usize, 3, 8] {
        let (url, in_flight) = slow_endpoint(Duration::from_millis(100))?;
        let concurrency = n.to_string();
        let (_, stdout, _) = support::lc(&[
            "run",
            "--endpoint",
            url.as_str(),
            "--cases",
            "1",
            // layers, logging_config and the five lifecycle checks
            "--filter",
            "create_function::l",
            "--client",
            "raw",
            "--concurrency",
            &concurrency,
            "--regressions",
            "none",
            "--quiet",
            "--seed",
            "7",
        ])?;
        check(
            stdout.contains("33 trials"),
            format!("--concurrency {n}: the 33 checks ran:\n{stdout}"),
        )?;
        let most = in_flight.most.load(Ordering::SeqCst);
        check(
            most == n,
            format!("--concurrency {n}: the endpoint held {most} creates at once\n{stdout}"),
        )?;
    }
    Ok(())
}

/// How many creates a [`slow_endpoint`] is answering at once, and the most it ever was.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    most: AtomicUsize,
}

/// An endpoint that answers every request correctly enough (a 400 with a small body): a create
/// (the check's verdict request) after `delay`, the set-up and clean-up requests at once (they are
/// not what the deadline bounds; waiting for them only made the test slow). It counts the creates
/// it holds at once.
fn slow_endpoint(delay: Duration) -> Result<(Url, Arc<InFlight>), Failed> {
    let in_flight = Arc::new(InFlight::default());
    let counts = in_flight.clone();
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("local_addr: {e}"))?
        .port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let counts = counts.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let mut length = 0usize;
                let mut create = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    // The request line comes first.
                    create.get_or_insert_with(|| line.starts_with("POST "));
                    if let Some((n, v)) = line.split_once(':') {
                        if n.eq_ignore_ascii_case("content-length") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                }
                let mut body = vec![0u8; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if create == Some(true) {
                    let now = counts.now.fetch_add(1, Ordering::SeqCst) + 1;
                    counts.most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(delay);
                    counts.now.fetch_sub(1, Ordering::SeqCst);
                }
                let body = r#"{"Type":"User","message":"slow"}"#;
                let _ = (&stream).write_all(
                    format!(
                        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nX-Amzn-ErrorType: InvalidParameterValueException\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            });
        }
    });
    let url = Url::parse(&format!("http://127.0.0.1:{port}/")).map_err(|e| e.to_string())?;
    Ok((url, in_flight))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// The planted credentials: an access key id, a secret key and a session token nobody else uses.
const PLANTED: [(&str, &str); 3] = [
    ("AWS_ACCESS_KEY_ID", "AKIAPLANTED7Q2W3E4R5T"),
    (
        "AWS_SECRET_ACCESS_KEY",
        "planted-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    ),
    (
        "AWS_SESSION_TOKEN",
        "planted-token-IQoJb3JpZ2luX2VjEPLANTEDtokenZZZ",
    ),
];

/// An endpoint that quotes the caller's credentials back, as AWS's `IncompleteSignatureException`
/// quotes the `Authorization` header: a 400 whose message and an extra header carry the request's
/// `Authorization` and `X-Amz-Security-Token` values.
fn echoing_endpoint() -> Result<Url, Failed> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("local_addr: {e}"))?
        .port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(&stream);
                let (mut length, mut auth, mut token) = (0usize, String::new(), String::new());
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((n, v)) = line.split_once(':') {
                        let v = v.trim().to_owned();
                        match n.to_ascii_lowercase().as_str() {
                            "content-length" => length = v.parse().unwrap_or(0),
                            "authorization" => auth = v,
                            "x-amz-security-token" => token = v,
                            _ => {}
                        }
                    }
                }
                let mut body = vec![0u8; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let message = format!("Authorization={auth} token={token}");
                let body = serde_json::json!({"message": message}).to_string();
                let _ = (&stream).write_all(
                    format!(
                        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nX-Amzn-ErrorType: IncompleteSignatureException\r\nX-Echo-Authorization: {auth}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            });
        }
    });
    Url::parse(&format!("http://127.0.0.1:{port}/")).map_err(|e| e.to_string().into())
}

/// Runs the binary with the planted credentials and every output on (report dir, snapshots
/// recorded, expectation file written, regressions file) under a fresh directory; gives the
/// directory and (stdout, stderr).
fn run_with_planted(args: &[&str], name: &str) -> Result<(PathBuf, String, String), Failed> {
    let dir = std::env::temp_dir().join(format!("lc-safety-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lambda-conform"));
    cmd.current_dir(&dir)
        .arg("run")
        .args(args)
        .args([
            "--cases",
            "2",
            "--seed",
            "7",
            "--report-dir",
            "reports",
            "--snapshots",
            "snapshots",
            "--record",
            "--regressions",
            "regressions.txt",
        ])
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_TARGET");
    for (k, v) in PLANTED {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    // The expectation file, written from the same kind of run.
    let mut again = Command::new(env!("CARGO_BIN_EXE_lambda-conform"));
    again
        .current_dir(&dir)
        .arg("run")
        .args(args)
        .args([
            "--cases",
            "1",
            "--seed",
            "7",
            "--regressions",
            "none",
            "--expectations",
            "expectations.toml",
            "--update-expectations",
        ])
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_TARGET");
    for (k, v) in PLANTED {
        again.env(k, v);
    }
    let out2 = again
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    Ok((
        dir,
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out2.stdout)
        ),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out2.stderr)
        ),
    ))
}

/// Every planted value and every SigV4 signature found in `text` (named by where).
fn leaks(text: &str, place: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (name, value) in PLANTED {
        if text.contains(value) {
            found.push(format!("{place}: {name}"));
        }
    }
    let signature = regex::Regex::new(r"(?i)signature=[0-9a-f]{16,}").expect("a valid regex");
    if let Some(m) = signature.find(text) {
        found.push(format!("{place}: a signature ({})", m.as_str()));
    }
    found
}

/// Greps stdout, stderr and every file the runs wrote; also checks the outputs that should exist do.
fn no_leak_anywhere(dir: &Path, stdout: &str, stderr: &str) -> Result<String, Failed> {
    let mut found = leaks(stdout, "stdout");
    found.extend(leaks(stderr, "stderr"));
    let files = files_under(dir);
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap_or_default()).into_owned();
        found.extend(leaks(&text, &f.display().to_string()));
    }
    for expected in [
        "reports/report.json",
        "reports/junit.xml",
        "reports/report.md",
        "reports/report.html",
        "expectations.toml",
    ] {
        check(
            dir.join(expected).is_file(),
            format!("{expected} was not written; stderr {stderr}"),
        )?;
    }
    check(
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == "snap")),
        "no snapshot was written",
    )?;
    check(found.is_empty(), format!("secrets leaked: {found:?}"))?;
    Ok(std::fs::read_to_string(dir.join("reports/report.json")).unwrap_or_default())
}

/// Planted credentials against an endpoint that echoes them: nothing the runs write carries the
/// keys, the token or a signature, though the endpoint's answers did (they are in the report,
/// redacted).
fn echoed_credentials_never_reach_an_output() -> Result<(), Failed> {
    let url = echoing_endpoint()?;
    let (dir, stdout, stderr) = run_with_planted(
        &["--endpoint", url.as_str(), "--filter", "memory_size"],
        "echo",
    )?;
    let report = no_leak_anywhere(&dir, &stdout, &stderr)?;
    check(
        report.contains("Authorization=AWS4-HMAC-SHA256 Credential=[redacted]/")
            && report.contains("Signature=[redacted]")
            && report.contains("token=[redacted]"),
        format!("the echoed credentials reach the report only redacted: {report:.2000}"),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// Planted credentials against the embedded stub with a divergence (so reproductions are written):
/// curl lines name the variables, never the values.
fn planted_credentials_stay_out_of_reproductions() -> Result<(), Failed> {
    let (dir, stdout, stderr) = run_with_planted(
        &[
            "--mutant",
            "accepts-memory-above-max",
            "--filter",
            "memory_size",
        ],
        "stub",
    )?;
    let report = no_leak_anywhere(&dir, &stdout, &stderr)?;
    check(
        report.contains("$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY")
            && report.contains("x-amz-security-token: $AWS_SESSION_TOKEN"),
        format!("reproductions sign with the shell's variables: {report:.3000}"),
    )?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// An endpoint URL with a password is refused before anything is printed with it.
fn endpoint_with_a_password_is_refused() -> Result<(), Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .args([
            "run",
            "--endpoint",
            "http://user:planted-secret-in-url@127.0.0.1:9/",
        ])
        .env_remove("CONFORMANCE_ENDPOINT")
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    check(
        out.status.code() == Some(2)
            && stderr.trim_end().lines().count() == 1
            && stderr.contains("--endpoint must not carry a user or password")
            && !stderr.contains("planted-secret-in-url")
            && out.stdout.is_empty(),
        format!("exit {:?}, stderr {stderr:?}", out.status.code()),
    )
}

/// A non-loopback endpoint without `--target aws` or `--allow-remote`: exit 2 at once with one
/// line saying why, nothing sent.
fn remote_endpoint_needs_consent() -> Result<(), Failed> {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .args(["run", "--endpoint", "http://10.255.255.1:1"])
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_TARGET")
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    check(
        out.status.code() == Some(2)
            && stderr.trim_end().lines().count() == 1
            && stderr.contains("is not on this machine")
            && stderr.contains("--allow-remote")
            && stderr.contains("--target aws"),
        format!("exit {:?}, stderr {stderr:?}", out.status.code()),
    )?;
    check(
        started.elapsed() < Duration::from_secs(5),
        format!("took {:?}", started.elapsed()),
    )?;
    // Loopback in its three spellings needs no consent (a dead port: set-up fails, exit 3).
    for endpoint in ["http://localhost:1", "http://127.0.0.2:1", "http://[::1]:1"] {
        let out = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
            .args(["run", "--endpoint", endpoint, "--timeout", "2", "-q"])
            .env_remove("CONFORMANCE_ENDPOINT")
            .env_remove("CONFORMANCE_TARGET")
            .output()
            .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        check(
            out.status.code() == Some(3) && !stderr.contains("not on this machine"),
            format!(
                "{endpoint}: exit {:?}, stderr {stderr:?}",
                out.status.code()
            ),
        )?;
    }
    Ok(())
}

/// With `--allow-remote` the run proceeds: it prints endpoint, account and region first, then
/// fails set-up on an endpoint that refuses connections (0.0.0.0 is not loopback by name; the
/// sandbox's network answers every other address).
fn allowed_remote_run_says_who_first() -> Result<(), Failed> {
    let out = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .args([
            "run",
            "--endpoint",
            "http://0.0.0.0:1",
            "--allow-remote",
            "--region",
            "eu-west-3",
            "--timeout",
            "2",
        ])
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_TARGET")
        .env("AWS_ACCESS_KEY_ID", PLANTED[0].1)
        .env("AWS_SECRET_ACCESS_KEY", PLANTED[1].1)
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    check(
        out.status.code() == Some(3),
        format!("exit {:?}, stderr {stderr}", out.status.code()),
    )?;
    check(
        lines.first() == Some(&"remote endpoint: http://0.0.0.0:1/")
            && lines.iter().any(|l| l.starts_with("account: unknown ("))
            && lines.contains(&"region: eu-west-3")
            && stderr.contains("endpoint unreachable"),
        format!("endpoint, account and region first, then the set-up error: {stderr}"),
    )?;
    check(
        leaks(&stderr, "stderr").is_empty(),
        format!("no key printed: {stderr}"),
    )
}

/// With `--target aws`, the account comes from STS GetCallerIdentity (here a fake STS on
/// 127.0.0.1 given by `--sts-endpoint`), printed before the endpoint is contacted.
fn aws_run_prints_the_account_from_sts() -> Result<(), Failed> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("local_addr: {e}"))?
        .port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let seen_by_server = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if let Some((n, v)) = line.split_once(':') {
                    if n.eq_ignore_ascii_case("content-length") {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                head.push_str(&line);
                if line.trim_end().is_empty() {
                    break;
                }
            }
            let mut body = vec![0u8; length];
            let _ = reader.read_exact(&mut body);
            head.push_str(&String::from_utf8_lossy(&body));
            if let Ok(mut s) = seen_by_server.lock() {
                s.push_str(&head);
            }
            let xml = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::999988887777:user/planted</Arn><UserId>AIDAPLANTED</UserId><Account>999988887777</Account></GetCallerIdentityResult></GetCallerIdentityResponse>";
            let _ = (&stream).write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{xml}",
                    xml.len()
                )
                .as_bytes(),
            );
        }
    });
    let out = Command::new(env!("CARGO_BIN_EXE_lambda-conform"))
        .args([
            "run",
            "--endpoint",
            "http://0.0.0.0:1",
            "--target",
            "aws",
            "--role",
            "arn:aws:iam::999988887777:role/lambda-conform",
            "--region",
            "eu-west-3",
            "--sts-endpoint",
            &format!("http://127.0.0.1:{port}/"),
            "--timeout",
            "2",
        ])
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_TARGET")
        .env("AWS_ACCESS_KEY_ID", PLANTED[0].1)
        .env("AWS_SECRET_ACCESS_KEY", PLANTED[1].1)
        .env_remove("AWS_SESSION_TOKEN")
        .output()
        .map_err(|e| format!("cannot run lambda-conform: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    check(
        out.status.code() == Some(3)
            && stderr.contains("account: 999988887777")
            && stderr.contains("region: eu-west-3")
            && stderr.contains("endpoint unreachable"),
        format!("exit {:?}, stderr {stderr}", out.status.code()),
    )?;
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    check(
        seen.contains("Action=GetCallerIdentity") && seen.contains("/eu-west-3/sts/aws4_request"),
        format!("a GetCallerIdentity signed for sts: {seen}"),
    )
}

/// A `lambda-conform stub --require-signature` process on a free port; killed on drop.
struct StubProcess {
    child: std::process::Child,
    url: String,
}

impl Drop for StubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signing_stub(env: &[(&str, &str)]) -> Result<StubProcess, Failed> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lambda-conform"));
    cmd.args(["stub", "--port", "0", "--require-signature"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run the stub: {e}"))?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        let _ = BufReader::new(out).read_line(&mut line);
    }
    let url = line
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned();
    let stub = StubProcess { child, url };
    check(
        stub.url.starts_with("http://127.0.0.1:"),
        format!("the stub did not say where it listens: {line:?}"),
    )?;
    Ok(stub)
}

/// The harness's own signing (raw requests, the SDK twins, and the lifecycle's reads and deletes)
/// passes a stub that verifies every signature: the runs are conformant, with the dummy loopback
/// keys and with a key pair (and session token) from the environment on both sides.
fn harness_signing_passes_the_signing_stub() -> Result<(), Failed> {
    let planted = [PLANTED[0], PLANTED[1]];
    for (env, filter) in [(&[][..], "memory_size"), (&planted[..], "lifecycle")] {
        let stub = signing_stub(env)?;
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lambda-conform"));
        cmd.args([
            "run",
            "--endpoint",
            &stub.url,
            "--cases",
            "1",
            "--seed",
            "7",
            "--filter",
            filter,
            "--regressions",
            "none",
        ])
        .env_remove("CONFORMANCE_ENDPOINT")
        .env_remove("CONFORMANCE_TARGET")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN");
        for (k, v) in env {
            cmd.env(k, v);
        }
        if !env.is_empty() {
            cmd.env("AWS_SESSION_TOKEN", PLANTED[2].1);
        }
        let out = cmd.output().map_err(|e| format!("cannot run: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        check(
            out.status.code() == Some(0)
                && stdout.contains(" 0 divergent")
                && stdout.contains(" 0 harness errors")
                && !stdout.contains(" 0 conformant"),
            format!(
                "keys {}: exit {:?}\n{stdout}\n{stderr}",
                if env.is_empty() {
                    "dummy"
                } else {
                    "from the environment"
                },
                out.status.code()
            ),
        )?;
    }
    Ok(())
}

/// Over HTTP, against the hyper stub with the check: unsigned → 403 MissingAuthenticationToken;
/// another secret → 403 InvalidSignatureException; an unknown key → 403 UnrecognizedClient.
fn signing_stub_refuses_as_aws_does() -> Result<(), Failed> {
    use lambda_conform::stub::{SignatureCheck, StubCore};
    use lambda_conform::transport::sign::{DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY};
    block(async {
        let spec = std::sync::Arc::new(
            lambda_conform::spec::load("aws-2026", None).map_err(|e| e.to_string())?,
        );
        let core = StubCore::new(spec, None).with_signature_check(SignatureCheck::new([(
            DUMMY_ACCESS_KEY_ID.to_owned(),
            DUMMY_SECRET_ACCESS_KEY.to_owned(),
        )]));
        let server = lambda_conform::stub::bind_with(
            core,
            "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
        )
        .await
        .map_err(|e| e.to_string())?;
        let url = Url::parse(&server.uri()).map_err(|e| e.to_string())?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));
        let client = |signing: Signing| {
            RawClient::new(RawConfig::new(url.clone(), signing)).map_err(|e| e.to_string())
        };
        let key = |id: &str, secret: &str| Signing::SigV4 {
            credentials: aws_credential_types::Credentials::new(id, secret, None, None, "test"),
            region: "us-east-1".into(),
            service: "lambda".into(),
        };
        let get = WireRequest::bodiless("GET", "/2015-03-31/functions/nothing-here");
        let cases = [
            (
                client(Signing::dummy("us-east-1"))?,
                get.clone(),
                404,
                "ResourceNotFoundException",
            ),
            (
                client(Signing::None)?,
                get.clone(),
                403,
                "MissingAuthenticationTokenException",
            ),
            (
                client(key(DUMMY_ACCESS_KEY_ID, "another-secret-entirely"))?,
                get.clone(),
                403,
                "InvalidSignatureException",
            ),
            (
                client(key("AKIANOBODYKNOWS00000", DUMMY_SECRET_ACCESS_KEY))?,
                get.clone(),
                403,
                "UnrecognizedClientException",
            ),
        ];
        for (client, req, status, error_type) in cases {
            let resp = client.send(&req).await.map_err(|e| e.to_string())?;
            check(
                resp.status == status && resp.header("x-amzn-errortype") == Some(error_type),
                format!(
                    "{:?}: expected {status} {error_type}, got {} {:?} {}",
                    client.signing(),
                    resp.status,
                    resp.header("x-amzn-errortype"),
                    String::from_utf8_lossy(&resp.body)
                ),
            )?;
        }
        let _ = stop.send(());
        let _ = serving.await;
        Ok(())
    })?
}

/// The check itself: a request signed by the harness passes; the same request with its body,
/// a signed header, its path or its signature changed does not (InvalidSignatureException), nor
/// one signed more than 5 minutes ago; no `Authorization` is MissingAuthenticationToken.
fn tampered_requests_are_refused() -> Result<(), Failed> {
    use lambda_conform::stub::signature::{MISMATCH_MESSAGE, MISSING_TOKEN_MESSAGE};
    use lambda_conform::stub::SignatureCheck;
    use lambda_conform::transport::sign::{DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY};
    let check_ = SignatureCheck::new([(
        DUMMY_ACCESS_KEY_ID.to_owned(),
        DUMMY_SECRET_ACCESS_KEY.to_owned(),
    )]);
    let now = std::time::SystemTime::now();
    let mut req = WireRequest::post_json("/2015-03-31/functions", r#"{"FunctionName":"f"}"#);
    req.headers.push(("Host".into(), "127.0.0.1:9001".into()));
    let signed = |req: &WireRequest, at| -> Result<Vec<(String, String)>, Failed> {
        let mut headers = req.headers.clone();
        headers.extend(
            Signing::dummy("us-east-1")
                .headers_for(req, "http://127.0.0.1:9001/2015-03-31/functions", at)
                .map_err(|e| e.to_string())?,
        );
        Ok(headers)
    };
    let headers = signed(&req, now)?;
    let verdict = |path: &str, headers: &[(String, String)], body: &[u8]| {
        check_.verify("POST", path, headers, body, now)
    };
    check(
        verdict(&req.path, &headers, &req.body).is_ok(),
        format!(
            "the harness's own signature is refused: {:?}",
            verdict(&req.path, &headers, &req.body)
        ),
    )?;
    let refused_as = |what: &str,
                      result: Result<(), lambda_conform::stub::signature::Refusal>,
                      error_type: &str,
                      message: &str| {
        match result {
            Err(r)
                if r.status == 403
                    && r.error_type == error_type
                    && r.message.starts_with(message) =>
            {
                Ok(())
            }
            other => Err(Failed::from(format!(
                "{what}: expected 403 {error_type}, got {other:?}"
            ))),
        }
    };
    refused_as(
        "a changed body",
        verdict(&req.path, &headers, br#"{"FunctionName":"g"}"#),
        "InvalidSignatureException",
        MISMATCH_MESSAGE,
    )?;
    refused_as(
        "another path",
        verdict("/2015-03-31/functions/f", &headers, &req.body),
        "InvalidSignatureException",
        MISMATCH_MESSAGE,
    )?;
    let mut other_type = headers.clone();
    for (k, v) in other_type.iter_mut() {
        if k.eq_ignore_ascii_case("content-type") {
            *v = "text/plain".into();
        }
    }
    refused_as(
        "a signed header changed",
        verdict(&req.path, &other_type, &req.body),
        "InvalidSignatureException",
        MISMATCH_MESSAGE,
    )?;
    let mut forged = headers.clone();
    for (k, v) in forged.iter_mut() {
        if k.eq_ignore_ascii_case("authorization") {
            let cut = v.rfind('=').map_or(v.len(), |i| i + 1);
            *v = format!("{}{}", &v[..cut], "0".repeat(64));
        }
    }
    refused_as(
        "another signature",
        verdict(&req.path, &forged, &req.body),
        "InvalidSignatureException",
        MISMATCH_MESSAGE,
    )?;
    let old = signed(&req, now - Duration::from_secs(600))?;
    refused_as(
        "signed 10 minutes ago",
        verdict(&req.path, &old, &req.body),
        "InvalidSignatureException",
        "Signature expired: ",
    )?;
    refused_as(
        "no Authorization",
        verdict(&req.path, &req.headers, &req.body),
        "MissingAuthenticationTokenException",
        MISSING_TOKEN_MESSAGE,
    )
}

fn main() -> ExitCode {
    support::run(vec![
        (
            "safety::signatures::harness_signing_passes_the_signing_stub",
            harness_signing_passes_the_signing_stub,
        ),
        (
            "safety::signatures::signing_stub_refuses_as_aws_does",
            signing_stub_refuses_as_aws_does,
        ),
        (
            "safety::signatures::tampered_requests_are_refused",
            tampered_requests_are_refused,
        ),
        (
            "safety::remote::remote_endpoint_needs_consent",
            remote_endpoint_needs_consent,
        ),
        (
            "safety::remote::allowed_remote_run_says_who_first",
            allowed_remote_run_says_who_first,
        ),
        (
            "safety::remote::aws_run_prints_the_account_from_sts",
            aws_run_prints_the_account_from_sts,
        ),
        (
            "safety::secrets::echoed_credentials_never_reach_an_output",
            echoed_credentials_never_reach_an_output,
        ),
        (
            "safety::secrets::planted_credentials_stay_out_of_reproductions",
            planted_credentials_stay_out_of_reproductions,
        ),
        (
            "safety::secrets::endpoint_with_a_password_is_refused",
            endpoint_with_a_password_is_refused,
        ),
        (
            "safety::caps::raw_client_truncates_at_the_cap",
            raw_client_truncates_at_the_cap,
        ),
        (
            "safety::caps::sdk_client_truncates_at_the_cap",
            sdk_client_truncates_at_the_cap,
        ),
        (
            "safety::caps::ten_mib_answers_stay_small",
            ten_mib_answers_stay_small,
        ),
        (
            "safety::caps::concurrency_is_the_requests_at_once",
            concurrency_is_the_requests_at_once,
        ),
        (
            "safety::caps::check_deadline_is_a_harness_error",
            check_deadline_is_a_harness_error,
        ),
    ])
}
