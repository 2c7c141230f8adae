//! [proptest](mod@proptest) strategies for downstream crates (feature `proptest`): names that need
//! escaping, record data of every supported type, and whole zones.
//!
//! Every strategy is bounded: names have at most 4 labels of at most 12 octets below the
//! origin, zones at most 40 records besides the SOA and apex NS.
//!
//! ```
//! use multiprimary::strategy;
//! use multiprimary::text::{parse, ParseOptions};
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(16))]
//!     // In a downstream crate's tests/ this function carries #[test].
//!     fn written_zones_parse_back(zone in strategy::zone()) {
//!         let text = zone.to_string();
//!         prop_assert_eq!(parse(&text, &ParseOptions::new()).unwrap(), zone);
//!     }
//! }
//! # written_zones_parse_back();
//! ```

use std::str::FromStr;

use hickory_proto::rr::{Name, RecordType};
use proptest::collection::{btree_set, vec};
use proptest::prelude::*;

use crate::rdata::{self, Field};
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
        any::<u16>().prop_filter("allowed in zones", |c| !matches!(c, 41 | 249..=255)),
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
                rdata::encode_bitmap(&types.into_iter().collect::<Vec<_>>(), &mut out);
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
        .filter(|&c| rdata::schema(c).is_some())
        .collect();
    let typed = proptest::sample::select(known).prop_flat_map(|code| {
        let fields = rdata::schema(code).map_or(&[][..], |(f, _)| f);
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
