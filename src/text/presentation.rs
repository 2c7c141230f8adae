//! Record data in presentation format: parsing tokens into wire data and writing wire data
//! as text, one [`Field`] at a time, for every type with a schema (see `crate::schema`).

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::error::{ParseErrorKind, Position, quote};
use crate::schema::{self, Field};
use crate::text::codec;
use crate::text::lexer::{Token, escape_at, unescape};

/// A parse error with its place.
pub(crate) type FieldError = (Position, ParseErrorKind);

fn expected(token: &Token<'_>, what: &'static str) -> FieldError {
    (
        token.position,
        ParseErrorKind::Expected {
            expected: what,
            found: quote(token.raw),
        },
    )
}

/// Parses a name in presentation form into uncompressed wire form, appended to `out`.
/// `origin` is the wire form of the origin that relative names are completed with.
pub(crate) fn parse_name(
    raw: &[u8],
    origin: Option<&[u8]>,
    out: &mut Vec<u8>,
) -> Result<(), ParseErrorKind> {
    let start = out.len();
    if raw == b"@" {
        out.extend_from_slice(origin.ok_or(ParseErrorKind::NoOrigin { found: "@".into() })?);
        return Ok(());
    }
    if raw == b"." {
        out.push(0);
        return Ok(());
    }
    let mut at = 0;
    let mut absolute = false;
    while at < raw.len() {
        let label_start = out.len();
        out.push(0);
        while let Some(&byte) = raw.get(at) {
            match byte {
                b'.' => break,
                b'\\' => {
                    let (value, used) = escape_at(raw, at)?;
                    out.push(value);
                    at += used;
                }
                _ => {
                    out.push(byte);
                    at += 1;
                }
            }
        }
        let length = out.len() - label_start - 1;
        if length == 0 {
            return Err(ParseErrorKind::EmptyLabel { found: quote(raw) });
        }
        if length > 63 {
            return Err(ParseErrorKind::LabelTooLong { length });
        }
        if let Some(slot) = out.get_mut(label_start) {
            *slot = length as u8;
        }
        if raw.get(at) == Some(&b'.') {
            at += 1;
            absolute = at == raw.len();
        }
    }
    if absolute {
        out.push(0);
    } else {
        out.extend_from_slice(
            origin.ok_or_else(|| ParseErrorKind::NoOrigin { found: quote(raw) })?,
        );
    }
    let length = out.len() - start;
    if length > 255 {
        return Err(ParseErrorKind::NameTooLong { length });
    }
    Ok(())
}

/// Reads a TTL or period: decimal seconds, or number-unit pairs (`1w2d3h4m5s`, any case).
pub(crate) fn parse_ttl(raw: &[u8]) -> Option<u32> {
    if raw.is_empty() {
        return None;
    }
    if raw.iter().all(u8::is_ascii_digit) {
        return std::str::from_utf8(raw)
            .ok()?
            .parse::<u64>()
            .ok()
            .and_then(|v| u32::try_from(v).ok());
    }
    let mut total = 0u64;
    let mut number: Option<u64> = None;
    for &byte in raw {
        if byte.is_ascii_digit() {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u64::from(byte - b'0'))?,
            );
            continue;
        }
        let unit = match byte.to_ascii_lowercase() {
            b's' => 1,
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86_400,
            b'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    if number.is_some() {
        return None;
    }
    u32::try_from(total).ok()
}

fn parse_int<T: TryFrom<u64>>(token: &Token<'_>, what: &'static str) -> Result<T, FieldError> {
    if token.raw.is_empty() || token.raw.len() > 10 || !token.raw.iter().all(u8::is_ascii_digit) {
        return Err(expected(token, what));
    }
    std::str::from_utf8(token.raw)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .and_then(|v| T::try_from(v).ok())
        .ok_or_else(|| expected(token, what))
}

/// Parses one character-string into `out` with its length octet.
fn parse_char_string(token: &Token<'_>, out: &mut Vec<u8>) -> Result<(), FieldError> {
    let start = out.len();
    out.push(0);
    unescape(token.raw, out).map_err(|kind| (token.position, kind))?;
    let length = out.len() - start - 1;
    let Ok(length) = u8::try_from(length) else {
        return Err(expected(token, "a character string of at most 255 octets"));
    };
    if let Some(slot) = out.get_mut(start) {
        *slot = length;
    }
    Ok(())
}

/// Parses a type word (mnemonic or `TYPEnnn`) for RRSIG and type bitmaps.
fn parse_type(token: &Token<'_>) -> Result<u16, FieldError> {
    if let Some(code) = schema::type_code_from_word(token.raw) {
        return Ok(code);
    }
    match schema::type_from_word(token.raw) {
        schema::TypeWord::Code(code) => Ok(code),
        schema::TypeWord::QueryOnly => Err((
            token.position,
            ParseErrorKind::QueryOnly {
                found: quote(token.raw),
            },
        )),
        schema::TypeWord::Unknown => Err((
            token.position,
            ParseErrorKind::UnknownType {
                found: quote(token.raw),
            },
        )),
    }
}

/// Parses the record data `tokens` by `fields` into wire form, appended to `out`.
/// `end` is the position to blame when tokens run out.
pub(crate) fn parse_rdata(
    fields: &[Field],
    tokens: &[Token<'_>],
    origin: Option<&[u8]>,
    end: Position,
    out: &mut Vec<u8>,
) -> Result<(), FieldError> {
    let mut rest = tokens;
    for (index, field) in fields.iter().enumerate() {
        let last = index + 1 == fields.len();
        if let Some(done) = parse_remaining(*field, last, rest, end, out) {
            return done;
        }
        let Some((token, tail)) = rest.split_first() else {
            return Err((
                end,
                ParseErrorKind::UnexpectedEnd {
                    expected: field_name(*field),
                },
            ));
        };
        rest = tail;
        parse_field(*field, token, origin, out)?;
    }
    match rest.first() {
        Some(token) => Err((
            token.position,
            ParseErrorKind::TrailingData {
                found: quote(token.raw),
            },
        )),
        None => Ok(()),
    }
}

/// A field that takes every remaining token (character strings, a type bitmap, SVCB
/// parameters, base64 or hex data as the last field): the outcome, or `None` for a
/// field of one token.
fn parse_remaining(
    field: Field,
    last: bool,
    rest: &[Token<'_>],
    end: Position,
    out: &mut Vec<u8>,
) -> Option<Result<(), FieldError>> {
    let need = |what: &'static str| (end, ParseErrorKind::UnexpectedEnd { expected: what });
    let done = match field {
        Field::CharStrings => {
            if rest.is_empty() {
                return Some(Err(need("a character string")));
            }
            rest.iter()
                .try_for_each(|token| parse_char_string(token, out))
        }
        Field::Base64 | Field::Hex if last => {
            let what = if field == Field::Hex {
                "hexadecimal data"
            } else {
                "base64 data"
            };
            let Some(first) = rest.first() else {
                return Some(Err(need(what)));
            };
            let mut text = Vec::new();
            for token in rest {
                if token.quoted {
                    return Some(Err(expected(token, what)));
                }
                text.extend_from_slice(token.raw);
            }
            let ok = if field == Field::Hex {
                codec::hex_decode(&text, out)
            } else {
                codec::base64_decode(&text, out)
            };
            ok.ok_or_else(|| expected(first, what))
        }
        Field::TypeBitmap => rest
            .iter()
            .map(parse_type)
            .collect::<Result<Vec<u16>, _>>()
            .map(|mut types| {
                types.sort_unstable();
                types.dedup();
                schema::encode_bitmap(&types, out);
            }),
        Field::SvcParams => parse_svc_params(rest, out),
        _ => return None,
    };
    Some(done)
}

/// A field of one token.
fn parse_field(
    field: Field,
    token: &Token<'_>,
    origin: Option<&[u8]>,
    out: &mut Vec<u8>,
) -> Result<(), FieldError> {
    match field {
        Field::U8 => out.push(parse_int::<u8>(token, "an integer from 0 to 255")?),
        Field::U16 => out.extend_from_slice(
            &parse_int::<u16>(token, "an integer from 0 to 65535")?.to_be_bytes(),
        ),
        Field::U32 => out.extend_from_slice(
            &parse_int::<u32>(token, "an integer from 0 to 4294967295")?.to_be_bytes(),
        ),
        Field::Period => {
            let value = parse_ttl(token.raw)
                .ok_or_else(|| expected(token, "a number of seconds or a period like `1h30m`"))?;
            out.extend_from_slice(&value.to_be_bytes());
        }
        Field::Name => {
            parse_name(token.raw, origin, out).map_err(|kind| (token.position, kind))?;
        }
        Field::Ipv4 => {
            let address: Ipv4Addr = std::str::from_utf8(token.raw)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| expected(token, "an IPv4 address"))?;
            out.extend_from_slice(&address.octets());
        }
        Field::Ipv6 => {
            let address: Ipv6Addr = std::str::from_utf8(token.raw)
                .ok()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| expected(token, "an IPv6 address"))?;
            out.extend_from_slice(&address.octets());
        }
        Field::CharString => parse_char_string(token, out)?,
        Field::Salt => {
            let decode = |out: &mut Vec<u8>| match token.raw {
                b"-" => Some(()),
                hex => codec::hex_decode(hex, out),
            };
            length_prefixed(out, decode)
                .ok_or_else(|| expected(token, "a hexadecimal salt or `-`"))?
                .ok_or_else(|| expected(token, "a salt of at most 255 octets"))?;
        }
        Field::Base32Hex => {
            let length = length_prefixed(out, |out| codec::base32hex_decode(token.raw, out))
                .ok_or_else(|| expected(token, "a base32hex hash"))?
                .ok_or_else(|| expected(token, "a hash of at most 255 octets"))?;
            if length == 0 {
                return Err(expected(token, "a base32hex hash"));
            }
        }
        Field::Type => out.extend_from_slice(&parse_type(token)?.to_be_bytes()),
        Field::Time => {
            let time = codec::time_decode(token.raw)
                .ok_or_else(|| expected(token, "a time as YYYYMMDDHHmmSS"))?;
            out.extend_from_slice(&time.to_be_bytes());
        }
        Field::CaaTag => {
            let length = u8::try_from(token.raw.len()).ok().filter(|&l| l > 0);
            match length {
                Some(length)
                    if !token.quoted && token.raw.iter().all(u8::is_ascii_alphanumeric) =>
                {
                    out.push(length);
                    out.extend_from_slice(token.raw);
                }
                _ => return Err(expected(token, "a CAA tag of letters and digits")),
            }
        }
        Field::Text | Field::Base64 | Field::Hex => {
            // Text, and binary fields that are not last (none in the schemas).
            unescape(token.raw, out).map_err(|kind| (token.position, kind))?;
        }
        Field::CharStrings | Field::TypeBitmap | Field::SvcParams => {
            unreachable!("parse_remaining takes the fields that take every remaining token")
        }
    }
    Ok(())
}

/// Writes a one-octet length, then what `decode` appends to `out`, and sets the length:
/// `None` if `decode` fails, `Some(None)` if it wrote more than 255 octets, else the
/// length.
fn length_prefixed(
    out: &mut Vec<u8>,
    decode: impl FnOnce(&mut Vec<u8>) -> Option<()>,
) -> Option<Option<u8>> {
    let start = out.len();
    out.push(0);
    decode(out)?;
    let Ok(length) = u8::try_from(out.len() - start - 1) else {
        return Some(None);
    };
    if let Some(slot) = out.get_mut(start) {
        *slot = length;
    }
    Some(Some(length))
}

fn field_name(field: Field) -> &'static str {
    match field {
        Field::U8 | Field::U16 | Field::U32 => "an integer",
        Field::Period => "a number of seconds",
        Field::Name => "a domain name",
        Field::Ipv4 => "an IPv4 address",
        Field::Ipv6 => "an IPv6 address",
        Field::CharString | Field::CharStrings => "a character string",
        Field::Base64 => "base64 data",
        Field::Hex => "hexadecimal data",
        Field::Salt => "a hexadecimal salt or `-`",
        Field::Base32Hex => "a base32hex hash",
        Field::TypeBitmap | Field::Type => "a record type",
        Field::Time => "a time as YYYYMMDDHHmmSS",
        Field::CaaTag => "a CAA tag",
        Field::Text => "a quoted string",
        Field::SvcParams => "service parameters",
    }
}

/// SVCB parameter keys with names (RFC 9460 §14.3.2).
const SVC_KEYS: &[(&str, u16)] = &[
    ("mandatory", 0),
    ("alpn", 1),
    ("no-default-alpn", 2),
    ("port", 3),
    ("ipv4hint", 4),
    ("ech", 5),
    ("ipv6hint", 6),
    ("dohpath", 7),
    ("ohttp", 8),
];

fn svc_key(word: &[u8]) -> Option<u16> {
    SVC_KEYS
        .iter()
        .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(word))
        .map(|(_, key)| *key)
        .or_else(|| schema::numeric_suffix(word, b"key"))
}

/// Splits a value list on commas not escaped by a backslash, removing that escaping
/// (RFC 9460 Appendix A.1).
fn split_value_list(value: &[u8]) -> Vec<Vec<u8>> {
    let mut items = vec![Vec::new()];
    let mut bytes = value.iter();
    while let Some(&byte) = bytes.next() {
        match byte {
            b'\\' => {
                if let (Some(item), Some(&next)) = (items.last_mut(), bytes.next()) {
                    item.push(next);
                }
            }
            b',' => items.push(Vec::new()),
            _ => {
                if let Some(item) = items.last_mut() {
                    item.push(byte);
                }
            }
        }
    }
    items
}

/// Parses SVCB parameters (`key=value`, `key="value"`, `key`) into wire form, keys sorted.
fn parse_svc_params(tokens: &[Token<'_>], out: &mut Vec<u8>) -> Result<(), FieldError> {
    let mut params: Vec<(u16, Vec<u8>, Position)> = Vec::with_capacity(tokens.len());
    for token in tokens {
        let (key, wire) = parse_svc_param(token)?;
        if params.iter().any(|(k, _, _)| *k == key) {
            return Err(expected(token, "each service parameter key once"));
        }
        params.push((key, wire, token.position));
    }
    params.sort_by_key(|(key, _, _)| *key);
    let start = out.len();
    for (key, value, position) in &params {
        let length = u16::try_from(value.len()).map_err(|_| {
            (
                *position,
                ParseErrorKind::RdataTooLong {
                    length: value.len(),
                },
            )
        })?;
        out.extend_from_slice(&key.to_be_bytes());
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(value);
    }
    if let Some((_, _, position)) = params.first() {
        let fits =
            schema::split(&[Field::SvcParams], out.get(start..).unwrap_or_default()).is_some();
        if !fits {
            return Err((
                *position,
                ParseErrorKind::Expected {
                    expected: "valid service parameters",
                    found: String::new(),
                },
            ));
        }
    }
    Ok(())
}

/// One `key=value` service parameter (RFC 9460 §2.1): its key and its value in wire form.
fn parse_svc_param(token: &Token<'_>) -> Result<(u16, Vec<u8>), FieldError> {
    let bad = |what: &'static str| expected(token, what);
    let (key_text, value_text) = match token.raw.iter().position(|&b| b == b'=') {
        Some(eq) => (
            token.raw.get(..eq).unwrap_or_default(),
            Some(token.raw.get(eq + 1..).unwrap_or_default()),
        ),
        None => (token.raw, None),
    };
    if token.quoted {
        return Err(bad("a service parameter `key=value`"));
    }
    let key = svc_key(key_text)
        .filter(|&k| k != 65535)
        .ok_or_else(|| bad("a service parameter key"))?;
    let mut value = Vec::new();
    if let Some(text) = value_text {
        let text = match text.strip_prefix(b"\"") {
            Some(inner) => inner
                .strip_suffix(b"\"")
                .ok_or_else(|| bad("a closing quote"))?,
            None => text,
        };
        unescape(text, &mut value).map_err(|kind| (token.position, kind))?;
    }
    let wire = svc_value(key, value, value_text.is_some()).map_err(bad)?;
    Ok((key, wire))
}

/// The wire form of the value of service parameter `key`, or what was expected instead.
fn svc_value(key: u16, value: Vec<u8>, given: bool) -> Result<Vec<u8>, &'static str> {
    let mut wire = Vec::new();
    let list = || split_value_list(&value);
    let addresses = |what: &'static str, wire: &mut Vec<u8>, v6: bool| {
        for item in list() {
            let text = std::str::from_utf8(&item).ok();
            let octets = if v6 {
                text.and_then(|t| t.parse::<Ipv6Addr>().ok())
                    .map(|a| a.octets().to_vec())
            } else {
                text.and_then(|t| t.parse::<Ipv4Addr>().ok())
                    .map(|a| a.octets().to_vec())
            };
            wire.extend_from_slice(&octets.ok_or(what)?);
        }
        Ok::<(), &'static str>(())
    };
    match key {
        0 => {
            let mut keys = Vec::new();
            for item in list() {
                keys.push(svc_key(&item).ok_or("a list of service parameter keys")?);
            }
            keys.sort_unstable();
            let count = keys.len();
            keys.dedup();
            if keys.len() != count || keys.first() == Some(&0) {
                return Err("each key once in `mandatory`, and not `mandatory` itself");
            }
            for key in keys {
                wire.extend_from_slice(&key.to_be_bytes());
            }
        }
        1 => {
            for item in list() {
                let length = u8::try_from(item.len())
                    .ok()
                    .filter(|&l| l > 0)
                    .ok_or("a list of ALPN identifiers")?;
                wire.push(length);
                wire.extend_from_slice(&item);
            }
        }
        2 | 8 if given => return Err("a service parameter without a value"),
        2 | 8 => {}
        3 => {
            let port: u16 = std::str::from_utf8(&value)
                .ok()
                .and_then(|t| t.parse().ok())
                .ok_or("a port number")?;
            wire.extend_from_slice(&port.to_be_bytes());
        }
        4 => addresses("a list of IPv4 addresses", &mut wire, false)?,
        6 => addresses("a list of IPv6 addresses", &mut wire, true)?,
        5 => codec::base64_decode(&value, &mut wire)
            .filter(|()| !wire.is_empty())
            .ok_or("base64 ECH configuration")?,
        _ => wire = value,
    }
    Ok(wire)
}

/// Writes a name in presentation form, absolute, escaping what needs it.
pub(crate) fn write_name(wire: &[u8], out: &mut String) {
    let mut at = 0;
    while let Some(&length) = wire.get(at) {
        if length == 0 {
            break;
        }
        let label = wire
            .get(at + 1..at + 1 + usize::from(length))
            .unwrap_or_default();
        write_label(label, out);
        out.push('.');
        at += 1 + usize::from(length);
    }
    if at == 0 {
        out.push('.');
    }
}

/// Writes one label, escaping `. \ ( ) ; " @ $` and white space with a backslash and other
/// non-printing octets as `\DDD`.
pub(crate) fn write_label(label: &[u8], out: &mut String) {
    // Most labels need no escape: copy them whole.
    if label.iter().all(|&byte| !needs_escape(byte))
        && let Ok(text) = std::str::from_utf8(label)
    {
        out.push_str(text);
        return;
    }
    for &byte in label {
        match byte {
            b'.' | b'\\' | b'(' | b')' | b';' | b'"' | b'@' | b'$' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            0x21..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\{byte:03}");
            }
        }
    }
}

/// Whether [`write_label`] escapes `byte`.
fn needs_escape(byte: u8) -> bool {
    matches!(
        byte,
        b'.' | b'\\' | b'(' | b')' | b';' | b'"' | b'@' | b'$' | 0..=0x20 | 0x7f..=0xff
    )
}

/// Appends `value` in decimal, as `write!(out, "{value}")` would, without the formatting
/// machinery (the writer's hottest path: every TTL and most record data).
pub(crate) fn write_decimal(value: u64, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = value;
    loop {
        at -= 1;
        if let Some(slot) = digits.get_mut(at) {
            *slot = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in digits.get(at..).unwrap_or_default() {
        out.push(char::from(digit));
    }
}

/// Appends an IPv4 address as its `Display` does (`192.0.2.1`).
fn write_ipv4(address: [u8; 4], out: &mut String) {
    for (index, octet) in address.into_iter().enumerate() {
        if index > 0 {
            out.push('.');
        }
        write_decimal(u64::from(octet), out);
    }
}

/// Appends an IPv6 address exactly as its `Display` does (RFC 5952: lowercase, no leading
/// zeros, the longest run of two or more zero groups, the first of equal runs, as `::`;
/// IPv4-mapped addresses as `::ffff:a.b.c.d`).
pub(crate) fn write_ipv6(address: Ipv6Addr, out: &mut String) {
    if address.to_ipv4_mapped().is_some() {
        let _ = write!(out, "{address}");
        return;
    }
    let groups = address.segments();
    let (mut start, mut len) = (0, 0);
    let (mut current_start, mut current_len) = (0, 0);
    for (index, &group) in groups.iter().enumerate() {
        if group == 0 {
            if current_len == 0 {
                current_start = index;
            }
            current_len += 1;
            if current_len > len {
                (start, len) = (current_start, current_len);
            }
        } else {
            current_len = 0;
        }
    }
    let write_groups = |groups: &[u16], out: &mut String| {
        for (index, &group) in groups.iter().enumerate() {
            if index > 0 {
                out.push(':');
            }
            write_hex_group(group, out);
        }
    };
    if len > 1 {
        write_groups(groups.get(..start).unwrap_or_default(), out);
        out.push_str("::");
        write_groups(groups.get(start + len..).unwrap_or_default(), out);
    } else {
        write_groups(&groups, out);
    }
}

/// Appends a 16-bit group in lowercase hexadecimal without leading zeros.
fn write_hex_group(group: u16, out: &mut String) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut shift = 12;
    while shift > 0 && group >> shift == 0 {
        shift -= 4;
    }
    loop {
        let digit = DIGITS.get(usize::from(group >> shift & 15)).copied();
        out.push(char::from(digit.unwrap_or(b'0')));
        if shift == 0 {
            break;
        }
        shift -= 4;
    }
}

/// Writes octets as one quoted string, escaping `"` and `\` and non-printing octets.
pub(crate) fn write_quoted(text: &[u8], out: &mut String) {
    out.push('"');
    // Most strings need no escape: copy them whole.
    if text
        .iter()
        .all(|&byte| matches!(byte, 0x20..=0x7e) && byte != b'"' && byte != b'\\')
        && let Ok(text) = std::str::from_utf8(text)
    {
        out.push_str(text);
        out.push('"');
        return;
    }
    for &byte in text {
        match byte {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\{byte:03}");
            }
        }
    }
    out.push('"');
}

/// Writes record data by its schema. Returns `None` (having written part of it) when the
/// data cannot be written in the type's own format; the caller then writes it generically.
pub(crate) fn write_rdata(fields: &'static [Field], data: &[u8], out: &mut String) -> Option<()> {
    let mut index = 0;
    schema::split_each(fields, data, |field, value| {
        if index > 0 && !out.ends_with(' ') {
            out.push(' ');
        }
        index += 1;
        write_field(field, value, out)
    })?;
    // A trailing field that wrote nothing (an empty bitmap or parameter list).
    if out.ends_with(' ') {
        out.pop();
    }
    Some(())
}

/// Writes one field of record data; `None` where it cannot be written in its own format.
fn write_field(field: Field, value: &[u8], out: &mut String) -> Option<()> {
    let be = |n: usize| -> Option<u64> {
        Some(
            value
                .get(..n)?
                .iter()
                .fold(0u64, |v, &b| v << 8 | u64::from(b)),
        )
    };
    match field {
        Field::U8 => write_decimal(be(1)?, out),
        Field::U16 => write_decimal(be(2)?, out),
        Field::U32 | Field::Period => write_decimal(be(4)?, out),
        Field::Name => write_name(value, out),
        Field::Ipv4 => write_ipv4(<[u8; 4]>::try_from(value).ok()?, out),
        Field::Ipv6 => write_ipv6(Ipv6Addr::from(<[u8; 16]>::try_from(value).ok()?), out),
        Field::CharString => write_quoted(value.get(1..)?, out),
        Field::CharStrings => {
            let mut at = 0;
            while let Some(&length) = value.get(at) {
                if at > 0 {
                    out.push(' ');
                }
                write_quoted(value.get(at + 1..at + 1 + usize::from(length))?, out);
                at += 1 + usize::from(length);
            }
        }
        Field::Base64 if !value.is_empty() => codec::base64_encode(value, out),
        Field::Hex if !value.is_empty() => codec::hex_encode(value, out),
        Field::Base64 | Field::Hex => return None,
        Field::Salt if value.len() == 1 => out.push('-'),
        Field::Salt => codec::hex_encode(value.get(1..)?, out),
        Field::Base32Hex if value.len() > 1 => codec::base32hex_encode(value.get(1..)?, out),
        Field::Base32Hex => return None,
        Field::TypeBitmap => {
            for (i, code) in schema::bitmap_types(value).enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&schema::type_text(code));
            }
            // An empty bitmap leaves a trailing space, which parses back as nothing.
        }
        Field::Type => out.push_str(&schema::type_text(u16::try_from(be(2)?).ok()?)),
        Field::Time => codec::time_encode(u32::try_from(be(4)?).ok()?, out),
        Field::CaaTag => out.push_str(std::str::from_utf8(value.get(1..)?).ok()?),
        Field::Text => write_quoted(value, out),
        Field::SvcParams => write_svc_params(value, out)?,
    }
    Some(())
}

/// Writes SVCB parameters in presentation form.
fn write_svc_params(data: &[u8], out: &mut String) -> Option<()> {
    for (index, (key, value)) in schema::svc_params(data).enumerate() {
        if index > 0 {
            out.push(' ');
        }
        match SVC_KEYS.iter().find(|(_, k)| *k == key) {
            Some((name, _)) => out.push_str(name),
            None => write!(out, "key{key}").ok()?,
        }
        match key {
            2 | 8 => {}
            0 => {
                out.push('=');
                for (i, pair) in value.chunks(2).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let key = u16::from_be_bytes(pair.try_into().ok()?);
                    match SVC_KEYS.iter().find(|(_, k)| *k == key) {
                        Some((name, _)) => out.push_str(name),
                        None => write!(out, "key{key}").ok()?,
                    }
                }
            }
            1 => {
                let mut list = Vec::new();
                let mut at = 0;
                while let Some(&length) = value.get(at) {
                    if at > 0 {
                        list.push(b',');
                    }
                    for &byte in value.get(at + 1..at + 1 + usize::from(length))? {
                        if byte == b',' || byte == b'\\' {
                            list.push(b'\\');
                        }
                        list.push(byte);
                    }
                    at += 1 + usize::from(length);
                }
                out.push('=');
                write_quoted(&list, out);
            }
            3 => write!(out, "={}", u16::from_be_bytes(value.try_into().ok()?)).ok()?,
            4 => {
                for (i, address) in value.chunks(4).enumerate() {
                    out.push(if i == 0 { '=' } else { ',' });
                    write!(
                        out,
                        "{}",
                        Ipv4Addr::from(<[u8; 4]>::try_from(address).ok()?)
                    )
                    .ok()?;
                }
            }
            6 => {
                for (i, address) in value.chunks(16).enumerate() {
                    out.push(if i == 0 { '=' } else { ',' });
                    write!(
                        out,
                        "{}",
                        Ipv6Addr::from(<[u8; 16]>::try_from(address).ok()?)
                    )
                    .ok()?;
                }
            }
            5 => {
                out.push('=');
                codec::base64_encode(value, out);
            }
            _ if value.is_empty() => {}
            _ => {
                out.push('=');
                write_quoted(value, out);
            }
        }
    }
    Some(())
}

/// Writes data in RFC 3597 generic form: `\# LENGTH HEX`.
pub(crate) fn write_generic(data: &[u8], out: &mut String) {
    let _ = write!(out, "\\# {}", data.len());
    if !data.is_empty() {
        out.push(' ');
        codec::hex_encode(data, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str, origin: Option<&[u8]>) -> Result<Vec<u8>, ParseErrorKind> {
        let mut out = Vec::new();
        parse_name(text.as_bytes(), origin, &mut out).map(|()| out)
    }

    #[test]
    fn names_parse_with_escapes_origins_and_limits() {
        assert_eq!(
            name("www.example.", None).unwrap(),
            b"\x03www\x07example\x00"
        );
        assert_eq!(
            name("www", Some(b"\x07example\x00")).unwrap(),
            b"\x03www\x07example\x00"
        );
        assert_eq!(name("a\\.b.", None).unwrap(), b"\x03a.b\x00");
        assert_eq!(name("a\\032b.", None).unwrap(), b"\x03a b\x00");
        assert_eq!(name(".", None).unwrap(), b"\x00");
        assert!(matches!(
            name("www", None),
            Err(ParseErrorKind::NoOrigin { .. })
        ));
        assert!(matches!(
            name("a..b.", None),
            Err(ParseErrorKind::EmptyLabel { .. })
        ));
        assert!(matches!(
            name(&"a".repeat(64), Some(b"\x00")),
            Err(ParseErrorKind::LabelTooLong { length: 64 })
        ));
        let long = vec!["a".repeat(63); 4].join(".") + ".";
        assert!(matches!(
            name(&long, None),
            Err(ParseErrorKind::NameTooLong { length: 257 })
        ));
    }

    proptest::proptest! {
        #[test]
        fn ipv6_addresses_are_written_as_display_writes_them(
            bits in proptest::prelude::any::<u128>(),
            groups in proptest::collection::vec(proptest::sample::select(vec![0u16, 0, 0, 1, 0xabc, 0xffff]), 8),
        ) {
            let mut segments = [0u16; 8];
            segments.copy_from_slice(&groups);
            for address in [Ipv6Addr::from(bits), Ipv6Addr::from(segments)] {
                let mut text = String::new();
                write_ipv6(address, &mut text);
                proptest::prop_assert_eq!(text, address.to_string());
            }
        }

        #[test]
        fn numbers_are_written_as_display_writes_them(value in proptest::prelude::any::<u64>()) {
            let mut text = String::new();
            write_decimal(value, &mut text);
            proptest::prop_assert_eq!(text, value.to_string());
        }
    }

    #[test]
    fn special_addresses_and_numbers_are_written_as_display_writes_them() {
        for address in [
            "::",
            "::1",
            "1::",
            "::ffff:192.0.2.1",
            "::192.0.2.1",
            "1:0:0:2:0:0:0:3",
            "1:0:0:2:0:0:3:4",
        ] {
            let address: Ipv6Addr = address.parse().unwrap();
            let mut text = String::new();
            write_ipv6(address, &mut text);
            assert_eq!(text, address.to_string());
        }
        for value in [0, 9, 10, 99, 100, u64::from(u32::MAX), u64::MAX] {
            let mut text = String::new();
            write_decimal(value, &mut text);
            assert_eq!(text, value.to_string());
        }
    }

    #[test]
    fn names_write_back_escaped() {
        let mut out = String::new();
        write_name(b"\x04a.b \x07example\x00", &mut out);
        assert_eq!(out, "a\\.b\\032.example.");
        let mut back = Vec::new();
        parse_name(out.as_bytes(), None, &mut back).unwrap();
        assert_eq!(back, b"\x04a.b \x07example\x00");
    }

    #[test]
    fn ttls_take_units_in_any_case() {
        assert_eq!(parse_ttl(b"3600"), Some(3600));
        assert_eq!(parse_ttl(b"1h30m"), Some(5400));
        assert_eq!(
            parse_ttl(b"1W2d3H4m5S"),
            Some(604_800 + 172_800 + 10_800 + 240 + 5)
        );
        assert_eq!(parse_ttl(b"1h30"), None);
        assert_eq!(parse_ttl(b"h"), None);
        assert_eq!(parse_ttl(b"99999999999"), None);
    }

    #[test]
    fn svcb_alpn_follows_rfc_9460_escaping_vector() {
        // RFC 9460 Appendix D.2, figure 11: alpn "f\oo,bar" and "h2".
        let raw = br#"alpn="f\\\092oo\\\044bar,h2""#;
        let tokens = [Token {
            raw,
            quoted: false,
            position: Position { line: 1, column: 1 },
        }];
        let mut wire = Vec::new();
        parse_svc_params(&tokens, &mut wire).unwrap();
        assert_eq!(wire, b"\x00\x01\x00\x0c\x08f\\oo,bar\x02h2");
        let mut text = String::new();
        write_svc_params(&wire, &mut text).unwrap();
        let again = [Token {
            raw: text.as_bytes(),
            quoted: false,
            position: Position { line: 1, column: 1 },
        }];
        let mut back = Vec::new();
        parse_svc_params(&again, &mut back).unwrap();
        assert_eq!(back, wire);
    }
}
