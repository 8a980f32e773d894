//! Where a problem is in which spec file: error lines that name the file, the line and the key, and
//! patterns compiled with such an error when they do not compile.

use super::pattern::Pattern;
use super::{Kind, SpecError};

/// Where in which file: turns byte offsets into line numbers for error lines.
pub(super) struct Place<'a> {
    pub(super) file: &'a str,
    pub(super) text: &'a str,
}

impl Place<'_> {
    pub(super) fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .bytes()
            .filter(|b| *b == b'\n')
            .count()
            + 1
    }

    pub(super) fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        key: &str,
        msg: impl Into<String>,
    ) -> Result<T, SpecError> {
        Err(SpecError::Invalid {
            file: self.file.to_string(),
            line: self.line(span.start),
            key: key.to_string(),
            message: msg.into(),
        })
    }

    pub(super) fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, SpecError> {
        toml::from_str(self.text).map_err(|e| {
            let line = e.span().map(|s| self.line(s.start)).unwrap_or(0);
            let message = e.message().to_string();
            let key = message.split('`').nth(1).unwrap_or("").to_string();
            SpecError::Invalid {
                file: self.file.to_string(),
                line,
                key,
                message,
            }
        })
    }
}

/// A pattern constraint compiled (`None` for other kinds); one that does not compile is an error
/// line at `span`.
pub(super) fn compile(
    place: &Place<'_>,
    span: std::ops::Range<usize>,
    kind: &Kind,
) -> Result<Option<Pattern>, SpecError> {
    match kind {
        Kind::Pattern { pattern } | Kind::NotPattern { pattern } => match Pattern::new(pattern) {
            Ok(p) => Ok(Some(p)),
            Err(e) => place.err(span, "pattern", e),
        },
        _ => Ok(None),
    }
}
