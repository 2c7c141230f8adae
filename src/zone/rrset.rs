//! One RRset ([`Rrset`]) and one borrowed record ([`RecordRef`]), with record data held
//! as wire octets.

use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;

use hickory_proto::rr::rdata::NULL;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{
    BinDecoder, BinEncodable, BinEncoder, NameEncoding, Restrict,
};

use crate::schema;

/// The records of one owner and type. Each record keeps its own TTL, so a zone whose
/// RRset TTLs differ (an error under RFC 2181 §5.2) still round-trips exactly.
#[derive(Clone)]
pub struct Rrset {
    pub(super) record_type: RecordType,
    // Whether each entry carries the [`Source`] it was read from (zones from text).
    sourced: bool,
    // Entries back to back: TTL (4 octets), data length (2 octets), the source (12
    // octets, only when `sourced`; zeros for a record that has none), data.
    pub(super) entries: Vec<u8>,
    pub(super) len: u32,
    // Where (in `entries`) the last entry starts: a record that sorts after it is appended
    // at once, so an
    // RRset given in canonical order (or any order that mostly grows) builds in linear time.
    pub(super) last: usize,
    // False while a loader has appended records out of order (`push`), until `settle`
    // sorts them: only ever false inside `text::parse` and `wire::decode_axfr`.
    pub(super) sorted: bool,
}

/// Where a record was read: the index of its file in the zone's file names, and its
/// line and column there. Line 0 means the record has no source (it was added in code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub(crate) struct Source {
    pub(crate) file: u32,
    pub(crate) line: u32,
    pub(crate) column: u32,
}

impl Source {
    /// The size of a source inside an entry.
    const SIZE: usize = 12;

    fn to_bytes(self) -> [u8; Self::SIZE] {
        let mut bytes = [0u8; Self::SIZE];
        for (slot, value) in bytes
            .chunks_exact_mut(4)
            .zip([self.file, self.line, self.column])
        {
            slot.copy_from_slice(&value.to_be_bytes());
        }
        bytes
    }

    /// The source in `bytes`, `None` for zeros (no source).
    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let word = |at: usize| {
            bytes
                .get(at..at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, u32::from_be_bytes)
        };
        let source = Self {
            file: word(0),
            line: word(4),
            column: word(8),
        };
        (source.line != 0).then_some(source)
    }
}

/// A record's TTL and where the record was read.
pub(super) type SourcedTtl = (u32, Option<Source>);

/// A duplicate record dropped by a loader: where it was read, and where the record
/// with the same data that was kept was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Duplicated {
    pub(crate) dropped: Option<Source>,
    pub(crate) kept: Option<Source>,
}

/// Below this many records, a loader searches each record into place; from it on, it
/// appends and sorts once (see [`Rrset::push`]).
const SMALL: u32 = 16;

/// What [`Rrset::push`] did with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// Added (in place, or appended to an RRset already unsorted).
    Added,
    /// Dropped: the RRset holds a record with the same canonical data (read from this
    /// source, if it has one).
    Duplicate(Option<Source>),
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
        self.entries().map(|(ttl, data, _)| (ttl, data))
    }

    /// The records as `(TTL, wire data, source)`, in canonical order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u32, &[u8], Option<Source>)> + '_ {
        let mut rest = self.entries.as_slice();
        let extra = self.header() - 6;
        std::iter::from_fn(move || {
            let (&[t0, t1, t2, t3, l0, l1], tail) = rest.split_first_chunk::<6>()?;
            let (source, tail) = tail.split_at_checked(extra)?;
            let (data, tail) = tail.split_at_checked(usize::from(u16::from_be_bytes([l0, l1])))?;
            rest = tail;
            let source = if extra == 0 {
                None
            } else {
                Source::from_bytes(source)
            };
            Some((u32::from_be_bytes([t0, t1, t2, t3]), data, source))
        })
    }

    /// Whether the RRset is A or AAAA and holds a placeholder (a record with no data).
    /// Every other record of it holds exactly 4 (16) octets, as `data_fits` makes sure,
    /// in an entry a header longer: only entries shorter in total than that many full
    /// ones can hold one, so that a template's million other RRsets are told apart
    /// without reading their records.
    pub(crate) fn has_placeholder(&self) -> bool {
        let data = match self.record_type {
            RecordType::A => 4,
            RecordType::AAAA => 16,
            _ => return false,
        };
        self.entries.len() < self.len().saturating_mul(self.header() + data)
            && self.iter().any(|(_, data)| data.is_empty())
    }

    /// The octets before an entry's data: TTL, length and, when sourced, the source.
    fn header(&self) -> usize {
        if self.sourced { 6 + Source::SIZE } else { 6 }
    }

    /// The earliest source of the records (in file order), if any has one.
    pub(crate) fn source(&self) -> Option<Source> {
        self.entries().filter_map(|(_, _, source)| source).min()
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

    /// The addresses of an A or AAAA RRset, in canonical order (none for other types
    /// and for a template's placeholder).
    ///
    /// ```
    /// use std::net::IpAddr;
    /// use multiprimary::Zone;
    /// use multiprimary::hickory_proto::rr::{Name, RecordType};
    ///
    /// let zone: Zone = "$ORIGIN example.\nwww 60 A 192.0.2.2\nwww 60 A 192.0.2.1\n".parse().unwrap();
    /// let www = Name::from_ascii("www.example.").unwrap();
    /// let addresses: Vec<IpAddr> = zone.rrset(&www, RecordType::A).unwrap().addresses().collect();
    /// assert_eq!(addresses, ["192.0.2.1".parse::<IpAddr>().unwrap(), "192.0.2.2".parse().unwrap()]);
    /// ```
    pub fn addresses(&self) -> impl Iterator<Item = IpAddr> + '_ {
        let record_type = self.record_type;
        self.iter().filter_map(move |(_, data)| match record_type {
            RecordType::A => <[u8; 4]>::try_from(data).ok().map(IpAddr::from),
            RecordType::AAAA => <[u8; 16]>::try_from(data).ok().map(IpAddr::from),
            _ => None,
        })
    }

    /// The record data decoded into hickory-proto's [`RData`] (see [`RecordRef::rdata`]).
    pub fn rdatas(&self) -> impl Iterator<Item = RData> + '_ {
        let record_type = self.record_type;
        self.iter()
            .map(move |(_, data)| decode_rdata(record_type, data))
    }

    /// The records in the order they were read (canonical order among records without
    /// a source, which come first).
    pub(crate) fn in_file_order(&self) -> Vec<(u32, &[u8], Option<Source>)> {
        let mut entries: Vec<_> = self.entries().collect();
        entries.sort_by_key(|(_, _, source)| *source);
        entries
    }

    /// A TTL that differs from the first record's, if any: `(first, other)` with the
    /// sources of both records (the first read, and the first read with another TTL).
    pub(super) fn ttl_conflict(&self) -> Option<(SourcedTtl, SourcedTtl)> {
        let first = self.ttl();
        self.iter().find(|&(t, _)| t != first)?;
        let records = self.in_file_order();
        let (first, _, first_source) = *records.first()?;
        records
            .iter()
            .find(|(ttl, _, _)| *ttl != first)
            .map(|&(other, _, other_source)| ((first, first_source), (other, other_source)))
    }

    /// Inserts a record in canonical order; `false` if its canonical data is present.
    pub(super) fn insert(&mut self, ttl: u32, data: &[u8]) -> bool {
        self.place(ttl, data, None).is_ok()
    }

    /// Inserts a record read from `source` in canonical order; if its canonical data is
    /// present, gives back the source of the record that holds it.
    fn place(
        &mut self,
        ttl: u32,
        data: &[u8],
        source: Option<Source>,
    ) -> Result<(), Option<Source>> {
        self.allow_source(source);
        let mut scratch = (Vec::new(), Vec::new());
        if self.len == 0 || self.sorts_after_last(data, &mut scratch) {
            self.append(ttl, data, source);
            return Ok(());
        }
        let mut position = None;
        let mut offset = 0;
        let header = self.header();
        for (_, existing, existing_source) in self.entries() {
            match compare_canonical(self.record_type, existing, data, &mut scratch) {
                Ordering::Less => offset += header + existing.len(),
                Ordering::Equal => return Err(existing_source),
                Ordering::Greater => {
                    position = Some(offset);
                    break;
                }
            }
        }
        let Some(position) = position else {
            self.append(ttl, data, source);
            return Ok(());
        };
        let mut entry = Vec::with_capacity(header + data.len());
        write_entry(&mut entry, self.sourced, ttl, data, source);
        self.entries.splice(position..position, entry);
        // The last entry moved up by the one put before it.
        self.last += header + data.len();
        self.len += 1;
        Ok(())
    }

    /// Makes room for sources in each entry when a record with one arrives: an RRset
    /// that holds none yet starts carrying them (records without one get zeros).
    fn allow_source(&mut self, source: Option<Source>) {
        if source.is_none() || self.sourced {
            return;
        }
        let old = std::mem::take(&mut self.entries);
        let records: Vec<(u32, &[u8])> = {
            let mut rest = old.as_slice();
            std::iter::from_fn(|| {
                let (&[t0, t1, t2, t3, l0, l1], tail) = rest.split_first_chunk::<6>()?;
                let (data, tail) =
                    tail.split_at_checked(usize::from(u16::from_be_bytes([l0, l1])))?;
                rest = tail;
                Some((u32::from_be_bytes([t0, t1, t2, t3]), data))
            })
            .collect()
        };
        self.sourced = true;
        self.len = 0;
        for (ttl, data) in records {
            self.append(ttl, data, None);
        }
    }

    /// Whether `data` sorts after the last record (the RRset is not empty).
    fn sorts_after_last(&self, data: &[u8], scratch: &mut (Vec<u8>, Vec<u8>)) -> bool {
        self.entries
            .get(self.last + self.header()..)
            .is_some_and(|last| {
                compare_canonical(self.record_type, last, data, scratch) == Ordering::Less
            })
    }

    /// An empty RRset of `record_type`.
    pub(super) fn new(record_type: RecordType) -> Self {
        Self {
            record_type,
            sourced: false,
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
    pub(super) fn push(&mut self, ttl: u32, data: &[u8], source: Option<Source>) -> Pushed {
        self.allow_source(source);
        if !self.sorted {
            self.append(ttl, data, source);
            Pushed::Added
        } else if self.len < SMALL {
            match self.place(ttl, data, source) {
                Ok(()) => Pushed::Added,
                Err(kept) => Pushed::Duplicate(kept),
            }
        } else if self.sorts_after_last(data, &mut (Vec::new(), Vec::new())) {
            self.append(ttl, data, source);
            Pushed::Added
        } else {
            self.append(ttl, data, source);
            self.sorted = false;
            Pushed::Unsorted
        }
    }

    /// Appends a record at the end, in order or not.
    fn append(&mut self, ttl: u32, data: &[u8], source: Option<Source>) {
        self.last = self.entries.len();
        // One reservation for the whole entry: most RRsets hold one record, and growing
        // appends would leave each with more capacity than it uses.
        self.entries.reserve(self.header() + data.len());
        write_entry(&mut self.entries, self.sourced, ttl, data, source);
        self.len += 1;
    }

    /// Sorts records appended by [`push`](Self::push) into canonical order and drops
    /// duplicates (by canonical data; the first pushed is kept, TTL included), in
    /// O(n log n). Returns how many were dropped and, for the first of them, its source
    /// and that of the record kept.
    pub(super) fn settle(&mut self) -> (usize, Option<Duplicated>) {
        if self.sorted {
            return (0, None);
        }
        // Each entry's range in `entries`, its canonical form's range in `forms`, and
        // its source.
        let mut forms = Vec::new();
        let mut scratch = Vec::new();
        let mut order = Vec::with_capacity(self.len as usize);
        let mut at = 0;
        let header = self.header();
        let canonical = matches!(schema::schema(u16::from(self.record_type)), Some((_, true)));
        for (_, data, source) in self.entries() {
            let form_start = forms.len();
            if canonical {
                schema::canonical(self.record_type, data, &mut scratch);
                forms.extend_from_slice(&scratch);
            } else {
                forms.extend_from_slice(data);
            }
            order.push((
                at..at + header + data.len(),
                form_start..forms.len(),
                source,
            ));
            at += header + data.len();
        }
        let form = |range: &std::ops::Range<usize>| forms.get(range.clone()).unwrap_or(&[]);
        // Stable: of records with equal forms, the first pushed stays first and is kept.
        order.sort_by(|(_, a, _), (_, b, _)| form(a).cmp(form(b)));
        let mut first = None;
        order.dedup_by(|(_, later, dropped), (_, kept, kept_source)| {
            let same = form(later) == form(kept);
            if same && first.is_none() {
                first = Some(Duplicated {
                    dropped: *dropped,
                    kept: *kept_source,
                });
            }
            same
        });
        let mut entries = Vec::with_capacity(self.entries.len());
        let mut last = 0;
        for (entry, _, _) in &order {
            last = entries.len();
            entries.extend_from_slice(self.entries.get(entry.clone()).unwrap_or(&[]));
        }
        let kept = u32::try_from(order.len()).unwrap_or(u32::MAX);
        let dropped = self.len.saturating_sub(kept) as usize;
        self.entries = entries;
        self.len = kept;
        self.last = last;
        self.sorted = true;
        (dropped, first)
    }

    /// Removes the record with the same canonical data; whether it was there.
    pub(super) fn remove(&mut self, data: &[u8]) -> bool {
        let mut offset = 0;
        let mut scratch = (Vec::new(), Vec::new());
        let mut found = None;
        let header = self.header();
        for (_, existing) in self.iter() {
            if compare_canonical(self.record_type, existing, data, &mut scratch) == Ordering::Equal
            {
                found = Some(offset..offset + header + existing.len());
                break;
            }
            offset += header + existing.len();
        }
        let Some(range) = found else {
            return false;
        };
        self.entries.drain(range);
        self.len -= 1;
        // The last entry starts after every other.
        let mut last = 0;
        let mut at = 0;
        for (_, data) in self.iter() {
            last = at;
            at += header + data.len();
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

/// Writes one entry, as [`Rrset`] holds it, to `out`.
fn write_entry(out: &mut Vec<u8>, sourced: bool, ttl: u32, data: &[u8], source: Option<Source>) {
    let length = u16::try_from(data.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&ttl.to_be_bytes());
    out.extend_from_slice(&length.to_be_bytes());
    if sourced {
        out.extend_from_slice(&source.unwrap_or_default().to_bytes());
    }
    out.extend_from_slice(data);
}

/// Orders two records' data by their canonical forms (RFC 4034 §6.3).
fn compare_canonical(
    record_type: RecordType,
    a: &[u8],
    b: &[u8],
    scratch: &mut (Vec<u8>, Vec<u8>),
) -> Ordering {
    match schema::schema(u16::from(record_type)) {
        Some((_, true)) => {
            schema::canonical(record_type, a, &mut scratch.0);
            schema::canonical(record_type, b, &mut scratch.1);
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
