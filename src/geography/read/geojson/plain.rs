//! A geometry's `coordinates` in the plain form GIS tools write: nested
//! arrays of numbers without exponents, of at most 18 digits each. They are
//! most of a boundary file, and read here in one pass over their bytes,
//! into the same [`Nested`] the serde visitor builds, and every number into
//! the f64 serde_json gives it: by the same arithmetic, a whole significand
//! divided by an exact power of ten. Anything else, valid JSON or not,
//! gives None and is left to serde_json.

use super::{Nested, skip_whitespace};
use geo::Coord;

/// The array at the start of `text`, and how many bytes it took.
pub fn read(text: &[u8]) -> Option<(Nested, usize)> {
    let mut reader = Reader {
        text,
        at: 0,
        nested: Nested::default(),
    };
    let height = reader.array(1)?;
    reader.nested.height = height.unwrap_or(0);
    Some((reader.nested, reader.at))
}

/// Arrays nest at most this deep in a MultiPolygon; deeper is refused.
const DEEPEST: usize = 4;

/// Exact powers of ten, as serde_json's table has them.
const POW10: [f64; 19] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18,
];

struct Reader<'a> {
    text: &'a [u8],
    at: usize,
    nested: Nested,
}

impl Reader<'_> {
    /// The array opening here (`level` deep), into `nested`: its height,
    /// or None inside if it is empty, as the serde visitor has it.
    fn array(&mut self, level: usize) -> Option<Option<usize>> {
        if level > DEEPEST || !self.eat(b'[') {
            return None;
        }
        self.skip_whitespace();
        if self.eat(b']') {
            return Some(None);
        }
        if self.peek() == Some(b'[') {
            self.arrays(level).map(Some)
        } else {
            self.position().map(Some)
        }
    }

    /// The rest of an array of arrays, all of one height and none empty.
    fn arrays(&mut self, level: usize) -> Option<usize> {
        let (mut height, mut children) = (None, 0);
        loop {
            let child = self.array(level + 1)??;
            if height.is_some_and(|h| h != child) {
                return None;
            }
            height = Some(child);
            children += 1;
            if !self.next_element()? {
                break;
            }
        }
        let height = height?;
        self.nested.counts.get_mut(height - 1)?.push(children);
        Some(height + 1)
    }

    /// The rest of an array of two or more numbers: a position.
    fn position(&mut self) -> Option<usize> {
        let (mut xy, mut numbers) = ([0.0; 2], 0);
        loop {
            let v = self.number()?;
            if numbers < 2 {
                xy[numbers] = v;
            }
            numbers += 1;
            if !self.next_element()? {
                break;
            }
        }
        if numbers < 2 {
            return None;
        }
        self.nested.positions.push(Coord { x: xy[0], y: xy[1] });
        Some(1)
    }

    /// Past a comma and the whitespace after it (true), or past the
    /// closing bracket (false).
    fn next_element(&mut self) -> Option<bool> {
        self.skip_whitespace();
        if self.eat(b',') {
            self.skip_whitespace();
            Some(true)
        } else {
            self.eat(b']').then_some(false)
        }
    }

    /// A number in JSON's grammar without an exponent, as serde_json reads
    /// it: an integer is its u64 or i64 as f64 (negative zero for "-0"),
    /// a decimal is its digits as one integer over a power of ten.
    fn number(&mut self) -> Option<f64> {
        let negative = self.eat(b'-');
        let start = self.at;
        let mut significand = 0_u64;
        let whole = self.digits(&mut significand);
        if whole == 0 || (whole > 1 && self.text[start] == b'0') {
            return None;
        }
        let mut fraction = 0;
        if self.eat(b'.') {
            fraction = self.digits(&mut significand);
            if fraction == 0 {
                return None;
            }
        }
        if whole + fraction >= POW10.len() || matches!(self.peek(), Some(b'e' | b'E')) {
            return None;
        }
        let magnitude = significand as f64 / POW10[fraction];
        Some(if negative { -magnitude } else { magnitude })
    }

    /// The digits here, added to `significand`; how many there were. Past
    /// 19 digits the significand wraps, and the caller refuses the number.
    fn digits(&mut self, significand: &mut u64) -> usize {
        let start = self.at;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            *significand = significand
                .wrapping_mul(10)
                .wrapping_add(u64::from(c - b'0'));
            self.at += 1;
        }
        self.at - start
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn skip_whitespace(&mut self) {
        self.at = skip_whitespace(self.text, self.at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a reading gives, numbers as their bits.
    fn image(nested: &Nested) -> (Vec<(u64, u64)>, [Vec<usize>; 3], usize) {
        let bits = nested
            .positions
            .iter()
            .map(|c| (c.x.to_bits(), c.y.to_bits()));
        (bits.collect(), nested.counts.clone(), nested.height)
    }

    /// Read here and by the serde visitor: where this reads the text, the
    /// visitor reads it too, to the same bits. True if this read it.
    fn same_as_serde(text: &str) -> bool {
        let Some((ours, length)) = read(text.as_bytes()) else {
            return false;
        };
        let theirs: Nested = serde_json::from_str(&text[..length])
            .unwrap_or_else(|e| panic!("{text}: read here, but serde_json says {e}"));
        assert_eq!(image(&ours), image(&theirs), "{text}");
        true
    }

    /// A xorshift generator from a fixed seed.
    fn generator() -> impl FnMut(usize) -> usize {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        move |n| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        }
    }

    #[test]
    fn numbers_are_the_bits_serde_json_gives() {
        let mut next = generator();
        let digits = |next: &mut dyn FnMut(usize) -> usize, n: usize| -> String {
            (0..n).map(|_| char::from(b'0' + next(10) as u8)).collect()
        };
        let mut read_here = 0;
        for _ in 0..20_000 {
            let sign = ["", "-"][next(2)];
            let whole = match next(4) {
                0 => "0".to_string(),
                _ => {
                    let n = 1 + next(12);
                    digits(&mut next, n)
                }
            };
            let fraction = match next(5) {
                0 => String::new(),
                _ => {
                    let n = 1 + next(16);
                    format!(".{}", digits(&mut next, n))
                }
            };
            let exponent = ["", "", "", "", "e5", "E-3", "e+0"][next(7)];
            let x = format!("{sign}{whole}{fraction}{exponent}");
            let y = format!("{}.{}", digits(&mut next, 2), digits(&mut next, 6));
            read_here += usize::from(same_as_serde(&format!("[[[{x}, {y}]]]")));
        }
        // Exponents, more than 18 digits and leading zeros are left to serde_json.
        assert!(read_here > 5_000, "{read_here}");
        for (text, x) in [
            ("[-0, 1]", (-0.0_f64).to_bits()),
            ("[0.1, 1]", 0.1_f64.to_bits()),
            (
                "[123456789012345678, 1]",
                123_456_789_012_345_678_f64.to_bits(),
            ),
            ("[-0.097266, 1]", (-0.097266_f64).to_bits()),
        ] {
            let (nested, _) = read(text.as_bytes()).expect(text);
            assert_eq!(nested.positions[0].x.to_bits(), x, "{text}");
        }
    }

    #[test]
    fn nested_arrays_read_as_the_serde_visitor_reads_them() {
        let mut next = generator();
        let pieces = [
            "[", "[", "[", "]", "]", "]", ",", ",", "1", "-2.5", " ", "\n",
        ];
        let mut read_here = 0;
        for _ in 0..50_000 {
            let n = 2 + next(30);
            let text: String = (0..n).map(|_| pieces[next(pieces.len())]).collect();
            read_here += usize::from(same_as_serde(&text));
        }
        for text in [
            "[]",
            "[ [ [ 1 , 2 ] , [3,4,5] ] ]",
            "[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]],[[5.2,5.2],[5.4,5.2],[5.4,5.4],[5.2,5.2]]]]",
        ] {
            assert!(same_as_serde(text), "{text}");
        }
        for refused in [
            "[[]]",
            "[1]",
            "[[1,2],3]",
            "[[[[[1,2]]]]]",
            "[1,2,]",
            "[01,2]",
            "[1.,2]",
            "[.5,1]",
            "[1,2",
        ] {
            assert!(read(refused.as_bytes()).is_none(), "{refused}");
        }
        assert!(read_here > 0);
    }

    /// Every byte of a real polygon's text deleted or replaced in turn:
    /// whatever is read here is what serde_json reads.
    #[test]
    fn damaged_coordinates_are_read_as_serde_json_reads_them_or_left_to_it() {
        let text = "[ [ [ -0.097266, 51.521585 ], [ -0.098498, 51.52054 ], [ 0.5, -1 ] ], [[1,2],[3,4],[5,6]] ]";
        assert!(same_as_serde(text));
        let mut read_here = 0;
        for at in 0..text.len() {
            let (head, tail) = (&text[..at], &text[at + 1..]);
            read_here += usize::from(same_as_serde(&format!("{head}{tail}")));
            for put in ["[", "]", ",", "-", ".", "0", "9", "e", " ", "\t", "x"] {
                read_here += usize::from(same_as_serde(&format!("{head}{put}{tail}")));
            }
        }
        assert!(read_here > 100, "{read_here}");
    }
}
