//! The two bits of DER the keys need: a PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2) to hand
//! the RSA components of a `.private` file to ring, and the private scalar out of ring's
//! PKCS#8 P-256 document (RFC 5208 `PrivateKeyInfo` around an RFC 5915 `ECPrivateKey`) to
//! write it to one. Encoding and decoding only: the cryptography is ring's.

/// Appends a DER length.
fn der_length(length: usize, out: &mut Vec<u8>) {
    if length < 0x80 {
        out.push(length as u8);
    } else {
        let bytes = length.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let significant = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | significant.len() as u8);
        out.extend_from_slice(significant);
    }
}

/// Appends a DER INTEGER holding the non-negative big-endian `value` (minimal: no
/// leading zero octets, one `00` where the high bit is set).
fn der_unsigned(value: &[u8], out: &mut Vec<u8>) {
    let skip = value.iter().take_while(|&&b| b == 0).count();
    let value = value.get(skip..).unwrap_or_default();
    let pad = value.first().is_none_or(|&b| b & 0x80 != 0);
    out.push(0x02);
    der_length(value.len() + usize::from(pad), out);
    if pad {
        out.push(0);
    }
    out.extend_from_slice(value);
}

/// A PKCS#1 `RSAPrivateKey` (RFC 8017 §A.1.2), version 0, from the components in the
/// order the RFC lists them: n, e, d, p, q, dP, dQ, qInv.
pub(crate) fn pkcs1_der(components: [&[u8]; 8]) -> Vec<u8> {
    let mut body = Vec::new();
    der_unsigned(&[0], &mut body);
    for component in components {
        der_unsigned(component, &mut body);
    }
    let mut out = vec![0x30];
    der_length(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

/// Splits one DER element off `input`: its tag, its contents and what follows.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(count)?;
        let length = bytes
            .iter()
            .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
        (length, rest)
    };
    let (contents, rest) = rest.split_at_checked(length)?;
    Some((tag, contents, rest))
}

/// The private scalar of an EC key in PKCS#8: `PrivateKeyInfo { version, algorithm,
/// privateKey OCTET STRING { ECPrivateKey { version 1, privateKey OCTET STRING, ... } } }`.
pub(crate) fn pkcs8_ec_scalar(der: &[u8]) -> Option<&[u8]> {
    const SEQUENCE: u8 = 0x30;
    const INTEGER: u8 = 0x02;
    const OCTET_STRING: u8 = 0x04;
    let (SEQUENCE, info, _) = der_element(der)? else {
        return None;
    };
    let (INTEGER, _, rest) = der_element(info)? else {
        return None;
    };
    let (SEQUENCE, _, rest) = der_element(rest)? else {
        return None;
    };
    let (OCTET_STRING, inner, _) = der_element(rest)? else {
        return None;
    };
    let (SEQUENCE, ec, _) = der_element(inner)? else {
        return None;
    };
    let (INTEGER, [1], rest) = der_element(ec)? else {
        return None;
    };
    let (OCTET_STRING, scalar, _) = der_element(rest)? else {
        return None;
    };
    Some(scalar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_integers_are_minimal() {
        let mut out = Vec::new();
        der_unsigned(&[0, 0, 0x7f], &mut out);
        assert_eq!(out, [0x02, 0x01, 0x7f]);
        out.clear();
        der_unsigned(&[0x80], &mut out);
        assert_eq!(out, [0x02, 0x02, 0x00, 0x80]);
        out.clear();
        der_unsigned(&[0, 0], &mut out);
        assert_eq!(out, [0x02, 0x01, 0x00]);
        out.clear();
        der_length(300, &mut out);
        assert_eq!(out, [0x82, 0x01, 0x2c]);
    }

    #[test]
    fn der_elements_read_back_what_was_written() {
        let der = pkcs1_der([&[1; 200], &[1, 0, 1], &[2], &[3], &[4], &[5], &[6], &[7]]);
        let (tag, body, rest) = der_element(&der).unwrap();
        assert_eq!((tag, rest.len()), (0x30, 0));
        let (tag, version, body) = der_element(body).unwrap();
        assert_eq!((tag, version), (0x02, &[0u8][..]));
        let (_, modulus, _) = der_element(body).unwrap();
        assert_eq!(modulus, [1; 200]);
        assert!(der_element(&[0x30, 0x85, 1, 1, 1, 1, 1]).is_none());
        assert!(der_element(&[0x30, 0x05, 1]).is_none());
    }
}
