//! Zones in DNS wire format (RFC 1035 §4.1): a whole zone as an AXFR response stream
//! (RFC 5936) and back, and the canonical wire form of records (RFC 4034 §6.2).
//!
//! ```
//! use multiprimary::{wire, Zone};
//!
//! let zone: Zone = "$ORIGIN example.\n@ 60 IN SOA ns h 1 2 3 4 5\n@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n"
//!     .parse()
//!     .unwrap();
//! let messages = wire::encode_axfr(&zone, 0x1234).unwrap();
//! assert_eq!(messages.len(), 1);
//! assert_eq!(wire::decode_axfr(messages.iter().map(Vec::as_slice)).unwrap(), zone);
//! ```

use std::collections::HashMap;

use hickory_proto::rr::{DNSClass, Name, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};

use crate::schema::{self, Field, name_wire};
use crate::zone::{RecordRef, Zone, data_fits};

/// The largest DNS message over TCP (RFC 1035 §4.2.2: a two-octet length).
pub const MAX_MESSAGE: usize = 65_535;

const HEADER: usize = 12;
const AXFR: u16 = 252;

/// Why a zone could not be encoded, or a stream decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The zone is a template: a `LOCAL-IP` placeholder has no wire form.
    #[error("{owner} {record_type} is a LOCAL-IP placeholder: project the template first")]
    Placeholder {
        /// The owner.
        owner: Box<Name>,
        /// A or AAAA.
        record_type: RecordType,
    },
    /// The zone has no SOA at its apex, which an AXFR stream begins and ends with.
    #[error("the zone has no SOA record at its apex")]
    NoSoa,
    /// One record larger than a whole message.
    #[error("{owner} {record_type} does not fit in one DNS message")]
    RecordTooLarge {
        /// The owner.
        owner: Box<Name>,
        /// The type.
        record_type: RecordType,
    },
    /// A message that is not a well-formed AXFR response.
    #[error("message {message}, octet {offset}: {reason}")]
    Malformed {
        /// The message's index in the stream, from 0.
        message: usize,
        /// Where in the message.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A stream whose records do not begin and end with the same SOA (RFC 5936 §2.2).
    #[error("the stream does not begin and end with the same SOA record")]
    UnframedStream,
    /// A stream with more records than the limit (see [`decode_axfr_limited`]).
    #[error("the stream holds more than the limit of {limit} records")]
    TooManyRecords {
        /// The limit.
        limit: usize,
    },
}

/// The most records [`decode_axfr`] accepts in one stream, as many as
/// [`text::Limits`](crate::text::Limits) allows in zone text by default.
pub const MAX_RECORDS: usize = 10_000_000;

/// Writes names, compressing them against the names already in the message (RFC 1035
/// §4.1.4): pointers to earlier suffixes spelled the same, case included, so that a
/// transfer keeps every name's case.
struct Compressor {
    suffixes: HashMap<Vec<u8>, u16>,
}

impl Compressor {
    fn new() -> Self {
        Self {
            suffixes: HashMap::new(),
        }
    }

    /// Appends `name` (uncompressed wire form) to `out`, compressed.
    fn write(&mut self, name: &[u8], out: &mut Vec<u8>) {
        let mut at = 0;
        while let Some(&len) = name.get(at) {
            if len == 0 {
                out.push(0);
                return;
            }
            let suffix = name.get(at..).unwrap_or_default();
            let key = suffix.to_vec();
            if let Some(&pointer) = self.suffixes.get(&key) {
                out.extend_from_slice(&(0xC000 | pointer).to_be_bytes());
                return;
            }
            if let Ok(offset) = u16::try_from(out.len())
                && offset < 0x4000
            {
                self.suffixes.insert(key, offset);
            }
            out.extend_from_slice(name.get(at..at + 1 + usize::from(len)).unwrap_or_default());
            at += 1 + usize::from(len);
        }
    }
}

/// Types whose RDATA names may be compressed (RFC 3597 §4: those of RFC 1035).
fn compressible(record_type: RecordType) -> bool {
    matches!(u16::from(record_type), 2..=9 | 12 | 14 | 15)
}

/// One AXFR message under construction.
struct Message {
    bytes: Vec<u8>,
    compressor: Compressor,
    count: u16,
}

impl Message {
    fn new(id: u16, question: Option<(&Name, DNSClass)>) -> Self {
        let mut bytes = Vec::with_capacity(4096);
        bytes.extend_from_slice(&id.to_be_bytes());
        // QR, AA; opcode QUERY; RCODE NOERROR (RFC 5936 §2.2).
        bytes.extend_from_slice(&[0x84, 0x00]);
        bytes.extend_from_slice(&[0, u8::from(question.is_some()), 0, 0, 0, 0, 0, 0]);
        let mut compressor = Compressor::new();
        if let Some((origin, class)) = question {
            compressor.write(&name_wire(origin), &mut bytes);
            bytes.extend_from_slice(&AXFR.to_be_bytes());
            bytes.extend_from_slice(&u16::from(class).to_be_bytes());
        }
        Self {
            bytes,
            compressor,
            count: 0,
        }
    }

    /// Appends a record; it must fit (see `bound`).
    fn push(&mut self, owner: &[u8], record: &RecordRef<'_>) {
        self.compressor.write(owner, &mut self.bytes);
        self.bytes
            .extend_from_slice(&u16::from(record.record_type()).to_be_bytes());
        self.bytes
            .extend_from_slice(&u16::from(record.class()).to_be_bytes());
        self.bytes.extend_from_slice(&record.ttl().to_be_bytes());
        let length_at = self.bytes.len();
        self.bytes.extend_from_slice(&[0, 0]);
        let data = record.data();
        let fields = schema::schema(u16::from(record.record_type()))
            .filter(|_| compressible(record.record_type()))
            .and_then(|(fields, _)| schema::split(fields, data));
        match fields {
            Some(fields) => {
                for (field, value) in fields {
                    if field == Field::Name {
                        self.compressor.write(value, &mut self.bytes);
                    } else {
                        self.bytes.extend_from_slice(value);
                    }
                }
            }
            None => self.bytes.extend_from_slice(data),
        }
        let length = u16::try_from(self.bytes.len() - length_at - 2).unwrap_or(u16::MAX);
        if let Some(slot) = self.bytes.get_mut(length_at..length_at + 2) {
            slot.copy_from_slice(&length.to_be_bytes());
        }
        self.count += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        if let Some(slot) = self.bytes.get_mut(6..8) {
            slot.copy_from_slice(&self.count.to_be_bytes());
        }
        self.bytes
    }
}

/// The most octets a record can take in a message: its uncompressed size.
fn bound(owner: &[u8], record: &RecordRef<'_>) -> usize {
    owner.len() + 10 + record.data().len()
}

/// `message` framed for DNS over TCP (RFC 1035 §4.2.2, RFC 7766 §8): its length as two
/// octets, most significant first, then the message; `None` for a message longer than
/// [`MAX_MESSAGE`] octets. Each message [`encode_axfr`] makes fits.
///
/// ```
/// assert_eq!(multiprimary::wire::tcp_frame(&[7, 8, 9]), Some(vec![0, 3, 7, 8, 9]));
/// assert_eq!(multiprimary::wire::tcp_frame(&vec![0; 65_536]), None);
/// ```
pub fn tcp_frame(message: &[u8]) -> Option<Vec<u8>> {
    let length = u16::try_from(message.len()).ok()?;
    let mut framed = Vec::with_capacity(message.len() + 2);
    framed.extend_from_slice(&length.to_be_bytes());
    framed.extend_from_slice(message);
    Some(framed)
}

/// Encodes `zone` as an AXFR response stream (RFC 5936 §2.2): the apex SOA first and last,
/// every other record once between, names compressed, each message at most
/// [`MAX_MESSAGE`] octets, the question (origin, AXFR, class) in the first only.
///
/// # Errors
///
/// The zone has no apex SOA, holds a template placeholder, or has a record too large for
/// a message.
pub fn encode_axfr(zone: &Zone, id: u16) -> Result<Vec<Vec<u8>>, WireError> {
    let origin = zone.origin();
    let soa_rrset = zone
        .rrset(origin, RecordType::SOA)
        .ok_or(WireError::NoSoa)?;
    let soa = soa_rrset
        .records(origin, zone.class())
        .next()
        .ok_or(WireError::NoSoa)?;
    // Every record once between the framing SOAs; a second apex SOA (an invalid zone, but
    // a zone all the same) goes between them too.
    let rest = zone.iter().filter(|r| *r != soa);
    let records = std::iter::once(soa).chain(rest).chain(std::iter::once(soa));
    let mut messages = Vec::new();
    let mut message = Message::new(id, Some((origin, zone.class())));
    let mut owner_name: Option<&Name> = None;
    let mut owner = Vec::new();
    for record in records {
        if record.is_placeholder() {
            return Err(WireError::Placeholder {
                owner: Box::new(record.owner().clone()),
                record_type: record.record_type(),
            });
        }
        if owner_name.is_none_or(|n| !n.eq_case(record.owner())) {
            owner = name_wire(record.owner());
            owner_name = Some(record.owner());
        }
        let size = bound(&owner, &record);
        if message.bytes.len() + size > MAX_MESSAGE {
            if message.count == 0 {
                return Err(WireError::RecordTooLarge {
                    owner: Box::new(record.owner().clone()),
                    record_type: record.record_type(),
                });
            }
            messages.push(std::mem::replace(&mut message, Message::new(id, None)).finish());
            if HEADER + size > MAX_MESSAGE {
                return Err(WireError::RecordTooLarge {
                    owner: Box::new(record.owner().clone()),
                    record_type: record.record_type(),
                });
            }
        }
        message.push(&owner, &record);
    }
    messages.push(message.finish());
    Ok(messages)
}

/// Decodes an AXFR response stream (RFC 5936) into a zone: the origin is the first SOA's
/// owner, the stream must end with that same SOA, and names (also compressed ones in the
/// data of types with a known format) come back uncompressed, so the zone equals the one
/// encoded.
///
/// At most [`MAX_RECORDS`] records are read (the closing SOA not counted); a stream from a
/// peer that may not be trusted with that much memory (some 50 octets a record, plus the
/// data) wants [`decode_axfr_limited`].
///
/// # Errors
///
/// A malformed message, a non-AXFR response, a stream not framed by one SOA, or one with
/// more than [`MAX_RECORDS`] records.
pub fn decode_axfr<'a>(messages: impl IntoIterator<Item = &'a [u8]>) -> Result<Zone, WireError> {
    decode_axfr_limited(messages, MAX_RECORDS)
}

/// [`decode_axfr`], reading at most `max_records` records (the closing SOA not counted):
/// one more is [`WireError::TooManyRecords`], found as soon as it is read, so a stream
/// never costs more memory than that many records.
///
/// ```
/// use multiprimary::{wire, Zone};
///
/// let zone: Zone = "$ORIGIN example.\n@ 60 IN SOA ns h 1 2 3 4 5\n@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n"
///     .parse()
///     .unwrap();
/// let messages = wire::encode_axfr(&zone, 0x1234).unwrap();
/// let stream = || messages.iter().map(Vec::as_slice);
/// assert_eq!(wire::decode_axfr_limited(stream(), 3).unwrap(), zone);
/// assert_eq!(
///     wire::decode_axfr_limited(stream(), 2),
///     Err(wire::WireError::TooManyRecords { limit: 2 })
/// );
/// ```
///
/// # Errors
///
/// As [`decode_axfr`], with `max_records` for the limit.
pub fn decode_axfr_limited<'a>(
    messages: impl IntoIterator<Item = &'a [u8]>,
    max_records: usize,
) -> Result<Zone, WireError> {
    let mut stream = Stream {
        max_records,
        records: 0,
        zone: None,
        first_soa: None,
        unsettled: Vec::new(),
        ended: false,
    };
    for (index, message) in messages.into_iter().enumerate() {
        stream.message(index, message)?;
    }
    match stream.zone {
        Some(mut zone) if stream.ended => {
            zone.settle(stream.unsettled);
            Ok(zone)
        }
        _ => Err(WireError::UnframedStream),
    }
}

/// An AXFR stream being read (see [`decode_axfr_limited`]).
struct Stream {
    max_records: usize,
    records: usize,
    // The zone, from the first SOA on.
    zone: Option<Zone>,
    first_soa: Option<(Name, u32, Vec<u8>)>,
    // Nodes whose records came out of canonical order, sorted once the stream has ended.
    unsettled: Vec<Vec<u8>>,
    // Whether the closing SOA has been read.
    ended: bool,
}

/// One record as a message holds it, its data uncompressed.
struct WireRecord {
    owner: Name,
    record_type: RecordType,
    class: DNSClass,
    ttl: u32,
    data: Vec<u8>,
}

impl Stream {
    /// Reads the records of message `index`.
    fn message(&mut self, index: usize, message: &[u8]) -> Result<(), WireError> {
        let bad = |offset: usize, reason: &'static str| WireError::Malformed {
            message: index,
            offset,
            reason,
        };
        let header = message
            .get(..HEADER)
            .ok_or_else(|| bad(0, "shorter than a header"))?;
        let word = |at: usize| {
            header
                .get(at..at + 2)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u16::from_be_bytes)
        };
        let flags = word(2);
        if flags & 0x8000 == 0 || flags & 0x7800 != 0 {
            return Err(bad(2, "not a response to a standard query"));
        }
        if flags & 0x000F != 0 {
            return Err(bad(3, "the response carries an error RCODE"));
        }
        let (questions, answers) = (word(4), word(6));
        let mut decoder = BinDecoder::new(message);
        decoder
            .read_slice(HEADER)
            .map_err(|_| bad(0, "shorter than a header"))?;
        for _ in 0..questions {
            Name::read(&mut decoder).map_err(|_| bad(decoder.index(), "bad question name"))?;
            decoder
                .read_slice(4)
                .map_err(|_| bad(decoder.index(), "question cut short"))?;
        }
        for _ in 0..answers {
            if self.ended {
                return Err(WireError::UnframedStream);
            }
            let start = decoder.index();
            let record = read_record(&mut decoder, &bad)?;
            self.record(record, || bad(start, "record class differs from the SOA's"))?;
        }
        Ok(())
    }

    /// Adds one record to the zone: the first must be the SOA that opens the stream,
    /// and the same SOA again closes it (RFC 5936 §2.2; any other apex SOA is a record).
    fn record(
        &mut self,
        record: WireRecord,
        class_differs: impl FnOnce() -> WireError,
    ) -> Result<(), WireError> {
        let WireRecord {
            owner,
            record_type,
            class,
            ttl,
            data,
        } = record;
        let closing = self
            .first_soa
            .as_ref()
            .is_some_and(|(soa_owner, soa_ttl, soa_data)| {
                record_type == RecordType::SOA
                    && owner == *soa_owner
                    && ttl == *soa_ttl
                    && data == *soa_data
            });
        if closing {
            self.ended = true;
            return Ok(());
        }
        self.records += 1;
        if self.records > self.max_records {
            return Err(WireError::TooManyRecords {
                limit: self.max_records,
            });
        }
        match (&self.first_soa, &mut self.zone) {
            (None, _) => {
                if record_type != RecordType::SOA {
                    return Err(WireError::UnframedStream);
                }
                let mut new = Zone::with_class(owner.clone(), class);
                new.push_data(&owner, record_type, ttl, &data, &mut self.unsettled);
                self.zone = Some(new);
                self.first_soa = Some((owner, ttl, data));
            }
            (Some(_), Some(zone)) => {
                if class != zone.class() {
                    return Err(class_differs());
                }
                zone.push_data(&owner, record_type, ttl, &data, &mut self.unsettled);
            }
            (Some(_), None) => return Err(WireError::UnframedStream),
        }
        Ok(())
    }
}

/// Reads one resource record at the decoder; `bad` makes the error for an offset.
fn read_record(
    decoder: &mut BinDecoder<'_>,
    bad: &impl Fn(usize, &'static str) -> WireError,
) -> Result<WireRecord, WireError> {
    let start = decoder.index();
    let owner = Name::read(decoder).map_err(|_| bad(start, "bad owner name"))?;
    let fixed = decoder
        .read_slice(10)
        .map_err(|_| bad(start, "record cut short"))?
        .unverified();
    let field = |at: usize| {
        fixed
            .get(at..at + 2)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u16::from_be_bytes)
    };
    let record_type = RecordType::from(field(0));
    let class = DNSClass::from(field(2));
    let ttl = fixed
        .get(4..8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_be_bytes);
    let length = usize::from(field(8));
    let data_start = decoder.index();
    let data = read_rdata(decoder, record_type, length)
        .ok_or_else(|| bad(data_start, "record data does not fit its type"))?;
    if decoder.index() != data_start + length {
        return Err(bad(data_start, "record data length is wrong"));
    }
    Ok(WireRecord {
        owner,
        record_type,
        class,
        ttl,
        data,
    })
}

/// Reads `length` octets of record data at the decoder, decompressing the names of types
/// with a known format, and returns it uncompressed; `None` if it does not fit the type.
fn read_rdata(
    decoder: &mut BinDecoder<'_>,
    record_type: RecordType,
    length: usize,
) -> Option<Vec<u8>> {
    let end = decoder.index() + length;
    let Some((fields, _)) = schema::schema(u16::from(record_type)) else {
        let data = decoder.read_slice(length).ok()?.unverified().to_vec();
        return data_fits(record_type, &data).then_some(data);
    };
    let mut out = Vec::with_capacity(length + 16);
    for field in fields {
        let remaining = end.checked_sub(decoder.index())?;
        match field {
            Field::Name => out.extend_from_slice(&name_wire(&Name::read(decoder).ok()?)),
            Field::U8 => out.extend_from_slice(decoder.read_slice(1).ok()?.unverified()),
            Field::U16 | Field::Type => {
                out.extend_from_slice(decoder.read_slice(2).ok()?.unverified())
            }
            Field::U32 | Field::Period | Field::Time | Field::Ipv4 => {
                out.extend_from_slice(decoder.read_slice(4).ok()?.unverified());
            }
            Field::Ipv6 => out.extend_from_slice(decoder.read_slice(16).ok()?.unverified()),
            Field::CharString | Field::Salt | Field::Base32Hex | Field::CaaTag => {
                let len = usize::from(decoder.peek()?.unverified());
                out.extend_from_slice(decoder.read_slice(1 + len).ok()?.unverified());
            }
            _ => out.extend_from_slice(decoder.read_slice(remaining).ok()?.unverified()),
        }
    }
    if decoder.index() != end {
        return None;
    }
    data_fits(record_type, &out).then_some(out)
}

/// The canonical wire form of a record (RFC 4034 §6.2), as digests (ZONEMD, RRSIG) use
/// it: owner lowercased and uncompressed, type, class, the given TTL, and the data with the
/// names of the types RFC 4034 lists lowercased. Appended to `out`.
pub fn canonical_record(record: &RecordRef<'_>, ttl: u32, out: &mut Vec<u8>) {
    out.extend_from_slice(&schema::lowercased(&name_wire(record.owner())));
    out.extend_from_slice(&u16::from(record.record_type()).to_be_bytes());
    out.extend_from_slice(&u16::from(record.class()).to_be_bytes());
    out.extend_from_slice(&ttl.to_be_bytes());
    let mut data = Vec::with_capacity(record.data().len());
    schema::canonical(record.record_type(), record.data(), &mut data);
    out.extend_from_slice(&u16::try_from(data.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(&data);
}
