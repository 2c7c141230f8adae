//! What each supported record type's data looks like on the wire: one schema per type,
//! shared by the text parser and writer, canonical ordering, and validation.
//!
//! A [`Zone`](crate::Zone) keeps record data as uncompressed wire octets, so nothing a
//! type's presentation cannot express is lost; a schema says how to split those octets
//! into fields. Types without a schema are kept and written as RFC 3597 generic data.

use hickory_proto::rr::{DNSClass, RecordType};

/// One field of record data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    /// One octet, decimal.
    U8,
    /// Two octets, decimal.
    U16,
    /// Four octets, decimal.
    U32,
    /// Four octets of seconds; text may use TTL units (`1h30m`), as SOA timers do.
    Period,
    /// An uncompressed domain name.
    Name,
    /// An IPv4 address.
    Ipv4,
    /// An IPv6 address.
    Ipv6,
    /// One `<character-string>`: a length octet and up to 255 octets.
    CharString,
    /// One or more `<character-string>`s to the end of the data.
    CharStrings,
    /// Base64 to the end of the data; text may split it into several tokens.
    Base64,
    /// Hexadecimal to the end of the data; text may split it into several tokens.
    Hex,
    /// A length octet and hexadecimal octets; `-` in text when empty (NSEC3 salt).
    Salt,
    /// A length octet and octets written in base32hex (NSEC3 next hashed owner).
    Base32Hex,
    /// An RFC 4034 §4.1.2 type bitmap to the end of the data.
    TypeBitmap,
    /// A record type code, written as its mnemonic (RRSIG type covered).
    Type,
    /// Four octets of seconds since 1970, written `YYYYMMDDHHmmSS` (RRSIG times).
    Time,
    /// A length octet and an alphanumeric tag (CAA).
    CaaTag,
    /// Octets to the end of the data, written as one quoted string (CAA value, URI target).
    Text,
    /// SVCB service parameters to the end of the data (RFC 9460 §2.2).
    SvcParams,
}

use Field::*;

/// The record types this crate reads and writes in their own presentation format:
/// mnemonic, code, fields, and whether names in the data are lowercased in canonical form
/// (RFC 4034 §6.2, as amended by RFC 6840 §5.1).
const TYPES: &[(&str, u16, &[Field], bool)] = &[
    ("A", 1, &[Ipv4], false),
    ("NS", 2, &[Name], true),
    ("CNAME", 5, &[Name], true),
    (
        "SOA",
        6,
        &[Name, Name, U32, Period, Period, Period, Period],
        true,
    ),
    ("MB", 7, &[Name], true),
    ("MG", 8, &[Name], true),
    ("MR", 9, &[Name], true),
    ("PTR", 12, &[Name], true),
    ("HINFO", 13, &[CharString, CharString], true),
    ("MINFO", 14, &[Name, Name], true),
    ("MX", 15, &[U16, Name], true),
    ("TXT", 16, &[CharStrings], false),
    ("RP", 17, &[Name, Name], true),
    ("AFSDB", 18, &[U16, Name], true),
    ("AAAA", 28, &[Ipv6], false),
    ("SRV", 33, &[U16, U16, U16, Name], true),
    (
        "NAPTR",
        35,
        &[U16, U16, CharString, CharString, CharString, Name],
        true,
    ),
    ("KX", 36, &[U16, Name], true),
    ("DNAME", 39, &[Name], true),
    ("DS", 43, &[U16, U8, U8, Hex], false),
    ("SSHFP", 44, &[U8, U8, Hex], false),
    (
        "RRSIG",
        46,
        &[Type, U8, U8, U32, Time, Time, U16, Name, Base64],
        true,
    ),
    ("NSEC", 47, &[Name, TypeBitmap], false),
    ("DNSKEY", 48, &[U16, U8, U8, Base64], false),
    ("DHCID", 49, &[Base64], false),
    (
        "NSEC3",
        50,
        &[U8, U8, U16, Salt, Base32Hex, TypeBitmap],
        false,
    ),
    ("NSEC3PARAM", 51, &[U8, U8, U16, Salt], false),
    ("TLSA", 52, &[U8, U8, U8, Hex], false),
    ("SMIMEA", 53, &[U8, U8, U8, Hex], false),
    ("CDS", 59, &[U16, U8, U8, Hex], false),
    ("CDNSKEY", 60, &[U16, U8, U8, Base64], false),
    ("OPENPGPKEY", 61, &[Base64], false),
    ("CSYNC", 62, &[U32, U16, TypeBitmap], false),
    ("ZONEMD", 63, &[U32, U8, U8, Hex], false),
    ("SVCB", 64, &[U16, Name, SvcParams], false),
    ("HTTPS", 65, &[U16, Name, SvcParams], false),
    ("SPF", 99, &[CharStrings], false),
    ("URI", 256, &[U16, U16, Text], false),
    ("CAA", 257, &[U8, CaaTag, Text], false),
];

/// Words that name query types, meta types or classes used only in queries and updates.
const QUERY_ONLY: &[&str] = &[
    "ANY", "*", "NONE", "AXFR", "IXFR", "OPT", "MAILA", "MAILB", "TSIG", "TKEY", "QCLASS",
];

/// The schema of a type code: its fields and whether its names are lowercased in canonical
/// form. `None` for types kept as opaque data.
pub(crate) fn schema(code: u16) -> Option<(&'static [Field], bool)> {
    TYPES
        .iter()
        .find(|(_, c, _, _)| *c == code)
        .map(|(_, _, fields, lower)| (*fields, *lower))
}

/// The mnemonic of a type code with a schema; others are written `TYPEnnn`.
pub(crate) fn mnemonic(code: u16) -> Option<&'static str> {
    TYPES
        .iter()
        .find(|(_, c, _, _)| *c == code)
        .map(|(name, _, _, _)| *name)
}

/// How a type word in zone text reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TypeWord {
    /// A type this crate knows, by mnemonic or `TYPEnnn`.
    Code(u16),
    /// A word used only in queries.
    QueryOnly,
    /// Not a type.
    Unknown,
}

/// Reads a record type word: a mnemonic (any case) or `TYPEnnn`.
pub(crate) fn type_from_word(word: &[u8]) -> TypeWord {
    if let Some((_, code, _, _)) = TYPES
        .iter()
        .find(|(n, _, _, _)| n.as_bytes().eq_ignore_ascii_case(word))
    {
        return TypeWord::Code(*code);
    }
    if let Some(code) = numeric_suffix(word, b"TYPE") {
        return match code {
            _ if !is_data_type(code) => TypeWord::QueryOnly,
            _ => TypeWord::Code(code),
        };
    }
    if QUERY_ONLY
        .iter()
        .any(|q| q.as_bytes().eq_ignore_ascii_case(word))
    {
        return TypeWord::QueryOnly;
    }
    TypeWord::Unknown
}

/// Whether a type code can be the type of zone data: not 0 (reserved), OPT (41) or the
/// Q-type and meta-type range 128..=255 (RFC 6895 §3.1: NXNAME, TKEY, TSIG, IXFR, AXFR,
/// MAILB, MAILA, ANY).
pub(crate) fn is_data_type(code: u16) -> bool {
    !matches!(code, 0 | 41 | 128..=255)
}

/// Reads a type word inside record data (type bitmaps, RRSIG's type covered): any
/// mnemonic, or `TYPEnnn` for every code, since a bitmap may name any type.
pub(crate) fn type_code_from_word(word: &[u8]) -> Option<u16> {
    match type_from_word(word) {
        TypeWord::Code(code) => Some(code),
        _ => numeric_suffix(word, b"TYPE"),
    }
}

/// Parses `PREFIXnnn` (prefix in any case, nnn decimal 0..=65535).
pub(crate) fn numeric_suffix(word: &[u8], prefix: &[u8]) -> Option<u16> {
    let head = word.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let digits = word.get(prefix.len()..)?;
    if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The mnemonic and schema of a type code with a schema, in one search.
pub(crate) fn mnemonic_and_schema(code: u16) -> Option<(&'static str, &'static [Field])> {
    TYPES
        .iter()
        .find(|(_, c, _, _)| *c == code)
        .map(|(name, _, fields, _)| (*name, *fields))
}

/// The text of a type code: its mnemonic, or `TYPEnnn`.
pub(crate) fn type_text(code: u16) -> std::borrow::Cow<'static, str> {
    match mnemonic(code) {
        Some(name) => name.into(),
        None => format!("TYPE{code}").into(),
    }
}

/// `name` in uncompressed wire form, case kept.
pub(crate) fn name_wire(name: &hickory_proto::rr::Name) -> Vec<u8> {
    let mut wire = Vec::with_capacity(name.len() + 2);
    for label in name.iter() {
        wire.push(u8::try_from(label.len()).unwrap_or(63));
        wire.extend_from_slice(label);
    }
    wire.push(0);
    wire
}

/// The length of the uncompressed wire name at the start of `data`, or `None` if it is not
/// one (compression pointers are not allowed in stored data).
pub(crate) fn name_length(data: &[u8]) -> Option<usize> {
    let mut at = 0usize;
    loop {
        let len = usize::from(*data.get(at)?);
        if len == 0 {
            let total = at + 1;
            return (total <= 255).then_some(total);
        }
        if len > 63 {
            return None;
        }
        at += 1 + len;
        if at > 255 {
            return None;
        }
    }
}

/// Splits data of a type with a schema into its fields, in order. Returns `None` when the
/// data does not fit the schema (too short, too long, or a field malformed).
pub(crate) fn split<'a>(
    fields: &'static [Field],
    data: &'a [u8],
) -> Option<Vec<(Field, &'a [u8])>> {
    let mut out = Vec::with_capacity(fields.len());
    split_each(fields, data, |field, value| {
        out.push((field, value));
        Some(())
    })?;
    Some(out)
}

/// Whether data of a type with a schema fits it (as [`split`] would say), without
/// collecting the fields.
pub(crate) fn fits(fields: &'static [Field], data: &[u8]) -> bool {
    split_each(fields, data, |_, _| Some(())).is_some()
}

/// [`split`] without the `Vec`: calls `each` with every field in order, and returns
/// `None` as soon as `each` does or the data turns out not to fit (after the fields before
/// it were given to `each`; the last check, that nothing follows the fields, comes after
/// them all).
pub(crate) fn split_each<'a>(
    fields: &'static [Field],
    data: &'a [u8],
    mut each: impl FnMut(Field, &'a [u8]) -> Option<()>,
) -> Option<()> {
    let mut rest = data;
    for field in fields {
        let len = match field {
            U8 => 1,
            U16 | Type => 2,
            U32 | Period | Time | Ipv4 => 4,
            Ipv6 => 16,
            Name => name_length(rest)?,
            CharString | Salt | Base32Hex | CaaTag => 1 + usize::from(*rest.first()?),
            CharStrings => {
                // One or more strings, exactly filling the data.
                let mut at = 0;
                while at < rest.len() {
                    at += 1 + usize::from(*rest.get(at)?);
                }
                if at != rest.len() || rest.is_empty() {
                    return None;
                }
                at
            }
            Base64 | Hex | Text => rest.len(),
            TypeBitmap => {
                check_bitmap(rest)?;
                rest.len()
            }
            SvcParams => {
                check_svc_params(rest)?;
                rest.len()
            }
        };
        let (value, tail) = rest.split_at_checked(len)?;
        if *field == CaaTag
            && (value.len() < 2 || !value.iter().skip(1).all(u8::is_ascii_alphanumeric))
        {
            return None;
        }
        each(*field, value)?;
        rest = tail;
    }
    rest.is_empty().then_some(())
}

/// Checks an RFC 4034 §4.1.2 type bitmap: windows ascending, lengths 1..=32, last octet
/// not zero.
fn check_bitmap(mut data: &[u8]) -> Option<()> {
    let mut last_window: Option<u8> = None;
    while !data.is_empty() {
        let (&[window, len], rest) = data.split_first_chunk::<2>()?;
        if last_window.is_some_and(|w| w >= window) || len == 0 || len > 32 {
            return None;
        }
        let (bits, rest) = rest.split_at_checked(usize::from(len))?;
        if bits.last() == Some(&0) {
            return None;
        }
        last_window = Some(window);
        data = rest;
    }
    Some(())
}

/// Iterates the type codes of a valid type bitmap, ascending.
pub(crate) fn bitmap_types(mut data: &[u8]) -> impl Iterator<Item = u16> + '_ {
    let mut pending: Vec<u16> = Vec::new();
    std::iter::from_fn(move || {
        loop {
            if !pending.is_empty() {
                return Some(pending.remove(0));
            }
            let (&[window, len], rest) = data.split_first_chunk::<2>()?;
            let (bits, rest) = rest.split_at_checked(usize::from(len))?;
            for (i, byte) in bits.iter().enumerate() {
                for bit in 0..8u16 {
                    if byte & (0x80 >> bit) != 0 {
                        let low = u16::try_from(i).unwrap_or(0) * 8 + bit;
                        pending.push(u16::from(window) << 8 | low);
                    }
                }
            }
            data = rest;
        }
    })
}

/// Encodes sorted, deduplicated type codes as an RFC 4034 §4.1.2 type bitmap.
pub(crate) fn encode_bitmap(types: &[u16], out: &mut Vec<u8>) {
    let mut index = 0;
    while let Some(&first) = types.get(index) {
        let window = first >> 8;
        let mut bits = [0u8; 32];
        let mut used = 0usize;
        while let Some(&code) = types.get(index) {
            if code >> 8 != window {
                break;
            }
            let low = usize::from(code & 0xff);
            if let Some(byte) = bits.get_mut(low / 8) {
                *byte |= 0x80 >> (low % 8);
            }
            used = low / 8 + 1;
            index += 1;
        }
        out.push(window.to_be_bytes()[1]);
        out.push(u8::try_from(used).unwrap_or(32));
        out.extend_from_slice(bits.get(..used).unwrap_or(&bits));
    }
}

/// Checks SVCB parameters (RFC 9460 §2.2): keys strictly ascending, values within the data,
/// and the values of the keys this crate writes by name well formed.
fn check_svc_params(mut data: &[u8]) -> Option<()> {
    let mut last: Option<u16> = None;
    while !data.is_empty() {
        let (&[k0, k1, l0, l1], rest) = data.split_first_chunk::<4>()?;
        let key = u16::from_be_bytes([k0, k1]);
        let (value, rest) = rest.split_at_checked(usize::from(u16::from_be_bytes([l0, l1])))?;
        if last.is_some_and(|l| l >= key) || key == 65535 {
            return None;
        }
        let ok = match key {
            // RFC 9460 §8: keys strictly ascending (no repeats), never "mandatory" itself.
            0 => {
                !value.is_empty()
                    && value.len() % 2 == 0
                    && value
                        .chunks_exact(2)
                        .map(|k| {
                            u16::from_be_bytes([
                                k.first().copied().unwrap_or(0),
                                k.get(1).copied().unwrap_or(0),
                            ])
                        })
                        .try_fold(0u16, |last, key| (key > last).then_some(key))
                        .is_some()
            }
            1 => {
                let mut at = 0;
                while at < value.len() {
                    let len = usize::from(*value.get(at)?);
                    if len == 0 {
                        return None;
                    }
                    at += 1 + len;
                }
                at == value.len() && !value.is_empty()
            }
            2 | 8 => value.is_empty(),
            3 => value.len() == 2,
            4 => !value.is_empty() && value.len() % 4 == 0,
            5 => !value.is_empty(),
            6 => !value.is_empty() && value.len() % 16 == 0,
            _ => true,
        };
        if !ok {
            return None;
        }
        last = Some(key);
        data = rest;
    }
    Some(())
}

/// Iterates valid SVCB parameters as `(key, value)`.
pub(crate) fn svc_params(mut data: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let (&[k0, k1, l0, l1], rest) = data.split_first_chunk::<4>()?;
        let (value, rest) = rest.split_at_checked(usize::from(u16::from_be_bytes([l0, l1])))?;
        data = rest;
        Some((u16::from_be_bytes([k0, k1]), value))
    })
}

/// The canonical form of record data (RFC 4034 §6.2): names lowercased for the types that
/// require it. Data without a schema is its own canonical form.
pub(crate) fn canonical(record_type: RecordType, data: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(data);
    let Some((fields, true)) = schema(u16::from(record_type)) else {
        return;
    };
    let Some(parts) = split(fields, data) else {
        return;
    };
    let mut at = 0;
    for (field, value) in parts {
        if field == Name
            && let Some(name) = out.get_mut(at..at + value.len())
        {
            lowercase_wire_name(name);
        }
        at += value.len();
    }
}

/// The MINIMUM field of SOA data (its last four octets, RFC 1035 §3.3.13).
pub(crate) fn soa_minimum(data: &[u8]) -> Option<u32> {
    let at = data.len().checked_sub(4)?;
    let minimum = data.get(at..)?;
    Some(u32::from_be_bytes(minimum.try_into().ok()?))
}

/// Whether `at` begins a label of the uncompressed wire name `name` (so the suffix from
/// there is a whole name).
pub(crate) fn is_label_start(name: &[u8], at: usize) -> bool {
    let mut offset = 0;
    while offset < at {
        offset += 1 + usize::from(name.get(offset).copied().unwrap_or(0));
    }
    offset == at
}

/// A lowercased copy of a wire name.
pub(crate) fn lowercased(name: &[u8]) -> Vec<u8> {
    let mut lower = name.to_vec();
    lowercase_wire_name(&mut lower);
    lower
}

/// Lowercases the ASCII letters of a wire name in place, leaving length octets alone.
pub(crate) fn lowercase_wire_name(name: &mut [u8]) {
    let mut at = 0;
    while let Some(&len) = name.get(at) {
        let len = usize::from(len);
        if len == 0 {
            break;
        }
        if let Some(label) = name.get_mut(at + 1..at + 1 + len) {
            label.make_ascii_lowercase();
        }
        at += 1 + len;
    }
}

/// The domain name that NS, CNAME, DNAME, MX, SRV, KX, AFSDB and PTR data points at.
pub(crate) fn target(record_type: RecordType, data: &[u8]) -> Option<&[u8]> {
    let skip = match u16::from(record_type) {
        2 | 5 | 12 | 39 => 0,
        15 | 18 | 36 => 2,
        33 => 6,
        _ => return None,
    };
    let name = data.get(skip..)?;
    name.get(..name_length(name)?)
}

/// Reads a class word: `IN`, `CH`, `HS`, `CS` or `CLASSnnn`.
pub(crate) fn class_from_word(word: &[u8]) -> Option<DNSClass> {
    let known = [
        (b"IN", DNSClass::IN),
        (b"CH", DNSClass::CH),
        (b"HS", DNSClass::HS),
        (b"CS", DNSClass::Unknown(2)),
    ];
    if let Some((_, class)) = known.iter().find(|(w, _)| w.eq_ignore_ascii_case(word)) {
        return Some(*class);
    }
    numeric_suffix(word, b"CLASS").map(DNSClass::from)
}

/// The text of a class: its mnemonic, or `CLASSnnn`.
pub(crate) fn class_text(class: DNSClass) -> String {
    match class {
        DNSClass::IN => "IN".into(),
        DNSClass::CH => "CH".into(),
        DNSClass::HS => "HS".into(),
        other => format!("CLASS{}", u16::from(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_type_has_a_unique_code_and_name() {
        for (i, (name, code, _, _)) in TYPES.iter().enumerate() {
            for (other_name, other_code, _, _) in TYPES.iter().skip(i + 1) {
                assert_ne!(name, other_name);
                assert_ne!(code, other_code);
            }
            assert_eq!(type_from_word(name.as_bytes()), TypeWord::Code(*code));
            assert_eq!(
                type_from_word(name.to_lowercase().as_bytes()),
                TypeWord::Code(*code)
            );
        }
    }

    #[test]
    fn type_words_read_generic_and_reject_query_only() {
        assert_eq!(type_from_word(b"TYPE65534"), TypeWord::Code(65534));
        assert_eq!(type_from_word(b"type1"), TypeWord::Code(1));
        assert_eq!(type_from_word(b"TYPE65536"), TypeWord::Unknown);
        assert_eq!(type_from_word(b"ANY"), TypeWord::QueryOnly);
        assert_eq!(type_from_word(b"TYPE255"), TypeWord::QueryOnly);
        assert_eq!(type_from_word(b"*"), TypeWord::QueryOnly);
        assert_eq!(type_from_word(b"LOC2"), TypeWord::Unknown);
    }

    #[test]
    fn bitmap_round_trips_through_encode_and_iterate() {
        let types = [1u16, 2, 6, 46, 47, 48, 257, 65534];
        let mut wire = Vec::new();
        encode_bitmap(&types, &mut wire);
        assert!(check_bitmap(&wire).is_some());
        assert_eq!(bitmap_types(&wire).collect::<Vec<_>>(), types);
        // RFC 4034 §4.3 example: A MX RRSIG NSEC TYPE1234.
        let mut wire = Vec::new();
        encode_bitmap(&[1, 15, 46, 47, 1234], &mut wire);
        assert_eq!(
            wire,
            [
                0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20
            ]
        );
    }

    #[test]
    fn split_rejects_data_that_does_not_fit() {
        let (mx, _) = schema(15).unwrap();
        assert!(split(mx, &[0, 10, 0]).is_some());
        assert!(split(mx, &[0, 10, 0, 0]).is_none());
        assert!(split(mx, &[0, 10, 3, b'a']).is_none());
        let (a, _) = schema(1).unwrap();
        assert!(split(a, &[1, 2, 3]).is_none());
    }

    #[test]
    fn canonical_lowercases_names_only_where_rfc_4034_says() {
        let mut out = Vec::new();
        canonical(RecordType::MX, &[0, 10, 1, b'A', 0], &mut out);
        assert_eq!(out, [0, 10, 1, b'a', 0]);
        canonical(RecordType::NSEC, &[1, b'A', 0, 0, 1, 0x40], &mut out);
        assert_eq!(out, [1, b'A', 0, 0, 1, 0x40]);
        canonical(RecordType::A, &[65, 66, 67, 68], &mut out);
        assert_eq!(out, [65, 66, 67, 68]);
    }
}
