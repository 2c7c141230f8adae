//! BIND's key files, as `dnssec-keygen` (BIND 9) and `ldns-keygen` write them:
//!
//! - `K<zone>.+<alg>.+<tag>.key`: comment lines (`;`), then one DNSKEY record in zone-file
//!   syntax (RFC 4034 §2.2): owner, optional TTL and class, `DNSKEY flags 3 algorithm`
//!   and the public key in base64, possibly split by spaces or parentheses.
//! - `K<zone>.+<alg>.+<tag>.private`: `Field: value` lines, `Private-key-format: v1.N`
//!   first, then `Algorithm: N (NAME)` and the private key's fields in base64 (`PrivateKey`
//!   for ECDSA and Ed25519; `Modulus` ... `Coefficient` for RSA), then timing lines
//!   (`Created:`, `Publish:`, ...) that do not matter here.

use std::path::Path;

use hickory_proto::rr::Name;

use super::error::KeyError;
use crate::text::codec::{base64_decode, base64_encode};

/// The largest key file read: an RSA-4096 `.private` is about 3.3 KB.
pub(crate) const MAX_FILE: u64 = 64 * 1024;

/// The DNSKEY record of a `.key` file.
#[derive(Debug)]
pub(crate) struct PublicFile {
    /// The owner name, as written.
    pub(crate) owner: Name,
    /// The flags: 256 or 257.
    pub(crate) flags: u16,
    /// The algorithm number.
    pub(crate) algorithm: u8,
    /// The public key (RFC 4034 §2.1.4), decoded.
    pub(crate) public: Vec<u8>,
    /// The line the record starts on.
    pub(crate) line: usize,
}

/// A word of a `.key` file and its line.
struct Token<'a> {
    text: &'a str,
    line: usize,
}

/// A malformed-file error at `line`.
fn malformed(file: &Path, line: usize, what: impl Into<String>) -> KeyError {
    KeyError::Malformed {
        file: file.to_path_buf(),
        line,
        what: what.into(),
    }
}

/// The words of the one record of a `.key` file: comments dropped, parentheses joining
/// lines (RFC 1035 §5.1).
fn record_tokens<'a>(file: &Path, text: &'a str) -> Result<Vec<Token<'a>>, KeyError> {
    let mut tokens = Vec::new();
    let mut depth = 0usize;
    let mut open_line = 0;
    let mut done = false;
    for (index, full) in text.lines().enumerate() {
        let line = index + 1;
        let content = full.split_once(';').map_or(full, |(before, _)| before);
        let mut words = Vec::new();
        for piece in content.split_whitespace() {
            // `(` and `)` may touch the words beside them.
            let mut rest = piece;
            while !rest.is_empty() {
                let end = rest.find(['(', ')']).unwrap_or(rest.len());
                let (word, after) = rest.split_at(end);
                if !word.is_empty() {
                    words.push(word);
                }
                let mut chars = after.chars();
                match chars.next() {
                    Some('(') => {
                        if depth == 0 {
                            open_line = line;
                        }
                        depth += 1;
                    }
                    Some(')') => {
                        depth = depth.checked_sub(1).ok_or_else(|| {
                            malformed(file, line, "no `)` without a `(` before it")
                        })?;
                    }
                    _ => {}
                }
                rest = chars.as_str();
            }
        }
        if words.is_empty() {
            continue;
        }
        if done {
            return Err(malformed(
                file,
                line,
                "one DNSKEY record only; this line holds more",
            ));
        }
        tokens.extend(words.into_iter().map(|text| Token { text, line }));
        if depth == 0 {
            done = true;
        }
    }
    if depth > 0 {
        return Err(malformed(
            file,
            open_line,
            "a `)` to close this `(` before the end of the file",
        ));
    }
    if tokens.is_empty() {
        return Err(malformed(
            file,
            text.lines().count().max(1),
            "a DNSKEY record; the file holds only comments",
        ));
    }
    Ok(tokens)
}

/// The algorithm numbers of the mnemonics RFC 4034 Appendix A.1 and its successors
/// allow in place of the number.
fn algorithm_number(text: &str) -> Option<u8> {
    if let Ok(number) = text.parse::<u8>() {
        return Some(number);
    }
    const MNEMONICS: [(&str, u8); 11] = [
        ("RSAMD5", 1),
        ("DSA", 3),
        ("RSASHA1", 5),
        ("DSA-NSEC3-SHA1", 6),
        ("RSASHA1-NSEC3-SHA1", 7),
        ("RSASHA256", 8),
        ("RSASHA512", 10),
        ("ECC-GOST", 12),
        ("ECDSAP256SHA256", 13),
        ("ECDSAP384SHA384", 14),
        ("ED25519", 15),
    ];
    MNEMONICS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|&(_, number)| number)
        .or_else(|| text.eq_ignore_ascii_case("ED448").then_some(16))
}

/// A TTL as zone text writes it: digits, optionally with units (`1h30m`).
fn is_ttl(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || "smhdwSMHDW".contains(c))
}

/// Reads the DNSKEY record of a `.key` file.
pub(crate) fn parse_key(file: &Path, text: &str) -> Result<PublicFile, KeyError> {
    let tokens = record_tokens(file, text)?;
    let mut words = tokens.iter();
    let Some(owner) = words.next() else {
        return Err(malformed(file, 1, "a DNSKEY record"));
    };
    let line = owner.line;
    let owner_name = Name::from_ascii(owner.text)
        .ok()
        .filter(Name::is_fqdn)
        .ok_or_else(|| {
            malformed(
                file,
                line,
                format!(
                    "an absolute owner name (ending in `.`), found `{}`",
                    owner.text
                ),
            )
        })?;
    let end_line = tokens.last().map_or(line, |t| t.line);
    let mut next = |what: &str| {
        words.next().ok_or_else(|| {
            malformed(
                file,
                end_line,
                format!("{what}, found the end of the record"),
            )
        })
    };
    let (mut ttl, mut class) = (false, false);
    let record_type = loop {
        let word = next("`DNSKEY`")?;
        if word.text.eq_ignore_ascii_case("IN") && !class {
            class = true;
        } else if is_ttl(word.text) && !ttl {
            ttl = true;
        } else if ["CH", "HS", "CS", "NONE", "ANY"]
            .iter()
            .any(|c| c.eq_ignore_ascii_case(word.text))
            || word.text.to_ascii_uppercase().starts_with("CLASS")
        {
            return Err(malformed(
                file,
                word.line,
                format!("class IN, found `{}`", word.text),
            ));
        } else {
            break word;
        }
    };
    if !record_type.text.eq_ignore_ascii_case("DNSKEY") {
        return Err(malformed(
            file,
            record_type.line,
            format!("a DNSKEY record, found `{}`", record_type.text),
        ));
    }
    let word = next("the DNSKEY flags")?;
    let flags = match word.text.parse::<u16>() {
        Ok(flags @ (256 | 257)) => flags,
        _ => {
            return Err(malformed(
                file,
                word.line,
                format!(
                    "flags 256 (a zone-signing key) or 257 (a key-signing key), found `{}`",
                    word.text
                ),
            ));
        }
    };
    let word = next("the protocol 3")?;
    if word.text != "3" {
        return Err(malformed(
            file,
            word.line,
            format!("protocol 3 (RFC 4034 §2.1.2), found `{}`", word.text),
        ));
    }
    let word = next("the algorithm")?;
    let algorithm = algorithm_number(word.text).ok_or_else(|| {
        malformed(
            file,
            word.line,
            format!("an algorithm number, found `{}`", word.text),
        )
    })?;
    let first = next("the public key in base64")?;
    let mut joined = String::from(first.text);
    for word in words {
        joined.push_str(word.text);
    }
    let mut public = Vec::new();
    if base64_decode(joined.as_bytes(), &mut public).is_none() || public.is_empty() {
        return Err(malformed(
            file,
            first.line,
            "the public key in base64 (RFC 4648 §4)",
        ));
    }
    Ok(PublicFile {
        owner: owner_name,
        flags,
        algorithm,
        public,
        line,
    })
}

/// The fields of a `.private` file that hold key material.
const MATERIAL: [&str; 9] = [
    "PrivateKey",
    "Modulus",
    "PublicExponent",
    "PrivateExponent",
    "Prime1",
    "Prime2",
    "Exponent1",
    "Exponent2",
    "Coefficient",
];

/// The fields of a `.private` file.
#[derive(Debug)]
pub(crate) struct PrivateFile {
    /// The `Algorithm:` number.
    pub(crate) algorithm: u8,
    /// The line of `Algorithm:`.
    pub(crate) algorithm_line: usize,
    /// The key material fields, decoded, each with its line.
    fields: Vec<(&'static str, Vec<u8>, usize)>,
}

impl PrivateFile {
    /// The decoded value of `field`, and its line.
    pub(crate) fn field(&self, file: &Path, field: &'static str) -> Result<&[u8], KeyError> {
        self.fields
            .iter()
            .find(|(name, _, _)| *name == field)
            .map(|(_, value, _)| value.as_slice())
            .ok_or_else(|| KeyError::MissingField {
                file: file.to_path_buf(),
                field,
            })
    }

    /// The line of `field`, if the file has it.
    pub(crate) fn line(&self, field: &str) -> Option<usize> {
        self.fields
            .iter()
            .find(|(name, _, _)| *name == field)
            .map(|&(_, _, line)| line)
    }
}

/// Reads a `.private` file.
pub(crate) fn parse_private(file: &Path, text: &str) -> Result<PrivateFile, KeyError> {
    let mut format_seen = false;
    let mut algorithm: Option<(u8, usize)> = None;
    let mut fields: Vec<(&'static str, Vec<u8>, usize)> = Vec::new();
    for (index, full) in text.lines().enumerate() {
        let line = index + 1;
        let content = full.trim();
        if content.is_empty() || content.starts_with(';') {
            continue;
        }
        let Some((name, value)) = content.split_once(':') else {
            return Err(malformed(
                file,
                line,
                format!("a `Field: value` line, found `{content}`"),
            ));
        };
        let (name, value) = (name.trim(), value.trim());
        if !format_seen {
            let version = value
                .strip_prefix("v1.")
                .filter(|minor| !minor.is_empty() && minor.chars().all(|c| c.is_ascii_digit()));
            if name != "Private-key-format" || version.is_none() {
                return Err(malformed(
                    file,
                    line,
                    format!("`Private-key-format: v1.2` or `v1.3` first, found `{content}`"),
                ));
            }
            format_seen = true;
            continue;
        }
        if name == "Algorithm" {
            if let Some((_, first)) = algorithm {
                return Err(malformed(
                    file,
                    line,
                    format!("one `Algorithm:` line; the first is at line {first}"),
                ));
            }
            let number = value
                .split_whitespace()
                .next()
                .and_then(|n| n.parse::<u8>().ok())
                .ok_or_else(|| {
                    malformed(
                        file,
                        line,
                        format!("`Algorithm: N (NAME)` with a number N, found `{content}`"),
                    )
                })?;
            algorithm = Some((number, line));
            continue;
        }
        let Some(&field) = MATERIAL.iter().find(|&&f| f == name) else {
            // Timing and other metadata (`Created:`, `Publish:`, `Activate:`, ...).
            continue;
        };
        if let Some(&(_, _, first)) = fields.iter().find(|(f, _, _)| *f == field) {
            return Err(malformed(
                file,
                line,
                format!("one `{field}:` line; the first is at line {first}"),
            ));
        }
        let mut decoded = Vec::new();
        let compact: String = value.split_whitespace().collect();
        if base64_decode(compact.as_bytes(), &mut decoded).is_none() || decoded.is_empty() {
            return Err(malformed(
                file,
                line,
                format!("`{field}:` followed by base64 (RFC 4648 §4)"),
            ));
        }
        fields.push((field, decoded, line));
    }
    if !format_seen {
        return Err(KeyError::MissingField {
            file: file.to_path_buf(),
            field: "Private-key-format",
        });
    }
    let Some((algorithm, algorithm_line)) = algorithm else {
        return Err(KeyError::MissingField {
            file: file.to_path_buf(),
            field: "Algorithm",
        });
    };
    Ok(PrivateFile {
        algorithm,
        algorithm_line,
        fields,
    })
}

/// The mnemonic BIND writes after the algorithm number.
pub(crate) fn algorithm_mnemonic(algorithm: u8) -> &'static str {
    match algorithm {
        8 => "RSASHA256",
        13 => "ECDSAP256SHA256",
        15 => "ED25519",
        _ => "UNKNOWN",
    }
}

/// The text of a `.key` file as `dnssec-keygen` writes it: comments, then the record.
pub(crate) fn write_key(
    zone: &Name,
    flags: u16,
    algorithm: u8,
    tag: u16,
    public: &[u8],
    now: &str,
) -> String {
    let role = if flags & super::keys::SECURE_ENTRY_POINT != 0 {
        "key-signing"
    } else {
        "zone-signing"
    };
    let mut text = format!(
        "; This is a {role} key, keyid {tag}, for {zone}\n\
         ; Created: {now}\n; Publish: {now}\n; Activate: {now}\n\
         {zone} IN DNSKEY {flags} 3 {algorithm} "
    );
    base64_encode(public, &mut text);
    text.push('\n');
    text
}

/// The text of a `.private` file in format v1.3, with `fields` in the order given.
pub(crate) fn write_private(algorithm: u8, fields: &[(&str, &[u8])], now: &str) -> String {
    let mut text = format!(
        "Private-key-format: v1.3\nAlgorithm: {algorithm} ({})\n",
        algorithm_mnemonic(algorithm)
    );
    for (name, value) in fields {
        text.push_str(name);
        text.push_str(": ");
        base64_encode(value, &mut text);
        text.push('\n');
    }
    text.push_str(&format!(
        "Created: {now}\nPublish: {now}\nActivate: {now}\n"
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_records_may_span_lines_in_parentheses() {
        let text = "; comment\nexample. 3600 IN DNSKEY 257 3 15 (\n  AAAA\n  AAAA ) ; end\n";
        let key = parse_key(Path::new("k"), text).unwrap();
        assert_eq!((key.flags, key.algorithm, key.line), (257, 15, 2));
        assert_eq!(key.public, [0; 6]);
        let error = parse_key(Path::new("k"), "example. DNSKEY 257 3 15 ( AAAA\n").unwrap_err();
        assert!(
            matches!(error, KeyError::Malformed { line: 1, .. }),
            "{error}"
        );
    }
}
