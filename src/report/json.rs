//! The report as JSON: the data model serialised as it is, fields in declaration order.

use std::path::Path;

use super::{write_text, Report, ReportError};

/// Writes `report` to `path` as pretty-printed JSON with a trailing newline.
pub fn write_json(report: &Report, path: &Path) -> Result<(), ReportError> {
    let mut text = serde_json::to_string_pretty(report).map_err(|source| ReportError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    text.push('\n');
    write_text(path, &text)
}

/// Reads a report written by [`write_json`].
pub fn read_json(path: &Path) -> Result<Report, ReportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ReportError::Json {
        path: path.to_path_buf(),
        source,
    })
}
