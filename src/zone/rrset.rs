//! One RRset ([`Rrset`]) and one borrowed record ([`RecordRef`]), with record data held
//! as wire octets.

use std::cmp::Ordering;
use std::fmt;

use hickory_proto::rr::rdata::NULL;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{
    BinDecoder, BinEncodable, BinEncoder, NameEncoding, Restrict,
};

use crate::rdata;

/// The records of one owner and type. Each record keeps its own TTL, so a zone whose
/// RRset TTLs differ (an error under RFC 2181 §5.2) still round-trips exactly.
#[derive(Clone)]
pub struct Rrset {
    pub(super) record_type: RecordType,
    // Entries back to back: TTL (4 octets), data length (2 octets), data.
    pub(super) entries: Vec<u8>,
    pub(super) len: u32,
    // Where the last entry starts: a record that sorts after it is appended at once, so an
    // RRset given in canonical order (or any order that mostly grows) builds in linear time.
    pub(super) last: u32,
    // False while a loader has appended records out of order (`push`), until `settle`
    // sorts them: only ever false inside `text::parse` and `wire::decode_axfr`.
    pub(super) sorted: bool,
}

/// Below this many records, a loader searches each record into place; from it on, it
/// appends and sorts once (see [`Rrset::push`]).
const SMALL: u32 = 16;

/// What [`Rrset::push`] did with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// Added (in place, or appended to an RRset already unsorted).
    Added,
    /// Dropped: the RRset holds a record with the same canonical data.
    Duplicate,
    /// Appended out of order: the RRset, sorted until now, needs `settle`.
    Unsorted,
}

/// One record of a zone, borrowed: owner, type, class, TTL and wire data.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct RecordRef<'a> {
    owner: &'a Name,
    record_type: RecordType,
    class: DNSClass,
    ttl: u32,
    data: &'a [u8],
}

impl Rrset {
    /// The record type.
    pub fn record_type(&self) -> RecordType {
        self.record_type
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the RRset has no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The TTL of the first record (all records share it in a valid zone).
    pub fn ttl(&self) -> u32 {
        self.iter().next().map_or(0, |(ttl, _)| ttl)
    }

    /// The records as `(TTL, wire data)`, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &[u8])> + '_ {
        let mut rest = self.entries.as_slice();
        std::iter::from_fn(move || {
            let (&[t0, t1, t2, t3, l0, l1], tail) = rest.split_first_chunk::<6>()?;
            let (data, tail) = tail.split_at_checked(usize::from(u16::from_be_bytes([l0, l1])))?;
            rest = tail;
            Some((u32::from_be_bytes([t0, t1, t2, t3]), data))
        })
    }

    /// The records as [`RecordRef`]s with the given owner and class.
    pub fn records<'a>(
        &'a self,
        owner: &'a Name,
        class: DNSClass,
    ) -> impl Iterator<Item = RecordRef<'a>> + 'a {
        let record_type = self.record_type;
        self.iter().map(move |(ttl, data)| RecordRef {
            owner,
            record_type,
            class,
            ttl,
            data,
        })
    }

    /// The record data decoded into hickory-proto's [`RData`] (see [`RecordRef::rdata`]).
    pub fn rdatas(&self) -> impl Iterator<Item = RData> + '_ {
        let record_type = self.record_type;
        self.iter()
            .map(move |(_, data)| decode_rdata(record_type, data))
    }

    /// A TTL that differs from the first record's, if any: `(first, other)`.
    pub(super) fn ttl_conflict(&self) -> Option<(u32, u32)> {
        let first = self.ttl();
        self.iter()
            .map(|(ttl, _)| ttl)
            .find(|&t| t != first)
            .map(|other| (first, other))
    }

    /// Inserts a record in canonical order; `false` if its canonical data is present.
    pub(super) fn insert(&mut self, ttl: u32, data: &[u8]) -> bool {
        let mut scratch = (Vec::new(), Vec::new());
        if self.len == 0 || self.sorts_after_last(data, &mut scratch) {
            self.append(ttl, data);
            return true;
        }
        let mut position = None;
        let mut offset = 0;
        for (_, existing) in self.iter() {
            match compare_canonical(self.record_type, existing, data, &mut scratch) {
                Ordering::Less => offset += 6 + existing.len(),
                Ordering::Equal => return false,
                Ordering::Greater => {
                    position = Some(offset);
                    break;
                }
            }
        }
        let Some(position) = position else {
            self.append(ttl, data);
            return true;
        };
        let length = u16::try_from(data.len()).unwrap_or(u16::MAX);
        let entry = ttl
            .to_be_bytes()
            .into_iter()
            .chain(length.to_be_bytes())
            .chain(data.iter().copied());
        self.entries.splice(position..position, entry);
        // The last entry moved up by the one put before it.
        self.last += u32::try_from(6 + data.len()).unwrap_or(0);
        self.len += 1;
        true
    }

    /// Whether `data` sorts after the last record (the RRset is not empty).
    fn sorts_after_last(&self, data: &[u8], scratch: &mut (Vec<u8>, Vec<u8>)) -> bool {
        self.entries
            .get(self.last as usize + 6..)
            .is_some_and(|last| {
                compare_canonical(self.record_type, last, data, scratch) == Ordering::Less
            })
    }

    /// An empty RRset of `record_type`.
    pub(super) fn new(record_type: RecordType) -> Self {
        Self {
            record_type,
            entries: Vec::new(),
            len: 0,
            last: 0,
            sorted: true,
        }
    }

    /// Adds a record for a loader, which calls [`settle`](Self::settle) before anyone
    /// reads the RRset. A record that sorts last is appended; into a small sorted RRset
    /// (fewer than [`SMALL`] records) a record is searched into place, as by `insert`;
    /// into a larger one it is appended and the RRset marked unsorted, to be sorted once
    /// by `settle`. So no record costs more than [`SMALL`] comparisons, where `insert`
    /// alone would make a large RRset given in reverse order cost quadratic time.
    pub(super) fn push(&mut self, ttl: u32, data: &[u8]) -> Pushed {
        if !self.sorted {
            self.append(ttl, data);
            Pushed::Added
        } else if self.len < SMALL {
            if self.insert(ttl, data) {
                Pushed::Added
            } else {
                Pushed::Duplicate
            }
        } else if self.sorts_after_last(data, &mut (Vec::new(), Vec::new())) {
            self.append(ttl, data);
            Pushed::Added
        } else {
            self.append(ttl, data);
            self.sorted = false;
            Pushed::Unsorted
        }
    }

    /// Appends a record at the end, in order or not.
    fn append(&mut self, ttl: u32, data: &[u8]) {
        self.last = u32::try_from(self.entries.len()).unwrap_or(0);
        let length = u16::try_from(data.len()).unwrap_or(u16::MAX);
        // One reservation for the whole entry: most RRsets hold one record, and three
        // growing appends would leave each with more capacity than it uses.
        self.entries.reserve(6 + data.len());
        self.entries.extend_from_slice(&ttl.to_be_bytes());
        self.entries.extend_from_slice(&length.to_be_bytes());
        self.entries.extend_from_slice(data);
        self.len += 1;
    }

    /// Sorts records appended by [`push`](Self::push) into canonical order and drops
    /// duplicates (by canonical data; the first pushed is kept, TTL included), in
    /// O(n log n). Returns how many were dropped.
    pub(super) fn settle(&mut self) -> usize {
        if self.sorted {
            return 0;
        }
        // Each entry's range in `entries` and its canonical form's range in `forms`.
        let mut forms = Vec::new();
        let mut scratch = Vec::new();
        let mut order = Vec::with_capacity(self.len as usize);
        let mut at = 0;
        let canonical = matches!(rdata::schema(u16::from(self.record_type)), Some((_, true)));
        for (_, data) in self.iter() {
            let form_start = forms.len();
            if canonical {
                rdata::canonical(self.record_type, data, &mut scratch);
                forms.extend_from_slice(&scratch);
            } else {
                forms.extend_from_slice(data);
            }
            order.push((at..at + 6 + data.len(), form_start..forms.len()));
            at += 6 + data.len();
        }
        let form = |range: &std::ops::Range<usize>| forms.get(range.clone()).unwrap_or(&[]);
        // Stable: of records with equal forms, the first pushed stays first and is kept.
        order.sort_by(|(_, a), (_, b)| form(a).cmp(form(b)));
        order.dedup_by(|(_, later), (_, kept)| form(later) == form(kept));
        let mut entries = Vec::with_capacity(self.entries.len());
        let mut last = 0;
        for (entry, _) in &order {
            last = entries.len();
            entries.extend_from_slice(self.entries.get(entry.clone()).unwrap_or(&[]));
        }
        let kept = u32::try_from(order.len()).unwrap_or(u32::MAX);
        let dropped = self.len.saturating_sub(kept) as usize;
        self.entries = entries;
        self.len = kept;
        self.last = u32::try_from(last).unwrap_or(0);
        self.sorted = true;
        dropped
    }

    /// Removes the record with the same canonical data; whether it was there.
    pub(super) fn remove(&mut self, data: &[u8]) -> bool {
        let mut offset = 0;
        let mut scratch = (Vec::new(), Vec::new());
        let mut found = None;
        for (_, existing) in self.iter() {
            if compare_canonical(self.record_type, existing, data, &mut scratch) == Ordering::Equal
            {
                found = Some(offset..offset + 6 + existing.len());
                break;
            }
            offset += 6 + existing.len();
        }
        let Some(range) = found else {
            return false;
        };
        self.entries.drain(range);
        self.len -= 1;
        // The last entry starts after every other.
        let mut last = 0u32;
        let mut at = 0u32;
        for (_, data) in self.iter() {
            last = at;
            at += 6 + u32::try_from(data.len()).unwrap_or(0);
        }
        self.last = last;
        true
    }
}

impl PartialEq for Rrset {
    /// Equal when of one type, with the same records (names in data compared
    /// case-insensitively where RFC 4034 §6.2 lowercases them) and the same TTLs.
    fn eq(&self, other: &Self) -> bool {
        let mut scratch = (Vec::new(), Vec::new());
        self.record_type == other.record_type
            && self.len == other.len
            && self.iter().zip(other.iter()).all(|((lt, ld), (rt, rd))| {
                lt == rt
                    && compare_canonical(self.record_type, ld, rd, &mut scratch) == Ordering::Equal
            })
    }
}

impl Eq for Rrset {}

impl fmt::Debug for Rrset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rrset")
            .field("record_type", &self.record_type)
            .field("records", &self.iter().collect::<Vec<_>>())
            .finish()
    }
}

/// Orders two records' data by their canonical forms (RFC 4034 §6.3).
fn compare_canonical(
    record_type: RecordType,
    a: &[u8],
    b: &[u8],
    scratch: &mut (Vec<u8>, Vec<u8>),
) -> Ordering {
    match rdata::schema(u16::from(record_type)) {
        Some((_, true)) => {
            rdata::canonical(record_type, a, &mut scratch.0);
            rdata::canonical(record_type, b, &mut scratch.1);
            scratch.0.cmp(&scratch.1)
        }
        _ => a.cmp(b),
    }
}

/// Decodes wire data into hickory's [`RData`]; where hickory cannot represent it exactly
/// (it fails to decode, or re-encodes differently) the octets are kept as
/// [`RData::Unknown`], losslessly.
pub(crate) fn decode_rdata(record_type: RecordType, data: &[u8]) -> RData {
    let opaque = || RData::Unknown {
        code: record_type,
        // `NULL::with` asserts its data is not empty.
        rdata: if data.is_empty() {
            NULL::new()
        } else {
            NULL::with(data.to_vec())
        },
    };
    let Ok(length) = u16::try_from(data.len()) else {
        return opaque();
    };
    let mut decoder = BinDecoder::new(data);
    let Ok(decoded) = RData::read(&mut decoder, record_type, Restrict::new(length)) else {
        return opaque();
    };
    let mut again = Vec::with_capacity(data.len());
    let mut encoder = BinEncoder::new(&mut again);
    encoder.set_name_encoding(NameEncoding::Uncompressed);
    if decoded.emit(&mut encoder).is_ok() && again == data && decoder.is_empty() {
        decoded
    } else {
        opaque()
    }
}

impl<'a> RecordRef<'a> {
    /// The owner name.
    pub fn owner(&self) -> &'a Name {
        self.owner
    }

    /// The record type.
    pub fn record_type(&self) -> RecordType {
        self.record_type
    }

    /// The class.
    pub fn class(&self) -> DNSClass {
        self.class
    }

    /// The TTL in seconds.
    pub fn ttl(&self) -> u32 {
        self.ttl
    }

    /// Whether this is a template's `LOCAL-IP` placeholder (an A or AAAA record with no
    /// data), which projection replaces with a host's addresses.
    pub fn is_placeholder(&self) -> bool {
        self.data.is_empty() && matches!(self.record_type, RecordType::A | RecordType::AAAA)
    }

    /// The record data in uncompressed wire form.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The record data decoded into hickory-proto's [`RData`], or [`RData::Unknown`] with
    /// the exact octets where hickory cannot represent them.
    pub fn rdata(&self) -> RData {
        decode_rdata(self.record_type, self.data)
    }

    /// The record as a hickory-proto [`Record`].
    pub fn to_record(&self) -> Record {
        let mut record = Record::from_rdata(self.owner.clone(), self.ttl, self.rdata());
        record.dns_class = self.class;
        record
    }
}

impl fmt::Debug for RecordRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {:02x?}",
            self.owner, self.ttl, self.class, self.record_type, self.data
        )
    }
}
