//! What happens after a create is part of its contract: the answers to a duplicate create, to reading
//! the function back (GetFunctionConfiguration, GetFunction, ListFunctions), to deleting it and
//! creating it again. The harness sends the requests in order; these functions turn each answer into
//! findings.

use serde_json::Value;

use super::judge::{describe_response, describe_value, judge, Facts};
use super::rules::{error_type_of, finding_with};
use super::verdict::{Basis, Finding, Judgement};
use crate::spec::validate::{self, Expectation};
use crate::spec::Spec;
use crate::wire::{WireRequest, WireResponse};

/// The model: DeleteFunction answers 204, a missing function is ResourceNotFoundException (404).
const MODEL: &str = "botocore lambda/2015-03-31 service-2.json: DeleteFunction responseCode 204; ResourceNotFoundException httpStatusCode 404";
/// The API reference: the read operations return the function's stored configuration.
const READ_BACK: &str = "AWS Lambda API reference: GetFunctionConfiguration and GetFunction return the function's configuration as stored; ListFunctions lists every function (any state)";
/// Recorded: a create answers Pending, then the function becomes Active.
const STATES: &str = "aws-observed/053, /066 (2025-11-25): State Pending on create; the recorded tests wait for Active";

/// Members whose values move between the create answer and a read: the state members and the revision.
fn moving(member: &str) -> bool {
    member == "RevisionId" || crate::spec::STATE_MEMBERS.contains(&member)
}

/// The second create of an existing name: the table's conflict answer, judged like any error.
pub fn duplicate(
    spec: &Spec,
    request: &WireRequest,
    name: &str,
    resp: WireResponse,
    facts: &Facts,
) -> Judgement {
    let e = validate::conflict(spec, name);
    judge(spec, request, &Expectation::Error(e), &Ok(resp), facts)
}

/// DeleteFunction on a settled function answers 204.
pub fn deleted(resp: &WireResponse) -> Option<Finding> {
    (resp.status != 204).then(|| {
        finding_with(
            "delete",
            "204",
            describe_response(resp),
            "DeleteFunction",
            Basis::Documented,
            MODEL,
        )
    })
}

/// GetFunction after a delete answers 404 ResourceNotFoundException.
pub fn gone(resp: &WireResponse) -> Option<Finding> {
    let not_found = resp.status == 404
        && error_type_of(resp).map(|t| t.0).as_deref() == Some("ResourceNotFoundException");
    (!not_found).then(|| {
        finding_with(
            "gone after delete",
            "404 ResourceNotFoundException",
            describe_response(resp),
            "GetFunction",
            Basis::Documented,
            MODEL,
        )
    })
}

/// A create of a deleted name succeeds.
pub fn recreated(resp: &WireResponse) -> Option<Finding> {
    (!(200..300).contains(&resp.status)).then(|| {
        finding_with(
            "re-create",
            "201",
            describe_response(resp),
            "CreateFunction after DeleteFunction",
            Basis::Documented,
            READ_BACK,
        )
    })
}

/// A read operation answered something other than 200.
pub fn read_failed(operation: &str, resp: &WireResponse) -> Finding {
    finding_with(
        operation,
        "200",
        describe_response(resp),
        "read-back",
        Basis::Documented,
        READ_BACK,
    )
}

/// The state a read-back settled on. `stated`: the profile asserts a State at all.
pub fn settled_state(config: &Value, stated: bool, settle: std::time::Duration) -> Option<Finding> {
    let state = config.get("State").and_then(Value::as_str).unwrap_or("");
    let (expected, observed) = match state {
        "Active" => return None,
        "" if !stated => return None,
        "Pending" => (
            "Active within the settle time".to_string(),
            format!("still Pending after {settle:?}"),
        ),
        other => (
            "Active".to_string(),
            format!(
                "{other}: {}",
                config
                    .get("StateReason")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            ),
        ),
    };
    Some(finding_with(
        "state",
        expected,
        observed,
        "read-back",
        Basis::Recorded,
        STATES,
    ))
}

/// Every member of the create answer (but the moving ones) has the same value in `got`.
pub fn agrees(label: &str, created: &Value, got: &Value) -> Vec<Finding> {
    created
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !moving(k))
        .filter(|(k, v)| got.get(k.as_str()) != Some(v))
        .map(|(k, v)| {
            finding_with(
                &format!("{label} {k}"),
                describe_value(v),
                got.get(k.as_str()).map_or("absent".into(), describe_value),
                "read-back",
                Basis::Documented,
                READ_BACK,
            )
        })
        .collect()
}

/// GetFunction's answer: the configuration agrees with the create, the code location is there, and
/// tags live beside the configuration, never inside it.
pub fn get_function(created: &Value, body: &Value) -> Vec<Finding> {
    let config = body.get("Configuration").unwrap_or(&Value::Null);
    let mut out = agrees("GetFunction Configuration", created, config);
    if body.get("Code").is_none() {
        out.push(finding_with(
            "GetFunction Code",
            "present",
            "absent",
            "read-back",
            Basis::Documented,
            READ_BACK,
        ));
    }
    if config.get("Tags").is_some() {
        out.push(finding_with(
            "GetFunction Configuration Tags",
            "no Tags inside the configuration (GetFunction returns them beside it)",
            "Tags inside Configuration",
            "read-back",
            Basis::Documented,
            "botocore service-2.json: FunctionConfiguration has no Tags member; GetFunctionResponse has Tags",
        ));
    }
    out
}

/// The entry of a ListFunctions page for `name`, if the page holds it.
pub fn entry<'a>(page: &'a Value, name: &str) -> Option<&'a Value> {
    page.get("Functions")
        .and_then(Value::as_array)
        .and_then(|fs| {
            fs.iter()
                .find(|f| f.get("FunctionName").and_then(Value::as_str) == Some(name))
        })
}

/// ListFunctions lists the function just created (whatever its state) with the stored values.
pub fn listed(created: &Value, name: &str, list: &Value) -> Vec<Finding> {
    match entry(list, name) {
        None => vec![finding_with(
            "ListFunctions",
            format!("{name} listed"),
            "not in the list",
            "read-back",
            Basis::Documented,
            READ_BACK,
        )],
        Some(f) => {
            // ListFunctions leaves out some members (State, per the API reference); compare those it has.
            let mut created = created.clone();
            if let Value::Object(m) = &mut created {
                m.retain(|k, _| f.get(k).is_some() || k == "MemorySize");
            }
            agrees("ListFunctions", &created, f)
        }
    }
}
