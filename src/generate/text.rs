//! Strings for one member: drawn from its pattern at an exact length, placed in the call's region
//! and account when the table asks for that, and checked against the member's own refusals.

use super::strings::{Rng, StringGen};
use super::Context;
use crate::spec::pattern::Pattern;
use crate::spec::{Kind, Member};

/// The shortest and longest strings the member's pattern allows.
pub fn pattern_lengths(member: &Member) -> (usize, Option<usize>) {
    member
        .constraints
        .iter()
        .filter(|c| matches!(c.kind, Kind::Pattern { .. }))
        .find_map(|c| c.compiled.as_ref())
        .and_then(StringGen::new)
        .map_or((0, None), |g| g.length_bounds())
}

/// A string of `n` characters that satisfies the member's pattern (or plain letters when it has none).
pub fn string_of_length(member: &Member, n: usize, rng: &mut Rng) -> Option<String> {
    match drawn_pattern(member) {
        Some(p) => StringGen::new(p)?.of_length(n, rng),
        None => Some(letters(n, rng)),
    }
}

/// `n` lower-case letters, eight from each random draw: the high part of `bits × 26` is a letter,
/// the low part the bits for the next (a list of 1 500 items is 1 500 such strings).
fn letters(n: usize, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(n);
    let mut bits = 0u64;
    for i in 0..n {
        if i % 8 == 0 {
            bits = rng.next_u64();
        }
        let m = u128::from(bits) * 26;
        out.push(char::from(b'a' + (m >> 64) as u8));
        bits = m as u64;
    }
    out
}

/// An ARN value placed where the call is: its region and account replaced by the context's, for a
/// member whose table says an ARN must name the call's region (`arn_region`) or account (`arn_account`).
pub fn in_place(member: &Member, ctx: &Context, s: &str) -> String {
    let region = member.constraints.iter().any(|c| c.kind == Kind::ArnRegion);
    let account = member
        .constraints
        .iter()
        .any(|c| c.kind == Kind::ArnAccount);
    if !region && !account {
        return s.to_string();
    }
    let mut parts: Vec<String> = s.split(':').map(str::to_string).collect();
    if parts.first().map(String::as_str) == Some("arn") && parts.len() > 4 {
        if region && !parts[3].is_empty() {
            parts[3] = ctx.region.clone();
        }
        if let (true, Some(a)) = (account && !parts[4].is_empty(), &ctx.account) {
            parts[4] = a.clone();
        }
    } else if parts.get(1).map(String::as_str) == Some("function") {
        if let (true, Some(a)) = (account, &ctx.account) {
            parts[0] = a.clone();
        }
    }
    parts.join(":")
}

/// Whether a string passes the member's own unconditional refusals and pattern (`not_in`, `not_pattern`,
/// the model's pattern).
pub fn own_ok(member: &Member, s: &str) -> bool {
    own_ok_but(member, s, None)
}

/// [`own_ok`] without matching `known` again (a pattern the string was drawn from and matched).
fn own_ok_but(member: &Member, s: &str, known: Option<&Pattern>) -> bool {
    member
        .constraints
        .iter()
        .filter(|c| c.when.is_none() && c.when_request.is_none())
        .all(|c| match (&c.kind, &c.compiled) {
            (Kind::NotIn { values }, _) => !values.iter().any(|v| v == s),
            (Kind::NotPattern { .. }, Some(p)) => !p.matches(s),
            (Kind::Pattern { .. }, Some(p)) => known.is_some_and(|k| k.same(p)) || p.matches(s),
            _ => true,
        })
}

/// Whether the table asks the member's ARNs to name the call's region or account.
fn places_in_call(member: &Member) -> bool {
    member
        .constraints
        .iter()
        .any(|c| matches!(c.kind, Kind::ArnRegion | Kind::ArnAccount))
}

/// The pattern [`string_of_length`] draws from (the member's first).
fn drawn_pattern(member: &Member) -> Option<&Pattern> {
    member
        .constraints
        .iter()
        .filter(|c| matches!(c.kind, Kind::Pattern { .. }))
        .find_map(|c| c.compiled.as_ref())
}

/// A string of exactly `n` characters that satisfies the member's pattern, names the call's region and
/// account where the table asks for that, and avoids the member's refused values.
pub fn string_in_place(member: &Member, ctx: &Context, n: usize, rng: &mut Rng) -> Option<String> {
    let places = places_in_call(member);
    if !places {
        // Drawn at length n from the pattern and matched: only the refusals are left to check.
        let known = drawn_pattern(member);
        for _ in 0..32 {
            let s = string_of_length(member, n, rng)?;
            if own_ok_but(member, &s, known) {
                return Some(s);
            }
        }
        return None;
    }
    let mut m = n;
    for _ in 0..32 {
        let s = string_of_length(member, m, rng)?;
        let mut t = in_place(member, ctx, &s);
        if t.chars().count() != n {
            // The region or account put in changed the length by however long the drawn one
            // was: drawing again rarely lands on n. Resize the longest other field instead.
            if let Some(fit) = refit(&t, n, rng, |f| own_ok(member, f)) {
                t = fit;
            }
        }
        let len = t.chars().count();
        if len == n && own_ok(member, &t) {
            return Some(t);
        }
        if len != n {
            m = (m as i64 - (len as i64 - n as i64)).max(1) as usize;
        }
    }
    None
}

/// The shortest length from `from` (up to `cap`) at which [`string_in_place`] finds a string for a
/// member that puts its ARN in the call's region or account. The pattern's shortest strings may
/// all be refused forms (an `awslayer` ARN shorter than any regional layer ARN); drawing at such a
/// length fails 32 times before another length is tried. Found once per member, region and account,
/// with a seed of its own: every instance draws from the same range, whatever was generated before.
pub fn shortest_in_place(member: &Member, ctx: &Context, from: usize, cap: usize) -> usize {
    let places = places_in_call(member);
    if !places {
        return from;
    }
    type Found =
        std::sync::Mutex<std::collections::HashMap<(String, String, Option<String>, usize), usize>>;
    static FOUND: std::sync::OnceLock<Found> = std::sync::OnceLock::new();
    let found = FOUND.get_or_init(Default::default);
    let key = (
        member.path.clone(),
        ctx.region.clone(),
        ctx.account.clone(),
        from,
    );
    if let Some(&n) = found.lock().ok().as_ref().and_then(|m| m.get(&key)) {
        return n;
    }
    let top = cap.min(from.saturating_add(64));
    let n = (from..=top)
        .find(|&n| string_in_place(member, ctx, n, &mut Rng::new(n as u64)).is_some())
        .unwrap_or(from);
    if let Ok(mut m) = found.lock() {
        m.insert(key, n);
    }
    n
}

/// `t` (an ARN, `:`-separated) made exactly `n` characters long at the end of one field other than
/// the region and account (an ARN's 4th and 5th), cut there or lengthened with copies of the
/// field's own characters: the first such string that `ok` takes, trying the longest fields first.
fn refit(t: &str, n: usize, rng: &mut Rng, ok: impl Fn(&str) -> bool) -> Option<String> {
    let fields: Vec<Vec<char>> = t.split(':').map(|f| f.chars().collect()).collect();
    let len = t.chars().count();
    let arn = t.starts_with("arn:");
    let mut order: Vec<usize> = (0..fields.len())
        .filter(|&i| if arn { i != 3 && i != 4 } else { i != 0 })
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(fields[i].len()));
    for i in order {
        let mut fields = fields.clone();
        let field = &mut fields[i];
        if len > n {
            let cut = len - n;
            if field.len() <= cut {
                continue;
            }
            field.truncate(field.len() - cut);
        } else {
            if field.is_empty() {
                continue;
            }
            let run: Vec<char> = (0..n - len)
                .map(|_| field[rng.below(field.len() as u64) as usize])
                .collect();
            field.extend(run);
        }
        let fit = fields
            .iter()
            .map(|f| f.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(":");
        if ok(&fit) {
            return Some(fit);
        }
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::spec;

    /// Eight letters a draw, and still every letter about as often as any other, at every one of
    /// the eight places a draw fills.
    pub(crate) fn letters_are_even() {
        let mut rng = Rng::new(5);
        let mut seen = [[0u32; 26]; 8];
        for _ in 0..2_000 {
            let s = letters(40, &mut rng);
            assert_eq!(s.len(), 40);
            for (i, c) in s.bytes().enumerate() {
                assert!(c.is_ascii_lowercase(), "{s}");
                seen[i % 8][usize::from(c - b'a')] += 1;
            }
        }
        // 10 000 letters per place: about 385 of each.
        for (place, counts) in seen.iter().enumerate() {
            for (k, &n) in counts.iter().enumerate() {
                assert!(
                    (300..470).contains(&n),
                    "place {place}: {} {n} times",
                    (b'a' + k as u8) as char
                );
            }
        }
    }

    /// A layer ARN placed in us-east-1 cannot be shorter than its regional form; the `awslayer`
    /// form the pattern also allows is refused. The shortest length found is the real one: every
    /// draw there succeeds, every draw one shorter fails.
    pub(crate) fn shortest_in_place_is_the_shortest_placeable_length() {
        let table = spec::load(spec::DEFAULT_PROFILE, None).expect("the default table loads");
        let layer = table.member("Layers[]").expect("Layers[] is in the table");
        let ctx = Context::new(7, "arn:aws:iam::123456789012:role/r");
        let (plo, _) = pattern_lengths(layer);
        let shortest = shortest_in_place(layer, &ctx, plo.max(1), 2048);
        assert!(
            shortest > plo,
            "the pattern's shortest ({plo}) is an awslayer ARN"
        );
        for seed in 0..32 {
            let s = string_in_place(layer, &ctx, shortest, &mut Rng::new(seed))
                .expect("a string at the shortest length");
            assert!(s.contains(":lambda:us-east-1:"), "{s}");
            assert!(string_in_place(layer, &ctx, shortest - 1, &mut Rng::new(seed)).is_none());
        }
        // A member that places nothing keeps its own shortest.
        let handler = table.member("Handler").expect("Handler is in the table");
        assert_eq!(shortest_in_place(handler, &ctx, 1, 128), 1);
    }
}
