//! [proptest](mod@proptest) strategies for downstream crates (feature `proptest`): names that need
//! escaping, record data of every supported type, whole zones, hosts and fleets, and
//! templates that come with the fleet they name.
//!
//! Every strategy is bounded: names have at most 4 labels of at most 12 octets below the
//! origin; zones hold at most 40 records besides the SOA and apex NS (templates: besides
//! the SOA, apex NS, glue and placeholders); hosts have 1 to 3 addresses; fleets 1 to 8
//! hosts.
//!
//! ```
//! use multiprimary::{strategy, Severity, Template};
//! use multiprimary::text::{parse, ParseOptions};
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(16))]
//!     // In a downstream crate's tests/ these functions carry #[test].
//!     fn written_zones_parse_back(zone in strategy::zone()) {
//!         let text = zone.to_string();
//!         prop_assert_eq!(parse(&text, &ParseOptions::new()).unwrap(), zone);
//!     }
//!
//!     fn projections_load((zone, fleet) in strategy::template()) {
//!         let template = Template::new(zone);
//!         for host in fleet.hosts() {
//!             let projection = template.project(host).unwrap();
//!             prop_assert!(projection.validate().iter().all(|p| p.severity() != Severity::Error));
//!         }
//!     }
//! }
//! # written_zones_parse_back();
//! # projections_load();
//! ```

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use hickory_proto::rr::{Name, RecordType};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;

use crate::fleet::{Fleet, Host};
use crate::schema::{self, Field};
use crate::zone::Zone;

/// One label of 1 to 12 octets: mostly letters, digits and `-`, sometimes any octet
/// (dots, spaces, quotes, `\`, non-ASCII), so that writers must escape.
pub fn label() -> impl Strategy<Value = Vec<u8>> {
    let plain =
        proptest::sample::select(b"abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789-_".to_vec());
    let octet = prop_oneof![8 => plain, 1 => any::<u8>()];
    vec(octet, 1..=12)
}

/// A fully qualified name of 0 to 4 labels below `origin`.
pub fn name_under(origin: Name) -> impl Strategy<Value = Name> {
    vec(label(), 0..=4).prop_map(move |labels| {
        let mut name = origin.clone();
        for label in labels.iter().rev() {
            // A label of at most 12 octets under a short origin always fits.
            name = name
                .prepend_label(label.as_slice())
                .unwrap_or_else(|_| origin.clone());
        }
        name
    })
}

/// A fully qualified name of 1 to 4 labels under `example.`.
pub fn name() -> impl Strategy<Value = Name> {
    name_under(example()).prop_filter("below the origin", |n| n.num_labels() > 1)
}

fn example() -> Name {
    Name::from_str("example.").unwrap_or_else(|_| Name::root())
}

fn wire_name() -> impl Strategy<Value = Vec<u8>> {
    vec(label(), 0..=3).prop_map(|labels| {
        let mut wire = Vec::new();
        for label in labels {
            wire.push(u8::try_from(label.len()).unwrap_or(0));
            wire.extend_from_slice(&label);
        }
        wire.extend_from_slice(b"\x07example\x00");
        wire
    })
}

fn bytes(range: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), range)
}

fn with_length(data: Vec<u8>) -> Vec<u8> {
    let mut out = vec![u8::try_from(data.len()).unwrap_or(0)];
    out.extend_from_slice(&data);
    out
}

/// A type code that zone text may carry (not OPT or the query-only range).
fn zone_type_code() -> impl Strategy<Value = u16> {
    prop_oneof![
        proptest::sample::select(vec![
            1u16, 2, 5, 6, 15, 16, 28, 33, 46, 47, 48, 65, 257, 1234
        ]),
        any::<u16>().prop_filter("allowed in zones", |&c| schema::is_data_type(c)),
    ]
}

fn field(field: Field) -> BoxedStrategy<Vec<u8>> {
    match field {
        Field::U8 => any::<u8>().prop_map(|v| vec![v]).boxed(),
        Field::U16 => any::<u16>().prop_map(|v| v.to_be_bytes().to_vec()).boxed(),
        Field::U32 | Field::Period | Field::Time => {
            any::<u32>().prop_map(|v| v.to_be_bytes().to_vec()).boxed()
        }
        Field::Name => wire_name().boxed(),
        Field::Ipv4 => bytes(4..=4).boxed(),
        Field::Ipv6 => bytes(16..=16).boxed(),
        Field::CharString => bytes(0..=40).prop_map(with_length).boxed(),
        Field::CharStrings => vec(bytes(0..=40).prop_map(with_length), 1..=3)
            .prop_map(|v| v.concat())
            .boxed(),
        Field::Base64 | Field::Hex => bytes(1..=40).boxed(),
        Field::Salt => bytes(0..=8).prop_map(with_length).boxed(),
        Field::Base32Hex => bytes(1..=20).prop_map(with_length).boxed(),
        Field::TypeBitmap => btree_set(zone_type_code(), 0..=6)
            .prop_map(|types| {
                let mut out = Vec::new();
                schema::encode_bitmap(&types.into_iter().collect::<Vec<_>>(), &mut out);
                out
            })
            .boxed(),
        Field::Type => zone_type_code()
            .prop_map(|v| v.to_be_bytes().to_vec())
            .boxed(),
        Field::CaaTag => vec(
            proptest::sample::select(b"abcdefghijklmnopqrstuvwxyz0123456789".to_vec()),
            1..=10,
        )
        .prop_map(with_length)
        .boxed(),
        Field::Text => bytes(0..=40).boxed(),
        Field::SvcParams => svc_params().boxed(),
    }
}

fn svc_params() -> impl Strategy<Value = Vec<u8>> {
    let alpn = vec(vec(any::<u8>(), 1..=6).prop_map(with_length), 1..=3).prop_map(|v| v.concat());
    (
        proptest::option::of(alpn),
        any::<bool>(),
        proptest::option::of(any::<u16>()),
        proptest::option::of(vec(bytes(4..=4), 1..=2)),
        proptest::option::of(bytes(1..=12)),
        proptest::option::of(bytes(0..=8)),
    )
        .prop_map(|(alpn, no_default, port, hints, ech, unknown)| {
            let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
            if let Some(alpn) = alpn {
                params.push((1, alpn));
                if no_default {
                    params.push((2, Vec::new()));
                }
            }
            if let Some(port) = port {
                params.push((3, port.to_be_bytes().to_vec()));
            }
            if let Some(hints) = hints {
                params.push((4, hints.concat()));
            }
            if let Some(ech) = ech {
                params.push((5, ech));
            }
            if let Some(value) = unknown {
                params.push((65000, value));
            }
            if params.len() >= 2 {
                let keys: Vec<u8> = params
                    .iter()
                    .skip(1)
                    .flat_map(|(k, _)| k.to_be_bytes())
                    .collect();
                params.insert(0, (0, keys));
            }
            let mut out = Vec::new();
            for (key, value) in params {
                out.extend_from_slice(&key.to_be_bytes());
                out.extend_from_slice(&u16::try_from(value.len()).unwrap_or(0).to_be_bytes());
                out.extend_from_slice(&value);
            }
            out
        })
}

/// Record data of every type this crate writes in its own format, or of an unknown type:
/// `(type, uncompressed wire data)`.
pub fn record_data() -> impl Strategy<Value = (RecordType, Vec<u8>)> {
    let known: Vec<u16> = (0..=u16::MAX)
        .filter(|&c| schema::schema(c).is_some())
        .collect();
    let typed = proptest::sample::select(known).prop_flat_map(|code| {
        let fields = schema::schema(code).map_or(&[][..], |(f, _)| f);
        fields
            .iter()
            .map(|&f| field(f))
            .collect::<Vec<_>>()
            .prop_map(move |parts| (RecordType::from(code), parts.concat()))
    });
    let unknown =
        (60_000u16..=65_534, bytes(0..=20)).prop_map(|(code, data)| (RecordType::from(code), data));
    prop_oneof![9 => typed, 1 => unknown]
        .prop_filter("valid for its type", |(t, d)| crate::zone::data_fits(*t, d))
}

/// A zone under `example.`: an SOA and NS at the apex and up to 40 records of any
/// supported type (and unknown types) at names that need escaping. TTLs are at most
/// 2^31 - 1 (RFC 2181 §8). The zone round-trips through text and wire form but need not
/// pass [`Zone::validate`].
pub fn zone() -> impl Strategy<Value = Zone> {
    let record = (name_under(example()), 0u32..=0x7fff_ffff, record_data());
    (vec(record, 0..=40), 0u32..=0x7fff_ffff).prop_map(|(records, ttl)| {
        let origin = example();
        let mut zone = Zone::new(origin.clone());
        let soa = b"\x02ns\x07example\x00\x0ahostmaster\x07example\x00\x00\x00\x00\x01\x00\x00\x0e\x10\x00\x00\x03\x84\x00\x09\x3a\x80\x00\x00\x00\x3c";
        zone.insert_data(&origin, RecordType::SOA, ttl, soa);
        zone.insert_data(&origin, RecordType::NS, ttl, b"\x02ns\x07example\x00");
        for (owner, ttl, (record_type, data)) in records {
            if record_type != RecordType::SOA {
                zone.insert_data(&owner, record_type, ttl, &data);
            }
        }
        zone
    })
}

/// `www.example.`, the second self-referencing name of [`template`]s.
fn www() -> Name {
    Name::from_str("www.example.").unwrap_or_else(|_| example())
}

/// `ns.example.`, the name server of [`valid_zone`]s.
fn ns() -> Name {
    Name::from_str("ns.example.").unwrap_or_else(|_| example())
}

/// SOA data naming `mname`, with RNAME `hostmaster.example.`, the given serial, and
/// REFRESH 3600, RETRY 900, EXPIRE 604800, MINIMUM 60.
fn soa_data(mname: &Name, serial: u32) -> Vec<u8> {
    let mut data = schema::name_wire(mname);
    data.extend_from_slice(b"\x0ahostmaster\x07example\x00");
    for field in [serial, 3600, 900, 604_800, 60] {
        data.extend_from_slice(&field.to_be_bytes());
    }
    data
}

/// Adds a record to `zone` unless that would give [`Zone::validate`] an error (an SOA, a
/// CNAME beside other data or a second CNAME, a second DNAME, data below a DNAME) or
/// touch what the scheme fixes: A and AAAA records at `reserved` names and, unless
/// `apex_ns` allows it, the apex NS RRset. A record joining an RRset takes its TTL.
fn insert_keeping_valid(
    zone: &mut Zone,
    reserved: &[Name],
    apex_ns: bool,
    owner: &Name,
    ttl: u32,
    (record_type, data): (RecordType, Vec<u8>),
) {
    let fixed = match record_type {
        RecordType::SOA => true,
        RecordType::NS => !apex_ns && owner == zone.origin(),
        RecordType::A | RecordType::AAAA => reserved.contains(owner),
        _ => false,
    };
    let present: Vec<RecordType> = zone
        .rrsets_at(owner)
        .map(crate::zone::Rrset::record_type)
        .collect();
    let conflict = match record_type {
        RecordType::CNAME => !present.is_empty(),
        RecordType::DNAME => present
            .iter()
            .any(|t| matches!(t, RecordType::DNAME | RecordType::CNAME)),
        _ => present.contains(&RecordType::CNAME),
    };
    // Nothing may sit below a DNAME (RFC 6672 §2.3): no DNAME above a name that holds
    // data (the apex always does), no data below a DNAME.
    let dname_above = {
        let mut ancestor = owner.base_name();
        let mut found = false;
        while !found && zone.origin().zone_of(&ancestor) {
            found = zone.rrset(&ancestor, RecordType::DNAME).is_some();
            if ancestor.is_root() {
                break;
            }
            ancestor = ancestor.base_name();
        }
        found
    };
    let data_below =
        record_type == RecordType::DNAME && zone.names().any(|n| n != owner && owner.zone_of(n));
    if fixed || conflict || dname_above || data_below {
        return;
    }
    let ttl = zone
        .rrset(owner, record_type)
        .map_or(ttl, crate::zone::Rrset::ttl);
    zone.insert_data(owner, record_type, ttl, &data);
}

/// A random record for [`insert_keeping_valid`]: owner under `example.`, TTL, data.
fn random_record() -> impl Strategy<Value = (Name, u32, (RecordType, Vec<u8>))> {
    (name_under(example()), 0u32..=0x7fff_ffff, record_data())
}

/// A zone under `example.` that [`Zone::validate`] reports no
/// [`Severity::Error`](crate::Severity::Error) for: one SOA and an NS at the apex naming
/// `ns.example.` (with a glue A record), and up to 40 records of any supported type (and
/// unknown types) at names that need escaping, kept only where they break no rule (no
/// second SOA, no CNAME beside other data, one DNAME per name and nothing below it, one
/// TTL per RRset). It may hold warnings: targets without addresses, data below zone cuts.
pub fn valid_zone() -> impl Strategy<Value = Zone> {
    (
        vec(random_record(), 0..=40),
        0u32..=0x7fff_ffff,
        any::<u32>(),
        any::<[u8; 4]>(),
    )
        .prop_map(|(records, ttl, serial, glue)| {
            let origin = example();
            let ns = ns();
            let mut zone = Zone::new(origin.clone());
            zone.insert_data(&origin, RecordType::SOA, ttl, &soa_data(&ns, serial));
            zone.insert_data(&origin, RecordType::NS, ttl, &schema::name_wire(&ns));
            zone.insert_data(&ns, RecordType::A, ttl, &glue);
            for (owner, ttl, record) in records {
                insert_keeping_valid(&mut zone, &[], true, &owner, ttl, record);
            }
            zone
        })
}

/// An IPv4 address, any of them.
fn ipv4() -> impl Strategy<Value = IpAddr> {
    any::<[u8; 4]>().prop_map(|octets| IpAddr::V4(Ipv4Addr::from(octets)))
}

/// An IPv6 address, any of them.
fn ipv6() -> impl Strategy<Value = IpAddr> {
    any::<[u8; 16]>().prop_map(|octets| IpAddr::V6(Ipv6Addr::from(octets)))
}

/// 1 to 3 addresses: IPv4 only, IPv6 only, or both (at least one of each).
fn addresses() -> impl Strategy<Value = Vec<IpAddr>> {
    prop_oneof![
        vec(ipv4(), 1..=3),
        vec(ipv6(), 1..=3),
        (vec(ipv4(), 1..=2), ipv6()).prop_map(|(mut both, v6)| {
            both.push(v6);
            both
        }),
        (ipv4(), vec(ipv6(), 1..=2)).prop_map(|(v4, mut both)| {
            both.insert(0, v4);
            both
        }),
    ]
}

/// A host under `example.` (1 to 4 labels, neither the apex nor `www`) with 1 to 3
/// addresses: IPv4 only, IPv6 only, or both.
pub fn host() -> impl Strategy<Value = Host> {
    let www = www();
    let name = name_under(example())
        .prop_filter("a host name below the origin, not www", move |n| {
            n.num_labels() > 1 && *n != www
        });
    (name, addresses()).prop_map(|(name, addresses)| Host::new(name, addresses))
}

/// `hosts` without repeats: a host whose name an earlier one has is dropped, addresses an
/// earlier host has are taken away, and a host left without addresses is dropped.
fn distinct(hosts: Vec<Host>) -> Vec<Host> {
    let mut kept: Vec<Host> = Vec::with_capacity(hosts.len());
    for host in hosts {
        if kept.iter().any(|k| k.name() == host.name()) {
            continue;
        }
        let addresses: Vec<IpAddr> = host
            .addresses()
            .iter()
            .copied()
            .filter(|a| !kept.iter().any(|k| k.addresses().contains(a)))
            .collect();
        if !addresses.is_empty() {
            kept.push(Host::new(host.name().clone(), addresses));
        }
    }
    kept
}

/// A [`Fleet`] of 1 to 8 [`host`]s with distinct names (compared case-insensitively) and
/// distinct addresses, so that [`Fleet::new`] accepts it. Each host has IPv4, IPv6 or
/// both. The fleet knows no origin: look hosts up by absolute name or address.
pub fn fleet() -> impl Strategy<Value = Fleet> {
    vec(host(), 1..=8).prop_filter_map("distinct names and addresses", |hosts| {
        Fleet::new(distinct(hosts)).ok()
    })
}

/// Which placeholder RRsets a self-referencing name gets: A, AAAA, or both.
fn placeholder_types() -> impl Strategy<Value = &'static [RecordType]> {
    proptest::sample::select(vec![
        &[RecordType::A][..],
        &[RecordType::AAAA][..],
        &[RecordType::A, RecordType::AAAA][..],
    ])
}

/// A template under `example.` and the [`fleet`] it names, as
/// [`parse`](crate::text::parse) with [`template(true)`](crate::text::ParseOptions::template)
/// would give it:
///
/// - an SOA at the apex (MNAME the first host, any serial, MINIMUM 60);
/// - an apex NS RRset naming every host, with each host's addresses as glue A and AAAA
///   records at its name, so that [`Template::fleet`](crate::Template::fleet) finds the same hosts;
/// - [`PLACEHOLDER`](crate::PLACEHOLDER) records (A, AAAA or both, TTLs up to 300) at the
///   apex and at `www`, which are therefore its only self-referencing names;
/// - up to 40 other records of any supported type (and unknown types) at names that need
///   escaping, kept only where they break no rule of [`Zone::validate`] and leave the
///   scheme alone: no A or AAAA at the apex, `www` or a host's name, no apex NS, no SOA.
///
/// The template itself has no [`Severity::Error`](crate::Severity::Error) problem.
pub fn template() -> impl Strategy<Value = (Zone, Fleet)> {
    let placeholders = (
        placeholder_types(),
        placeholder_types(),
        vec(0u32..=300, 4..=4),
    );
    let ttls = (0u32..=0x7fff_ffff, 0u32..=0x7fff_ffff, 0u32..=86_400);
    (
        fleet(),
        placeholders,
        ttls,
        any::<u32>(),
        vec(random_record(), 0..=40),
    )
        .prop_map(
            |(
                fleet,
                (apex_types, www_types, self_ttls),
                (soa_ttl, ns_ttl, glue_ttl),
                serial,
                records,
            )| {
                let origin = example();
                let www = www();
                let mut zone = Zone::new(origin.clone());
                let mname = fleet.hosts().first().map_or_else(ns, |h| h.name().clone());
                zone.insert_data(&origin, RecordType::SOA, soa_ttl, &soa_data(&mname, serial));
                let mut reserved = vec![origin.clone(), www.clone()];
                for host in fleet.hosts() {
                    zone.insert_data(
                        &origin,
                        RecordType::NS,
                        ns_ttl,
                        &schema::name_wire(host.name()),
                    );
                    for address in host.addresses() {
                        match address {
                            IpAddr::V4(v4) => {
                                zone.insert_data(host.name(), RecordType::A, glue_ttl, &v4.octets())
                            }
                            IpAddr::V6(v6) => zone.insert_data(
                                host.name(),
                                RecordType::AAAA,
                                glue_ttl,
                                &v6.octets(),
                            ),
                        };
                    }
                    reserved.push(host.name().clone());
                }
                let mut self_ttls = self_ttls.into_iter();
                for (name, types) in [(&origin, apex_types), (&www, www_types)] {
                    for &record_type in types {
                        let ttl = self_ttls.next().unwrap_or(60);
                        zone.insert_data(name, record_type, ttl, &[]);
                    }
                }
                for (owner, ttl, record) in records {
                    insert_keeping_valid(&mut zone, &reserved, false, &owner, ttl, record);
                }
                (zone, fleet)
            },
        )
}
