//! `Zone` → [`AnswerTable`]: everything that can be done before a query arrives.
//!
//! # Table layout
//!
//! Every name of the zone, and every empty non-terminal between a name and the apex, is a
//! [`Node`], found through `index` by its lowercased uncompressed wire form. A node knows
//! the closest zone cut at or above it (`cut`, for referrals), the DNAME strictly above it
//! (`dname`), and the `*` child it has (`wildcard`), so a query needs one lookup when its
//! name exists, and one per missing label when it does not, however large the zone.
//!
//! Each node's RRsets sit together in one arena (`bytes`): first a table of
//! [`RrsetEntry`]s (type first, [`RrsetEntry::SIZE`] octets each), then the RRsets'
//! fragments, so that after the index a hit reads one stretch of memory.
//!
//! Each RRset is pre-rendered as response records in that arena: every record
//! starts with a two-octet owner pointer, and in-zone names in the data of RFC 1035 types
//! end in a two-octet pointer to the origin. Those pointers are the [`Patch`]es, kept in
//! the arena just before the records they belong to: the
//! answer path copies a fragment into the response and writes each pointer once it knows
//! where the question (and so the origin) sits. The additional records of an NS, MX or SRV
//! RRset (the in-zone addresses of its targets) are pre-rendered the same way, their owners
//! pointing at the target names inside the RRset's own records.
//!
//! Invariants: RRset tables, fragments and their patches lie inside `bytes`, patches point
//! inside their fragment; node indexes are inside `nodes`. `compile` builds them so;
//! `answer` still reads with `get` and treats a miss as no data, never a panic.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use hickory_proto::rr::{Name, RecordType};

use super::{AnswerTable, CompileError};
use crate::error::{Problem, ZoneError};
use crate::schema::{self, Field};
use crate::zone::{Key, Zone};

/// "No such node".
pub(crate) const NONE: u32 = u32::MAX;

/// FNV-1a: the index's keys come from the zone, and lookups are short names, so a fast
/// unkeyed hash serves (an attacker chooses lookups, not the stored keys).
#[derive(Default, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &byte in bytes {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// The compiling index: names to node numbers.
type Names = HashMap<Box<[u8]>, u32, BuildHasherDefault<Fnv>>;

/// The answering index: names (held inline when short, so a lookup reads no other memory
/// to compare keys) to node numbers and a copy of the node, so that a hit touches the
/// table once before the RRsets.
pub(crate) type Index = HashMap<Key, (u32, Node), BuildHasherDefault<Fnv>>;

/// Where a pre-rendered pointer points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// The zone's origin, inside the question name.
    Origin,
    /// The owner of the records being written.
    Owner,
    /// An offset inside the records of the RRset this additional fragment belongs to.
    Base(u16),
}

impl Target {
    /// The kind and offset fields of a patch in the arena.
    fn encode(self) -> (u16, u16) {
        match self {
            Self::Origin => (0, 0),
            Self::Owner => (1, 0),
            Self::Base(offset) => (2, offset),
        }
    }

    /// The target of a patch's kind and offset fields (as [`encode`](Self::encode)
    /// wrote them).
    pub(crate) fn decode(kind: u16, offset: u16) -> Self {
        match kind {
            0 => Self::Origin,
            1 => Self::Owner,
            _ => Self::Base(offset),
        }
    }
}

/// A pointer to write at `at` (an offset inside its fragment).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Patch {
    pub(crate) at: u16,
    pub(crate) target: Target,
}

/// Pre-rendered records in the arena: `len` octets at `start`, preceded at `patches` by
/// `patch_count` six-octet patches (offset, kind 0 origin / 1 owner / 2 base, base offset).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fragment {
    pub(crate) start: u32,
    pub(crate) len: u32,
    pub(crate) patches: u32,
    pub(crate) patch_count: u32,
    pub(crate) records: u16,
}

/// One RRset of a node, kept in the arena as [`RrsetEntry::SIZE`] octets, just before the
/// node's fragments (see [`RrsetEntry::encode`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RrsetEntry {
    pub(crate) record_type: u16,
    /// The records, each with an owner pointer.
    pub(crate) records: Fragment,
    /// The in-zone A and AAAA records of NS, MX and SRV targets.
    pub(crate) additional: Fragment,
    /// For CNAME and DNAME: the target name as written (`start`, `len` in the arena) and
    /// where, inside `records`, its wire form begins.
    pub(crate) target: (u32, u16),
    pub(crate) target_offset: u16,
}

impl Fragment {
    const SIZE: usize = 18;

    fn encode(&self, out: &mut [u8]) {
        let fields = [self.start, self.len, self.patches, self.patch_count];
        for (slot, field) in out.chunks_exact_mut(4).zip(fields) {
            slot.copy_from_slice(&field.to_le_bytes());
        }
        if let Some(slot) = out.get_mut(16..18) {
            slot.copy_from_slice(&self.records.to_le_bytes());
        }
    }

    fn decode(bytes: &[u8]) -> Self {
        let word = |at: usize| {
            bytes
                .get(at..at + 4)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u32::from_le_bytes)
        };
        Self {
            start: word(0),
            len: word(4),
            patches: word(8),
            patch_count: word(12),
            records: half(bytes, 16),
        }
    }
}

/// The little-endian `u16` at `at`, or 0.
fn half(bytes: &[u8], at: usize) -> u16 {
    bytes
        .get(at..at + 2)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u16::from_le_bytes)
}

impl RrsetEntry {
    /// Octets of one entry in the arena: the type first, so that a search reads only it.
    pub(crate) const SIZE: usize = 2 + 2 * Fragment::SIZE + 4 + 2 + 2;

    /// The type of an encoded entry.
    pub(crate) fn record_type_of(bytes: &[u8]) -> u16 {
        half(bytes, 0)
    }

    fn encode(&self, out: &mut [u8]) {
        let (head, rest) = out.split_at_mut(2.min(out.len()));
        head.copy_from_slice(&self.record_type.to_le_bytes());
        let (records, rest) = rest.split_at_mut(Fragment::SIZE.min(rest.len()));
        self.records.encode(records);
        let (additional, rest) = rest.split_at_mut(Fragment::SIZE.min(rest.len()));
        self.additional.encode(additional);
        let tail = [
            self.target.0.to_le_bytes().as_slice(),
            &self.target.1.to_le_bytes(),
            &self.target_offset.to_le_bytes(),
        ]
        .concat();
        if let Some(slot) = rest.get_mut(..tail.len()) {
            slot.copy_from_slice(&tail);
        }
    }

    /// An entry from its octets (zeros where they are short, which `compile` never leaves).
    pub(crate) fn decode(bytes: &[u8]) -> Self {
        // A fixed-size view, so that the reads below need no bounds checks at run time.
        let bytes: &[u8] = match bytes.first_chunk::<{ Self::SIZE }>() {
            Some(chunk) => chunk,
            None => &[0; Self::SIZE],
        };
        let at = 2 + 2 * Fragment::SIZE;
        Self {
            record_type: half(bytes, 0),
            records: Fragment::decode(bytes.get(2..).unwrap_or_default()),
            additional: Fragment::decode(bytes.get(2 + Fragment::SIZE..).unwrap_or_default()),
            target: (
                bytes
                    .get(at..at + 4)
                    .and_then(|b| b.try_into().ok())
                    .map_or(0, u32::from_le_bytes),
                half(bytes, at + 4),
            ),
            target_offset: half(bytes, at + 6),
        }
    }
}

/// One name of the zone (or an empty non-terminal).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    /// Where the node's RRset entries start in the arena.
    pub(crate) rrsets: u32,
    pub(crate) rrset_count: u16,
    /// The highest zone cut at or above this name (not the apex), or [`NONE`].
    pub(crate) cut: u32,
    /// The highest DNAME strictly above this name, or [`NONE`].
    pub(crate) dname: u32,
    /// The node `*.` this name, or [`NONE`].
    pub(crate) wildcard: u32,
    /// The length of this name's wire form.
    pub(crate) name_len: u8,
}

/// Builds the table.
pub(crate) fn compile(zone: &Zone) -> Result<AnswerTable, CompileError> {
    zone.check().map_err(CompileError::Zone)?;
    if let Some((owner, record_type)) = zone.placeholders().next() {
        return Err(CompileError::Placeholder {
            owner: Box::new(owner.clone()),
            record_type,
        });
    }
    let origin = lower_wire(zone.origin());
    let mut builder = Builder {
        origin: origin.clone(),
        bytes: Vec::new(),
        patches: Vec::new(),
        index: Names::default(),
        nodes: Vec::new(),
    };
    // NSEC3 owners are not names of the zone: a query for one is a Name Error (RFC 5155
    // §7.2.8, erratum 4622). Names holding only NSEC3 (and their RRSIGs) are left out.
    let names: Vec<(Vec<u8>, &Name)> = zone
        .names()
        .filter(|n| {
            zone.rrsets_at(n)
                .any(|r| !matches!(r.record_type(), RecordType::NSEC3 | RecordType::RRSIG))
        })
        .map(|n| (lower_wire(n), n))
        .collect();
    // Nodes first (names and empty non-terminals), so targets can be found.
    for (key, _) in &names {
        builder.nodes_to_apex(key);
    }
    builder.link(zone);
    for (key, name) in &names {
        builder.rrsets(zone, key, name)?;
    }
    // `check` above refused a zone without its one apex SOA; should it be missing all the
    // same, the error says so.
    let no_soa = || CompileError::Zone(ZoneError::new(vec![Problem::no_soa(zone)]));
    let (soa_ttl, soa_data) = zone.soa_record().ok_or_else(no_soa)?;
    let minimum = schema::soa_minimum(soa_data).ok_or_else(no_soa)?;
    let negative = builder.records(
        RecordType::SOA,
        zone.class().into(),
        &[(soa_ttl.min(minimum), soa_data)],
    )?;
    let mut index =
        Index::with_capacity_and_hasher(builder.index.len(), BuildHasherDefault::default());
    for (key, id) in builder.index {
        if let Some(node) = builder.nodes.get(id as usize) {
            index.insert(Key::from(key.into_vec()), (id, *node));
        }
    }
    Ok(AnswerTable {
        origin: origin.into_boxed_slice(),
        class: zone.class().into(),
        index,
        nodes: builder.nodes,
        bytes: builder.bytes,
        negative,
    })
}

/// The suffixes of the name `key` (lowercased wire form, in the zone) from itself up to
/// the origin, each with the offset where it starts.
fn suffixes(key: &[u8], origin_len: usize) -> impl Iterator<Item = (usize, &[u8])> {
    let mut at = Some(0usize);
    std::iter::from_fn(move || {
        let here = at?;
        let suffix = key.get(here..).filter(|s| s.len() >= origin_len)?;
        at = (suffix.len() > origin_len)
            .then(|| here + 1 + usize::from(key.get(here).copied().unwrap_or(0)));
        Some((here, suffix))
    })
}

impl Builder {
    /// Adds the node of `key` and of every ancestor between it and the origin.
    fn nodes_to_apex(&mut self, key: &[u8]) {
        for (_, suffix) in suffixes(key, self.origin.len()) {
            self.node(suffix);
        }
    }

    /// Links every node to the cut and the DNAME above it (the highest found win) and to
    /// the wildcard below it.
    fn link(&mut self, zone: &Zone) {
        let has = |key: &[u8], t: RecordType| zone.rrset(&name_of(key), t).is_some();
        let origin_len = self.origin.len();
        let keys: Vec<Box<[u8]>> = self.index.keys().cloned().collect();
        for key in &keys {
            let id = self.index.get(key).copied().unwrap_or(NONE);
            let mut cut = NONE;
            let mut dname = NONE;
            for (at, suffix) in suffixes(key, origin_len) {
                let suffix_id = self.index.get(suffix).copied().unwrap_or(NONE);
                if suffix.len() > origin_len && has(suffix, RecordType::NS) {
                    cut = suffix_id;
                }
                if at > 0 && has(suffix, RecordType::DNAME) {
                    dname = suffix_id;
                }
            }
            let mut wildcard_key = b"\x01*".to_vec();
            wildcard_key.extend_from_slice(key);
            let wildcard = self
                .index
                .get(wildcard_key.as_slice())
                .copied()
                .unwrap_or(NONE);
            if let Some(node) = self.nodes.get_mut(id as usize) {
                node.cut = cut;
                node.dname = dname;
                node.wildcard = wildcard;
            }
        }
    }

    /// Renders the RRsets of `name`: the node's entries, then their fragments, side by
    /// side in the arena, so that an answer reads one stretch of memory after the index.
    fn rrsets(&mut self, zone: &Zone, key: &[u8], name: &Name) -> Result<(), CompileError> {
        let id = self.index.get(key).copied().unwrap_or(NONE);
        let table = self.bytes.len();
        let count = zone.rrsets_at(name).count();
        self.bytes.resize(table + count * RrsetEntry::SIZE, 0);
        for (i, rrset) in zone.rrsets_at(name).enumerate() {
            let entry = self.rrset(zone, rrset)?;
            // The RRset must fit a response to a question for its own name: header,
            // question (the name, type, class) and the records.
            if 12 + key.len() + 4 + entry.records.len as usize > usize::from(u16::MAX) {
                return Err(CompileError::TooLarge);
            }
            let at = table + i * RrsetEntry::SIZE;
            if let Some(slot) = self.bytes.get_mut(at..at + RrsetEntry::SIZE) {
                entry.encode(slot);
            }
        }
        if let Some(node) = self.nodes.get_mut(id as usize) {
            node.rrsets = u32::try_from(table).map_err(|_| CompileError::TooLarge)?;
            node.rrset_count = u16::try_from(count).map_err(|_| CompileError::TooLarge)?;
        }
        Ok(())
    }
}

/// A name's lowercased uncompressed wire form.
pub(crate) fn lower_wire(name: &Name) -> Vec<u8> {
    let mut wire = schema::name_wire(name);
    schema::lowercase_wire_name(&mut wire);
    wire
}

/// The name of a wire form (for looking RRsets up while compiling).
fn name_of(wire: &[u8]) -> Name {
    use hickory_proto::serialize::binary::BinDecodable;
    Name::from_bytes(wire).unwrap_or_else(|_| Name::root())
}

struct Builder {
    origin: Vec<u8>,
    bytes: Vec<u8>,
    patches: Vec<Patch>,
    index: Names,
    nodes: Vec<Node>,
}

impl Builder {
    fn node(&mut self, key: &[u8]) -> u32 {
        if let Some(&id) = self.index.get(key) {
            return id;
        }
        let id = u32::try_from(self.nodes.len()).unwrap_or(NONE);
        self.nodes.push(Node {
            rrsets: 0,
            rrset_count: 0,
            cut: NONE,
            dname: NONE,
            wildcard: NONE,
            name_len: u8::try_from(key.len()).unwrap_or(u8::MAX),
        });
        self.index.insert(key.into(), id);
        id
    }

    /// Appends a name to the arena: in-zone names as their labels below the origin and a
    /// pointer to the origin; others uncompressed. Returns whether it was compressed.
    fn name(
        &mut self,
        wire: &[u8],
        fragment_start: usize,
        compress: bool,
    ) -> Result<(), CompileError> {
        let lower = {
            let mut lower = wire.to_vec();
            schema::lowercase_wire_name(&mut lower);
            lower
        };
        if compress
            && lower.len() >= self.origin.len()
            && lower.ends_with(&self.origin)
            && schema::is_label_start(&lower, lower.len() - self.origin.len())
        {
            let prefix = wire
                .get(..wire.len() - self.origin.len())
                .unwrap_or_default();
            self.bytes.extend_from_slice(prefix);
            let at = u16::try_from(self.bytes.len() - fragment_start)
                .map_err(|_| CompileError::TooLarge)?;
            self.patches.push(Patch {
                at,
                target: Target::Origin,
            });
            self.bytes.extend_from_slice(&[0xC0, 0]);
        } else {
            self.bytes.extend_from_slice(wire);
        }
        Ok(())
    }

    /// Renders records of one type: owner pointer, type, class, TTL, length, data.
    fn records(
        &mut self,
        record_type: RecordType,
        class: u16,
        records: &[(u32, &[u8])],
    ) -> Result<Fragment, CompileError> {
        let start = self.bytes.len();
        let patches = self.patches.len();
        let compress = matches!(u16::from(record_type), 2..=9 | 12 | 14 | 15);
        let fields = schema::schema(u16::from(record_type)).map(|(f, _)| f);
        for (ttl, data) in records {
            let at = u16::try_from(self.bytes.len() - start).map_err(|_| CompileError::TooLarge)?;
            self.patches.push(Patch {
                at,
                target: Target::Owner,
            });
            self.bytes.extend_from_slice(&[0xC0, 0]);
            self.bytes
                .extend_from_slice(&u16::from(record_type).to_be_bytes());
            self.bytes.extend_from_slice(&class.to_be_bytes());
            self.bytes.extend_from_slice(&ttl.to_be_bytes());
            let length_at = self.bytes.len();
            self.bytes.extend_from_slice(&[0, 0]);
            match fields.and_then(|f| schema::split(f, data)) {
                Some(parts) => {
                    for (field, value) in parts {
                        if field == Field::Name {
                            self.name(value, start, compress)?;
                        } else {
                            self.bytes.extend_from_slice(value);
                        }
                    }
                }
                None => self.bytes.extend_from_slice(data),
            }
            let length = u16::try_from(self.bytes.len() - length_at - 2)
                .map_err(|_| CompileError::TooLarge)?;
            if let Some(slot) = self.bytes.get_mut(length_at..length_at + 2) {
                slot.copy_from_slice(&length.to_be_bytes());
            }
        }
        let count = u16::try_from(records.len()).map_err(|_| CompileError::TooLarge)?;
        self.seal(start, patches, count)
    }

    /// Ends the fragment whose bytes began at `start` and patches at `patches`: moves its
    /// patches into the arena just before its bytes, where the answer path reads them
    /// together (one cache line, not two).
    fn seal(
        &mut self,
        start: usize,
        patches: usize,
        records: u16,
    ) -> Result<Fragment, CompileError> {
        let body = self.bytes.split_off(start);
        let list: Vec<Patch> = self.patches.drain(patches..).collect();
        let patch_start = self.bytes.len();
        for patch in &list {
            let (tag, offset) = patch.target.encode();
            self.bytes.extend_from_slice(&patch.at.to_be_bytes());
            self.bytes.extend_from_slice(&tag.to_be_bytes());
            self.bytes.extend_from_slice(&offset.to_be_bytes());
        }
        let body_start = self.bytes.len();
        self.bytes.extend_from_slice(&body);
        let too_large = |_| CompileError::TooLarge;
        Ok(Fragment {
            start: u32::try_from(body_start).map_err(too_large)?,
            len: u32::try_from(body.len()).map_err(too_large)?,
            patches: u32::try_from(patch_start).map_err(too_large)?,
            patch_count: u32::try_from(list.len()).map_err(too_large)?,
            records,
        })
    }

    /// Renders one RRset: its records, and for a CNAME or DNAME where its target is, for
    /// NS, MX and SRV the addresses of their in-zone targets for the additional section.
    fn rrset(&mut self, zone: &Zone, rrset: &crate::Rrset) -> Result<RrsetEntry, CompileError> {
        let record_type = rrset.record_type();
        let class: u16 = zone.class().into();
        let data: Vec<(u32, &[u8])> = rrset.iter().collect();
        let records = self.records(record_type, class, &data)?;
        let mut entry = RrsetEntry {
            record_type: record_type.into(),
            records,
            additional: Fragment::default(),
            target: (0, 0),
            target_offset: 0,
        };
        let offsets = self.data_offsets(records);
        match record_type {
            RecordType::CNAME | RecordType::DNAME => {
                if let (Some((_, target)), Some(&offset)) = (data.first(), offsets.first()) {
                    let start =
                        u32::try_from(self.bytes.len()).map_err(|_| CompileError::TooLarge)?;
                    self.bytes.extend_from_slice(target);
                    entry.target = (start, u16::try_from(target.len()).unwrap_or(0));
                    entry.target_offset =
                        u16::try_from(offset).map_err(|_| CompileError::TooLarge)?;
                }
            }
            RecordType::NS | RecordType::MX | RecordType::SRV => {
                entry.additional = self.additional(zone, record_type, &data, &offsets)?;
            }
            _ => {}
        }
        Ok(entry)
    }

    /// Where each record's data begins inside the fragment `records`, to find target names.
    fn data_offsets(&self, records: Fragment) -> Vec<usize> {
        let fragment = self
            .bytes
            .get(records.start as usize..(records.start + records.len) as usize)
            .unwrap_or_default();
        let mut offsets = Vec::new();
        let mut at = 0usize;
        while at + 12 <= fragment.len() {
            let length = fragment
                .get(at + 10..at + 12)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u16::from_be_bytes);
            offsets.push(at + 12);
            at += 12 + usize::from(length);
        }
        offsets
    }

    /// The additional section of an NS, MX or SRV RRset: the A and AAAA records of each
    /// target in the zone (once each), with pointers to the target's name in the records.
    fn additional(
        &mut self,
        zone: &Zone,
        record_type: RecordType,
        data: &[(u32, &[u8])],
        offsets: &[usize],
    ) -> Result<Fragment, CompileError> {
        // Where the target name starts inside the record data.
        let skip = match record_type {
            RecordType::NS => 0,
            RecordType::MX => 2,
            _ => 6,
        };
        let class: u16 = zone.class().into();
        let additional_start = self.bytes.len();
        let patches_start = self.patches.len();
        let mut count = 0u16;
        let mut seen: Vec<Vec<u8>> = Vec::new();
        for ((_, record), &offset) in data.iter().zip(offsets) {
            let Some(target) = schema::target(record_type, record) else {
                continue;
            };
            let lower = schema::lowercased(target);
            if seen.contains(&lower) {
                continue;
            }
            seen.push(lower.clone());
            let Some(&node) = self.index.get(lower.as_slice()) else {
                continue;
            };
            // Glue at or below a cut serves referrals; MX and SRV targets must be ours,
            // and a cut's own name is the child's (RFC 1034 §4.2.1).
            let occluded = self
                .nodes
                .get(node as usize)
                .is_some_and(|n| n.cut != NONE || n.dname != NONE);
            if record_type != RecordType::NS && occluded {
                continue;
            }
            let target_name = name_of(&lower);
            for address_type in [RecordType::A, RecordType::AAAA] {
                let Some(addresses) = zone.rrset(&target_name, address_type) else {
                    continue;
                };
                let pointer = u16::try_from(offset + skip).map_err(|_| CompileError::TooLarge)?;
                for (ttl, address) in addresses.iter() {
                    let at = u16::try_from(self.bytes.len() - additional_start)
                        .map_err(|_| CompileError::TooLarge)?;
                    self.patches.push(Patch {
                        at,
                        target: Target::Base(pointer),
                    });
                    self.bytes.extend_from_slice(&[0xC0, 0]);
                    self.bytes
                        .extend_from_slice(&u16::from(address_type).to_be_bytes());
                    self.bytes.extend_from_slice(&class.to_be_bytes());
                    self.bytes.extend_from_slice(&ttl.to_be_bytes());
                    self.bytes.extend_from_slice(
                        &u16::try_from(address.len()).unwrap_or(0).to_be_bytes(),
                    );
                    self.bytes.extend_from_slice(address);
                    count += 1;
                }
            }
        }
        self.seal(additional_start, patches_start, count)
    }
}
