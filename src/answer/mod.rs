//! The answer path: a zone compiled into an [`AnswerTable`], and the allocation-free
//! [`AnswerTable::answer`].

mod compile;
mod index;
mod query;

use hickory_proto::rr::{Name, RecordType};

use crate::error::ZoneError;
use crate::schema;
use crate::zone::Zone;
use compile::{Fragment, Index, NONE, Node, RrsetEntry, Target};
pub use index::{Hit, ZoneIndex};
use query::{Edns, Parsed, Query};

/// The UDP payload size this server offers in its OPT record (the 2020 DNS flag day's).
pub const EDNS_PAYLOAD: u16 = 1232;

/// The longest CNAME or DNAME chain followed inside the zone.
pub const MAX_CHAIN: usize = 8;

const HEADER: usize = 12;
const OPT_LEN: usize = 11;
const TYPE_NS: u16 = 2;
const TYPE_CNAME: u16 = 5;
const TYPE_DNAME: u16 = 39;
const TYPE_DS: u16 = 43;
/// NXNAME (RFC 9824), a meta type: never asked for.
const TYPE_NXNAME: u16 = 128;
const TYPE_IXFR: u16 = 251;
const TYPE_AXFR: u16 = 252;
const TYPE_MAILB: u16 = 253;
const TYPE_MAILA: u16 = 254;
const TYPE_ANY: u16 = 255;

/// The RCODEs this answer path sets (RFC 1035 §4.1.1, RFC 6672 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Rcode {
    NoError = 0,
    FormErr = 1,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
    YxDomain = 6,
}

/// The sections of a response that records are counted in (RFC 1035 §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
enum Section {
    Answer = 0,
    Authority = 1,
    Additional = 2,
}

/// How the query arrived: it decides the size limit and whether TC may be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// UDP: at most 512 octets, or the client's EDNS payload size (up to
    /// [`EDNS_PAYLOAD`]); TC when the answer does not fit.
    Udp,
    /// TCP: up to 65,535 octets; TC is set only when the response is larger than `out`
    /// or than 65,535 octets (a CNAME chain ending in a huge RRset). The message has no
    /// two-octet length prefix: the caller frames it (RFC 1035 §4.2.2).
    Tcp,
}

/// A zone compiled for answering queries, and [`AnswerTable::answer`], which turns query
/// bytes into authoritative response bytes in a caller's buffer, without allocating and
/// without panicking on any input.
///
/// Semantics are those of an authoritative server (RFC 1034 §4.3.2 and successors): AA
/// on in-zone answers; NXDOMAIN and NODATA with the SOA in authority, its TTL the smaller
/// of the SOA's TTL and MINIMUM (RFC 2308 §3); in-zone CNAME chains (at most
/// 8 steps); DNAME (RFC 6672) with a synthesized CNAME, and YXDOMAIN when the new name is
/// too long; wildcards (RFC 4592); referrals below zone cuts with glue (AA clear; DS
/// answered at the parent side); REFUSED outside the zone; FORMERR for malformed
/// queries; NOTIMP for opcodes other than QUERY; EDNS(0) (RFC 6891: OPT echoed with a
/// payload of 1232, BADVERS for versions above 0, DO echoed, options ignored); UDP
/// responses no larger than the client allows (512 octets without EDNS), with TC and an
/// empty answer when the answer does not fit; ANY answered with one RRset (RFC 8482); the
/// question echoed as asked, case included.
///
/// ```
/// use multiprimary::{AnswerTable, Transport, Zone};
///
/// let zone: Zone = "$ORIGIN example.\n@ 60 IN SOA ns h 1 2 3 4 5\n@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n"
///     .parse()
///     .unwrap();
/// let table = AnswerTable::compile(&zone).unwrap();
/// // ID 0x1234, RD, one question: ns.example. A IN.
/// let query = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x02ns\x07example\x00\x00\x01\x00\x01";
/// let mut out = [0u8; 512];
/// let len = table.answer(query, Transport::Udp, &mut out).unwrap();
/// assert_eq!(&out[..4], b"\x12\x34\x85\x00", "ID, QR AA RD, NOERROR");
/// assert_eq!(&out[len - 4..len], &[192, 0, 2, 1]);
/// ```
#[derive(Debug, Clone)]
pub struct AnswerTable {
    origin: Box<[u8]>,
    class: u16,
    index: Index,
    nodes: Vec<Node>,
    bytes: Vec<u8>,
    negative: Fragment,
}

/// Why a query got no response at all. Small, `Copy`, allocation-free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// Fewer than two octets: not even an ID to echo.
    #[error("query of {len} octets is too short to answer")]
    ShortQuery {
        /// The query's length.
        len: usize,
    },
    /// The QR bit is set: a response, which is never answered (it could start a loop).
    #[error("the message is a response, not a query")]
    NotQuery,
    /// The output buffer cannot hold even the header and question.
    #[error("output buffer of {len} octets is too small; {needed} needed")]
    BufferTooSmall {
        /// The buffer's length.
        len: usize,
        /// The octets needed.
        needed: usize,
    },
}

/// Why a zone could not be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CompileError {
    /// The zone breaks rules servers enforce.
    #[error(transparent)]
    Zone(ZoneError),
    /// The zone is a template: project it first.
    #[error("{owner} {record_type} is a LOCAL-IP placeholder: project the template first")]
    Placeholder {
        /// The owner.
        owner: Box<Name>,
        /// A or AAAA.
        record_type: RecordType,
    },
    /// The zone does not fit the table's 32-bit offsets, or an RRset cannot fit in any
    /// response (65,535 octets with the header and question).
    #[error("the zone is too large to compile")]
    TooLarge,
}

/// What a name resolves to in the zone.
#[derive(Debug, Clone, Copy)]
enum Outcome {
    /// An RRset of the node answers (for a wildcard match, the wildcard's node): the node
    /// and the RRset, found once (reading the node again would cost a cache miss).
    Answer(u32, RrsetEntry),
    /// A CNAME at the node answers, and the chain goes on at its target.
    Cname(u32, RrsetEntry),
    /// A DNAME strictly above the name (its owner's node) rewrites it.
    Dname(u32),
    /// The name is at or below a zone cut: the cut's node (for a name at the cut, the
    /// index's copy, which saves reading it again).
    Referral(Node),
    /// The name exists (or a wildcard matched) without data of the type.
    NoData,
    /// The name does not exist.
    NxDomain,
}

/// The response being written into the caller's buffer.
struct Response<'o> {
    out: &'o mut [u8],
    len: usize,
    limit: usize,
    counts: [u16; 3],
    origin_pointer: u16,
}

impl Response<'_> {
    /// Copies a fragment and writes its pointers; `false` (and nothing written) if it
    /// does not fit or a pointer would be out of reach.
    /// `owner` is where owner pointers point; `rrset` is where the RRset an additional
    /// fragment belongs to was written.
    fn fragment(
        &mut self,
        table: &AnswerTable,
        fragment: Fragment,
        owner: u16,
        rrset: u16,
        section: Section,
    ) -> bool {
        let start = fragment.start as usize;
        let len = fragment.len as usize;
        let (Some(bytes), Some(end)) = (
            table.bytes.get(start..start + len),
            self.len.checked_add(len),
        ) else {
            return false;
        };
        if end > self.limit {
            return false;
        }
        let patch_start = fragment.patches as usize;
        let patches = table
            .bytes
            .get(patch_start..patch_start + 6 * fragment.patch_count as usize)
            .unwrap_or_default();
        let Some(slot) = self.out.get_mut(self.len..end) else {
            return false;
        };
        slot.copy_from_slice(bytes);
        for patch in patches.chunks_exact(6) {
            let field = |at: usize| {
                patch
                    .get(at..at + 2)
                    .and_then(|b| b.try_into().ok())
                    .map_or(0, u16::from_be_bytes)
            };
            let value = match Target::decode(field(2), field(4)) {
                Target::Origin => self.origin_pointer,
                Target::Owner => owner,
                Target::Base(offset) => rrset.saturating_add(offset),
            };
            let at = self.len + usize::from(field(0));
            match (value < 0x4000, self.out.get_mut(at..at + 2)) {
                (true, Some(pointer)) => pointer.copy_from_slice(&(0xC000 | value).to_be_bytes()),
                _ => return false,
            }
        }
        self.len = end;
        if let Some(count) = self.counts.get_mut(section as usize) {
            *count = count.saturating_add(fragment.records);
        }
        true
    }

    fn bytes(&mut self, bytes: &[u8]) -> bool {
        let end = self.len + bytes.len();
        match self.out.get_mut(self.len..end) {
            Some(slot) if end <= self.limit => {
                slot.copy_from_slice(bytes);
                self.len = end;
                true
            }
            _ => false,
        }
    }
}

/// Where the name being resolved is: its lowercased wire form, and where it is written
/// in the response (the question, or the data of the previous CNAME).
struct Current {
    lower: [u8; 255],
    len: usize,
    position: u16,
}

impl Current {
    fn name(&self) -> &[u8] {
        self.lower.get(..self.len).unwrap_or_default()
    }
}

/// One walk down a chain of CNAMEs and DNAMEs (see `AnswerTable::resolve_into`).
struct Chain {
    current: Current,
    // The nodes answered at each step, to stop a CNAME loop.
    visited: [u32; MAX_CHAIN + 1],
    // Additional-section fragments to write after the answer, and where the RRset each
    // belongs to was written.
    additional: [Option<(Fragment, u16)>; MAX_CHAIN + 1],
    pending: usize,
    // Whether the additional section holds a referral's glue.
    referral_glue: bool,
    rcode: Rcode,
    // A step did not fit: the walk goes on without writing, and the response is then
    // truncated.
    overflowed: bool,
}

impl Chain {
    /// Keeps `fragment` (written after an RRset at `base`) for the additional section;
    /// whether it was kept.
    fn add(&mut self, fragment: Fragment, base: usize) -> bool {
        if fragment.records == 0 {
            return false;
        }
        match (self.additional.get_mut(self.pending), u16::try_from(base)) {
            (Some(slot), Ok(base)) => {
                *slot = Some((fragment, base));
                self.pending += 1;
                true
            }
            _ => false,
        }
    }
}

/// Where a step of the chain leaves the walk.
enum Step {
    /// On to the next name.
    Next,
    /// The answer is complete.
    Done,
    /// The step did not fit the response: again, without writing.
    Overflow,
}

impl AnswerTable {
    /// Compiles a zone: every RRset rendered as response records once, every name
    /// indexed, cuts, DNAMEs and wildcards resolved ahead of time.
    ///
    /// # Errors
    ///
    /// The zone breaks a rule servers enforce ([`Zone::check`]), is a template, or is too
    /// large for the table.
    pub fn compile(zone: &Zone) -> Result<Self, CompileError> {
        compile::compile(zone)
    }

    /// Answers one query: reads `query`, writes the response into `out`, and returns its
    /// length. Allocates nothing; never panics; never writes past `out`.
    ///
    /// `query` and the response are DNS messages as RFC 1035 §4.1 defines them, *without*
    /// the two-octet length prefix that frames each message on TCP (RFC 1035 §4.2.2): a
    /// TCP server reads the prefix, passes the message, and writes `len` as a prefix
    /// before `out[..len]`. The size of `out` bounds the response: over UDP it never
    /// exceeds 512 octets, or the client's EDNS payload size up to [`EDNS_PAYLOAD`], so
    /// 1,232 octets always suffice; over TCP a response can take up to 65,535 octets, and
    /// one that does not fit a smaller `out` is truncated (TC set).
    ///
    /// Queries and responses can be built and read with hickory-proto's `Message`
    /// (re-exported as `multiprimary::hickory_proto`). hickory's encoder writes the
    /// question in lower case, so a test of the case-preserving echo (RFC 4343 §4.1)
    /// needs query bytes written by hand, as in the [crate](self) example.
    ///
    /// ```
    /// use multiprimary::{AnswerTable, Transport, Zone};
    /// use multiprimary::hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
    /// use multiprimary::hickory_proto::rr::{Name, RData, RecordType};
    ///
    /// let zone: Zone = "$ORIGIN example.\n@ 60 SOA ns h 1 2 3 4 5\n@ 60 NS ns\n\
    ///                   ns 60 A 192.0.2.1\n".parse().unwrap();
    /// let table = AnswerTable::compile(&zone).unwrap();
    ///
    /// let mut query = Message::new(7, MessageType::Query, OpCode::Query);
    /// query.add_query(Query::query(Name::from_ascii("ns.example.").unwrap(), RecordType::A));
    /// let bytes = query.to_vec().unwrap();
    ///
    /// let mut out = [0u8; 1232]; // the most any UDP response takes
    /// let len = table.answer(&bytes, Transport::Udp, &mut out).unwrap();
    /// let response = Message::from_vec(&out[..len]).unwrap();
    /// assert_eq!(response.metadata.id, 7);
    /// assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    /// assert!(response.metadata.authoritative);
    /// assert!(matches!(response.answers[0].data, RData::A(a) if a.0.octets() == [192, 0, 2, 1]));
    /// ```
    ///
    /// # Errors
    ///
    /// Only when there is nothing to send: a query too short to echo its ID, a response
    /// (QR set), or an `out` too small for the header and question.
    pub fn answer(
        &self,
        query: &[u8],
        transport: Transport,
        out: &mut [u8],
    ) -> Result<usize, AnswerError> {
        let (query, rcode) = match query::parse(query) {
            Parsed::Drop if query.len() < 2 => {
                return Err(AnswerError::ShortQuery { len: query.len() });
            }
            Parsed::Drop => return Err(AnswerError::NotQuery),
            Parsed::Query(query) => (query, None),
            Parsed::FormErr(query) => (query, Some(Rcode::FormErr)),
            Parsed::NotImp(query) => (query, Some(Rcode::NotImp)),
        };
        let edns = query.edns;
        let opt = if edns.is_some() { OPT_LEN } else { 0 };
        let needed = HEADER + query.question.len() + opt;
        if out.len() < needed {
            return Err(AnswerError::BufferTooSmall {
                len: out.len(),
                needed,
            });
        }
        let limit = match transport {
            Transport::Udp => edns.map_or(512, |e| usize::from(e.payload.clamp(512, EDNS_PAYLOAD))),
            Transport::Tcp => usize::from(u16::MAX),
        }
        .min(out.len())
        .max(needed);
        let mut response = Response {
            out,
            len: HEADER,
            limit: limit - opt,
            counts: [0; 3],
            origin_pointer: 0,
        };
        response.bytes(query.question);
        let mut authoritative = false;
        let mut truncated = false;
        // (BADVERS, for an EDNS version above 0, is in the OPT record's extended RCODE.)
        let rcode = match rcode {
            Some(rcode) => rcode,
            None if edns.is_some_and(|e| e.version > 0) => Rcode::NoError,
            None => self.resolve_into(&query, &mut response, &mut authoritative, &mut truncated),
        } as u8;
        response.limit = limit;
        let len = response.len;
        let counts = response.counts;
        let out = response.out;
        let [an, ns, ar] = counts;
        let ar = ar.saturating_add(u16::from(edns.is_some())).to_be_bytes();
        // Header: ID, QR, opcode, AA, TC, RD; CD copied; RA and AD clear.
        let header = [
            query.id[0],
            query.id[1],
            0x80 | (query.flags[0] & 0x79)
                | if authoritative { 0x04 } else { 0 }
                | if truncated { 0x02 } else { 0 },
            (query.flags[1] & 0x10) | (rcode & 0x0F),
            0,
            u8::from(!query.question.is_empty()),
            an.to_be_bytes()[0],
            an.to_be_bytes()[1],
            ns.to_be_bytes()[0],
            ns.to_be_bytes()[1],
            ar[0],
            ar[1],
        ];
        if let Some(slot) = out.get_mut(..HEADER) {
            slot.copy_from_slice(&header);
        }
        let mut len = len;
        if let Some(edns) = edns {
            len += write_opt(out.get_mut(len..len + OPT_LEN).unwrap_or_default(), edns);
        }
        Ok(len)
    }

    /// Answers one query received over TCP, writing the response as TCP carries it: the
    /// two-octet length prefix (RFC 1035 §4.2.2), then the message. `query` is the
    /// message without its prefix; returns the length of prefix and message together.
    /// A `out` of 65,537 octets holds any response. Allocates nothing; never panics.
    ///
    /// ```
    /// use multiprimary::{AnswerTable, Zone};
    ///
    /// let zone: Zone = "$ORIGIN example.\n@ 60 SOA ns h 1 2 3 4 5\n@ 60 NS ns\n\
    ///                   ns 60 A 192.0.2.1\n".parse().unwrap();
    /// let table = AnswerTable::compile(&zone).unwrap();
    /// let query = b"\x12\x34\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x02ns\x07example\x00\x00\x01\x00\x01";
    /// let mut out = vec![0u8; 2 + 65_535];
    /// let len = table.answer_tcp(query, &mut out).unwrap();
    /// assert_eq!(usize::from(u16::from_be_bytes([out[0], out[1]])), len - 2);
    /// assert_eq!(&out[2..4], b"\x12\x34");
    /// ```
    ///
    /// # Errors
    ///
    /// As [`answer`](Self::answer), for an `out` without the two octets more.
    pub fn answer_tcp(&self, query: &[u8], out: &mut [u8]) -> Result<usize, AnswerError> {
        let Some((prefix, body)) = out.split_first_chunk_mut::<2>() else {
            return Err(AnswerError::BufferTooSmall {
                len: 0,
                needed: HEADER + 2,
            });
        };
        let len = self.answer(query, Transport::Tcp, body)?;
        // `answer` writes at most 65,535 octets over TCP.
        *prefix = u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes();
        Ok(len + 2)
    }

    /// Resolves the question into the answer, authority and additional sections; returns
    /// the RCODE.
    ///
    /// The chain is walked once, a step per name: a CNAME or DNAME leads to the next.
    /// Should a step not fit the response, the walk goes on from that step without
    /// writing, to find the RCODE the whole answer carries (a Name Error at the end of a
    /// CNAME chain, RFC 6604; the YXDOMAIN of a DNAME substitution, RFC 6672 §2.2), and
    /// the response is then truncated: sections empty, TC set, that RCODE kept.
    fn resolve_into(
        &self,
        query: &Query<'_>,
        response: &mut Response<'_>,
        authoritative: &mut bool,
        truncated: &mut bool,
    ) -> Rcode {
        // Built where it stays: `Chain` is large, and moving it in would copy it.
        let mut chain = Chain {
            current: Current {
                lower: [0; 255],
                len: query.name.len(),
                position: HEADER as u16,
            },
            visited: [NONE; MAX_CHAIN + 1],
            additional: [None; MAX_CHAIN + 1],
            pending: 0,
            referral_glue: false,
            rcode: Rcode::NoError,
            overflowed: false,
        };
        if let Some(slot) = chain.current.lower.get_mut(..query.name.len()) {
            slot.copy_from_slice(query.name);
            schema::lowercase_wire_name(slot);
        }
        if query.qclass != self.class || !self.in_zone(chain.current.name()) {
            return Rcode::Refused;
        }
        match query.qtype {
            // Transfers are the server's business, over TCP.
            TYPE_IXFR | TYPE_AXFR => return Rcode::Refused,
            TYPE_MAILB | TYPE_MAILA => return Rcode::NotImp,
            // A meta type (RFC 9824 §3.5).
            TYPE_NXNAME => return Rcode::FormErr,
            _ => {}
        }
        response.origin_pointer = (HEADER + query.name.len() - self.origin.len()) as u16;
        let answer_start = response.len;
        let mut step = 0;
        while step <= MAX_CHAIN {
            let outcome = self.resolve(chain.current.name(), query.qtype);
            if step == 0 {
                *authoritative = !matches!(outcome, Outcome::Referral(..));
            }
            let next = match outcome {
                Outcome::Answer(node, entry) => {
                    self.answer_step(response, &mut chain, step, node, entry, false)
                }
                Outcome::Cname(node, entry) => {
                    self.answer_step(response, &mut chain, step, node, entry, true)
                }
                Outcome::Dname(node) => self.dname_step(response, &mut chain, node),
                Outcome::Referral(cut) => self.referral_step(response, &mut chain, &cut),
                Outcome::NoData => self.negative_step(response, &mut chain, Rcode::NoError),
                Outcome::NxDomain => self.negative_step(response, &mut chain, Rcode::NxDomain),
            };
            match next {
                Step::Next => step += 1,
                Step::Done => break,
                // The same step again, without writing (it cannot overflow twice).
                Step::Overflow => chain.overflowed = true,
            }
        }
        if chain.overflowed {
            response.len = answer_start;
            response.counts = [0; 3];
            *truncated = true;
            return chain.rcode;
        }
        for (fragment, base) in chain.additional.iter().take(chain.pending).flatten() {
            let placed = response.fragment(self, *fragment, 0, *base, Section::Additional);
            if !placed && chain.referral_glue && response.limit < usize::from(u16::MAX) {
                // Glue is required for a referral to work (RFC 9471 §3).
                *truncated = true;
            }
        }
        chain.rcode
    }

    /// An RRset that answers (or a CNAME, which leads on to its target), at step `step`.
    fn answer_step(
        &self,
        response: &mut Response<'_>,
        chain: &mut Chain,
        step: usize,
        node: u32,
        entry: RrsetEntry,
        cname: bool,
    ) -> Step {
        // A CNAME loop ends where it comes back (RFC 1034 §3.6.2): no RRset twice in one
        // answer (RFC 2181 §5).
        if chain.visited.iter().take(step).any(|&v| v == node) {
            return Step::Done;
        }
        if let Some(slot) = chain.visited.get_mut(step) {
            *slot = node;
        }
        let mut position = 0;
        if !chain.overflowed {
            let base = response.len;
            let owner = chain.current.position;
            if !response.fragment(self, entry.records, owner, 0, Section::Answer) {
                return Step::Overflow;
            }
            chain.add(entry.additional, base);
            let Ok(at) = u16::try_from(base + usize::from(entry.target_offset)) else {
                return Step::Done;
            };
            position = at;
        }
        if !cname || step == MAX_CHAIN {
            return Step::Done;
        }
        // Follow the CNAME to its target, if it is ours.
        if self.follow(&mut chain.current, self.target(entry), position) {
            Step::Next
        } else {
            Step::Done
        }
    }

    /// A DNAME above the name: the DNAME, the CNAME it synthesizes, and on to its target.
    fn dname_step(&self, response: &mut Response<'_>, chain: &mut Chain, node: u32) -> Step {
        let Some(entry) = self.rrset_of(node, TYPE_DNAME) else {
            return Step::Done;
        };
        let owner_len = self.node(node).map_or(0, |n| usize::from(n.name_len));
        if chain.overflowed {
            let current = &mut chain.current;
            let prefix_len = current.len.saturating_sub(owner_len);
            let mut next = [0u8; 255];
            let prefix = current.lower.get(..prefix_len).unwrap_or_default();
            let Some(name) = joined(prefix, self.target(entry), &mut next) else {
                chain.rcode = Rcode::YxDomain;
                return Step::Done;
            };
            return if self.follow(current, name, 0) {
                Step::Next
            } else {
                Step::Done
            };
        }
        let current = &mut chain.current;
        let Some(owner) = suffix_pointer(response.out, current.position, current.len, owner_len)
        else {
            return Step::Done;
        };
        let base = response.len;
        if !response.fragment(self, entry.records, owner, 0, Section::Answer) {
            return Step::Overflow;
        }
        match self.synthesize(response, current, entry, base, owner_len) {
            Synthesized::Followed => Step::Next,
            Synthesized::Done => Step::Done,
            Synthesized::TooLong => {
                chain.rcode = Rcode::YxDomain;
                Step::Done
            }
            Synthesized::NoRoom => Step::Overflow,
        }
    }

    /// A referral: the cut's NS RRset in authority, its glue in additional.
    fn referral_step(&self, response: &mut Response<'_>, chain: &mut Chain, cut: &Node) -> Step {
        if chain.overflowed {
            return Step::Done;
        }
        let Some(entry) = self.rrset_in(cut, TYPE_NS) else {
            return Step::Done;
        };
        let current = &chain.current;
        let cut_len = usize::from(cut.name_len);
        let Some(owner) = suffix_pointer(response.out, current.position, current.len, cut_len)
        else {
            return Step::Done;
        };
        let base = response.len;
        if !response.fragment(self, entry.records, owner, 0, Section::Authority) {
            return Step::Overflow;
        }
        if chain.add(entry.additional, base) {
            chain.referral_glue = true;
        }
        Step::Done
    }

    /// NODATA or NXDOMAIN: the SOA in authority (RFC 2308 §3).
    fn negative_step(&self, response: &mut Response<'_>, chain: &mut Chain, rcode: Rcode) -> Step {
        // (A truncated negative answer keeps its RCODE.)
        chain.rcode = rcode;
        if !chain.overflowed
            && !response.fragment(
                self,
                self.negative,
                response.origin_pointer,
                0,
                Section::Authority,
            )
        {
            return Step::Overflow;
        }
        Step::Done
    }

    /// Whether `name` (lowercased) is the origin or below it.
    fn in_zone(&self, name: &[u8]) -> bool {
        name.len() >= self.origin.len()
            && name.ends_with(&self.origin)
            && schema::is_label_start(name, name.len() - self.origin.len())
    }

    fn node(&self, id: u32) -> Option<&Node> {
        self.nodes.get(id as usize)
    }

    /// The encoded RRset entries of a node already read (from the index, say).
    fn rrsets_in(&self, node: &Node) -> std::slice::ChunksExact<'_, u8> {
        let start = node.rrsets as usize;
        self.bytes
            .get(start..start + usize::from(node.rrset_count) * RrsetEntry::SIZE)
            .unwrap_or_default()
            .chunks_exact(RrsetEntry::SIZE)
    }

    fn rrset_of(&self, id: u32, record_type: u16) -> Option<RrsetEntry> {
        self.rrset_in(self.node(id)?, record_type)
    }

    fn rrset_in(&self, node: &Node, record_type: u16) -> Option<RrsetEntry> {
        self.rrsets_in(node)
            .find(|e| RrsetEntry::record_type_of(e) == record_type)
            .map(RrsetEntry::decode)
    }

    /// The referral to the cut above (or at) node `id`, read from the index as `node`.
    fn referral(&self, id: u32, node: Node) -> Outcome {
        if node.cut == id {
            return Outcome::Referral(node);
        }
        // A cut always has a node; should the table say otherwise, the answer is NODATA.
        self.node(node.cut)
            .map_or(Outcome::NoData, |&cut| Outcome::Referral(cut))
    }

    /// The RRset of `node` that answers `qtype`: the CNAME (unless CNAME was asked), the
    /// RRset of the type, or for ANY the first RRset (RFC 8482 §4.2).
    fn select(&self, node: &Node, qtype: u16) -> Option<RrsetEntry> {
        let mut rrsets = self.rrsets_in(node);
        if qtype == TYPE_ANY {
            return rrsets.next().map(RrsetEntry::decode);
        }
        let mut found = None;
        for entry in rrsets {
            let record_type = RrsetEntry::record_type_of(entry);
            if record_type == TYPE_CNAME && qtype != TYPE_CNAME {
                return Some(RrsetEntry::decode(entry));
            }
            if record_type == qtype && found.is_none() {
                found = Some(entry);
            }
        }
        found.map(RrsetEntry::decode)
    }

    /// What `name` (lowercased, in the zone) resolves to for `qtype`.
    // Kept out of line: inlined into the chain walk, it left the node lookups it makes
    // out of line instead, which costs more (callgrind: 4% more instructions per NXDOMAIN).
    #[inline(never)]
    fn resolve(&self, name: &[u8], qtype: u16) -> Outcome {
        if let Some(&(id, node)) = self.index.get(name) {
            // A cut comes first (RFC 1034 §4.3.2 step 3b): whatever lies at or below it,
            // a DNAME included, is the child's.
            if node.cut != NONE && !(node.cut == id && qtype == TYPE_DS) {
                return self.referral(id, node);
            }
            if node.dname != NONE {
                return Outcome::Dname(node.dname);
            }
            return self.data_outcome(id, &node, qtype);
        }
        // The closest encloser: the longest existing ancestor (the apex at worst).
        let mut at = 0usize;
        let closest = loop {
            at += 1 + usize::from(name.get(at).copied().unwrap_or(0));
            let Some(suffix) = name.get(at..) else {
                return Outcome::NxDomain;
            };
            if suffix.len() < self.origin.len() {
                return Outcome::NxDomain;
            }
            if let Some(&found) = self.index.get(suffix) {
                break found;
            }
        };
        let (closest, node) = closest;
        if node.cut != NONE {
            return self.referral(closest, node);
        }
        if node.dname != NONE {
            return Outcome::Dname(node.dname);
        }
        if self.rrset_of(closest, TYPE_DNAME).is_some() {
            return Outcome::Dname(closest);
        }
        if let Some(wildcard) = self.node(node.wildcard) {
            // RFC 4592 §3.3.1: the wildcard answers for the name, as if it were there.
            return self.data_outcome(node.wildcard, wildcard, qtype);
        }
        Outcome::NxDomain
    }

    fn data_outcome(&self, id: u32, node: &Node, qtype: u16) -> Outcome {
        match self.select(node, qtype) {
            Some(entry)
                if entry.record_type == TYPE_CNAME && qtype != TYPE_CNAME && qtype != TYPE_ANY =>
            {
                Outcome::Cname(id, entry)
            }
            Some(entry) => Outcome::Answer(id, entry),
            None => Outcome::NoData,
        }
    }

    /// The target name of a CNAME or DNAME RRset, as written in the zone.
    fn target(&self, entry: RrsetEntry) -> &[u8] {
        let (start, len) = entry.target;
        self.bytes
            .get(start as usize..start as usize + usize::from(len))
            .unwrap_or_default()
    }

    /// Moves `current` to `target` (written at `position`); `false` if it is not ours.
    fn follow(&self, current: &mut Current, target: &[u8], position: u16) -> bool {
        let Some(slot) = current.lower.get_mut(..target.len()) else {
            return false;
        };
        slot.copy_from_slice(target);
        schema::lowercase_wire_name(slot);
        current.len = target.len();
        current.position = position;
        self.in_zone(current.name())
    }

    /// Writes the CNAME a DNAME synthesizes for `current` (RFC 6672 §3.3) and moves
    /// `current` to its target.
    fn synthesize(
        &self,
        response: &mut Response<'_>,
        current: &mut Current,
        dname: RrsetEntry,
        base: usize,
        owner_len: usize,
    ) -> Synthesized {
        let target = self.target(dname);
        let prefix_len = current.len - owner_len;
        if prefix_len + target.len() > 255 {
            return Synthesized::TooLong;
        }
        let ttl = self
            .bytes
            .get(dname.records.start as usize + 6..dname.records.start as usize + 10)
            .and_then(|t| <[u8; 4]>::try_from(t).ok())
            .unwrap_or([0; 4]);
        let Ok(target_pointer) = u16::try_from(base + usize::from(dname.target_offset)) else {
            return Synthesized::NoRoom;
        };
        if target_pointer >= 0x4000 || current.position >= 0x4000 {
            return Synthesized::NoRoom;
        }
        // Owner, CNAME, class, TTL, length; then the prefix labels and a pointer to the
        // DNAME's target.
        let mut fixed = [0u8; 12];
        fixed[..2].copy_from_slice(&(0xC000 | current.position).to_be_bytes());
        fixed[2..4].copy_from_slice(&TYPE_CNAME.to_be_bytes());
        fixed[4..6].copy_from_slice(&self.class.to_be_bytes());
        fixed[6..10].copy_from_slice(&ttl);
        fixed[10..12].copy_from_slice(&((prefix_len + 2) as u16).to_be_bytes());
        let start = response.len;
        let data_start = start + fixed.len();
        let mut prefix = [0u8; 255];
        let Some(prefix) = prefix.get_mut(..prefix_len) else {
            return Synthesized::NoRoom;
        };
        // The prefix as it was written (the question keeps the client's case).
        let written = copy_name_prefix(response.out, current.position, prefix);
        if !written
            || !response.bytes(&fixed)
            || !response.bytes(prefix)
            || !response.bytes(&(0xC000 | target_pointer).to_be_bytes())
        {
            response.len = start;
            return Synthesized::NoRoom;
        }
        if let Some(count) = response.counts.first_mut() {
            *count += 1;
        }
        // The new name: the prefix and the target.
        let mut next = [0u8; 255];
        let Some(name) = joined(prefix, target, &mut next) else {
            return Synthesized::TooLong;
        };
        let Ok(position) = u16::try_from(data_start) else {
            return Synthesized::Done;
        };
        if self.follow(current, name, position) {
            Synthesized::Followed
        } else {
            Synthesized::Done
        }
    }
}

/// `prefix` and then `target` in `buffer`: the name a DNAME substitution makes, or `None`
/// if it is longer than a name may be (255 octets).
fn joined<'b>(prefix: &[u8], target: &[u8], buffer: &'b mut [u8; 255]) -> Option<&'b [u8]> {
    let slot = buffer.get_mut(..prefix.len() + target.len())?;
    let (head, tail) = slot.split_at_mut(prefix.len());
    head.copy_from_slice(prefix);
    tail.copy_from_slice(target);
    Some(slot)
}

/// What writing a DNAME's synthesized CNAME led to.
enum Synthesized {
    Followed,
    Done,
    TooLong,
    NoRoom,
}

/// A pointer to the last `suffix_len` octets of the name of `name_len` octets written at
/// `position` in `out`, following compression pointers.
fn suffix_pointer(out: &[u8], position: u16, name_len: usize, suffix_len: usize) -> Option<u16> {
    let mut at = usize::from(position);
    let mut remaining = name_len;
    for _ in 0..255 {
        if remaining == suffix_len {
            return u16::try_from(at).ok().filter(|&p| p < 0x4000);
        }
        let len = *out.get(at)?;
        if len & 0xC0 == 0xC0 {
            at = usize::from(u16::from_be_bytes([len & 0x3F, *out.get(at + 1)?]));
            continue;
        }
        if len == 0 || usize::from(len) + 1 > remaining {
            return None;
        }
        remaining -= 1 + usize::from(len);
        at += 1 + usize::from(len);
    }
    None
}

/// Copies the first `prefix.len()` octets of the name written at `position` (following
/// pointers) into `prefix`.
fn copy_name_prefix(out: &[u8], position: u16, prefix: &mut [u8]) -> bool {
    let mut at = usize::from(position);
    let mut filled = 0;
    for _ in 0..255 {
        if filled == prefix.len() {
            return true;
        }
        let Some(&len) = out.get(at) else {
            return false;
        };
        if len & 0xC0 == 0xC0 {
            let Some(&low) = out.get(at + 1) else {
                return false;
            };
            at = usize::from(u16::from_be_bytes([len & 0x3F, low]));
            continue;
        }
        // The label with its length octet.
        let label_end = at + 1 + usize::from(len);
        let Some(label) = out.get(at..label_end) else {
            return false;
        };
        let Some(slot) = prefix.get_mut(filled..filled + label.len()) else {
            return false;
        };
        slot.copy_from_slice(label);
        filled += label.len();
        at = label_end;
    }
    false
}

/// Writes the OPT record (RFC 6891 §6.1.2): root owner, our payload size, the extended
/// RCODE (BADVERS for versions above 0), version 0, DO echoed. Returns its length.
fn write_opt(out: &mut [u8], edns: Edns) -> usize {
    let extended = if edns.version > 0 { 1 } else { 0 };
    let opt = [
        0,
        0,
        41,
        EDNS_PAYLOAD.to_be_bytes()[0],
        EDNS_PAYLOAD.to_be_bytes()[1],
        extended,
        0,
        if edns.dnssec_ok { 0x80 } else { 0 },
        0,
        0,
        0,
    ];
    match out.get_mut(..OPT_LEN) {
        Some(slot) => {
            slot.copy_from_slice(&opt);
            OPT_LEN
        }
        None => 0,
    }
}
