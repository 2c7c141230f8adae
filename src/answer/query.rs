//! Reads a query's header, question and EDNS(0) OPT record straight from its bytes
//! (RFC 1035 §4.1, RFC 6891 §6), without allocating.

/// What EDNS(0) the client asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Edns {
    /// The client's UDP payload size.
    pub(crate) payload: u16,
    /// The EDNS version.
    pub(crate) version: u8,
    /// The DO bit (RFC 3225).
    pub(crate) dnssec_ok: bool,
}

/// A query that parsed: the parts the answer path uses.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Query<'a> {
    pub(crate) id: [u8; 2],
    /// The second header octet pair: QR, opcode, AA, TC, RD / RA, Z, AD, CD, RCODE.
    pub(crate) flags: [u8; 2],
    /// The question as sent (name, type, class), echoed as is, case and all.
    pub(crate) question: &'a [u8],
    /// The question name in uncompressed wire form, as sent.
    pub(crate) name: &'a [u8],
    pub(crate) qtype: u16,
    pub(crate) qclass: u16,
    pub(crate) edns: Option<Edns>,
}

/// How a query reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Parsed<'a> {
    /// Too short to echo an ID, or a response (never answered).
    Drop,
    /// Answerable.
    Query(Query<'a>),
    /// Malformed: FORMERR, echoing what could be read. `question` is set when it parsed.
    FormErr(Query<'a>),
    /// An opcode other than QUERY: NOTIMP.
    NotImp(Query<'a>),
}

const TYPE_OPT: u16 = 41;

fn u16_at(bytes: &[u8], at: usize) -> Option<u16> {
    let pair = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*pair.first()?, *pair.get(1)?]))
}

/// The length of the uncompressed name at `at`, or `None` if it is malformed, compressed
/// (a query's first name has nothing before it to point to) or too long.
fn name_length(bytes: &[u8], at: usize) -> Option<usize> {
    crate::schema::name_length(bytes.get(at..)?)
}

/// Skips a possibly compressed name (in the additional section), returning where it ends
/// and whether it is the root.
fn skip_name(bytes: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut offset = at;
    let mut labels = 0usize;
    loop {
        let len = *bytes.get(offset)?;
        match len {
            0 => return Some((offset + 1, labels == 0)),
            1..=63 => {
                offset += 1 + usize::from(len);
                labels += 1;
                if labels > 127 {
                    return None;
                }
            }
            0xC0..=0xFF => {
                bytes.get(offset + 1)?;
                return Some((offset + 2, false));
            }
            _ => return None,
        }
    }
}

/// Parses a query. Never panics; reads nothing past `bytes`.
pub(crate) fn parse(bytes: &[u8]) -> Parsed<'_> {
    let (Some(&id0), Some(&id1)) = (bytes.first(), bytes.get(1)) else {
        return Parsed::Drop;
    };
    let flags = [
        bytes.get(2).copied().unwrap_or(0),
        bytes.get(3).copied().unwrap_or(0),
    ];
    if flags[0] & 0x80 != 0 {
        return Parsed::Drop;
    }
    let mut query = Query {
        id: [id0, id1],
        flags,
        question: &[],
        name: &[],
        qtype: 0,
        qclass: 0,
        edns: None,
    };
    let (Some(qdcount), Some(ancount), Some(nscount), Some(arcount)) = (
        u16_at(bytes, 4),
        u16_at(bytes, 6),
        u16_at(bytes, 8),
        u16_at(bytes, 10),
    ) else {
        return Parsed::FormErr(query);
    };
    let opcode = (flags[0] >> 3) & 0x0F;
    if qdcount == 1
        && let Some(len) = name_length(bytes, 12)
        && let (Some(qtype), Some(qclass)) = (u16_at(bytes, 12 + len), u16_at(bytes, 14 + len))
    {
        query.name = bytes.get(12..12 + len).unwrap_or_default();
        query.question = bytes.get(12..16 + len).unwrap_or_default();
        query.qtype = qtype;
        query.qclass = qclass;
    }
    if opcode != 0 {
        return Parsed::NotImp(query);
    }
    if query.question.is_empty() || ancount != 0 || nscount != 0 || query.qtype == TYPE_OPT {
        return Parsed::FormErr(query);
    }
    // The additional section: at most one OPT, owned by the root (RFC 6891 §6.1.1).
    let mut at = 12 + query.question.len();
    for _ in 0..arcount {
        let Some((end, root)) = skip_name(bytes, at) else {
            return Parsed::FormErr(query);
        };
        let (Some(rtype), Some(class), Some(ttl_high), Some(ttl_low), Some(rdlength)) = (
            u16_at(bytes, end),
            u16_at(bytes, end + 2),
            u16_at(bytes, end + 4),
            u16_at(bytes, end + 6),
            u16_at(bytes, end + 8),
        ) else {
            return Parsed::FormErr(query);
        };
        let next = end + 10 + usize::from(rdlength);
        if next > bytes.len() {
            return Parsed::FormErr(query);
        }
        if rtype == TYPE_OPT {
            if query.edns.is_some() || !root {
                query.edns = None;
                return Parsed::FormErr(query);
            }
            query.edns = Some(Edns {
                payload: class,
                version: ttl_high.to_be_bytes()[1],
                dnssec_ok: ttl_low & 0x8000 != 0,
            });
        }
        at = next;
    }
    Parsed::Query(query)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(name: &[u8], qtype: u16, additional: &[u8], arcount: u8) -> Vec<u8> {
        let mut q = vec![0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, arcount];
        q.extend_from_slice(name);
        q.extend_from_slice(&qtype.to_be_bytes());
        q.extend_from_slice(&[0, 1]);
        q.extend_from_slice(additional);
        q
    }

    #[test]
    fn reads_question_and_edns() {
        let opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0x80, 0, 0, 0];
        let bytes = query(b"\x03WWW\x07example\x00", 1, &opt, 1);
        let Parsed::Query(q) = parse(&bytes) else {
            panic!()
        };
        assert_eq!(q.id, [0xab, 0xcd]);
        assert_eq!(q.name, b"\x03WWW\x07example\x00");
        assert_eq!(q.qtype, 1);
        assert_eq!(
            q.edns,
            Some(Edns {
                payload: 1232,
                version: 0,
                dnssec_ok: true
            })
        );
    }

    #[test]
    fn malformed_queries_are_formerr_or_dropped() {
        assert!(matches!(parse(&[1]), Parsed::Drop));
        assert!(matches!(parse(&[1, 2, 3]), Parsed::FormErr(_)));
        let mut response = query(b"\x00", 1, &[], 0);
        response[2] |= 0x80;
        assert!(matches!(parse(&response), Parsed::Drop));
        // Two OPT records.
        let opt = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0];
        let twice = [opt, opt].concat();
        assert!(matches!(
            parse(&query(b"\x00", 1, &twice, 2)),
            Parsed::FormErr(_)
        ));
        // A compressed question name.
        assert!(matches!(
            parse(&query(b"\xc0\x0c", 1, &[], 0)),
            Parsed::FormErr(_)
        ));
        // An OPT whose data runs past the end.
        assert!(matches!(
            parse(&query(b"\x00", 1, &[0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 9], 1)),
            Parsed::FormErr(_)
        ));
        let mut notify = query(b"\x00", 6, &[], 0);
        notify[2] = 0x20;
        assert!(matches!(parse(&notify), Parsed::NotImp(_)));
    }
}
