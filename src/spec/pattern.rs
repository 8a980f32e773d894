//! Model patterns as whole-value matches.
//!
//! The model prints Java regexes that AWS applies to the whole value; we anchor them as `^(?:P)$`.
//! `Code.S3Bucket` uses a look-behind, which the `regex` crate cannot compile: such patterns go to
//! `fancy-regex`, never silently dropped.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A compiled whole-value pattern.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    engine: Engine,
    /// Unique to this compilation (its clones share it): the key of [`MEMO`].
    id: u64,
}

/// The next [`Pattern::id`].
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Values this long or shorter have their last answer kept ([`MEMO`]).
const MEMO_MAX: usize = 256;
/// Slots of [`MEMO`]: a pattern's id picks its slot; a pattern sharing it takes it over.
const MEMO_SLOTS: usize = 128;

/// One pattern's last short value and whether it matched.
struct Memo {
    id: u64,
    value: String,
    matched: bool,
}

thread_local! {
    /// Per thread, each pattern's last short value and its answer. Every instance of a case class
    /// carries the same base request (one role ARN, one handler, one runtime ARN), and checking
    /// it against its patterns again and again was 4 of every 64 ms of generating the aws-2026
    /// corpus: a regex search over a 100-byte value costs 150 to 600 ns, a comparison 10. A slot
    /// nobody used has the id no pattern gets.
    static MEMO: RefCell<Vec<Memo>> = RefCell::new(
        (0..MEMO_SLOTS)
            .map(|_| Memo { id: u64::MAX, value: String::new(), matched: false })
            .collect(),
    );
}

#[derive(Clone)]
enum Engine {
    /// On bytes, so that a `.*` can run as a byte loop ([`translate`]); the haystack is always a
    /// `&str`.
    Plain(Arc<regex::bytes::Regex>),
    Fancy(Arc<fancy_regex::Regex>),
}

impl Pattern {
    /// Whether `other` is this very pattern: the same compilation ([`Pattern::new`] gives one per
    /// source and process).
    pub fn same(&self, other: &Pattern) -> bool {
        self.id == other.id
    }

    /// Compiles `source` (unanchored, as the model prints it) as a whole-value match, once per
    /// process: a table names the same pattern on many rows (aws-2026: 55 compilations of 25
    /// patterns), and compiling them was half of loading it, on one thread before anything else
    /// could start. A pattern that does not compile is not kept.
    pub fn new(source: &str) -> Result<Self, String> {
        static COMPILED: std::sync::OnceLock<Mutex<HashMap<String, Pattern>>> =
            std::sync::OnceLock::new();
        let compiled = COMPILED.get_or_init(Default::default);
        if let Some(p) = compiled.lock().ok().and_then(|m| m.get(source).cloned()) {
            return Ok(p);
        }
        let p = Self::compile(source)?;
        if let Ok(mut m) = compiled.lock() {
            // Two threads compiling one source at once: the first kept is the one given out.
            return Ok(m.entry(source.to_string()).or_insert(p).clone());
        }
        Ok(p)
    }

    fn compile(source: &str) -> Result<Self, String> {
        let bytewise = format!("^(?:{})$", translate(source, true));
        match regex::bytes::Regex::new(&bytewise) {
            Ok(re) => Ok(Self {
                source: source.to_string(),
                engine: Engine::Plain(Arc::new(re)),
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            }),
            Err(plain_err) => {
                match fancy_regex::Regex::new(&format!("^(?:{})$", translate(source, false))) {
                    Ok(re) => Ok(Self {
                        source: source.to_string(),
                        engine: Engine::Fancy(Arc::new(re)),
                        id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                    }),
                    Err(fancy_err) => Err(format!(
                        "pattern does not compile: {fancy_err} (regex: {})",
                        plain_err.to_string().lines().last().unwrap_or_default()
                    )),
                }
            }
        }
    }

    /// The pattern as the model prints it.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the whole of `value` matches. A fancy-regex backtracking limit counts as no match.
    /// A short value's answer is kept until the pattern's next short value, per thread.
    pub fn matches(&self, value: &str) -> bool {
        if value.len() > MEMO_MAX {
            return self.search(value);
        }
        MEMO.with(|memo| {
            let mut memo = memo.borrow_mut();
            let kept = &mut memo[(self.id % MEMO_SLOTS as u64) as usize];
            if kept.id == self.id && kept.value == value {
                return kept.matched;
            }
            let matched = self.search(value);
            kept.id = self.id;
            kept.value.clear();
            kept.value.push_str(value);
            kept.matched = matched;
            matched
        })
    }

    /// The regex engine's answer for `value`.
    fn search(&self, value: &str) -> bool {
        match &self.engine {
            Engine::Plain(re) => re.is_match(value.as_bytes()),
            Engine::Fancy(re) => re.is_match(value).unwrap_or(false),
        }
    }

    /// Whether this pattern needs fancy-regex (look-around).
    pub fn needs_lookaround(&self) -> bool {
        matches!(self.engine, Engine::Fancy(_))
    }
}

/// The model's pattern as the `regex` crate reads it.
///
/// Java's `\d`, `\s` and `\w` are ASCII-only; Rust's are Unicode. AWS runs Java, so translate them
/// to the ASCII POSIX classes, inside and outside brackets.
///
/// With `byte_dots`, a `.*` outside brackets becomes `(?-u:[^\n])*` and a `.+` becomes
/// `.(?-u:[^\n])*`: the same whole-value matches on a `&str` (below), but a loop the regex engine runs
/// with `memchr`. A 10 000-character value matched against `…:.*` took 1.9 ns a byte (the lazy DFA
/// walks each UTF-8 sequence of `.`); 0.01 ns now. Why they match the same: the value is valid
/// UTF-8, `\n` is never part of a longer sequence, and every other piece of the pattern matches
/// whole characters, so each stretch the byte loop takes starts and ends on a character boundary and
/// is characters other than `\n`: what `.*` takes. Only `*`, never a counted `.{n}`, and a
/// possessive `.*+` is left alone.
fn translate(source: &str, byte_dots: bool) -> String {
    const ANY_BYTE_BUT_NEWLINE: &str = "(?-u:[^\\n])*";
    let mut out = String::with_capacity(source.len() + 16);
    let mut in_class = false;
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '.' if byte_dots && !in_class => {
                let mut ahead = chars.clone();
                match (ahead.next(), ahead.next()) {
                    (Some('*'), next) if next != Some('+') => {
                        out.push_str(ANY_BYTE_BUT_NEWLINE);
                        chars.next();
                    }
                    (Some('+'), next) if next != Some('+') => {
                        out.push('.');
                        out.push_str(ANY_BYTE_BUT_NEWLINE);
                        chars.next();
                    }
                    _ => out.push(c),
                }
            }
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    /// Places where a careless byte loop would match what `.` does not: two `.+` side by side (one
    /// two-byte character is two bytes but one character), a dot before or after a non-ASCII
    /// character, lazy and grouped repeats, and dots that are not wildcards.
    const EDGES: &[&str] = &[
        r".*",
        r".+",
        r".+.+",
        r"a.*é",
        r"é.*?é",
        r"x.+y.*z",
        r"(.*,)*",
        r"(a.*|b.+)c",
        r".{2}",
        r"[.]*",
        r"\.*",
        r"[a-z0-9-.]+:.*",
    ];

    fn sources() -> Vec<String> {
        let mut out: Vec<String> = EDGES.iter().map(|s| s.to_string()).collect();
        for profile in ["aws-2026", "seed-2020"] {
            let table = crate::spec::load(profile, None).expect("profile loads");
            for m in &table.members {
                out.extend(
                    m.constraints
                        .iter()
                        .filter_map(|c| c.compiled.as_ref())
                        .map(|p| p.source().to_string()),
                );
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// A source is compiled once per process: asked again, even from another thread, the same
    /// compilation comes back; a source that does not compile gives its error every time.
    pub(crate) fn one_compilation_per_source() {
        let first = Pattern::new("[0-9]{2,3}-shared").expect("compiles");
        let again = Pattern::new("[0-9]{2,3}-shared").expect("compiles");
        let elsewhere = std::thread::spawn(|| Pattern::new("[0-9]{2,3}-shared").expect("compiles"))
            .join()
            .expect("the thread ends");
        assert!(first.same(&again) && first.same(&elsewhere));
        assert!(!first.same(&Pattern::new("[0-9]{2,3}-other").expect("compiles")));
        assert!(again.matches("12-shared") && !again.matches("1-shared"));
        for _ in 0..2 {
            assert!(Pattern::new("a(").is_err());
        }
    }

    /// A kept answer is for its own pattern only: two patterns sharing a [`MEMO`] slot, asked in
    /// turns about the same value, each give their own answer.
    pub(crate) fn kept_answers_are_per_pattern() {
        let yes = Pattern::new("a+").expect("compiles");
        // Other tests compile patterns at the same time: compile until one takes `yes`'s slot
        // (each source another, as a source is compiled once).
        let no = (0..100 * MEMO_SLOTS)
            .map(|i| Pattern::new(&format!("b+|z{i}z")).expect("compiles"))
            .find(|p| p.id % MEMO_SLOTS as u64 == yes.id % MEMO_SLOTS as u64)
            .expect("a pattern in the same slot");
        for _ in 0..3 {
            assert!(yes.matches("aaa") && !no.matches("aaa"));
            assert!(!yes.matches("bbb") && no.matches("bbb"));
        }
        // A clone shares the compiled pattern and its kept answers.
        assert!(yes.clone().same(&yes) && !yes.same(&no));
        let long = "a".repeat(MEMO_MAX + 1);
        assert!(yes.matches(&long) && !no.matches(&long));
    }

    /// Whole-value matching with `.*` as a byte loop gives, on any text, what the pattern gives
    /// with every `.` a Unicode character: on values the pattern generates, on those values with
    /// newlines, carriage returns, multi-byte characters and separators put in, and on any text.
    pub(crate) fn byte_dots_match_what_unicode_dots_match() {
        let sources = sources();
        let rewritten = sources
            .iter()
            .filter(|s| translate(s, true) != translate(s, false))
            .count();
        assert!(
            rewritten >= 8,
            "only {rewritten} patterns have a dot to rewrite"
        );
        let noise = prop::collection::vec(
            prop::sample::select(vec![
                "a", "é", "🙂", "\n", "\r", ":", ",", "x", "y", "z", ".",
            ]),
            0..4,
        );
        let (mut matched, mut rejected) = (0u32, 0u32);
        for src in &sources {
            let ours = Pattern::new(src).expect("compiles");
            if ours.needs_lookaround() {
                continue;
            }
            let unicode = regex::Regex::new(&format!("^(?:{})$", translate(src, false)))
                .expect("compiles with Unicode dots");
            // proptest cannot generate from a pattern with its own anchors: values of a few
            // characters then.
            let valid = match proptest::string::string_regex(&translate(src, false)) {
                Ok(valid) => valid,
                Err(_) => {
                    proptest::string::string_regex("[a-z0-9:é🙂\n.,-]{0,24}").expect("generates")
                }
            };
            let values = (
                valid,
                noise.clone(),
                any::<prop::sample::Index>(),
                any::<String>(),
                0..3u8,
            )
                .prop_map(|(mut v, noise, at, other, how)| match how {
                    0 => v,
                    1 => {
                        let bounds: Vec<usize> =
                            v.char_indices().map(|(i, _)| i).chain([v.len()]).collect();
                        let at = bounds[at.index(bounds.len())];
                        v.insert_str(at, &noise.concat());
                        v
                    }
                    _ => other,
                });
            let mut runner = TestRunner::new(Config {
                cases: 96,
                failure_persistence: None,
                ..Config::default()
            });
            runner
                .run(&values, |v| {
                    let want = unicode.is_match(&v);
                    prop_assert_eq!(ours.matches(&v), want, "pattern {:?}", src);
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
            for v in ["", "a", "é", "\n", "x\ny", "ab", "aé", "é"] {
                if unicode.is_match(v) {
                    matched += 1;
                } else {
                    rejected += 1;
                }
                assert_eq!(ours.matches(v), unicode.is_match(v), "{src:?} on {v:?}");
            }
        }
        assert!(
            matched > 0 && rejected > 0,
            "{matched} matched, {rejected} rejected"
        );
    }
}
