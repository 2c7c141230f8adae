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

mod rrset;
mod store;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder, NameEncoding};

use crate::error::Location;
use crate::schema;
pub(crate) use rrset::{Duplicated, Pushed, Source};
pub use rrset::{RecordRef, Rrset};
use store::Store;
pub(crate) use store::{Key, Node, canonical_key, key_of_labels};

/// The word a template writes as the data of an A or AAAA record where each host's own
/// address belongs: `www IN A LOCAL-IP`. Projecting the template for a host
/// ([`Template::project`](crate::Template::project)) replaces it with that host's
/// addresses; the names that hold it are the template's self-referencing names. Text
/// holding it parses only with [`ParseOptions::template`](crate::text::ParseOptions::template).
/// In a [`Zone`] it is an A or AAAA record with no data; [`RecordRef::is_placeholder`]
/// tells.
pub const PLACEHOLDER: &str = "LOCAL-IP";

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
    nodes: Store,
    duplicates: BTreeMap<(Name, RecordType), Duplicates>,
    len: usize,
    // The files the zone was read from, which records' sources index (the first is the
    // file given to the parser); empty for a zone built in code.
    files: Arc<[Arc<str>]>,
}

/// The duplicates dropped at one owner and type: how many, and where the first was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Duplicates {
    pub(crate) count: usize,
    pub(crate) first: Option<Duplicated>,
}

/// Why a record could not be inserted into a zone.
#[derive(Debug, Clone, thiserror::Error)]
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

impl PartialEq for RecordError {
    /// Equal when of one kind with the same fields; hickory-proto's encoding errors
    /// compare by their messages (`ProtoError` has no `PartialEq`).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Self::ClassMismatch { zone, record },
                Self::ClassMismatch {
                    zone: other_zone,
                    record: other_record,
                },
            ) => zone == other_zone && record == other_record,
            (Self::RelativeOwner { owner }, Self::RelativeOwner { owner: other }) => owner == other,
            (
                Self::Encode {
                    owner,
                    record_type,
                    source,
                },
                Self::Encode {
                    owner: other_owner,
                    record_type: other_type,
                    source: other_source,
                },
            ) => {
                owner == other_owner
                    && record_type == other_type
                    && source.to_string() == other_source.to_string()
            }
            (
                Self::InvalidData { owner, record_type },
                Self::InvalidData {
                    owner: other_owner,
                    record_type: other_type,
                },
            ) => owner == other_owner && record_type == other_type,
            _ => false,
        }
    }
}

impl Eq for RecordError {}

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
            nodes: Store::default(),
            duplicates: BTreeMap::new(),
            len: 0,
            files: Arc::new([]),
        }
    }

    /// Names the files that records' sources index, for a zone read from text.
    pub(crate) fn set_files(&mut self, files: Vec<Arc<str>>) {
        self.files = files.into();
    }

    /// Where a record was read, for a zone read from text.
    pub(crate) fn location(&self, source: Option<Source>) -> Option<Location> {
        let source = source?;
        let file = self.files.get(source.file as usize)?;
        Some(Location::new(
            Arc::clone(file),
            Some(crate::Position {
                line: source.line,
                column: source.column,
            }),
        ))
    }

    /// The file a zone was read from, without a place in it (for problems that concern
    /// no record, such as a missing SOA).
    pub(crate) fn file_location(&self) -> Option<Location> {
        self.files
            .first()
            .map(|file| Location::new(Arc::clone(file), None))
    }

    /// Where the first record (in the order they were read) of the RRset of `name` and
    /// `record_type` was read: a file, line and column, for a zone read from text.
    /// `None` for a zone built in code, a record added in code, or no such RRset.
    ///
    /// ```
    /// use multiprimary::Zone;
    /// use multiprimary::hickory_proto::rr::{Name, RecordType};
    /// use multiprimary::text::{parse, ParseOptions};
    ///
    /// let text = "$ORIGIN example.com.\n$TTL 60\n@ SOA ns hostmaster 1 60 60 60 60\n@ NS ns\nns A 192.0.2.1\n";
    /// let zone = parse(text, &ParseOptions::new().file_name("db.example")).unwrap();
    /// let ns = Name::from_ascii("ns.example.com.").unwrap();
    /// let location = zone.location_of(&ns, RecordType::A).unwrap();
    /// assert_eq!(location.to_string(), "db.example:5:1");
    /// ```
    pub fn location_of(&self, name: &Name, record_type: RecordType) -> Option<Location> {
        self.location(self.rrset(name, record_type)?.source())
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
        let (_, data) = self.soa_record()?;
        let mname = schema::name_length(data)?;
        let rname = schema::name_length(data.get(mname..)?)?;
        let serial = data.get(mname + rname..mname + rname + 4)?;
        Some(u32::from_be_bytes(serial.try_into().ok()?))
    }

    /// The apex SOA record, decoded, if there is one (the first, in a zone that breaks
    /// the rules with two).
    ///
    /// ```
    /// use multiprimary::Zone;
    ///
    /// let zone: Zone = "$ORIGIN example.\n@ 60 SOA ns hostmaster 7 3600 600 86400 30\n".parse().unwrap();
    /// let soa = zone.soa().unwrap();
    /// assert_eq!(soa.serial, 7);
    /// assert_eq!(soa.minimum, 30);
    /// assert_eq!(soa.mname.to_string(), "ns.example.");
    /// ```
    pub fn soa(&self) -> Option<SOA> {
        let (_, data) = self.soa_record()?;
        match rrset::decode_rdata(RecordType::SOA, data) {
            RData::SOA(soa) => Some(soa),
            _ => None,
        }
    }

    /// The TTL and data of the apex SOA record (the first, if there are two).
    pub(crate) fn soa_record(&self) -> Option<(u32, &[u8])> {
        self.rrset(&self.origin, RecordType::SOA)?.iter().next()
    }

    /// The SOA MINIMUM (RFC 2308 §4: the TTL of negative answers, with the SOA's TTL).
    pub(crate) fn soa_minimum(&self) -> Option<u32> {
        schema::soa_minimum(self.soa_record()?.1)
    }

    /// Inserts a record. Returns `false` if the zone already held the same record (same
    /// owner, type and canonical data), which is then left as it was.
    ///
    /// Each insert searches the record's RRset for its place; for many records, in any
    /// order, [`insert_all`](Self::insert_all) is faster.
    ///
    /// # Errors
    ///
    /// The owner is not fully qualified, the class differs from the zone's, or the data
    /// cannot be encoded or is not valid for its type.
    pub fn insert(&mut self, record: &Record) -> Result<bool, RecordError> {
        let data = self.record_data(record)?;
        Ok(self.insert_data(&record.name, record.record_type(), record.ttl, &data))
    }

    /// Inserts records in any order in O(n log n) time, as [`insert`](Self::insert) would
    /// one by one: records already held (or given twice) are kept once, the first given
    /// winning. Returns how many records the zone gained.
    ///
    /// ```
    /// use std::net::Ipv4Addr;
    ///
    /// use multiprimary::Zone;
    /// use multiprimary::hickory_proto::rr::{Name, RData, Record};
    ///
    /// let mut zone = Zone::new(Name::from_ascii("example.").unwrap());
    /// let big = Name::from_ascii("big.example.").unwrap();
    /// // 10.0.3.231 down to 10.0.0.0: the worst order for one insert at a time.
    /// let records: Vec<Record> = (0..1000u32)
    ///     .rev()
    ///     .map(|i| Record::from_rdata(big.clone(), 60, RData::A(Ipv4Addr::from(0x0a00_0000 + i).into())))
    ///     .collect();
    /// assert_eq!(zone.insert_all(&records).unwrap(), 1000);
    /// assert_eq!(zone.insert_all(&records[..10]).unwrap(), 0);
    /// let first = zone.iter().next().unwrap();
    /// assert_eq!(first.data(), [10, 0, 0, 0]);
    /// ```
    ///
    /// # Errors
    ///
    /// As [`insert`](Self::insert), for the first record in error; the records before it
    /// are inserted, the rest are not.
    pub fn insert_all<'r>(
        &mut self,
        records: impl IntoIterator<Item = &'r Record>,
    ) -> Result<usize, RecordError> {
        let before = self.len;
        let mut unsettled = Vec::new();
        let mut result = Ok(());
        for record in records {
            match self.record_data(record) {
                Ok(data) => self.push_data(
                    &record.name,
                    record.record_type(),
                    record.ttl,
                    &data,
                    &mut unsettled,
                ),
                Err(error) => {
                    result = Err(error);
                    break;
                }
            }
        }
        self.settle(unsettled);
        result.map(|()| self.len - before)
    }

    /// A record's data as uncompressed wire octets, checked to belong in this zone.
    fn record_data(&self, record: &Record) -> Result<Vec<u8>, RecordError> {
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
        Ok(data)
    }

    /// Makes this zone own its nodes (copying them once if it shares them with a copy),
    /// before changes to most of them.
    #[cfg(feature = "dnssec")]
    pub(crate) fn unshare(&mut self) {
        self.nodes.unshare();
    }

    /// Inserts a record from wire data the caller has checked with [`data_fits`].
    pub(crate) fn insert_data(
        &mut self,
        owner: &Name,
        record_type: RecordType,
        ttl: u32,
        data: &[u8],
    ) -> bool {
        let ttl = normal_ttl(ttl);
        let key = canonical_key(owner);
        let node = self.nodes.get_or_insert(key, || Node::new(owner.clone()));
        if node.insert(record_type, ttl, data) {
            self.len += 1;
            true
        } else {
            self.note_duplicates(owner, record_type, 1, None);
            false
        }
    }

    /// Counts `count` duplicate records dropped at `owner` and `record_type`, the first
    /// of them (if known) read where `first` says.
    pub(crate) fn note_duplicates(
        &mut self,
        owner: &Name,
        record_type: RecordType,
        count: usize,
        first: Option<Duplicated>,
    ) {
        let entry = self
            .duplicates
            .entry((owner.clone(), record_type))
            .or_default();
        entry.count += count;
        // Keep the earliest duplicate read.
        if let Some(first) = first
            && entry.first.is_none_or(|known| {
                known.dropped.is_none() || first.dropped.is_some() && first.dropped < known.dropped
            })
        {
            entry.first = Some(first);
        }
    }

    /// Adds a record for a loader (`text::parse`, `wire::decode_axfr`), which must call
    /// [`settle`](Self::settle) with `unsettled` before the zone is read: records out of
    /// order in a large RRset are sorted once at the end, not searched into place one by
    /// one (see [`Rrset::push`]), and their duplicates are counted then.
    pub(crate) fn push_data(
        &mut self,
        owner: &Name,
        record_type: RecordType,
        ttl: u32,
        data: &[u8],
        unsettled: &mut Vec<Vec<u8>>,
    ) {
        let ttl = normal_ttl(ttl);
        let node = self
            .nodes
            .get_or_insert(canonical_key(owner), || Node::new(owner.clone()));
        match node.push(record_type, ttl, data, None) {
            Pushed::Added => self.len += 1,
            Pushed::Unsorted => {
                self.len += 1;
                unsettled.push(canonical_key(owner));
            }
            Pushed::Duplicate(_) => self.note_duplicates(owner, record_type, 1, None),
        }
    }

    /// Replaces the zone's nodes with those a loader filled (`text::parse`, which starts
    /// from an empty zone): sorted by key, the nodes of one owner merged (the first given
    /// first), and the map built in one pass rather than searched once per node, which
    /// for a large zone given in random order is most of the cost. The loader then calls
    /// [`settle`](Self::settle) with `unsettled`.
    pub(crate) fn set_nodes(
        &mut self,
        mut nodes: Vec<(Key, Box<Node>)>,
        unsettled: &mut Vec<Vec<u8>>,
    ) {
        // Counted before sorting, while the nodes are in the order they were made (and lie
        // in memory): after it, this pass would jump about the heap.
        let mut records = 0usize;
        for (_, node) in &nodes {
            records += node.rrsets.iter().map(Rrset::len).sum::<usize>();
        }
        // Stable, so that of one owner's nodes the first given stays first and is kept.
        nodes.sort_by(|a, b| a.0.cmp(&b.0));
        let mut duplicates = Vec::new();
        nodes.dedup_by(|(later_key, later), (key, kept)| {
            if later_key != key {
                return false;
            }
            for rrset in &later.rrsets {
                for (ttl, data, source) in rrset.entries() {
                    if let Pushed::Duplicate(kept_source) =
                        kept.push(rrset.record_type, ttl, data, source)
                    {
                        let first = Duplicated {
                            dropped: source,
                            kept: kept_source,
                        };
                        duplicates.push((kept.name.clone(), rrset.record_type, first));
                    }
                }
            }
            true
        });
        unsettled.extend(
            nodes
                .iter()
                .filter(|(_, node)| !node.is_settled())
                .map(|(key, _)| key.as_slice().to_vec()),
        );
        self.len = records - duplicates.len();
        for (name, record_type, first) in duplicates {
            self.note_duplicates(&name, record_type, 1, Some(first));
        }
        self.nodes = Store::from_sorted(nodes);
    }

    /// Sorts the nodes at `unsettled` that loaders filled out of order, dropping (and
    /// counting) duplicate records.
    pub(crate) fn settle(&mut self, unsettled: Vec<Vec<u8>>) {
        let mut dropped = Vec::new();
        for key in unsettled {
            if let Some(node) = self.nodes.get_mut(&key) {
                let name = node.name.clone();
                node.settle(|record_type, count, first| {
                    dropped.push((name.clone(), record_type, count, first));
                });
            }
        }
        for (name, record_type, count, first) in dropped {
            self.len -= count;
            self.note_duplicates(&name, record_type, count, first);
        }
    }

    /// Whether the zone is a template: it holds `LOCAL-IP` placeholders.
    pub fn is_template(&self) -> bool {
        self.placeholders().next().is_some()
    }

    /// The owner and type of every placeholder RRset, in canonical order.
    pub fn placeholders(&self) -> impl Iterator<Item = (&Name, RecordType)> + '_ {
        self.rrsets()
            .filter(|(_, rrset)| rrset.has_placeholder())
            .map(|(name, rrset)| (name, rrset.record_type()))
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
        let Some(Node { rrsets, .. }) = self.nodes.get_mut(key.as_slice()) else {
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

    /// The RRset of `name` and `record_type`, with its owner as the zone spells it.
    pub(crate) fn rrset_and_owner(
        &self,
        name: &Name,
        record_type: RecordType,
    ) -> Option<(&Name, &Rrset)> {
        let node = self.nodes.get(canonical_key(name).as_slice())?;
        let rrset = node.rrsets.iter().find(|r| r.record_type == record_type)?;
        Some((&node.name, rrset))
    }

    /// Whether `name` exists in the zone (RFC 4592 §2.2.2): it owns records, or a name
    /// below it does (it is an empty non-terminal).
    ///
    /// ```
    /// use multiprimary::text::{ParseOptions, parse};
    /// use multiprimary::hickory_proto::rr::Name;
    ///
    /// let zone = parse("a.b 60 IN A 192.0.2.1\n", &ParseOptions::new().origin("example.com.".parse()?))?;
    /// assert!(zone.exists(&"a.b.example.com.".parse()?));
    /// assert!(zone.exists(&"B.example.com.".parse()?));
    /// assert!(!zone.exists(&"c.example.com.".parse()?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn exists(&self, name: &Name) -> bool {
        self.nodes.has_at_or_below(&canonical_key(name))
    }

    /// The owner whose RRsets answer a query for `name` (RFC 4592 §3.3.1): `name` itself
    /// when it exists, else the wildcard `*.E` at its closest encloser `E` when there is
    /// one; `None` for a name outside the zone, or one that does not exist and that no
    /// wildcard covers. It follows no delegation, CNAME or DNAME: it says where the data
    /// is, and [`AnswerTable`](crate::AnswerTable) says what a server answers.
    ///
    /// ```
    /// use multiprimary::text::{ParseOptions, parse};
    /// use multiprimary::hickory_proto::rr::Name;
    ///
    /// let text = "a 60 IN A 192.0.2.1\n*.b 60 IN A 192.0.2.2\n";
    /// let zone = parse(text, &ParseOptions::new().origin("example.com.".parse()?))?;
    /// let name = |text: &str| text.parse::<Name>();
    /// assert_eq!(zone.source_of(&name("a.example.com.")?), Some(name("a.example.com.")?));
    /// assert_eq!(zone.source_of(&name("x.b.example.com.")?), Some(name("*.b.example.com.")?));
    /// assert_eq!(zone.source_of(&name("x.a.example.com.")?), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn source_of(&self, name: &Name) -> Option<Name> {
        if !self.origin.zone_of(name) {
            return None;
        }
        if self.exists(name) {
            return Some(name.clone());
        }
        let mut encloser = name.clone();
        loop {
            if encloser == self.origin {
                return None;
            }
            encloser = encloser.base_name();
            if self.exists(&encloser) {
                break;
            }
        }
        let wildcard = Name::from_labels([&b"*"[..]])
            .ok()?
            .append_domain(&encloser)
            .ok()?;
        self.nodes
            .get(canonical_key(&wildcard).as_slice())
            .map(|_| wildcard)
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
        self.nodes.iter().map(|node| &node.name)
    }

    /// Every RRset with its owner, in canonical order.
    pub fn rrsets(&self) -> impl Iterator<Item = (&Name, &Rrset)> + '_ {
        self.nodes
            .iter()
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
}

/// Whether `data` is valid wire data for `record_type`: a type that zones hold (not a
/// meta type), at most 65,535 octets and, for types with a schema, fitting it.
pub(crate) fn data_fits(record_type: RecordType, data: &[u8]) -> bool {
    schema::is_data_type(u16::from(record_type))
        && data.len() <= usize::from(u16::MAX)
        && match schema::schema(u16::from(record_type)) {
            Some((fields, _)) => schema::fits(fields, data),
            None => true,
        }
}

/// A TTL as RFC 2181 §8 reads it: values with the most significant bit set are 0.
pub(crate) fn normal_ttl(ttl: u32) -> u32 {
    if ttl > 0x7fff_ffff { 0 } else { ttl }
}

impl PartialEq for Zone {
    /// Zones are equal when origin, class and every record (TTLs included) are equal;
    /// owner names and names in data compare case-insensitively.
    fn eq(&self, other: &Self) -> bool {
        self.origin == other.origin
            && self.class == other.class
            && self.len == other.len
            && self.nodes.iter().eq(other.nodes.iter())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ProblemKind, Severity};
    use hickory_proto::rr::RData;
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
    fn insert_all_stops_at_the_first_bad_record_and_leaves_the_rest_sorted() {
        let mut zone = minimal();
        let records = [
            record("x.example.", 60, RData::A(A::new(192, 0, 2, 9))),
            record("x.example.", 60, RData::A(A::new(192, 0, 2, 3))),
            record("x.example.", 30, RData::A(A::new(192, 0, 2, 9))),
            record("relative", 60, RData::A(A::new(192, 0, 2, 1))),
            record("x.example.", 60, RData::A(A::new(192, 0, 2, 1))),
        ];
        let error = zone.insert_all(&records).unwrap_err();
        assert!(
            matches!(error, RecordError::RelativeOwner { .. }),
            "{error}"
        );
        let rrset = zone.rrset(&name("x.example."), RecordType::A).unwrap();
        let kept: Vec<(u32, &[u8])> = rrset.iter().collect();
        assert_eq!(kept, [(60, &[192, 0, 2, 3][..]), (60, &[192, 0, 2, 9][..])]);
        assert_eq!(zone.len(), 5);
        assert_eq!(
            zone.validate()
                .iter()
                .map(|p| p.kind().clone())
                .collect::<Vec<_>>(),
            [ProblemKind::Duplicate { count: 1 }]
        );
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
