//! SOA serials: the next `YYYYMMDDnn` serial and RFC 1982 comparison.

use std::cmp::Ordering;

/// The next serial for a changed template (`YYYYMMDDnn`, RFC 1912 §2.2): the first serial
/// of `year-month-day`, or `current + 1` where that would not be newer than `current` under
/// RFC 1982 arithmetic.
///
/// ```
/// use multiprimary::next_serial;
/// assert_eq!(next_serial(2007010100, 2026, 11, 25), 2026112500);
/// assert_eq!(next_serial(2026112500, 2026, 11, 25), 2026112501);
/// // A serial ahead of today's (under RFC 1982) only moves on by one...
/// assert_eq!(next_serial(4_000_000_000, 2026, 11, 25), 4_000_000_001);
/// // ...and 2^32 - 1 is behind 2026112500, which follows it by wrapping.
/// assert_eq!(next_serial(u32::MAX, 2026, 11, 25), 2026112500);
/// ```
pub fn next_serial(current: u32, year: u16, month: u8, day: u8) -> u32 {
    let first = u32::from(year) * 1_000_000 + u32::from(month) * 10_000 + u32::from(day) * 100;
    if serial_cmp(first, current) == Some(Ordering::Greater) {
        first
    } else {
        current.wrapping_add(1)
    }
}

/// Compares two serials under RFC 1982 arithmetic (SERIAL_BITS = 32): `None` where the
/// RFC leaves it undefined (they are exactly 2^31 apart).
///
/// ```
/// use multiprimary::serial_cmp;
/// use std::cmp::Ordering;
/// assert_eq!(serial_cmp(1, 0), Some(Ordering::Greater));
/// assert_eq!(serial_cmp(0, u32::MAX), Some(Ordering::Greater), "0 follows 2^32 - 1");
/// assert_eq!(serial_cmp(0, 1 << 31), None);
/// ```
pub fn serial_cmp(a: u32, b: u32) -> Option<Ordering> {
    const HALF: u32 = 1 << 31;
    if a == b {
        Some(Ordering::Equal)
    } else if a.wrapping_sub(b) == HALF {
        None
    } else if (a < b && b - a < HALF) || (a > b && a - b > HALF) {
        Some(Ordering::Less)
    } else {
        Some(Ordering::Greater)
    }
}
