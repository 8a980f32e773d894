//! Strings from a model pattern, of an exact length, and strings of a legal length that break it.
//!
//! The pattern is parsed with `regex-syntax`; look-around (which it cannot parse, and which only
//! `Code.S3Bucket` uses) is stripped for generation and enforced afterwards by the full [`Pattern`].

use regex_syntax::hir::{Class, Hir, HirKind};

use crate::spec::pattern::Pattern;

/// A small deterministic random source, seeded from a proptest-generated value so that a seed
/// reproduces a request exactly.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A source seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits (splitmix64).
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below(hi - lo + 1)
        }
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len() as u64) as usize)
        }
    }
}

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

/// Generates strings matching one pattern.
#[derive(Debug)]
pub struct StringGen {
    /// Boxed so that its classes keep their addresses (the keys of `pools`).
    hir: Box<Hir>,
    pools: PoolMap,
    pattern: Pattern,
}

fn bounds(h: &Hir) -> (usize, Option<usize>) {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => (0, Some(0)),
        HirKind::Literal(lit) => {
            let n = String::from_utf8_lossy(&lit.0).chars().count();
            (n, Some(n))
        }
        HirKind::Class(_) => (1, Some(1)),
        HirKind::Capture(c) => bounds(&c.sub),
        HirKind::Repetition(r) => {
            let (lo, hi) = bounds(&r.sub);
            let min = lo * r.min as usize;
            let max = match (r.max, hi) {
                (_, Some(0)) => Some(0),
                (Some(m), Some(h)) => Some(m as usize * h),
                _ => None,
            };
            (min, max)
        }
        HirKind::Concat(parts) => parts.iter().fold((0, Some(0)), |(lo, hi), p| {
            let (l, h) = bounds(p);
            (lo + l, hi.zip(h).map(|(a, b)| a + b))
        }),
        HirKind::Alternation(alts) => {
            let all: Vec<_> = alts.iter().map(bounds).collect();
            let lo = all.iter().map(|b| b.0).min().unwrap_or(0);
            let hi = all
                .iter()
                .map(|b| b.1)
                .try_fold(0usize, |acc, h| h.map(|h| acc.max(h)));
            (lo, hi)
        }
    }
}

fn fits(h: &Hir, n: usize) -> bool {
    let (lo, hi) = bounds(h);
    lo <= n && hi.is_none_or(|hi| n <= hi)
}

/// Characters beyond ASCII that "valid" text may use: ranges whose every code point was assigned long
/// before Unicode 9.0 and has kept the same general category since, so a server whose regex engine
/// knows an older Unicode still classes them as the pattern means (`\p{L}`, `\S`, `.`).
/// Conservative by construction: whole letter runs of the oldest blocks, as the Unicode Character
/// Database gives them (DerivedAge.txt: Unicode 1.1 for all but the Hangul syllables, 2.0; the general
/// category from UnicodeData.txt) — Latin-1 and Latin Extended-A letters (× and ÷ left out), basic
/// Greek and Cyrillic, Hebrew and Arabic letters, Hiragana, Katakana, the CJK Unified Ideographs of 1.1
/// (U+4E00–U+9FA5; later additions to the block left out) and Hangul syllables. Marks, symbols, format
/// characters and anything added or recategorised later are left out. Chosen by hand from the UCD,
/// not checked against its files by a test here.
pub const STABLE_NON_ASCII: &[(u32, u32)] = &[
    (0x00C0, 0x00D6), // Latin-1 letters (Lu), À–Ö
    (0x00D8, 0x00F6), // Ø–ö (Lu, Ll)
    (0x00F8, 0x00FF), // ø–ÿ (Ll)
    (0x0100, 0x017F), // Latin Extended-A (Lu/Ll)
    (0x0391, 0x03A1), // Greek capitals (Lu)
    (0x03A3, 0x03A9), // Σ–Ω (Lu)
    (0x03B1, 0x03C9), // Greek small letters (Ll)
    (0x0410, 0x044F), // Cyrillic А–я (Lu/Ll)
    (0x05D0, 0x05EA), // Hebrew letters (Lo)
    (0x0621, 0x063A), // Arabic letters (Lo)
    (0x3041, 0x3094), // Hiragana (Lo)
    (0x30A1, 0x30FA), // Katakana (Lo)
    (0x4E00, 0x9FA5), // CJK Unified Ideographs of Unicode 1.1 (Lo)
    (0xAC00, 0xD7A3), // Hangul syllables (Lo)
];

/// The code-point pools a Unicode class draws from: printable ASCII members, and members beyond
/// ASCII that [`STABLE_NON_ASCII`] allows (the latter empty when there are none).
#[derive(Debug, Clone)]
struct Pools {
    ascii: Vec<(u32, u32)>,
    stable: Vec<(u32, u32)>,
    /// Every range up to U+FFFF, for a class with neither.
    all: Vec<(u32, u32)>,
    /// No member of the class is printable ASCII.
    no_graphic: bool,
}

impl Pools {
    fn of(u: &regex_syntax::hir::ClassUnicode) -> Self {
        let ranges = u.ranges();
        let ascii = ranges
            .iter()
            .filter_map(|r| {
                let lo = (r.start() as u32).max(0x21);
                let hi = (r.end() as u32).min(0x7e);
                (lo <= hi).then_some((lo, hi))
            })
            .collect();
        let stable = ranges
            .iter()
            .flat_map(|r| {
                STABLE_NON_ASCII.iter().filter_map(move |&(a, b)| {
                    let lo = (r.start() as u32).max(a);
                    let hi = (r.end() as u32).min(b);
                    (lo <= hi).then_some((lo, hi))
                })
            })
            .collect();
        let all = ranges
            .iter()
            .map(|r| (r.start() as u32, (r.end() as u32).min(0xFFFF)))
            .filter(|(a, b)| a <= b)
            .collect();
        Self {
            ascii,
            stable,
            all,
            no_graphic: ranges.iter().all(|r| !r.start().is_ascii_graphic()),
        }
    }
}

/// The pools of every Unicode class of a pattern, by the class's address inside the generator's
/// own (never moved) `Hir`. A pattern has a handful of classes: a list beats hashing.
#[derive(Debug, Default)]
struct PoolMap(Vec<(usize, Pools)>);

impl PoolMap {
    fn insert(&mut self, key: usize, pools: Pools) {
        self.0.push((key, pools));
    }

    fn get(&self, key: &usize) -> Option<&Pools> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, p)| p)
    }
}

fn class_key(class: &Class) -> usize {
    class as *const Class as usize
}

fn collect_pools(h: &Hir, out: &mut PoolMap) {
    match h.kind() {
        HirKind::Class(c) => {
            if let Class::Unicode(u) = c {
                out.insert(class_key(c), Pools::of(u));
            }
        }
        HirKind::Capture(c) => collect_pools(&c.sub, out),
        HirKind::Repetition(r) => collect_pools(&r.sub, out),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            for p in parts {
                collect_pools(p, out);
            }
        }
        HirKind::Empty | HirKind::Look(_) | HirKind::Literal(_) => {}
    }
}

fn class_char(class: &Class, pools: &PoolMap, rng: &mut Rng) -> Option<char> {
    match class {
        Class::Unicode(u) => {
            // Prefer printable ASCII, so requests stay readable; sometimes take a member beyond ASCII,
            // but only one that every Unicode version since 9.0 classes the same (STABLE_NON_ASCII).
            let computed;
            let p = match pools.get(&class_key(class)) {
                Some(p) => p,
                None => {
                    computed = Pools::of(u);
                    &computed
                }
            };
            let pool: &[(u32, u32)] =
                if p.stable.is_empty() || (!p.ascii.is_empty() && rng.chance(0.9)) {
                    if p.ascii.is_empty() {
                        &p.all
                    } else {
                        &p.ascii
                    }
                } else {
                    &p.stable
                };
            for _ in 0..8 {
                let (lo, hi) = *rng.pick(pool)?;
                let c = rng.range(lo as u64, hi as u64) as u32;
                if let Some(ch) = char::from_u32(c) {
                    if !ch.is_control() || p.no_graphic {
                        return Some(ch);
                    }
                }
            }
            char::from_u32(pool.first()?.0)
        }
        Class::Bytes(b) => {
            let r = rng.pick(b.ranges())?;
            Some(rng.range(r.start() as u64, r.end().min(0x7f) as u64) as u8 as char)
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

fn emit(h: &Hir, n: usize, pools: &PoolMap, rng: &mut Rng, out: &mut String) -> Option<()> {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => (n == 0).then_some(()),
        HirKind::Literal(lit) => {
            let s = String::from_utf8_lossy(&lit.0);
            (s.chars().count() == n).then(|| out.push_str(&s))
        }
        HirKind::Class(c) => {
            if n != 1 {
                return None;
            }
            out.push(class_char(c, pools, rng)?);
            Some(())
        }
        HirKind::Capture(c) => emit(&c.sub, n, pools, rng, out),
        HirKind::Alternation(alts) => {
            let ok: Vec<&Hir> = alts.iter().filter(|a| fits(a, n)).collect();
            emit(rng.pick(&ok)?, n, pools, rng, out)
        }
        HirKind::Concat(parts) => {
            let b: Vec<_> = parts.iter().map(bounds).collect();
            let sizes = split(&b, n, rng, true)?;
            for (p, k) in parts.iter().zip(sizes) {
                emit(p, k, pools, rng, out)?;
            }
            Some(())
        }
        HirKind::Repetition(r) => {
            let (lo, hi) = bounds(&r.sub);
            let min = r.min as usize;
            let max_count = r.max.map(|m| m as usize);
            // Feasible counts k: k*lo <= n <= k*hi.
            let k_lo = match hi {
                Some(0) => min,
                Some(h) => min.max(n.div_ceil(h)),
                None => min.max(usize::from(n > 0)),
            };
            let k_hi_by_n = n.checked_div(lo).unwrap_or(n.max(k_lo));
            let k_hi = max_count.map_or(k_hi_by_n, |m| m.min(k_hi_by_n));
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
            let parts = vec![(lo, hi); k];
            let sizes = split(&parts, n, rng, false)?;
            for s in sizes {
                emit(&r.sub, s, pools, rng, out)?;
            }
            Some(())
        }
    }
}

impl StringGen {
    /// A generator for a pattern (as the model prints it).
    pub fn new(pattern: &Pattern) -> Option<Self> {
        let text = strip_lookaround(pattern.source());
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(true)
            .build()
            .parse(&text)
            .ok()?;
        let hir = Box::new(hir);
        let mut pools = PoolMap::default();
        collect_pools(&hir, &mut pools);
        Some(Self {
            hir,
            pools,
            pattern: pattern.clone(),
        })
    }

    /// The generator of a pattern, parsed once per thread and pattern (parsing a Unicode class
    /// such as `\p{L}` costs far more than drawing a string from it).
    pub fn cached(pattern: &Pattern) -> Option<std::sync::Arc<Self>> {
        thread_local! {
            static CACHE: std::cell::RefCell<
                std::collections::HashMap<String, Option<std::sync::Arc<StringGen>>>,
            > = Default::default();
        }
        CACHE.with(|c| {
            if let Some(g) = c.borrow().get(pattern.source()) {
                return g.clone();
            }
            let g = Self::new(pattern).map(std::sync::Arc::new);
            c.borrow_mut()
                .insert(pattern.source().to_string(), g.clone());
            g
        })
    }

    /// The shortest and longest lengths the pattern allows (longest None when unbounded).
    pub fn length_bounds(&self) -> (usize, Option<usize>) {
        bounds(&self.hir)
    }

    /// A matching string of exactly `n` characters, or None when none was found.
    pub fn of_length(&self, n: usize, rng: &mut Rng) -> Option<String> {
        if !fits(&self.hir, n) {
            return None;
        }
        for _ in 0..40 {
            let mut out = String::new();
            if emit(&self.hir, n, &self.pools, rng, &mut out).is_some()
                && out.chars().count() == n
                && self.pattern.matches(&out)
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
