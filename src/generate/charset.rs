//! The characters a pattern's class is drawn from: printable ASCII first, sometimes a letter beyond
//! ASCII that every Unicode version since 9.0 classes the same, and one random number per
//! character.

use super::rng::Rng;

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

/// What a character of one Unicode class is drawn from, worked out once per class of a pattern
/// (a class such as `\p{L}` has hundreds of ranges; filtering them per character was the generator's
/// hot spot).
#[derive(Debug, Clone)]
pub(super) struct Pools {
    /// The class's members in printable ASCII.
    ascii: Pool,
    /// Its members that every Unicode version since 9.0 classes the same (STABLE_NON_ASCII).
    stable: Pool,
    /// Its ranges clipped to the BMP (used when it has no ASCII member and no stable one).
    bmp: Pool,
    /// No range of the class starts with a graphic ASCII character (then a control character is fine).
    no_graphic_start: bool,
    /// What 12 random bits pick when the class has printable ASCII members (`None` when it has
    /// none): [`RUN_TABLE`] entries, about one in ten [`BEYOND`] (then a stable member is drawn),
    /// the rest shared evenly among the ASCII ranges and, within a range, among its characters.
    /// Runs of characters (`.*` at 10 000) are drawn five to a random number from it.
    run: Option<Box<[u8; RUN_TABLE]>>,
}

/// Entries of a class's run table: 12 random bits each.
const RUN_TABLE: usize = 1 << 12;
/// The run-table entry that means "a member beyond ASCII" (no ASCII member is a NUL).
const BEYOND: u8 = 0;

/// Ranges of code points, each drawn as often as any other whatever its width (so a lone `-` or
/// `.` of a class turns up as often as the whole of `a-z`), then a code point within it.
#[derive(Debug, Clone, Default)]
struct Pool {
    /// Each range's first code point and its width.
    ranges: Vec<(u32, u32)>,
}

impl Pool {
    fn new(ranges: impl IntoIterator<Item = (u32, u32)>) -> Self {
        Self {
            ranges: ranges
                .into_iter()
                .map(|(lo, hi)| (lo, hi.saturating_sub(lo) + 1))
                .collect(),
        }
    }

    fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The code point that 64 random bits pick: the high part of `bits × ranges` is the range, and
    /// the low part, scaled by the range's width, the code point in it (one draw for both).
    fn at(&self, bits: u64) -> Option<u32> {
        let m = u128::from(bits) * self.ranges.len() as u128;
        let &(lo, width) = self.ranges.get((m >> 64) as usize)?;
        let within = (u128::from(m as u64) * u128::from(width)) >> 64;
        Some(lo + within as u32)
    }
}

/// Of 1 024, how many draws take a member beyond ASCII when the class has both (about 10 %).
const BEYOND_ASCII_PER_1024: u64 = 102;

/// The run table of a class with printable ASCII members (see [`Pools::draw_run`]): the same
/// shares as [`Pools::draw`] gives, to within one entry in 4 096.
fn run_table(ascii: &Pool, stable: &Pool) -> Option<Box<[u8; RUN_TABLE]>> {
    if ascii.is_empty() {
        return None;
    }
    let mut table = Box::new([BEYOND; RUN_TABLE]);
    let beyond = if stable.is_empty() {
        0
    } else {
        RUN_TABLE * BEYOND_ASCII_PER_1024 as usize / 1024
    };
    let rest = RUN_TABLE - beyond;
    let n = ascii.ranges.len();
    for (r, &(lo, width)) in ascii.ranges.iter().enumerate() {
        let (from, to) = (beyond + rest * r / n, beyond + rest * (r + 1) / n);
        let len = to - from;
        for (j, slot) in table[from..to].iter_mut().enumerate() {
            // Printable ASCII only (the pool is clipped to 0x21..=0x7e), so never BEYOND.
            *slot = u8::try_from(lo + (j * width as usize / len) as u32).ok()?;
        }
    }
    Some(table)
}

impl Pools {
    pub(super) fn of(u: &regex_syntax::hir::ClassUnicode) -> Self {
        let ranges = u.ranges();
        let ascii = ranges.iter().filter_map(|r| {
            let lo = (r.start() as u32).max(0x21);
            let hi = (r.end() as u32).min(0x7e);
            (lo <= hi).then_some((lo, hi))
        });
        let stable = ranges.iter().flat_map(|r| {
            STABLE_NON_ASCII.iter().filter_map(move |&(a, b)| {
                let lo = (r.start() as u32).max(a);
                let hi = (r.end() as u32).min(b);
                (lo <= hi).then_some((lo, hi))
            })
        });
        let bmp = ranges
            .iter()
            .map(|r| (r.start() as u32, (r.end() as u32).min(0xFFFF)))
            .filter(|(a, b)| a <= b);
        let ascii = Pool::new(ascii);
        let stable = Pool::new(stable);
        Self {
            run: run_table(&ascii, &stable),
            ascii,
            stable,
            bmp: Pool::new(bmp),
            no_graphic_start: ranges.iter().all(|r| !r.start().is_ascii_graphic()),
        }
    }

    /// `k` characters appended to `out`, as `k` calls of [`Pools::draw`] would draw them (the same
    /// shape, not the same characters): from the run table, twelve bits a character, when the
    /// class has one.
    pub(super) fn draw_run(&self, k: usize, rng: &mut Rng, out: &mut String) -> Option<()> {
        let Some(table) = &self.run else {
            out.reserve(k);
            for _ in 0..k {
                out.push(self.draw(rng)?);
            }
            return Some(());
        };
        // Most characters are one byte; the others (about one in ten) two or three.
        out.reserve(k + k / 4);
        let mut left = k;
        while left > 0 {
            let mut bits = rng.next_u64();
            let now = left.min(5);
            for _ in 0..now {
                let b = table[(bits as usize) & (RUN_TABLE - 1)];
                bits >>= 12;
                if b == BEYOND {
                    out.push(char::from_u32(self.stable.at(rng.next_u64())?)?);
                } else {
                    out.push(char::from(b));
                }
            }
            left -= now;
        }
        Some(())
    }

    /// One character, from one draw (a few when a BMP range gives a surrogate, or a control
    /// character the class does not mean).
    #[inline]
    pub(super) fn draw(&self, rng: &mut Rng) -> Option<char> {
        // Prefer printable ASCII, so requests stay readable; sometimes take a member beyond ASCII,
        // but only one that every Unicode version since 9.0 classes the same (STABLE_NON_ASCII).
        // The top 10 bits choose; the other 54, moved up, choose the character. Printable ASCII
        // and the stable letters are all characters, and none is a control.
        let bits = rng.next_u64();
        let pool = if !self.stable.is_empty()
            && ((bits >> 54) < BEYOND_ASCII_PER_1024 || self.ascii.is_empty())
        {
            &self.stable
        } else if !self.ascii.is_empty() {
            &self.ascii
        } else {
            return self.draw_bmp(bits, rng);
        };
        char::from_u32(pool.at(bits << 10)?)
    }

    /// A character of a class with no printable ASCII and no stable member: from the BMP, drawn
    /// again (up to 8 times in all) while it is a surrogate or an unwanted control character.
    #[cold]
    fn draw_bmp(&self, mut bits: u64, rng: &mut Rng) -> Option<char> {
        for _ in 0..8 {
            if let Some(ch) = char::from_u32(self.bmp.at(bits)?) {
                if !ch.is_control() || self.no_graphic_start {
                    return Some(ch);
                }
            }
            bits = rng.next_u64();
        }
        char::from_u32(self.bmp.ranges.first()?.0)
    }
}
