//! Base64 (RFC 4648 §4), base32hex (RFC 4648 §7, no padding) and hexadecimal, as zone text
//! writes binary fields, and RRSIG times (RFC 4034 §3.2).

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32HEX: &[u8; 32] = b"0123456789ABCDEFGHIJKLMNOPQRSTUV";
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The symbol for `value` in an alphabet (values are masked to the alphabet's size).
fn symbol(alphabet: &[u8], value: u32) -> char {
    char::from(alphabet.get(value as usize).copied().unwrap_or(b'?'))
}

/// Appends the base64 encoding of `data`, padded.
pub(crate) fn base64_encode(data: &[u8], out: &mut String) {
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(symbol(BASE64, n >> (18 - 6 * i) & 63));
            } else {
                out.push('=');
            }
        }
    }
}

/// Decodes base64 (padding required where the length needs it) into `out`. `None` on
/// anything else.
pub(crate) fn base64_decode(text: &[u8], out: &mut Vec<u8>) -> Option<()> {
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let value = |c: u8| BASE64.iter().position(|&b| b == c).map(|v| v as u32);
    let chunks = text.len() / 4;
    for (index, chunk) in text.chunks(4).enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && index + 1 != chunks) {
            return None;
        }
        let mut n = 0u32;
        for &c in chunk.get(..4 - pad)? {
            n = n << 6 | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = n.to_be_bytes();
        out.extend_from_slice(bytes.get(1..4 - pad)?);
    }
    Some(())
}

/// Appends the base32hex encoding of `data`, uppercase, without padding.
pub(crate) fn base32hex_encode(data: &[u8], out: &mut String) {
    for chunk in data.chunks(5) {
        let mut block = [0u8; 8];
        if let Some(slot) = block.get_mut(3..3 + chunk.len()) {
            slot.copy_from_slice(chunk);
        }
        let n = u64::from_be_bytes(block);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(symbol(BASE32HEX, (n >> (35 - 5 * i) & 31) as u32));
        }
    }
}

/// Decodes unpadded base32hex (either case) into `out`. `None` on anything else.
pub(crate) fn base32hex_decode(text: &[u8], out: &mut Vec<u8>) -> Option<()> {
    for chunk in text.chunks(8) {
        let bytes = match chunk.len() {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => return None,
        };
        let mut n = 0u64;
        for (i, &c) in chunk.iter().enumerate() {
            let v = BASE32HEX
                .iter()
                .position(|&b| b == c.to_ascii_uppercase())? as u64;
            n |= v << (35 - 5 * i);
        }
        let block = n.to_be_bytes();
        let value = block.get(3..3 + bytes)?;
        // Bits past the last whole octet must be zero.
        if n & ((1u64 << (40 - 8 * bytes)) - 1) != 0 {
            return None;
        }
        out.extend_from_slice(value);
    }
    Some(())
}

/// Appends the uppercase hexadecimal form of `data`.
pub(crate) fn hex_encode(data: &[u8], out: &mut String) {
    for &b in data {
        out.push(symbol(HEX, u32::from(b >> 4)));
        out.push(symbol(HEX, u32::from(b & 15)));
    }
}

/// Decodes hexadecimal (either case, even length) into `out`.
pub(crate) fn hex_decode(text: &[u8], out: &mut Vec<u8>) -> Option<()> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    for pair in text.chunks(2) {
        let (&[high, low], _) = pair.split_first_chunk::<2>()?;
        out.push(digit(high)? << 4 | digit(low)?);
    }
    Some(())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Reads an RRSIG time: `YYYYMMDDHHmmSS` (taken modulo 2^32, RFC 4034 §3.1.5) or seconds.
pub(crate) fn time_decode(text: &[u8]) -> Option<u32> {
    if !text.iter().all(u8::is_ascii_digit) || text.is_empty() {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        std::str::from_utf8(text.get(range)?).ok()?.parse().ok()
    };
    if text.len() != 14 {
        return number(0..text.len()).and_then(|n| u32::try_from(n).ok());
    }
    let (year, month, day) = (number(0..4)?, number(4..6)?, number(6..8)?);
    let (hour, minute, second) = (number(8..10)?, number(10..12)?, number(12..14)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Some(seconds.rem_euclid(1 << 32) as u32)
}

/// Appends an RRSIG time as `YYYYMMDDHHmmSS`.
pub(crate) fn time_encode(seconds: u32, out: &mut String) {
    use std::fmt::Write;
    let seconds = i64::from(seconds);
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let rest = seconds.rem_euclid(86_400);
    let _ = write!(
        out,
        "{year:04}{month:02}{day:02}{:02}{:02}{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut text = String::new();
            base64_encode(plain.as_bytes(), &mut text);
            assert_eq!(text, encoded);
            let mut back = Vec::new();
            base64_decode(encoded.as_bytes(), &mut back).unwrap();
            assert_eq!(back, plain.as_bytes());
        }
        assert!(base64_decode(b"Zg=", &mut Vec::new()).is_none());
        assert!(base64_decode(b"Zg==Zg==", &mut Vec::new()).is_none());
    }

    #[test]
    fn base32hex_matches_rfc_4648_vectors() {
        for (plain, encoded) in [
            ("f", "CO"),
            ("fo", "CPNG"),
            ("foo", "CPNMU"),
            ("foob", "CPNMUOG"),
            ("fooba", "CPNMUOJ1"),
            ("foobar", "CPNMUOJ1E8"),
        ] {
            let mut text = String::new();
            base32hex_encode(plain.as_bytes(), &mut text);
            assert_eq!(text, encoded);
            let mut back = Vec::new();
            base32hex_decode(encoded.to_lowercase().as_bytes(), &mut back).unwrap();
            assert_eq!(back, plain.as_bytes());
        }
        assert!(base32hex_decode(b"CP", &mut Vec::new()).is_none());
    }

    #[test]
    fn rrsig_times_match_rfc_4034_example() {
        // RFC 4034 §3.3: 20030322173103 is 1048354263 seconds.
        assert_eq!(time_decode(b"20030322173103"), Some(1_048_354_263));
        let mut text = String::new();
        time_encode(1_048_354_263, &mut text);
        assert_eq!(text, "20030322173103");
        assert_eq!(time_decode(b"1048354263"), Some(1_048_354_263));
        assert_eq!(time_decode(b"20031322173103"), None);
    }

    #[test]
    fn hex_round_trips() {
        let mut text = String::new();
        hex_encode(&[0, 0xab, 0xff], &mut text);
        assert_eq!(text, "00ABFF");
        let mut back = Vec::new();
        hex_decode(b"00abFF", &mut back).unwrap();
        assert_eq!(back, [0, 0xab, 0xff]);
        assert!(hex_decode(b"abc", &mut Vec::new()).is_none());
    }
}
