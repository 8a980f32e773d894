//! The stub's behaviour, independent of any HTTP server: routing and the bounded function store.
//! Both servers ([`start`](super::start) and [`serve`](super::serve)) call
//! [`StubCore::reply`].

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

use super::config::{self, Context};
use super::mutants::Mutant;
use super::wire::{self, header, json_response, percent_decode, region_of, text_response};
use crate::spec::message;
use crate::spec::validate::{
    answer, answer_for, constraint, parse_body, violation_text, violations, CallFacts, Expectation,
};
use crate::spec::{Family, Kind, Spec};
use crate::wire::WireResponse;

/// The account every function belongs to, unless [`StubCore::with_account`] names another.
pub const ACCOUNT: &str = "123456789012";
/// The region when the request carries no SigV4 credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";
/// How long after a create the first read shows the function Active.
pub const DEFAULT_ACTIVE_AFTER: Duration = Duration::from_millis(50);
/// How long functions stay Pending under [`Mutant::ListOmitsPending`].
pub const LIST_OMITS_PENDING_ACTIVE_AFTER: Duration = Duration::from_millis(1500);
/// How many functions the stub keeps; creating one more evicts the oldest.
pub const DEFAULT_CAPACITY: usize = 10_000;
/// How long the [`Mutant::Hang`] stub holds a CreateFunction reply: longer than any client timeout.
pub const HANG: Duration = Duration::from_secs(24 * 60 * 60);

/// The API version prefix of every Lambda path.
const API: &str = "2015-03-31";

/// One answer, and how long to hold it before sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The answer.
    pub response: WireResponse,
    /// Wait this long before sending it ([`Mutant::Hang`]).
    pub delay: Option<Duration>,
}

impl From<WireResponse> for Reply {
    fn from(response: WireResponse) -> Self {
        Reply {
            response,
            delay: None,
        }
    }
}

/// A created function.
#[derive(Debug)]
struct Function {
    /// Position in the eviction order.
    generation: u64,
    /// The FunctionConfiguration as the create answered it (then as activated), as JSON text:
    /// a tenth of the memory of a parsed `Value`, which matters with 10 000 of them.
    config: Box<str>,
    created: Instant,
    active: bool,
    /// `Code.ImageUri` for Image functions.
    image_uri: Option<Box<str>>,
    /// The tags sent, if any (an empty map is none), as JSON text.
    tags: Option<Box<str>>,
}

#[derive(Debug, Default)]
struct State {
    /// By (region, bare name).
    functions: HashMap<(String, String), Function>,
    /// Generation → key, oldest first.
    by_age: BTreeMap<u64, (String, String)>,
    next_generation: u64,
    /// CreateFunction calls seen (for [`Mutant::Throttle`]).
    creates: u64,
}

/// The embedded reference stub's behaviour: answers CreateFunction, GetFunction,
/// GetFunctionConfiguration and DeleteFunction as the table says AWS does.
#[derive(Debug)]
pub struct StubCore {
    /// The table, as loaded.
    spec: Arc<Spec>,
    /// The table the stub checks requests against: `spec`, changed by a mutant that breaks a check.
    checks: Spec,
    mutant: Option<Mutant>,
    /// The caller's account: in ARNs, and the account other ARNs are judged against.
    account: String,
    active_after: Duration,
    capacity: usize,
    state: Mutex<State>,
    /// With `--require-signature`: the key pairs a request must be signed with.
    signature: Option<super::SignatureCheck>,
}

impl StubCore {
    /// A stub answering as `spec` says, or broken as `mutant` says.
    pub fn new(spec: Arc<Spec>, mutant: Option<Mutant>) -> Self {
        let checks = super::mutants::checks(&spec, mutant);
        Self {
            spec,
            checks,
            mutant,
            account: ACCOUNT.to_string(),
            // The mutant hides Pending functions from ListFunctions: they stay Pending long enough
            // that a read-back on a loaded machine still meets one (50 ms was missed under load).
            active_after: if mutant == Some(Mutant::ListOmitsPending) {
                LIST_OMITS_PENDING_ACTIVE_AFTER
            } else {
                DEFAULT_ACTIVE_AFTER
            },
            capacity: DEFAULT_CAPACITY,
            state: Mutex::new(State::default()),
            signature: None,
        }
    }

    /// Acts for this account (default [`ACCOUNT`]): the account of the ARNs it answers, and the one
    /// a request's ARNs must belong to (e.g. `111111111111` to replay the AWS recordings).
    pub fn with_account(mut self, account: impl Into<String>) -> Self {
        self.account = account.into();
        self
    }

    /// The account the stub acts for.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// Reads at least this long after a create show the function Active (default 50 ms).
    pub fn with_active_after(mut self, after: Duration) -> Self {
        self.active_after = after;
        self
    }

    /// Keep at most this many functions (default 10 000; at least 1); the oldest is evicted.
    pub fn with_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// Refuses every request not signed (SigV4) with one of the key pairs of `check`, as AWS does
    /// (403 MissingAuthenticationTokenException, InvalidSignatureException, …).
    pub fn with_signature_check(mut self, check: super::SignatureCheck) -> Self {
        self.signature = Some(check);
        self
    }

    /// The table the stub answers from.
    pub fn spec(&self) -> &Arc<Spec> {
        &self.spec
    }

    /// The mutant, if the stub is a broken one.
    pub fn mutant(&self) -> Option<Mutant> {
        self.mutant
    }

    /// How many functions the stub holds.
    pub fn function_count(&self) -> usize {
        self.lock().functions.len()
    }

    /// The answer to one request (a [`Mutant::Hang`] reply is returned at once, not held).
    pub fn handle(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> WireResponse {
        self.reply(method, path, headers, body).response
    }

    /// The answer to one request, with how long to hold it.
    pub fn reply(
        &self,
        method: &str,
        path: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Reply {
        if let Some(check) = &self.signature {
            if let Err(refusal) =
                check.verify(method, path, headers, body, std::time::SystemTime::now())
            {
                return Reply {
                    response: self.error(refusal.status, refusal.error_type, &refusal.message, &[]),
                    delay: None,
                };
            }
        }
        let mut reply = self.route(method, path, headers, body);
        if self.mutant == Some(Mutant::NoRequestId) {
            reply
                .response
                .headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("x-amzn-requestid"));
        }
        reply
    }

    fn route(&self, method: &str, path: &str, headers: &[(String, String)], body: &[u8]) -> Reply {
        let region = region_of(headers);
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let method = method.to_ascii_uppercase();
        if method == "GET"
            && path.ends_with("/configuration")
            && self.mutant == Some(Mutant::HangReads)
        {
            return Reply {
                response: self.error(500, "ServiceException", "held", &[]),
                delay: Some(HANG),
            };
        }
        match (method.as_str(), segments.as_slice()) {
            ("POST", [API, "functions"]) => self.create(&region, headers, body),
            ("GET", [API, "functions"]) => self.list(&region, query).into(),
            ("GET", [API, "functions", name]) => self.read(&region, name, true).into(),
            ("GET", [API, "functions", name, "configuration"]) => {
                self.read(&region, name, false).into()
            }
            ("DELETE", [API, "functions", name]) => self.delete(&region, name).into(),
            _ => self
                .error(404, "UnknownOperationException", "not found", &[])
                .into(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn create(&self, region: &str, headers: &[(String, String)], body: &[u8]) -> Reply {
        if self.mutant == Some(Mutant::Hang) {
            return Reply {
                response: self.error(500, "ServiceException", "the stub hung", &[]),
                delay: Some(HANG),
            };
        }
        if self.mutant == Some(Mutant::Throttle) {
            let mut state = self.lock();
            state.creates += 1;
            if state.creates % 3 == 0 {
                drop(state);
                let mut r = self.error(
                    429,
                    "TooManyRequestsException",
                    "Rate exceeded",
                    &[("Reason", json!("CallerRateLimitExceeded"))],
                );
                r.headers.push(("retry-after".into(), "1".into()));
                return r.into();
            }
        }
        if self.mutant == Some(Mutant::BodyLimit1Mb) && body.len() > 1 << 20 {
            return self.too_large(1 << 20).into();
        }
        let content_type = header(headers, "content-type");
        // Parsed once: a body can be 70 MB. A body that does not parse is judged by `answer`.
        let parsed = parse_body(&self.checks, body, content_type);
        let judged = match &parsed {
            Ok(root) => answer_for(
                &self.checks,
                root,
                &CallFacts {
                    body_bytes: body.len(),
                    region: Some(region.to_string()),
                    account: Some(self.account.clone()),
                },
            ),
            Err(_) => answer(&self.checks, body, content_type),
        };
        if let Expectation::Error(e) = judged {
            let status = match self.mutant {
                Some(Mutant::ValidationStatus422) if e.error_type == "ValidationException" => 422,
                _ => e.status,
            };
            let error_type = match e.error_type.as_str() {
                "" => "InvalidRequestContentException",
                t => t,
            };
            if let (Some(Mutant::FirstViolationOnly), Ok(root), true) =
                (self.mutant, &parsed, e.rows.len() > 1)
            {
                let facts = CallFacts {
                    body_bytes: body.len(),
                    region: Some(region.to_string()),
                    account: Some(self.account.clone()),
                };
                let first = violations(&self.checks, root, &facts)
                    .into_iter()
                    .find(|v| constraint(&self.checks, v).family == Family::Validation);
                if let Some(v) = first {
                    let text = message::join_validation(
                        &self.checks.messages,
                        &[violation_text(&self.checks, &v, root, &facts)],
                    );
                    return self.error(status, error_type, &text, &[]).into();
                }
            }
            return self
                .error(status, error_type, &e.message.display(), &[])
                .into();
        }
        let Ok(root) = parsed else {
            return self
                .error(
                    400,
                    "InvalidRequestContentException",
                    "Could not parse request body into json",
                    &[],
                )
                .into();
        };
        let sent_name = root
            .get(config::name_path(&self.spec))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = config::bare_name(sent_name);
        let ctx = Context {
            name: &name,
            region,
            account: &self.account,
        };
        let text =
            Value::Object(config::configuration(&self.spec, self.mutant, &root, &ctx)).to_string();
        let key = (region.to_string(), name.clone());

        let mut state = self.lock();
        if let Some(old) = state.functions.get(&key) {
            if self.mutant != Some(Mutant::NoConflict) {
                drop(state);
                let text = message::fill(&self.spec.conflict.message, &[("name", name.clone())]);
                let conflict = &self.spec.conflict;
                return self
                    .error(conflict.status, &conflict.error_type, &text, &[])
                    .into();
            }
            let generation = old.generation;
            state.by_age.remove(&generation);
        }
        while state.functions.len() >= self.capacity && !state.functions.contains_key(&key) {
            let Some((_, oldest)) = state.by_age.pop_first() else {
                break;
            };
            state.functions.remove(&oldest);
        }
        let generation = state.next_generation;
        state.next_generation += 1;
        state.by_age.insert(generation, key.clone());
        state.functions.insert(
            key,
            Function {
                generation,
                config: text.clone().into_boxed_str(),
                created: Instant::now(),
                active: false,
                image_uri: root
                    .pointer("/Code/ImageUri")
                    .and_then(Value::as_str)
                    .map(Into::into),
                // An empty map is no tags: AWS's GetFunction then has no `Tags` member
                // (recorded: aws-observed/052 and 061 sent `"Tags":{}`).
                tags: root
                    .get("Tags")
                    .filter(|t| t.as_object().is_some_and(|m| !m.is_empty()))
                    .map(|t| t.to_string().into_boxed_str()),
            },
        );
        drop(state);

        let content_type = match self.mutant {
            Some(Mutant::HtmlContentType) => "text/html",
            _ => "application/json",
        };
        let status = self.spec.source.success_status;
        text_response(status, content_type, text).into()
    }

    fn read(&self, region: &str, raw_name: &str, with_code: bool) -> WireResponse {
        let name = config::bare_name(&percent_decode(raw_name));
        let key = (region.to_string(), name.clone());
        let mut state = self.lock();
        let Some(f) = state.functions.get_mut(&key) else {
            drop(state);
            return self.not_found(region, &name);
        };
        if !f.active && f.created.elapsed() >= self.active_after {
            f.active = true;
            let mut activated = parse_object(&f.config);
            config::activate(&self.spec, &mut activated);
            f.config = Value::Object(activated).to_string().into_boxed_str();
        }
        let stored = f.config.clone();
        let image_uri = f.image_uri.clone();
        let tags = f.tags.clone();
        drop(state);
        let mut configuration = parse_object(&stored);

        // An unqualified read describes $LATEST, also after `Publish: true` created version 1.
        if configuration.contains_key("Version") {
            configuration.insert("Version".into(), json!("$LATEST"));
        }
        if self.mutant == Some(Mutant::ReadbackDisagrees) {
            if let Some(m) = configuration.get("MemorySize").and_then(Value::as_i64) {
                configuration.insert("MemorySize".into(), json!(m + 1));
            }
        }
        if !with_code {
            return json_response(200, "application/json", &Value::Object(configuration));
        }
        let code = match image_uri {
            Some(uri) => json!({
                "RepositoryType": "ECR",
                "ImageUri": uri,
                "ResolvedImageUri": format!(
                    "{}@sha256:{}",
                    uri.split(['@', ':']).next().unwrap_or_default(),
                    configuration.get("CodeSha256").and_then(Value::as_str).unwrap_or_default()
                ),
            }),
            None => json!({
                "RepositoryType": "S3",
                "Location": format!(
                    "https://awslambda-{region}-tasks.s3.{region}.amazonaws.com/snapshots/{}/{name}-{}",
                    self.account,
                    config::uuid()
                ),
            }),
        };
        let mut body = json!({ "Configuration": configuration, "Code": code });
        if let Some(tags) = tags {
            body["Tags"] = serde_json::from_str(&tags).unwrap_or_default();
        }
        json_response(200, "application/json", &body)
    }

    /// ListFunctions: the region's functions oldest first, `MaxItems` a page (default 50), `Marker`
    /// the generation to start after. Entries leave out the state members, as AWS's do.
    fn list(&self, region: &str, query: &str) -> WireResponse {
        let param = |name: &str| {
            query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == name)
                .map(|(_, v)| percent_decode(v))
        };
        let max = param("MaxItems")
            .and_then(|v| v.parse::<usize>().ok())
            .unwrap_or(50)
            .clamp(1, 10_000);
        let after = param("Marker").and_then(|v| v.parse::<u64>().ok());
        let state = self.lock();
        let mut page = Vec::new();
        let mut next = None;
        let from = after.map_or(0, |g| g.saturating_add(1));
        for (generation, key) in state.by_age.range(from..) {
            if key.0 != region {
                continue;
            }
            let Some(f) = state.functions.get(key) else {
                continue;
            };
            let active = f.active || f.created.elapsed() >= self.active_after;
            if self.mutant == Some(Mutant::ListOmitsPending) && !active {
                continue;
            }
            if page.len() == max {
                next = Some(generation.saturating_sub(1).to_string());
                break;
            }
            let mut entry = parse_object(&f.config);
            for k in crate::spec::STATE_MEMBERS {
                entry.remove(k);
            }
            if entry.contains_key("Version") {
                entry.insert("Version".into(), json!("$LATEST"));
            }
            page.push(Value::Object(entry));
        }
        drop(state);
        let mut body = json!({ "Functions": page });
        if let Some(m) = next {
            body["NextMarker"] = json!(m);
        }
        json_response(200, "application/json", &body)
    }

    fn delete(&self, region: &str, raw_name: &str) -> WireResponse {
        let name = config::bare_name(&percent_decode(raw_name));
        let key = (region.to_string(), name.clone());
        let mut state = self.lock();
        let Some(generation) = state.functions.get(&key).map(|f| f.generation) else {
            drop(state);
            return self.not_found(region, &name);
        };
        if self.mutant != Some(Mutant::DeleteKeeps) {
            state.functions.remove(&key);
            state.by_age.remove(&generation);
        }
        drop(state);
        WireResponse {
            status: 204,
            headers: vec![("x-amzn-requestid".into(), config::uuid())],
            body: Vec::new(),
        }
    }

    /// The answer to a body over the server's cap: the table's whole-request size error if it has one.
    pub(super) fn too_large(&self, cap: usize) -> WireResponse {
        let row = self
            .spec
            .members
            .iter()
            .flat_map(|m| &m.constraints)
            .find(|c| matches!(c.kind, Kind::MaxRequestBytes { .. }));
        match row {
            Some(c) => self.error(c.error.status, &c.error.error_type, &c.error.message, &[]),
            None => self.error(
                413,
                "RequestEntityTooLargeException",
                &format!("Request must be smaller than {cap} bytes"),
                &[],
            ),
        }
    }

    /// An error as AWS sends it (see [`wire::error`]).
    fn error(
        &self,
        status: u16,
        error_type: &str,
        text: &str,
        extra: &[(&str, Value)],
    ) -> WireResponse {
        wire::error(&self.spec, self.mutant, status, error_type, text, extra)
    }

    /// The answer when the stub itself failed.
    pub(super) fn internal_error(&self) -> WireResponse {
        self.error(500, "ServiceException", "the stub failed to answer", &[])
    }

    fn not_found(&self, region: &str, name: &str) -> WireResponse {
        let arn = config::function_arn(&Context {
            name,
            region,
            account: &self.account,
        });
        self.error(
            404,
            "ResourceNotFoundException",
            &format!("Function not found: {arn}"),
            &[],
        )
    }
}

/// A stored configuration, parsed (the stub wrote it, so it is an object).
fn parse_object(text: &str) -> Map<String, Value> {
    match serde_json::from_str(text) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}
