//! Reading botocore's JSON: shapes by name, walked into rows with the constraints the model states.

use serde_json::{Map, Value};

use super::table::{ErrorRow, Num, Row};
use super::ImportError;

/// The parsed model: its shapes by name.
pub(super) struct Model<'a> {
    operations: &'a Map<String, Value>,
    shapes: &'a Map<String, Value>,
}

impl<'a> Model<'a> {
    pub(super) fn new(root: &'a Value) -> Result<Self, ImportError> {
        let root = root.as_object().ok_or_else(|| ImportError::Malformed {
            at: "the top level".into(),
            expected: "a JSON object",
        })?;
        let operations = match root.get("operations") {
            None => return Err(ImportError::MissingOperation),
            Some(v) => object(Some(v), "operations")?,
        };
        let shapes = object(root.get("shapes"), "shapes")?;
        Ok(Model { operations, shapes })
    }

    pub(super) fn operation(&self, name: &str) -> Result<&'a Map<String, Value>, ImportError> {
        match self.operations.get(name) {
            None => Err(ImportError::MissingOperation),
            Some(v) => object(Some(v), &format!("operations.{name}")),
        }
    }

    fn shape(&self, name: &str) -> Result<&'a Map<String, Value>, ImportError> {
        match self.shapes.get(name) {
            None => Err(ImportError::UnknownShape(name.to_string())),
            Some(v) => object(Some(v), &format!("shapes.{name}")),
        }
    }

    /// Every path below the structure `top`, parents before children, in model order.
    pub(super) fn rows(&self, top: &str) -> Result<Vec<Row>, ImportError> {
        let shape = self.shape(top)?;
        let mut rows = Vec::new();
        let mut stack = vec![top.to_string()];
        for (name, member, required) in members(shape, top)? {
            self.walk(member, name.to_string(), required, &mut stack, &mut rows)?;
        }
        Ok(rows)
    }

    fn walk(
        &self,
        name: &str,
        path: String,
        required: bool,
        stack: &mut Vec<String>,
        rows: &mut Vec<Row>,
    ) -> Result<(), ImportError> {
        let shape = self.shape(name)?;
        let row = row(name, shape, path, required)?;
        let kind = row.kind;
        let path = row.path.clone();
        rows.push(row);
        // Recursion guard: a shape already on the current path gets its row but no children.
        if stack.iter().any(|s| s == name) {
            return Ok(());
        }
        stack.push(name.to_string());
        match kind {
            "structure" => {
                for (member_name, member, required) in members(shape, name)? {
                    self.walk(
                        member,
                        format!("{path}.{member_name}"),
                        required,
                        stack,
                        rows,
                    )?;
                }
            }
            "list" => {
                let item = shape_ref(shape.get("member"), &format!("shapes.{name}.member"))?;
                self.walk(item, format!("{path}[]"), false, stack, rows)?;
            }
            "map" => {
                let key = shape_ref(shape.get("key"), &format!("shapes.{name}.key"))?;
                let value = shape_ref(shape.get("value"), &format!("shapes.{name}.value"))?;
                self.walk(key, format!("{path}{{key}}"), false, stack, rows)?;
                self.walk(value, format!("{path}{{value}}"), false, stack, rows)?;
            }
            _ => {}
        }
        stack.pop();
        Ok(())
    }

    pub(super) fn error_row(&self, name: &str) -> Result<ErrorRow, ImportError> {
        let shape = self.shape(name)?;
        let error = shape.get("error").and_then(Value::as_object);
        let status = error
            .and_then(|e| e.get("httpStatusCode"))
            .and_then(Value::as_u64)
            .ok_or_else(|| ImportError::NoStatus(name.to_string()))?;
        let flag = |v: Option<&Value>| v.and_then(Value::as_bool).unwrap_or(false);
        let fault = if flag(shape.get("fault")) {
            "server"
        } else if flag(error.and_then(|e| e.get("senderFault"))) {
            "client"
        } else if status >= 500 {
            "server"
        } else {
            "client"
        };
        let mut body = Vec::new();
        let list = object(shape.get("members"), &format!("shapes.{name}.members"))?;
        for (member_name, member) in list {
            let at = format!("shapes.{name}.members.{member_name}");
            let member = object(Some(member), &at)?;
            if member.get("location").is_none() {
                body.push(member_name.clone());
            }
        }
        Ok(ErrorRow {
            kind: name.to_string(),
            status,
            fault,
            members: body,
        })
    }
}

/// The members of structure `shape` (named `name`): member name, member shape, required.
fn members<'a>(
    shape: &'a Map<String, Value>,
    name: &str,
) -> Result<Vec<(&'a str, &'a str, bool)>, ImportError> {
    if shape.get("type").and_then(Value::as_str) != Some("structure") {
        return Err(ImportError::Malformed {
            at: format!("shapes.{name}"),
            expected: "a structure",
        });
    }
    let required: Vec<&str> = match shape.get("required") {
        None => Vec::new(),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        Some(_) => {
            return Err(ImportError::Malformed {
                at: format!("shapes.{name}.required"),
                expected: "an array of member names",
            })
        }
    };
    let list = object(shape.get("members"), &format!("shapes.{name}.members"))?;
    list.iter()
        .map(|(member_name, member)| {
            let at = format!("shapes.{name}.members.{member_name}");
            let member = object(Some(member), &at)?;
            let target = string(member.get("shape"), &format!("{at}.shape"))?;
            Ok((
                member_name.as_str(),
                target,
                required.contains(&member_name.as_str()),
            ))
        })
        .collect()
}

/// The row for shape `name` at `path`, with the constraints the model states.
fn row(
    name: &str,
    shape: &Map<String, Value>,
    path: String,
    required: bool,
) -> Result<Row, ImportError> {
    let model_kind = string(shape.get("type"), &format!("shapes.{name}.type"))?;
    let kind = match model_kind {
        "string" => "string",
        "integer" => "integer",
        "long" => "long",
        "double" => "double",
        "boolean" => "boolean",
        "blob" => "blob",
        "timestamp" => "timestamp",
        "structure" => "structure",
        "list" => "list",
        "map" => "map",
        other => {
            return Err(ImportError::UnsupportedType {
                shape: name.to_string(),
                kind: other.to_string(),
            })
        }
    };
    let mut row = Row {
        path,
        shape: name.to_string(),
        kind,
        required,
        sensitive: shape.get("sensitive").and_then(Value::as_bool) == Some(true),
        ..Row::default()
    };
    for key in ["min", "max"] {
        let Some(value) = shape.get(key) else {
            continue;
        };
        let bad = |reason| ImportError::BadConstraint {
            shape: name.to_string(),
            kind: kind.to_string(),
            key,
            value: value.to_string(),
            reason,
        };
        let is_min = key == "min";
        let slot = match kind {
            "string" | "blob" if is_min => &mut row.min_length,
            "string" | "blob" => &mut row.max_length,
            "integer" | "long" | "double" if is_min => &mut row.min,
            "integer" | "long" | "double" => &mut row.max,
            "list" | "map" if is_min => &mut row.min_items,
            "list" | "map" => &mut row.max_items,
            _ => return Err(bad("the table has no range for this type")),
        };
        let num = if kind == "double" {
            Num::Float(value.as_f64().ok_or_else(|| bad("not a number"))?)
        } else {
            Num::Int(integer(value).ok_or_else(|| bad("not an integer"))?)
        };
        *slot = Some(num);
    }
    if let Some(p) = shape.get("pattern") {
        row.pattern = Some(string(Some(p), &format!("shapes.{name}.pattern"))?.to_string());
    }
    if let Some(e) = shape.get("enum") {
        let at = format!("shapes.{name}.enum");
        let values = e.as_array().ok_or_else(|| ImportError::Malformed {
            at: at.clone(),
            expected: "an array of strings",
        })?;
        row.enum_values = Some(
            values
                .iter()
                .map(|v| string(Some(v), &at).map(str::to_string))
                .collect::<Result<_, _>>()?,
        );
    }
    Ok(row)
}

/// A JSON number that is a whole number fitting an i64 (`5` or `5.0`).
fn integer(value: &Value) -> Option<i64> {
    if let Some(i) = value.as_i64() {
        return Some(i);
    }
    let x = value.as_f64()?;
    // i64::MAX as f64 rounds up to 2^63, so the upper bound is exclusive.
    let fits = x.fract() == 0.0 && x >= i64::MIN as f64 && x < i64::MAX as f64;
    fits.then_some(x as i64)
}

pub(super) fn object<'a>(
    value: Option<&'a Value>,
    at: &str,
) -> Result<&'a Map<String, Value>, ImportError> {
    value
        .and_then(Value::as_object)
        .ok_or_else(|| ImportError::Malformed {
            at: at.to_string(),
            expected: "a JSON object",
        })
}

pub(super) fn string<'a>(value: Option<&'a Value>, at: &str) -> Result<&'a str, ImportError> {
    value
        .and_then(Value::as_str)
        .ok_or_else(|| ImportError::Malformed {
            at: at.to_string(),
            expected: "a string",
        })
}

/// The shape name in a `{"shape": "Name"}` reference.
pub(super) fn shape_ref<'a>(value: Option<&'a Value>, at: &str) -> Result<&'a str, ImportError> {
    string(object(value, at)?.get("shape"), &format!("{at}.shape"))
}
