//! The zone model: an origin, a class, and RRsets keyed by owner and type, in canonical
//! order (RFC 4034 §6.1), with [`Zone::validate`] reporting every rule the zone breaks.
//!
//! Record data is held as uncompressed wire octets, so data that hickory-proto cannot
//! represent is kept exactly (RFC 3597); [`RecordRef::rdata`] decodes it into hickory's
//! [`RData`] on demand.
//!
//! ```
//! use std::str::FromStr;
//! use multiprimary::Zone;
//! use multiprimary::hickory_proto::rr::{Name, RData, Record, RecordType, rdata::A};
//!
//! let origin = Name::from_str("example.com.").unwrap();
//! let mut zone = Zone::new(origin.clone());
//! let www = Name::from_str("www.example.com.").unwrap();
//! zone.insert(&Record::from_rdata(www.clone(), 60, RData::A(A::new(192, 0, 2, 1)))).unwrap();
//! let rrset = zone.rrset(&www, RecordType::A).unwrap();
//! assert_eq!(rrset.len(), 1);
//! assert_eq!(rrset.ttl(), 60);
//! ```

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use hickory_proto::rr::rdata::NULL;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{
    BinDecodable, BinDecoder, BinEncodable, BinEncoder, NameEncoding, Restrict,
};

use crate::error::{Problem, ProblemKind, Severity, ZoneError};
use crate::rdata;

/// A zone: an origin, a class, and RRsets keyed by owner and type.
///
/// Owner names are fully qualified and compare case-insensitively; the first spelling
/// inserted is kept. Iteration is in canonical order: owners by RFC 4034 §6.1, then types
/// by code, then records by canonical data (RFC 4034 §6.3).
#[derive(Clone)]
pub struct Zone {
    origin: Name,
    class: DNSClass,
    // Keyed by `canonical_key(owner)`, so that byte order is RFC 4034 §6.1 order.
    nodes: BTreeMap<Key, Box<Node>>,
    duplicates: BTreeMap<(Name, RecordType), usize>,
    len: usize,
}

/// One owner name: its spelling as first inserted, and its RRsets by type code.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Node {
    name: Name,
    rrsets: Vec<Rrset>,
}

impl Node {
    /// A node with no records.
    pub(crate) fn new(name: Name) -> Self {
        Self {
            name,
            rrsets: Vec::new(),
        }
    }

    /// Inserts a record in canonical order; `false` if its canonical data is present.
    pub(crate) fn insert(&mut self, record_type: RecordType, ttl: u32, data: &[u8]) -> bool {
        let code = u16::from(record_type);
        let index = match self
            .rrsets
            .binary_search_by_key(&code, |r| u16::from(r.record_type))
        {
            Ok(index) => index,
            Err(index) => {
                self.rrsets.insert(
                    index,
                    Rrset {
                        record_type,
                        entries: Vec::new(),
                        len: 0,
                    },
                );
                index
            }
        };
        self.rrsets
            .get_mut(index)
            .is_some_and(|rrset| rrset.insert(ttl, data))
    }
}

/// A canonical key, held inline when short (most names) so that the map's searches compare
/// bytes that sit in its own nodes instead of following a pointer per comparison.
#[derive(Clone)]
pub(crate) enum Key {
    /// Up to 31 octets: the length and the octets.
    Inline(u8, [u8; 31]),
    /// Longer keys.
    Heap(Box<[u8]>),
}

impl Key {
    fn as_slice(&self) -> &[u8] {
        match self {
            Self::Inline(len, bytes) => bytes.get(..usize::from(*len)).unwrap_or(bytes),
            Self::Heap(bytes) => bytes,
        }
    }
}

impl From<Vec<u8>> for Key {
    fn from(key: Vec<u8>) -> Self {
        let mut bytes = [0u8; 31];
        match (bytes.get_mut(..key.len()), u8::try_from(key.len())) {
            (Some(slot), Ok(len)) => {
                slot.copy_from_slice(&key);
                Self::Inline(len, bytes)
            }
            _ => Self::Heap(key.into_boxed_slice()),
        }
    }
}

impl std::borrow::Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_slice().cmp(other.as_slice())
    }
}

/// A byte string whose order is the canonical order of names (RFC 4034 §6.1): labels from
/// the root down, each lowercased and ended by 0, with octets 0 and 1 escaped as 1,1 and
/// 1,2 so that a label's end sorts before any octet of a longer label.
pub(crate) fn canonical_key(name: &Name) -> Vec<u8> {
    let mut key = Vec::with_capacity(name.len() + 2);
    for label in name.iter().rev() {
        for &byte in label {
            match byte {
                0 | 1 => key.extend_from_slice(&[1, byte + 1]),
                _ => key.push(byte.to_ascii_lowercase()),
            }
        }
        key.push(0);
    }
    key
}

/// The records of one owner and type. Each record keeps its own TTL, so a zone whose
/// RRset TTLs differ (an error under RFC 2181 §5.2) still round-trips exactly.
#[derive(Clone, PartialEq, Eq)]
pub struct Rrset {
    record_type: RecordType,
    // Entries back to back: TTL (4 octets), data length (2 octets), data.
    entries: Vec<u8>,
    len: u32,
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

/// Why a record could not be inserted into a zone.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// The record's class is not the zone's.
    #[error("record class {record} differs from the zone's class {zone}")]
    ClassMismatch {
        /// The zone's class.
        zone: DNSClass,
        /// The record's class.
        record: DNSClass,
    },
    /// The owner is not fully qualified.
    #[error("owner {owner} is not fully qualified")]
    RelativeOwner {
        /// The owner as given.
        owner: Box<Name>,
    },
    /// The record data could not be encoded.
    #[error("record data of {owner} {record_type} cannot be encoded: {source}")]
    Encode {
        /// The owner.
        owner: Box<Name>,
        /// The type.
        record_type: RecordType,
        /// hickory-proto's error.
        source: hickory_proto::ProtoError,
    },
    /// The record data does not fit its type, or is longer than 65,535 octets.
    #[error("record data of {owner} {record_type} is not valid for its type")]
    InvalidData {
        /// The owner.
        owner: Box<Name>,
        /// The type.
        record_type: RecordType,
    },
}

impl Zone {
    /// An empty zone of class IN for `origin` (made fully qualified).
    pub fn new(origin: Name) -> Self {
        Self::with_class(origin, DNSClass::IN)
    }

    /// An empty zone of the given class.
    pub fn with_class(mut origin: Name, class: DNSClass) -> Self {
        origin.set_fqdn(true);
        Self {
            origin,
            class,
            nodes: BTreeMap::new(),
            duplicates: BTreeMap::new(),
            len: 0,
        }
    }

    /// Sets origin and class after parsing, when both are known.
    pub(crate) fn set_origin(&mut self, mut origin: Name, class: DNSClass) {
        origin.set_fqdn(true);
        self.origin = origin;
        self.class = class;
    }

    /// The zone's origin (apex name).
    pub fn origin(&self) -> &Name {
        &self.origin
    }

    /// The zone's class.
    pub fn class(&self) -> DNSClass {
        self.class
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the zone has no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The SOA serial, if the apex has an SOA record.
    pub fn serial(&self) -> Option<u32> {
        let soa = self.rrset(&self.origin, RecordType::SOA)?;
        let data = soa.iter().next()?.1;
        let mname = rdata::name_length(data)?;
        let rname = rdata::name_length(data.get(mname..)?)?;
        let serial = data.get(mname + rname..mname + rname + 4)?;
        Some(u32::from_be_bytes(serial.try_into().ok()?))
    }

    /// Inserts a record. Returns `false` if the zone already held the same record (same
    /// owner, type and canonical data), which is then left as it was.
    ///
    /// # Errors
    ///
    /// The owner is not fully qualified, the class differs from the zone's, or the data
    /// cannot be encoded or is not valid for its type.
    pub fn insert(&mut self, record: &Record) -> Result<bool, RecordError> {
        let owner = &record.name;
        let record_type = record.record_type();
        if !owner.is_fqdn() {
            return Err(RecordError::RelativeOwner {
                owner: Box::new(owner.clone()),
            });
        }
        if record.dns_class != self.class {
            return Err(RecordError::ClassMismatch {
                zone: self.class,
                record: record.dns_class,
            });
        }
        let mut data = Vec::new();
        let mut encoder = BinEncoder::new(&mut data);
        encoder.set_name_encoding(NameEncoding::Uncompressed);
        record
            .data
            .emit(&mut encoder)
            .map_err(|source| RecordError::Encode {
                owner: Box::new(owner.clone()),
                record_type,
                source,
            })?;
        if !data_fits(record_type, &data) {
            return Err(RecordError::InvalidData {
                owner: Box::new(owner.clone()),
                record_type,
            });
        }
        Ok(self.insert_data(owner, record_type, record.ttl, &data))
    }

    /// Inserts a record from wire data the caller has checked with [`data_fits`].
    pub(crate) fn insert_data(
        &mut self,
        owner: &Name,
        record_type: RecordType,
        ttl: u32,
        data: &[u8],
    ) -> bool {
        let key = canonical_key(owner);
        let node = match self.nodes.get_mut(key.as_slice()) {
            Some(node) => node,
            None => self
                .nodes
                .entry(Key::from(key))
                .or_insert_with(|| Box::new(Node::new(owner.clone()))),
        };
        if node.insert(record_type, ttl, data) {
            self.len += 1;
            true
        } else {
            self.note_duplicate(owner, record_type);
            false
        }
    }

    /// Counts a duplicate record dropped at `owner` and `record_type`.
    pub(crate) fn note_duplicate(&mut self, owner: &Name, record_type: RecordType) {
        *self
            .duplicates
            .entry((owner.clone(), record_type))
            .or_default() += 1;
    }

    /// Adds every record of `node` (whose key is `key`), as [`insert_data`] would one by
    /// one, with one lookup for the whole node.
    pub(crate) fn insert_node(&mut self, key: Vec<u8>, node: Node) {
        match self.nodes.entry(Key::from(key)) {
            Entry::Vacant(slot) => {
                self.len += node.rrsets.iter().map(Rrset::len).sum::<usize>();
                slot.insert(Box::new(node));
            }
            Entry::Occupied(mut slot) => {
                let existing = slot.get_mut();
                let mut duplicates = Vec::new();
                for rrset in &node.rrsets {
                    for (ttl, data) in rrset.iter() {
                        if existing.insert(rrset.record_type, ttl, data) {
                            self.len += 1;
                        } else {
                            duplicates.push(rrset.record_type);
                        }
                    }
                }
                for record_type in duplicates {
                    self.note_duplicate(&node.name, record_type);
                }
            }
        }
    }

    /// Removes the RRset of `name` and `record_type`, returning it.
    pub fn remove(&mut self, name: &Name, record_type: RecordType) -> Option<Rrset> {
        let key = canonical_key(name);
        let rrsets = &mut self.nodes.get_mut(key.as_slice())?.rrsets;
        let index = rrsets.iter().position(|r| r.record_type == record_type)?;
        let rrset = rrsets.remove(index);
        if rrsets.is_empty() {
            self.nodes.remove(key.as_slice());
        }
        self.duplicates.remove(&(name.clone(), record_type));
        self.len -= rrset.len();
        Some(rrset)
    }

    /// Removes one record (matched by owner, type and canonical data; the TTL is ignored).
    /// Returns whether it was there.
    pub fn remove_record(&mut self, record: &Record) -> bool {
        let mut data = Vec::new();
        let mut encoder = BinEncoder::new(&mut data);
        encoder.set_name_encoding(NameEncoding::Uncompressed);
        if record.data.emit(&mut encoder).is_err() {
            return false;
        }
        let name = &record.name;
        let key = canonical_key(name);
        let Some(Node { rrsets, .. }) = self.nodes.get_mut(key.as_slice()).map(|n| &mut **n) else {
            return false;
        };
        let Some(index) = rrsets
            .iter()
            .position(|r| r.record_type == record.record_type())
        else {
            return false;
        };
        let Some(rrset) = rrsets.get_mut(index) else {
            return false;
        };
        if !rrset.remove(&data) {
            return false;
        }
        self.len -= 1;
        if rrset.is_empty() {
            rrsets.remove(index);
            if rrsets.is_empty() {
                self.nodes.remove(key.as_slice());
            }
        }
        true
    }

    /// The RRset of `name` and `record_type`.
    pub fn rrset(&self, name: &Name, record_type: RecordType) -> Option<&Rrset> {
        self.nodes
            .get(canonical_key(name).as_slice())?
            .rrsets
            .iter()
            .find(|r| r.record_type == record_type)
    }

    /// The RRsets at `name`, by type code.
    pub fn rrsets_at(&self, name: &Name) -> impl Iterator<Item = &Rrset> + '_ {
        self.nodes
            .get(canonical_key(name).as_slice())
            .into_iter()
            .flat_map(|node| &node.rrsets)
    }

    /// The owner names, in canonical order.
    pub fn names(&self) -> impl Iterator<Item = &Name> + '_ {
        self.nodes.values().map(|node| &node.name)
    }

    /// Every RRset with its owner, in canonical order.
    pub fn rrsets(&self) -> impl Iterator<Item = (&Name, &Rrset)> + '_ {
        self.nodes
            .values()
            .flat_map(|node| node.rrsets.iter().map(move |r| (&node.name, r)))
    }

    /// Every record, borrowed, in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = RecordRef<'_>> + '_ {
        self.rrsets()
            .flat_map(move |(owner, rrset)| rrset.records(owner, self.class))
    }

    /// Every record as a hickory-proto [`Record`], in canonical order.
    pub fn records(&self) -> impl Iterator<Item = Record> + '_ {
        self.iter().map(|r| r.to_record())
    }

    /// Checks the zone against the rules mainstream servers enforce, and returns every
    /// problem found, errors and warnings, each naming its owner and type.
    ///
    /// Errors (servers refuse the zone): not exactly one SOA at the apex, an SOA elsewhere,
    /// no NS at the apex, CNAME beside other data or more than one CNAME, more than one
    /// DNAME, owners outside the origin, TTLs differing inside an RRset (RFC 2181 §5.2).
    /// Warnings: duplicate records (kept once), in-zone NS or MX targets without address
    /// records, data occluded below a zone cut or a DNAME.
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        let origin = &self.origin;
        let mut push = |owner: &Name, record_type: RecordType, kind: ProblemKind| {
            problems.push(Problem {
                owner: owner.clone(),
                record_type,
                kind,
            });
        };
        match self.rrset(origin, RecordType::SOA).map(Rrset::len) {
            None => push(origin, RecordType::SOA, ProblemKind::NoSoa),
            Some(1) => {}
            Some(count) => push(origin, RecordType::SOA, ProblemKind::MultipleSoa { count }),
        }
        if self.rrset(origin, RecordType::NS).is_none() {
            push(origin, RecordType::NS, ProblemKind::NoApexNs);
        }
        let mut cut: Option<&Name> = None;
        let mut dname: Option<&Name> = None;
        for Node { name, rrsets } in self.nodes.values().map(|n| &**n) {
            if !origin.zone_of(name) {
                for rrset in rrsets {
                    push(
                        name,
                        rrset.record_type,
                        ProblemKind::OutsideOrigin {
                            origin: origin.clone(),
                        },
                    );
                }
                continue;
            }
            // In canonical order a name's descendants follow it directly, so the closest
            // enclosing cut or DNAME is the last one seen that is still an ancestor.
            if cut.is_some_and(|c| !c.zone_of(name)) {
                cut = None;
            }
            if dname.is_some_and(|d| !d.zone_of(name)) {
                dname = None;
            }
            let has = |t: RecordType| rrsets.iter().any(|r| r.record_type == t);
            for rrset in rrsets {
                let record_type = rrset.record_type;
                if record_type == RecordType::SOA && name != origin {
                    push(name, record_type, ProblemKind::SoaNotAtApex);
                }
                if let Some(cut) = cut
                    && !matches!(record_type, RecordType::A | RecordType::AAAA)
                {
                    push(
                        name,
                        record_type,
                        ProblemKind::BelowZoneCut { cut: cut.clone() },
                    );
                }
                if let Some(dname) = dname {
                    push(
                        name,
                        record_type,
                        ProblemKind::BelowDname {
                            dname: dname.clone(),
                        },
                    );
                }
                // RRSIGs carry the TTL of the RRset each covers (RFC 4034 §3, RFC 2181 §5.2).
                if let Some((first, other)) = rrset
                    .ttl_conflict()
                    .filter(|_| record_type != RecordType::RRSIG)
                {
                    push(name, record_type, ProblemKind::TtlMismatch { first, other });
                }
                match record_type {
                    RecordType::CNAME => {
                        if rrset.len() > 1 {
                            push(
                                name,
                                record_type,
                                ProblemKind::MultipleCnames { count: rrset.len() },
                            );
                        }
                        if let Some(other) = rrsets.iter().map(|r| r.record_type).find(|t| {
                            !matches!(t, RecordType::CNAME | RecordType::RRSIG | RecordType::NSEC)
                        }) {
                            push(name, record_type, ProblemKind::CnameAndOtherData { other });
                        }
                    }
                    RecordType::DNAME if rrset.len() > 1 => {
                        push(
                            name,
                            record_type,
                            ProblemKind::MultipleDnames { count: rrset.len() },
                        );
                    }
                    RecordType::NS | RecordType::MX => {
                        for (_, data) in rrset.iter() {
                            self.check_target(name, record_type, data, &mut push);
                        }
                    }
                    _ => {}
                }
            }
            if name != origin && cut.is_none() && has(RecordType::NS) {
                cut = Some(name);
            }
            if dname.is_none() && has(RecordType::DNAME) {
                dname = Some(name);
            }
        }
        for ((name, record_type), count) in &self.duplicates {
            push(name, *record_type, ProblemKind::Duplicate { count: *count });
        }
        problems
    }

    /// Reports an in-zone NS or MX target without address records.
    fn check_target(
        &self,
        owner: &Name,
        record_type: RecordType,
        data: &[u8],
        push: &mut impl FnMut(&Name, RecordType, ProblemKind),
    ) {
        let Some(wire) = rdata::target(record_type, data) else {
            return;
        };
        let Ok(target) = Name::from_bytes(wire) else {
            return;
        };
        if !self.origin.zone_of(&target) || target.is_root() && !self.origin.is_root() {
            return;
        }
        if record_type == RecordType::MX && self.is_occluded(&target) {
            return;
        }
        let has_address = self
            .rrsets_at(&target)
            .any(|r| matches!(r.record_type, RecordType::A | RecordType::AAAA));
        if !has_address {
            push(
                owner,
                record_type,
                ProblemKind::TargetWithoutAddress { target },
            );
        }
    }

    /// Whether `name` is at or below a zone cut other than the apex.
    fn is_occluded(&self, name: &Name) -> bool {
        let mut ancestor = name.clone();
        while ancestor.iter().count() > self.origin.iter().count() {
            if self.rrset(&ancestor, RecordType::NS).is_some() {
                return true;
            }
            ancestor = ancestor.base_name();
        }
        false
    }

    /// [`validate`](Self::validate), failing on any problem of severity
    /// [`Severity::Error`]; returns the warnings otherwise.
    ///
    /// # Errors
    ///
    /// Every error-severity problem, at once.
    pub fn check(&self) -> Result<Vec<Problem>, ZoneError> {
        let (errors, warnings): (Vec<_>, Vec<_>) = self
            .validate()
            .into_iter()
            .partition(|p| p.severity() == Severity::Error);
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(ZoneError::new(errors))
        }
    }
}

/// Whether `data` is valid wire data for `record_type`: at most 65,535 octets and, for
/// types with a schema, fitting it.
pub(crate) fn data_fits(record_type: RecordType, data: &[u8]) -> bool {
    data.len() <= usize::from(u16::MAX)
        && match rdata::schema(u16::from(record_type)) {
            Some((fields, _)) => rdata::split(fields, data).is_some(),
            None => true,
        }
}

impl PartialEq for Zone {
    /// Zones are equal when origin, class and every record (TTLs included) are equal;
    /// owner names and names in data compare case-insensitively.
    fn eq(&self, other: &Self) -> bool {
        self.origin == other.origin
            && self.class == other.class
            && self.len == other.len
            && self.nodes == other.nodes
    }
}

impl Eq for Zone {}

impl fmt::Debug for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Zone")
            .field("origin", &self.origin)
            .field("class", &self.class)
            .field("records", &self.len)
            .finish_non_exhaustive()
    }
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
    fn ttl_conflict(&self) -> Option<(u32, u32)> {
        let first = self.ttl();
        self.iter()
            .map(|(ttl, _)| ttl)
            .find(|&t| t != first)
            .map(|other| (first, other))
    }

    /// Inserts a record in canonical order; `false` if its canonical data is present.
    fn insert(&mut self, ttl: u32, data: &[u8]) -> bool {
        let mut offset = 0;
        let mut position = self.entries.len();
        let mut scratch = (Vec::new(), Vec::new());
        for (_, existing) in self.iter() {
            match compare_canonical(self.record_type, existing, data, &mut scratch) {
                Ordering::Less => offset += 6 + existing.len(),
                Ordering::Equal => return false,
                Ordering::Greater => {
                    position = offset;
                    break;
                }
            }
        }
        let length = u16::try_from(data.len()).unwrap_or(u16::MAX);
        let mut entry = Vec::with_capacity(6 + data.len());
        entry.extend_from_slice(&ttl.to_be_bytes());
        entry.extend_from_slice(&length.to_be_bytes());
        entry.extend_from_slice(data);
        self.entries.splice(position..position, entry);
        self.len += 1;
        true
    }

    /// Removes the record with the same canonical data; whether it was there.
    fn remove(&mut self, data: &[u8]) -> bool {
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
        true
    }
}

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
        rdata: NULL::with(data.to_vec()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::{A, CNAME, MX, NS, TXT};
    use std::str::FromStr;

    fn name(text: &str) -> Name {
        Name::from_str(text).unwrap()
    }

    fn record(owner: &str, ttl: u32, data: RData) -> Record {
        Record::from_rdata(name(owner), ttl, data)
    }

    fn minimal() -> Zone {
        let mut zone = Zone::new(name("example."));
        let soa = hickory_proto::rr::rdata::SOA::new(
            name("ns.example."),
            name("h.example."),
            1,
            2,
            3,
            4,
            5,
        );
        zone.insert(&record("example.", 60, RData::SOA(soa)))
            .unwrap();
        zone.insert(&record("example.", 60, RData::NS(NS(name("ns.example.")))))
            .unwrap();
        zone.insert(&record("ns.example.", 60, RData::A(A::new(192, 0, 2, 1))))
            .unwrap();
        zone
    }

    #[test]
    fn insert_keeps_duplicates_once_and_reports_them() {
        let mut zone = minimal();
        assert!(
            !zone
                .insert(&record("NS.example.", 60, RData::A(A::new(192, 0, 2, 1))))
                .unwrap()
        );
        assert_eq!(zone.len(), 3);
        let problems = zone.validate();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].kind(), &ProblemKind::Duplicate { count: 1 });
        assert_eq!(problems[0].severity(), Severity::Warning);
    }

    #[test]
    fn minimal_zone_validates_clean_and_gives_back_its_serial() {
        let zone = minimal();
        assert_eq!(zone.validate(), vec![]);
        assert_eq!(zone.serial(), Some(1));
        assert_eq!(zone.records().count(), 3);
    }

    #[test]
    fn validate_reports_every_problem_at_once() {
        let mut zone = Zone::new(name("example."));
        zone.insert(&record(
            "www.example.",
            60,
            RData::CNAME(CNAME(name("x.example."))),
        ))
        .unwrap();
        zone.insert(&record(
            "www.example.",
            60,
            RData::TXT(TXT::new(vec!["x".into()])),
        ))
        .unwrap();
        zone.insert(&record("a.example.", 60, RData::A(A::new(192, 0, 2, 1))))
            .unwrap();
        zone.insert(&record("a.example.", 30, RData::A(A::new(192, 0, 2, 2))))
            .unwrap();
        zone.insert(&record("other.", 60, RData::A(A::new(192, 0, 2, 1))))
            .unwrap();
        zone.insert(&record(
            "example.",
            60,
            RData::MX(MX::new(10, name("mail.example."))),
        ))
        .unwrap();
        zone.insert(&record(
            "sub.example.",
            60,
            RData::NS(NS(name("ns.sub.example."))),
        ))
        .unwrap();
        zone.insert(&record(
            "ns.sub.example.",
            60,
            RData::A(A::new(192, 0, 2, 3)),
        ))
        .unwrap();
        zone.insert(&record(
            "x.sub.example.",
            60,
            RData::TXT(TXT::new(vec!["hidden".into()])),
        ))
        .unwrap();
        let kinds: Vec<_> = zone.validate().into_iter().map(|p| p.kind).collect();
        assert!(kinds.contains(&ProblemKind::NoSoa));
        assert!(kinds.contains(&ProblemKind::NoApexNs));
        assert!(kinds.contains(&ProblemKind::CnameAndOtherData {
            other: RecordType::TXT
        }));
        assert!(kinds.contains(&ProblemKind::TtlMismatch {
            first: 60,
            other: 30
        }));
        assert!(kinds.contains(&ProblemKind::OutsideOrigin {
            origin: name("example.")
        }));
        assert!(kinds.contains(&ProblemKind::TargetWithoutAddress {
            target: name("mail.example.")
        }));
        assert!(kinds.contains(&ProblemKind::BelowZoneCut {
            cut: name("sub.example.")
        }));
        assert_eq!(kinds.len(), 7, "{kinds:?}");
    }

    #[test]
    fn remove_takes_records_and_rrsets_out() {
        let mut zone = minimal();
        assert!(zone.remove_record(&record("ns.example.", 0, RData::A(A::new(192, 0, 2, 1)))));
        assert!(zone.rrset(&name("ns.example."), RecordType::A).is_none());
        assert_eq!(zone.len(), 2);
        assert_eq!(
            zone.remove(&name("example."), RecordType::NS)
                .map(|r| r.len()),
            Some(1)
        );
        assert_eq!(zone.len(), 1);
    }

    #[test]
    fn iteration_is_canonical() {
        let mut zone = minimal();
        zone.insert(&record("z.example.", 60, RData::A(A::new(192, 0, 2, 9))))
            .unwrap();
        zone.insert(&record("a.example.", 60, RData::A(A::new(192, 0, 2, 9))))
            .unwrap();
        zone.insert(&record("a.example.", 60, RData::A(A::new(192, 0, 2, 8))))
            .unwrap();
        let owners: Vec<String> = zone.iter().map(|r| r.owner().to_string()).collect();
        assert_eq!(
            owners,
            [
                "example.",
                "example.",
                "a.example.",
                "a.example.",
                "ns.example.",
                "z.example."
            ]
        );
        let a: Vec<RData> = zone
            .rrset(&name("a.example."), RecordType::A)
            .unwrap()
            .rdatas()
            .collect();
        assert_eq!(
            a,
            [
                RData::A(A::new(192, 0, 2, 8)),
                RData::A(A::new(192, 0, 2, 9))
            ]
        );
    }
}
