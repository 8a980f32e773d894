//! The rows of the spec table and their TOML text: deterministic, patterns as literal strings.

use std::fmt::Write as _;

/// Enum arrays longer than this (as one line) are written one value per line.
const ENUM_LINE_WIDTH: usize = 80;

/// A number as the table records it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Num {
    /// integer, long, lengths and item counts
    Int(i64),
    /// double
    Float(f64),
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            // Debug keeps the `.0` that makes it a TOML float (`2.0`, `0.5`, `1e-7`).
            Num::Float(x) => write!(f, "{x:?}"),
        }
    }
}

/// One `[[member]]` or `[[response]]` row.
#[derive(Debug, Default)]
pub(super) struct Row {
    pub(super) path: String,
    pub(super) shape: String,
    pub(super) kind: &'static str,
    pub(super) required: bool,
    pub(super) sensitive: bool,
    pub(super) min_length: Option<Num>,
    pub(super) max_length: Option<Num>,
    pub(super) min: Option<Num>,
    pub(super) max: Option<Num>,
    pub(super) min_items: Option<Num>,
    pub(super) max_items: Option<Num>,
    pub(super) pattern: Option<String>,
    pub(super) enum_values: Option<Vec<String>>,
}

impl Row {
    pub(super) fn write(&self, out: &mut String, table: &str) {
        let _ = writeln!(out, "\n[[{table}]]");
        kv_str(out, "path", &self.path);
        kv_str(out, "shape", &self.shape);
        kv_str(out, "type", self.kind);
        let _ = writeln!(out, "required = {}", self.required);
        if self.sensitive {
            out.push_str("sensitive = true\n");
        }
        for (key, value) in [
            ("min_length", self.min_length),
            ("max_length", self.max_length),
            ("min", self.min),
            ("max", self.max),
            ("min_items", self.min_items),
            ("max_items", self.max_items),
        ] {
            if let Some(v) = value {
                let _ = writeln!(out, "{key} = {v}");
            }
        }
        if let Some(p) = &self.pattern {
            let _ = writeln!(out, "pattern = {}", toml_pattern(p));
        }
        if let Some(values) = &self.enum_values {
            let items: Vec<String> = values.iter().map(|v| toml_basic(v)).collect();
            let one_line = items.join(", ");
            if one_line.len() <= ENUM_LINE_WIDTH {
                let _ = writeln!(out, "enum = [{one_line}]");
            } else {
                out.push_str("enum = [\n");
                for item in &items {
                    let _ = writeln!(out, "    {item},");
                }
                out.push_str("]\n");
            }
        }
    }
}

/// One `[[error]]` row.
#[derive(Debug)]
pub(super) struct ErrorRow {
    pub(super) kind: String,
    pub(super) status: u64,
    pub(super) fault: &'static str,
    pub(super) members: Vec<String>,
}

impl ErrorRow {
    pub(super) fn write(&self, out: &mut String) {
        out.push_str("\n[[error]]\n");
        kv_str(out, "type", &self.kind);
        let _ = writeln!(out, "status = {}", self.status);
        kv_str(out, "fault", self.fault);
        let members: Vec<String> = self.members.iter().map(|m| toml_basic(m)).collect();
        let _ = writeln!(out, "members = [{}]", members.join(", "));
    }
}

pub(super) fn kv_str(out: &mut String, key: &str, value: &str) {
    let _ = writeln!(out, "{key} = {}", toml_basic(value));
}

/// A pattern as a TOML literal string, which keeps every backslash as the model prints it; a basic
/// string with escapes when a literal string cannot hold it (a `'` or a control character).
fn toml_pattern(p: &str) -> String {
    if p.chars()
        .any(|c| c == '\'' || (c.is_control() && c != '\t'))
    {
        toml_basic(p)
    } else {
        format!("'{p}'")
    }
}

/// A TOML basic string: `"…"` with `\`, `"` and control characters escaped.
fn toml_basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
