//! A report with every text field passed through a scrubber (the run's secrets replaced), so that
//! no output rendered from it can carry them, whatever field an endpoint's text reached.

use std::borrow::Cow;

use serde_json::Value;

use super::Report;

/// `report` with `scrub` applied to every string in it (ids, messages, reproductions, findings).
/// A report that does not round-trip through JSON (it always does) is returned as it was.
pub fn redact(report: Report, scrub: &dyn Fn(&str) -> Cow<'_, str>) -> Report {
    let Ok(mut value) = serde_json::to_value(&report) else {
        return report;
    };
    if !walk(&mut value, scrub) {
        return report;
    }
    serde_json::from_value(value).unwrap_or(report)
}

/// Scrubs every string under `v`; whether anything changed.
fn walk(v: &mut Value, scrub: &dyn Fn(&str) -> Cow<'_, str>) -> bool {
    match v {
        Value::String(s) => match scrub(s) {
            Cow::Borrowed(_) => false,
            Cow::Owned(t) => {
                *s = t;
                true
            }
        },
        // Every item is walked (no short circuit).
        Value::Array(items) => {
            let mut changed = false;
            for item in items.iter_mut() {
                changed |= walk(item, scrub);
            }
            changed
        }
        Value::Object(members) => {
            let mut changed = false;
            for item in members.values_mut() {
                changed |= walk(item, scrub);
            }
            changed
        }
        _ => false,
    }
}
