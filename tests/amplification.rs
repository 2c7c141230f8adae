//! How much larger than a query a UDP response can be: for every name and type of the rich
//! zone, with and without EDNS, the response never exceeds 512 octets without EDNS nor the
//! advertised payload (at most 1232) with it, ANY gets one RRset, and the largest
//! response-to-query ratio is the one the README states.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers may panic

use std::collections::BTreeSet;

use multiprimary::hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use multiprimary::hickory_proto::rr::{Name, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{AnswerTable, Transport};

#[test]
fn udp_responses_stay_within_limits_and_the_readme_states_the_largest_ratio() {
    let zone = parse(include_str!("data/rich.zone"), &ParseOptions::new()).unwrap();
    let table = AnswerTable::compile(&zone).unwrap();
    let mut types: BTreeSet<u16> = zone.iter().map(|r| u16::from(r.record_type())).collect();
    types.extend([255, 1, 28, 15, 16, 2, 6, 43, 46, 48, 99]);
    // hickory-proto refuses to read records with empty data ("InvalidEmptyRecord"), which
    // RFC 3597 allows and the rich zone has at `empty-generic`: that name is left out.
    let mut names: Vec<Name> = zone
        .names()
        .filter(|n| !n.to_string().starts_with("empty-generic"))
        .cloned()
        .collect();
    names.push(Name::from_ascii("nothing-here.rich.example.").unwrap());
    names.push(Name::from_ascii("x.sub.rich.example.").unwrap());
    let mut out = [0u8; 65535];
    let mut largest = (0.0f64, String::new());
    let mut answers = 0usize;
    for name in &names {
        for &code in &types {
            let record_type = RecordType::from(code);
            for payload in [None, Some(512u16), Some(1232), Some(4096)] {
                let mut query = Message::new(1, MessageType::Query, OpCode::Query);
                query.add_query(Query::query(name.clone(), record_type));
                if let Some(payload) = payload {
                    let mut edns = Edns::new();
                    edns.set_max_payload(payload);
                    query.set_edns(edns);
                }
                let Ok(bytes) = query.to_vec() else {
                    continue; // hickory cannot write this query (a meta type)
                };
                let len = table.answer(&bytes, Transport::Udp, &mut out).unwrap();
                let limit = payload.map_or(512, |p| usize::from(p.clamp(512, 1232)));
                assert!(
                    len <= limit,
                    "{name} {record_type} {payload:?}: {len} octets over {limit}"
                );
                let response = Message::from_vec(&out[..len]).unwrap();
                if record_type == RecordType::ANY {
                    let rrsets: BTreeSet<_> = response
                        .answers
                        .iter()
                        .map(|r| (r.name.to_lowercase(), r.record_type()))
                        .collect();
                    assert!(rrsets.len() <= 1, "ANY at {name}: {rrsets:?}");
                }
                let ratio = len as f64 / bytes.len() as f64;
                if ratio > largest.0 {
                    largest = (
                        ratio,
                        format!(
                            "{name} {record_type} (EDNS {payload:?}): {len} octets for {}",
                            bytes.len()
                        ),
                    );
                }
                answers += 1;
            }
        }
    }
    assert!(answers > 1000);
    let stated = format!("{:.1}×", largest.0);
    eprintln!("largest ratio {stated}: {}", largest.1);
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("largest response-to-query ratio is {stated}")),
        "README must state {stated} ({})",
        largest.1
    );
}
