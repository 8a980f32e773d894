//! The official client: every case the SDK can express is also sent through aws-sdk-lambda, next to
//! the same request over raw HTTP, and the SDK must read the answer as raw HTTP did.

use serde_json::Value;

use super::execute::{delete, sweep};
use super::session::Session;
use crate::generate::{Case, CaseKind};
use crate::oracle::{self, Fault, Judgement};
use crate::report::TrialRecord;
use crate::spec::validate;
use crate::transport::SdkOutcome;

/// The boundary request of a case through aws-sdk-lambda, next to the same request over raw HTTP;
/// [`oracle::sdk::judge_sdk`] judges whether the SDK read the answer as raw HTTP did.
pub(super) async fn run_sdk(s: &Session, id: String, case: &Case) -> TrialRecord {
    let (j, inst, instances) = sdk_exchange(s, case).await;
    let mut rec = TrialRecord::judged(id, "sdk", &j);
    rec.instances = instances;
    if let (Some(inst), false) = (inst, j.outcome().is_conformant() || j.skipped.is_some()) {
        rec.reproduction = Some(s.api().client().reproduction(&inst.request));
        rec.seed = Some(crate::report::instance_seed(inst.param, inst.seed));
    }
    rec
}

async fn sdk_exchange(
    s: &Session,
    case: &Case,
) -> (Judgement, Option<crate::generate::Instance>, u32) {
    let Some(sdk) = s.sdk() else {
        return (Judgement::skipped("--client raw"), None, 0);
    };
    if let Some(need) = &case.needs_resource {
        if s.config.target != crate::transport::Target::Stub {
            return (Judgement::skipped(format!("needs {need}")), None, 0);
        }
    }
    // Another seed than the raw case's, so the two never race for one function name.
    // With a frozen corpus, the class's first request of the corpus (renamed below).
    let first = match &s.config.corpus {
        Some(c) => c.instances(&case.id, &s.spec, &s.ctx).into_iter().next(),
        None => s.boundary_of(case, s.config.seed ^ 0x5d4_0000_05d4),
    };
    let Some(mut inst) = first else {
        return (
            Judgement::fault(Fault::Unbuildable(format!(
                "the generator found no instance of {}",
                case.id
            ))),
            None,
            0,
        );
    };
    // Taken, not copied: a class's body can be megabytes (the zip cases), and the raw request
    // keeps its own bytes.
    let Some(mut sdk_json) = inst.json.take() else {
        return (
            Judgement::skipped("not JSON: the SDK cannot send it"),
            Some(inst),
            0,
        );
    };
    // The SDK's request is the raw one under a fresh name of the same length (deletes can be
    // asynchronous: reusing the name could meet the first function still there).
    let sdk_name = sibling_name(&inst.function_name);
    if let Some(Value::String(n)) = sdk_json.get_mut("FunctionName") {
        let varies_name = case
            .member
            .as_deref()
            .is_some_and(|m| s.ctx.is_name_member(&s.spec, m));
        let creates = matches!(case.kind, CaseKind::Valid | CaseKind::Boundary);
        // A name the case breaks on purpose stays as it is (it creates nothing).
        if *n == inst.function_name && (creates || !varies_name) {
            *n = sdk_name.clone();
        } else if let Some(qualifier) = n
            .strip_suffix(inst.function_name.as_str())
            .filter(|q| creates && q.ends_with(':'))
        {
            // A name sent as an ARN creates the bare name: the twin renames inside the ARN.
            *n = format!("{qualifier}{sdk_name}");
        }
    }
    // The raw answer was worked out when the instance was built; the SDK's body is judged as
    // built (its length counted, not written out).
    let raw_answer = inst.answer.clone();
    let facts = s.ctx.facts(inst.request.body.len());
    let sdk_answer = validate::answer_for_json(
        &s.spec,
        &sdk_json,
        json_len(&sdk_json),
        Some("application/json"),
        &facts,
    );
    // The raw view first (its function deleted), then the SDK's.
    let raw = s.send_create(&inst.request, &inst.function_name).await;
    let raw = match raw {
        Ok(r) => r,
        Err(error) => {
            let fault = Fault::NoAnswer {
                during: "the raw request".into(),
                error,
            };
            return (Judgement::fault(fault), Some(inst), 1);
        }
    };
    let name_of = |body: Option<Value>| {
        body.and_then(|b| {
            b.get("FunctionName")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
    };
    let mut notes = Vec::new();
    let mut leaks = Vec::new();
    if (200..300).contains(&raw.status) {
        let name = raw
            .json_str_member("FunctionName")
            .unwrap_or_else(|| inst.function_name.clone());
        if let Err(e) = delete(s, &name, &inst.function_name).await {
            notes.push(format!("clean-up: could not delete {name}: {e}"));
        }
    } else {
        leaks.extend(sweep(s, &inst.function_name, &raw).await);
    }
    s.ledger.sent(&sdk_name);
    let outcome = sdk.create_function(&sdk_json).await;
    s.api().count(1);
    if !matches!(outcome, SdkOutcome::Failed(_)) {
        // Answered (or never sent): a failed exchange may still have created the function.
        s.ledger.answered(&sdk_name);
    }
    if let SdkOutcome::Success(out) = &outcome {
        let name = name_of(Some(out.clone())).unwrap_or_else(|| sdk_name.clone());
        if let Err(e) = delete(s, &name, &sdk_name).await {
            notes.push(format!("clean-up: could not delete {name}: {e}"));
        }
    } else if !matches!(outcome, SdkOutcome::Unexpressible(_)) {
        leaks.extend(sweep(s, &sdk_name, &raw).await);
    }
    let mut j = oracle::sdk::judge_sdk(&s.spec, &raw, &raw_answer, &sdk_answer, &outcome);
    j.findings.extend(leaks);
    j.notes.extend(notes);
    (j, Some(inst), 2)
}

/// The length of `v` serialised, without writing it out.
fn json_len(v: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    // Counting cannot fail.
    let _ = serde_json::to_writer(&mut c, v);
    c.0
}

/// A name of the same length as `name` with another last character.
fn sibling_name(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = match *last {
            'z' | 'Z' => 'y',
            '9' => '8',
            c if c.is_ascii_alphanumeric() => (c as u8 + 1) as char,
            _ => 'x',
        };
    }
    chars.into_iter().collect()
}
