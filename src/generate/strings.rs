//! Strings from a model pattern, of an exact length, and strings of a legal length that break it.
//!
//! The pattern is parsed with `regex-syntax`; look-around (which it cannot parse, and which only
//! `Code.S3Bucket` uses) is stripped for generation and enforced afterwards by the full [`Pattern`].

use regex_syntax::hir::{Class, Hir, HirKind};

use crate::spec::pattern::Pattern;

use super::charset::Pools;
pub use super::charset::STABLE_NON_ASCII;
pub use super::rng::Rng;

/// Removes look-around groups, which `regex-syntax` cannot parse.
fn strip_lookaround(pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(i) = ["(?<!", "(?<=", "(?!", "(?="]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
    {
        out.push_str(&rest[..i]);
        let mut depth = 0usize;
        let mut end = rest.len();
        let mut escaped = false;
        for (j, ch) in rest[i..].char_indices() {
            if escaped {
                escaped = false;
                continue;
            }
            match ch {
                '\\' => escaped = true,
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A pattern compiled for drawing: the parsed `Hir` with each node's length bounds, each literal's
/// text and each class's pools worked out once (drawing a character then needs no lookup).
#[derive(Debug)]
struct Node {
    /// The shortest and longest strings the node matches (longest None when unbounded).
    lo: usize,
    hi: Option<usize>,
    kind: NodeKind,
}

#[derive(Debug)]
enum NodeKind {
    /// Matches only the empty string (an empty group or a look-around assertion).
    Empty,
    /// A literal, as text.
    Literal(String),
    /// One character of a Unicode class.
    Unicode(Pools),
    /// One byte of a byte class (ranges), kept to ASCII.
    Bytes(Vec<(u8, u8)>),
    /// Any one of the alternatives.
    Alternation(Vec<Node>),
    /// The parts in order.
    Concat(Vec<Node>),
    /// The sub-node repeated `min..=max` times.
    Repetition {
        sub: Box<Node>,
        min: usize,
        max: Option<usize>,
    },
}

impl Node {
    fn compile(h: &Hir) -> Node {
        let (lo, hi, kind) = match h.kind() {
            HirKind::Empty | HirKind::Look(_) => (0, Some(0), NodeKind::Empty),
            HirKind::Literal(lit) => {
                let text = String::from_utf8_lossy(&lit.0).into_owned();
                let n = text.chars().count();
                (n, Some(n), NodeKind::Literal(text))
            }
            HirKind::Class(Class::Unicode(u)) => (1, Some(1), NodeKind::Unicode(Pools::of(u))),
            HirKind::Class(Class::Bytes(b)) => (
                1,
                Some(1),
                NodeKind::Bytes(b.ranges().iter().map(|r| (r.start(), r.end())).collect()),
            ),
            HirKind::Capture(c) => return Node::compile(&c.sub),
            HirKind::Repetition(r) => {
                let sub = Node::compile(&r.sub);
                let lo = sub.lo * r.min as usize;
                let hi = match (r.max, sub.hi) {
                    (_, Some(0)) => Some(0),
                    (Some(m), Some(h)) => Some(m as usize * h),
                    _ => None,
                };
                let kind = NodeKind::Repetition {
                    sub: Box::new(sub),
                    min: r.min as usize,
                    max: r.max.map(|m| m as usize),
                };
                (lo, hi, kind)
            }
            HirKind::Concat(parts) => {
                let parts: Vec<Node> = parts.iter().map(Node::compile).collect();
                let (lo, hi) = parts.iter().fold((0, Some(0)), |(lo, hi), p| {
                    (lo + p.lo, hi.zip(p.hi).map(|(a, b)| a + b))
                });
                (lo, hi, NodeKind::Concat(parts))
            }
            HirKind::Alternation(alts) => {
                let alts: Vec<Node> = alts.iter().map(Node::compile).collect();
                let lo = alts.iter().map(|a| a.lo).min().unwrap_or(0);
                let hi = alts
                    .iter()
                    .map(|a| a.hi)
                    .try_fold(0usize, |acc, h| h.map(|h| acc.max(h)));
                (lo, hi, NodeKind::Alternation(alts))
            }
        };
        Node { lo, hi, kind }
    }

    fn fits(&self, n: usize) -> bool {
        self.lo <= n && self.hi.is_none_or(|hi| n <= hi)
    }

    fn emit(&self, n: usize, rng: &mut Rng, out: &mut String) -> Option<()> {
        match &self.kind {
            NodeKind::Empty => (n == 0).then_some(()),
            NodeKind::Literal(text) => (self.lo == n).then(|| out.push_str(text)),
            NodeKind::Unicode(pools) => {
                if n != 1 {
                    return None;
                }
                out.push(pools.draw(rng)?);
                Some(())
            }
            NodeKind::Bytes(ranges) => {
                if n != 1 {
                    return None;
                }
                let &(lo, hi) = rng.pick(ranges)?;
                out.push(rng.range(lo as u64, hi.min(0x7f) as u64) as u8 as char);
                Some(())
            }
            NodeKind::Alternation(alts) => {
                let ok: Vec<&Node> = alts.iter().filter(|a| a.fits(n)).collect();
                rng.pick(&ok)?.emit(n, rng, out)
            }
            NodeKind::Concat(parts) => {
                let b: Vec<_> = parts.iter().map(|p| (p.lo, p.hi)).collect();
                let sizes = split(&b, n, rng, true)?;
                for (p, k) in parts.iter().zip(sizes) {
                    p.emit(k, rng, out)?;
                }
                Some(())
            }
            NodeKind::Repetition { sub, min, max } => {
                let (lo, hi) = (sub.lo, sub.hi);
                let min = *min;
                // Feasible counts k: k*lo <= n <= k*hi.
                let k_lo = match hi {
                    Some(0) => min,
                    Some(h) => min.max(n.div_ceil(h)),
                    None => min.max(usize::from(n > 0)),
                };
                let k_hi_by_n = n.checked_div(lo).unwrap_or(n.max(k_lo));
                let k_hi = max.map_or(k_hi_by_n, |m| m.min(k_hi_by_n));
                if k_lo > k_hi {
                    return None;
                }
                // Optional groups (`?`) are skipped when they can be: names stay bare, ARNs stay rare.
                let k = if k_lo == 0 && n == 0 {
                    0
                } else if k_hi - k_lo > 64 {
                    rng.range(k_lo as u64, (k_lo + 64) as u64) as usize
                } else {
                    rng.range(k_lo as u64, k_hi as u64) as usize
                };
                if k * lo == n {
                    // Every repetition at its minimum (one character per `\S`, say): nothing to
                    // share out.
                    if let (NodeKind::Unicode(pools), 1) = (&sub.kind, lo) {
                        // One character per repetition (`[a-z]+` at its length): drawn here, not
                        // through a call of `emit` per character.
                        return pools.draw_run(k, rng, out);
                    }
                    for _ in 0..k {
                        sub.emit(lo, rng, out)?;
                    }
                    return Some(());
                }
                let parts = vec![(lo, hi); k];
                let sizes = split(&parts, n, rng, false)?;
                for s in sizes {
                    sub.emit(s, rng, out)?;
                }
                Some(())
            }
        }
    }
}

/// Splits `n` among parts with the given bounds, at random. None if impossible.
fn split(
    parts: &[(usize, Option<usize>)],
    n: usize,
    rng: &mut Rng,
    prefer_small: bool,
) -> Option<Vec<usize>> {
    let min_total: usize = parts.iter().map(|p| p.0).sum();
    if n < min_total {
        return None;
    }
    let mut out: Vec<usize> = parts.iter().map(|p| p.0).collect();
    if n == min_total {
        // Nothing to share out: every part gets its minimum.
        return Some(out);
    }
    let mut left = n - min_total;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    for (k, &i) in order.iter().enumerate() {
        if left == 0 {
            break;
        }
        let cap = parts[i].1.map_or(left, |hi| (hi - parts[i].0).min(left));
        let last = k + 1 == order.len();
        let give = if last || !prefer_small {
            if last {
                cap
            } else {
                rng.range(0, cap as u64) as usize
            }
        } else if rng.chance(0.3) {
            rng.range(0, cap as u64) as usize
        } else {
            0
        };
        out[i] += give;
        left -= give;
    }
    // Whatever is left goes to any part with room.
    for i in 0..parts.len() {
        if left == 0 {
            break;
        }
        let cap = parts[i].1.map_or(left, |hi| (hi - out[i]).min(left));
        out[i] += cap;
        left -= cap;
    }
    (left == 0).then_some(out)
}

/// Generates strings matching one pattern. Cheap to clone: one parse per pattern source is kept for
/// the process (`StringGen::new`).
#[derive(Debug, Clone)]
pub struct StringGen {
    parsed: std::sync::Arc<Parsed>,
}

#[derive(Debug)]
struct Parsed {
    root: Node,
    pattern: Pattern,
    /// Every string the root emits matches the pattern: nothing was stripped, and the pattern has
    /// no assertion but `^` and `$` and no byte class (drawing keeps those to ASCII). Then a drawn
    /// string need not be matched again (the oracle still judges every request it goes into).
    exact: bool,
}

/// Whether drawing from `h` (as `Node::compile` makes it) gives only strings that match it.
fn emits_exactly(h: &Hir) -> bool {
    use regex_syntax::hir::Look;
    match h.kind() {
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(Class::Unicode(_)) => true,
        HirKind::Class(Class::Bytes(_)) => false,
        HirKind::Look(look) => matches!(look, Look::Start | Look::End),
        HirKind::Capture(c) => emits_exactly(&c.sub),
        HirKind::Repetition(r) => emits_exactly(&r.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts.iter().all(emits_exactly),
    }
}

impl StringGen {
    /// A generator for a pattern (as the model prints it). Parsed once per pattern source and process:
    /// parsing a Unicode class and working out what to draw from it cost more than drawing.
    pub fn new(pattern: &Pattern) -> Option<Self> {
        // This thread's recent patterns first, by identity: a 1 500-item list asks 1 500 times. An
        // entry holds its pattern, so the compiled pattern it is known by cannot be freed and
        // another take its place.
        thread_local! {
            static RECENT: std::cell::RefCell<Vec<(Pattern, Option<StringGen>)>> =
                const { std::cell::RefCell::new(Vec::new()) };
        }
        const RECENT_KEPT: usize = 8;
        if let Some(hit) = RECENT.with(|r| {
            r.borrow()
                .iter()
                .find(|(p, _)| p.same(pattern))
                .map(|(_, g)| g.clone())
        }) {
            return hit;
        }
        let made = Self::shared(pattern);
        RECENT.with(|r| {
            let mut r = r.borrow_mut();
            if r.len() == RECENT_KEPT {
                r.remove(0);
            }
            r.push((pattern.clone(), made.clone()));
        });
        made
    }

    /// The process's generator for a pattern source, parsed on first use.
    fn shared(pattern: &Pattern) -> Option<Self> {
        static PARSED: std::sync::OnceLock<
            std::sync::Mutex<std::collections::HashMap<String, Option<StringGen>>>,
        > = std::sync::OnceLock::new();
        let cache = PARSED.get_or_init(Default::default);
        if let Some(hit) = cache
            .lock()
            .ok()
            .and_then(|m| m.get(pattern.source()).cloned())
        {
            return hit;
        }
        let made = Self::parse(pattern);
        if let Ok(mut m) = cache.lock() {
            m.insert(pattern.source().to_string(), made.clone());
        }
        made
    }

    fn parse(pattern: &Pattern) -> Option<Self> {
        let text = strip_lookaround(pattern.source());
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(true)
            .build()
            .parse(&text)
            .ok()?;
        Some(Self {
            parsed: std::sync::Arc::new(Parsed {
                root: Node::compile(&hir),
                pattern: pattern.clone(),
                exact: text == pattern.source() && emits_exactly(&hir),
            }),
        })
    }

    /// The shortest and longest lengths the pattern allows (longest None when unbounded).
    pub fn length_bounds(&self) -> (usize, Option<usize>) {
        (self.parsed.root.lo, self.parsed.root.hi)
    }

    /// A matching string of exactly `n` characters, or None when none was found.
    pub fn of_length(&self, n: usize, rng: &mut Rng) -> Option<String> {
        let p = &*self.parsed;
        if !p.root.fits(n) {
            return None;
        }
        let mut out = String::with_capacity(n);
        for _ in 0..40 {
            out.clear();
            if p.root.emit(n, rng, &mut out).is_some()
                && out.chars().count() == n
                && (p.exact || p.pattern.matches(&out))
            {
                return Some(out);
            }
        }
        None
    }
}

/// Characters that often fall outside a pattern's classes.
const BREAKERS: &[char] = &[
    ' ', '!', '#', '%', '*', '\n', '~', ':', '/', '.', '"', '\\', 'é', '$', '+', '@', 'A', 'a',
    '0', '-', '_',
];

/// A string of exactly `n` characters that does NOT match `pattern`, made from `base` (a matching
/// string of length `n`) by replacing characters. None when every attempt still matches.
pub fn break_pattern(pattern: &Pattern, base: &str, rng: &mut Rng) -> Option<String> {
    let chars: Vec<char> = base.chars().collect();
    if chars.is_empty() {
        return None;
    }
    for attempt in 0..80 {
        let mut c = chars.clone();
        let edits = 1 + usize::from(attempt > 40);
        for _ in 0..edits {
            let i = rng.below(c.len() as u64) as usize;
            c[i] = *rng.pick(BREAKERS)?;
        }
        let s: String = c.into_iter().collect();
        if !pattern.matches(&s) {
            return Some(s);
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One draw per character keeps the shape of what is drawn: every range of a class as likely
    /// as any other (a lone `-` as often as all of `a-z`), about one character in ten beyond ASCII
    /// where the class has such members, and none where it has not.
    pub(crate) fn characters_are_drawn_range_by_range() {
        let draw = |pattern: &str| {
            let p = Pattern::new(pattern).expect("pattern compiles");
            let g = StringGen::new(&p).expect("generator");
            let s = g.of_length(20_000, &mut Rng::new(3)).expect("a string");
            assert!(p.matches(&s));
            s
        };
        let count = |s: &str, pick: &dyn Fn(char) -> bool| s.chars().filter(|&c| pick(c)).count();
        let dashed = draw("^[a-z-]+$");
        let dashes = count(&dashed, &|c| c == '-');
        assert!(
            (9_000..11_000).contains(&dashes),
            "{dashes} dashes of 20 000"
        );
        // Within a range, every character as likely as any other: about 385 of each letter.
        for letter in 'a'..='z' {
            let n = count(&dashed, &|c| c == letter);
            assert!((300..470).contains(&n), "{letter} {n} times of 20 000");
        }
        let beyond = count(&draw("^\\p{L}+$"), &|c| !c.is_ascii());
        assert!(
            (1_700..2_300).contains(&beyond),
            "{beyond} of 20 000 beyond ASCII"
        );
        assert_eq!(count(&draw("^[a-zA-Z0-9]+$"), &|c| !c.is_ascii()), 0);
    }

    /// What skipping the generator's own match rests on: every pattern of both profiles that
    /// `Parsed::exact` calls exact gives, at lengths across its bounds, only strings that match it;
    /// and the one pattern with look-around (stripped for drawing) is not called exact.
    pub(crate) fn exact_patterns_emit_only_matching_strings() {
        let mut exact = 0;
        let mut lookaround = 0;
        for profile in ["aws-2026", "seed-2020"] {
            let spec = crate::spec::load(profile, None).expect("profile loads");
            for m in &spec.members {
                for p in m.constraints.iter().filter_map(|c| c.compiled.as_ref()) {
                    let Some(g) = StringGen::new(p) else { continue };
                    if p.needs_lookaround() {
                        lookaround += 1;
                        assert!(!g.parsed.exact, "{}: look-around called exact", p.source());
                        continue;
                    }
                    if !g.parsed.exact {
                        continue;
                    }
                    exact += 1;
                    let (lo, hi) = g.length_bounds();
                    let top = hi.unwrap_or(lo + 300).min(lo + 300);
                    let mut rng = Rng::new(99);
                    for n in [lo, lo + 1, (lo + top) / 2, top] {
                        for _ in 0..8 {
                            if let Some(s) = g.of_length(n, &mut rng) {
                                assert!(p.matches(&s), "{}: drew {s:?}", p.source());
                            }
                        }
                    }
                }
            }
        }
        assert!(exact > 20, "only {exact} exact patterns");
        assert!(lookaround > 0, "no look-around pattern left to check");
    }
}
