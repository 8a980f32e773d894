//! Model patterns as whole-value matches.
//!
//! The model prints Java regexes that AWS applies to the whole value; we anchor them as `^(?:P)$`.
//! `Code.S3Bucket` uses a look-behind, which the `regex` crate cannot compile: such patterns go to
//! `fancy-regex`, never silently dropped.

use std::fmt;
use std::sync::Arc;

/// A compiled whole-value pattern.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    engine: Engine,
}

#[derive(Clone)]
enum Engine {
    Plain(Arc<regex::Regex>),
    Fancy(Arc<fancy_regex::Regex>),
}

impl Pattern {
    /// Whether `other` is this very pattern (a clone of the same compiled pattern).
    pub fn same(&self, other: &Pattern) -> bool {
        match (&self.engine, &other.engine) {
            (Engine::Plain(a), Engine::Plain(b)) => Arc::ptr_eq(a, b),
            (Engine::Fancy(a), Engine::Fancy(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Compiles `source` (unanchored, as the model prints it) as a whole-value match.
    pub fn new(source: &str) -> Result<Self, String> {
        let anchored = format!("^(?:{})$", java_classes(source));
        match regex::Regex::new(&anchored) {
            Ok(re) => Ok(Self {
                source: source.to_string(),
                engine: Engine::Plain(Arc::new(re)),
            }),
            Err(plain_err) => match fancy_regex::Regex::new(&anchored) {
                Ok(re) => Ok(Self {
                    source: source.to_string(),
                    engine: Engine::Fancy(Arc::new(re)),
                }),
                Err(fancy_err) => Err(format!(
                    "pattern does not compile: {fancy_err} (regex: {})",
                    plain_err.to_string().lines().last().unwrap_or_default()
                )),
            },
        }
    }

    /// The pattern as the model prints it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `value` matches. A fancy-regex backtracking limit counts as no match.
    pub fn matches(&self, value: &str) -> bool {
        match &self.engine {
            Engine::Plain(re) => re.is_match(value),
            Engine::Fancy(re) => re.is_match(value).unwrap_or(false),
        }
    }

    /// Whether this pattern needs fancy-regex (look-around).
    pub fn needs_lookaround(&self) -> bool {
        matches!(self.engine, Engine::Fancy(_))
    }
}

/// Java's `\d`, `\s` and `\w` are ASCII-only; Rust's are Unicode. AWS runs Java, so translate them
/// to the ASCII POSIX classes, inside and outside brackets.
fn java_classes(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut in_class = false;
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push(c);
                    break;
                };
                let posix = match n {
                    'd' => Some("digit"),
                    's' => Some("space"),
                    'w' => Some("word"),
                    _ => None,
                };
                match (posix, in_class) {
                    (Some(name), true) => out.push_str(&format!("[:{name}:]")),
                    (Some(name), false) => out.push_str(&format!("[[:{name}:]]")),
                    (None, _) => {
                        out.push(c);
                        out.push(n);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push(c);
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}
