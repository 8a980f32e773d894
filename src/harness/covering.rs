//! `run --covering`: every case class once, with the fewest requests.
//!
//! Each class sends one instance (its boundary). Classes whose request must succeed share creates:
//! the valid and boundary requests are folded into as few bodies as the table allows — a class's
//! members (what its body sets or leaves out beside the smallest valid request) are added to a shared
//! body when they set no member another class in it set differently, and the table's own validation
//! still answers success for the whole. One create (and its delete) then covers every class folded
//! into it, and its verdict is theirs. Every other class (violations, wire cases, classes resting on an
//! assumption) is sent alone. Error answers are not followed by a delete each; the run's clean-up
//! lists the run's prefix once and removes (and reports) any function an error answer created.
//!
//! The requests are sent one at a time, so the run's request counter numbers them: the report's
//! `coverage` says which request covered which case ids.

use serde_json::{Map, Value};

use super::execute::{boundary, delete_if_created};
use super::session::Session;
use crate::generate::{Case, CaseKind, Instance};
use crate::oracle::{self, Facts, Judgement};
use crate::report::{Covered, TrialRecord};
use crate::spec::validate::{self, Expectation};
use crate::transport::target::Target;
use crate::wire::WireRequest;

/// A body being built for several classes.
struct Shared {
    body: Map<String, Value>,
    /// The members some class set (or left out) on purpose, with the value (None: left out).
    owned: Map<String, Value>,
    name: String,
    cases: Vec<Case>,
}

/// The top-level members where `body` differs from the smallest valid request: the value it sends
/// there, or `Null` standing for "left out".
fn own_members(base: &Map<String, Value>, body: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, v) in body {
        if base.get(k) != Some(v) {
            out.insert(k.clone(), v.clone());
        }
    }
    for k in base.keys() {
        if !body.contains_key(k) {
            out.insert(k.clone(), Value::Null);
        }
    }
    out
}

impl Session {
    /// Runs every class of `cases` once, sharing successful creates; gives the trial records and
    /// which request covered which case ids.
    pub fn run_covering(&self, cases: &[Case]) -> (Vec<TrialRecord>, Vec<Covered>) {
        let mut records = Vec::new();
        let mut coverage = Vec::new();
        let mut alone: Vec<(Case, Instance)> = Vec::new();
        let mut groups: Vec<Shared> = Vec::new();
        for case in cases {
            let kind = case.kind.as_str();
            if let Some(need) = &case.needs_resource {
                if self.config.target != Target::Stub {
                    let j = Judgement::skipped(format!(
                        "needs {need}: a valid value must name an existing resource"
                    ));
                    records.push(TrialRecord::judged(case.id.clone(), kind, &j));
                    continue;
                }
            }
            let Some(inst) = boundary(&self.spec, &self.ctx, case, self.config.seed) else {
                let j = Judgement::fault(oracle::Fault::Unbuildable(format!(
                    "the generator found no instance of {}",
                    case.id
                )));
                records.push(TrialRecord::judged(case.id.clone(), kind, &j));
                continue;
            };
            let shareable = matches!(case.kind, CaseKind::Valid | CaseKind::Boundary)
                && case.assumption.is_none();
            match (shareable, inst.json.as_ref().and_then(Value::as_object)) {
                (true, Some(body)) => {
                    if !self.fold(&mut groups, case, &inst, body) {
                        alone.push((case.clone(), inst));
                    }
                }
                _ => alone.push((case.clone(), inst)),
            }
        }
        for g in groups {
            let body = Value::Object(g.body);
            let Ok(bytes) = serde_json::to_vec(&body) else {
                continue;
            };
            let request = WireRequest::post_json(&self.spec.source.uri, bytes);
            let ids: Vec<&Case> = g.cases.iter().collect();
            self.send_covering(&request, &g.name, &ids, None, &mut records, &mut coverage);
        }
        for (case, inst) in &alone {
            self.send_covering(
                &inst.request,
                &inst.function_name,
                &[case],
                case.assumption.clone(),
                &mut records,
                &mut coverage,
            );
        }
        records.sort_by(|a, b| a.id.cmp(&b.id));
        (records, coverage)
    }

    /// Adds a successful class's body to the first shared body it fits; a new shared body when none.
    fn fold(
        &self,
        groups: &mut Vec<Shared>,
        case: &Case,
        inst: &Instance,
        body: &Map<String, Value>,
    ) -> bool {
        let base = self.ctx.base_request(&self.spec, &inst.function_name);
        let Some(base) = base.as_object() else {
            return false;
        };
        let own = own_members(base, body);
        for g in groups.iter_mut() {
            if own
                .iter()
                .any(|(k, v)| g.owned.get(k).is_some_and(|w| w != v))
            {
                continue;
            }
            let mut merged = g.body.clone();
            for (k, v) in &own {
                if k == "FunctionName" {
                    continue;
                }
                if v.is_null() {
                    merged.remove(k);
                } else {
                    merged.insert(k.clone(), v.clone());
                }
            }
            // A class naming the function keeps its own name; the group's other classes do not care.
            let name_owned = own.contains_key("FunctionName");
            if name_owned && g.owned.contains_key("FunctionName") {
                continue;
            }
            let mut name = g.name.clone();
            if name_owned {
                if let Some(v) = body.get("FunctionName") {
                    merged.insert("FunctionName".into(), v.clone());
                    name = inst.function_name.clone();
                }
            }
            if self.answer(&merged) != Expectation::Success {
                continue;
            }
            g.body = merged;
            g.name = name;
            g.owned.extend(own);
            g.cases.push(case.clone());
            return true;
        }
        if self.answer(body) != Expectation::Success {
            return false;
        }
        groups.push(Shared {
            body: body.clone(),
            owned: own,
            name: inst.function_name.clone(),
            cases: vec![case.clone()],
        });
        true
    }

    fn answer(&self, body: &Map<String, Value>) -> Expectation {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        validate::answer_with(
            &self.spec,
            &bytes,
            Some("application/json"),
            &self.ctx.facts(bytes.len()),
        )
    }

    /// Sends one request for `cases`, judges it, deletes what it created; one record per case.
    fn send_covering(
        &self,
        request: &WireRequest,
        name: &str,
        cases: &[&Case],
        assumption: Option<String>,
        records: &mut Vec<TrialRecord>,
        coverage: &mut Vec<Covered>,
    ) {
        let answer = validate::answer_with(
            &self.spec,
            &request.body,
            request.header("content-type"),
            &self.ctx.facts(request.body.len()),
        );
        let result = self.send_create(request, name);
        let number = self.api.requests();
        let notes: Vec<String> = delete_if_created(self, &result, name).into_iter().collect();
        let facts = Facts {
            assumption,
            ..self.facts.clone()
        };
        let mut j = oracle::judge(&self.spec, request, &answer, &result, &facts);
        j.notes.extend(notes);
        if cases.len() > 1 {
            j.notes.push(format!(
                "covering run: one create shared by {} classes",
                cases.len()
            ));
        }
        let mut ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
        ids.sort();
        coverage.push(Covered {
            request: number,
            operation: "CreateFunction".into(),
            case_ids: ids,
        });
        for case in cases {
            let mut record = TrialRecord::judged(case.id.clone(), case.kind.as_str(), &j);
            record.instances = 1;
            if !j.outcome().is_conformant() {
                record.reproduction = Some(self.api.client().reproduction(request));
            }
            records.push(record);
        }
    }
}
