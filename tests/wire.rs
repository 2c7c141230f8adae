//! AXFR streams (RFC 5936) and canonical record form (RFC 4034 §6.2).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions may panic

#[path = "support/example.rs"]
mod example;

use multiprimary::Zone;
use multiprimary::hickory_proto::op::Message;
use multiprimary::hickory_proto::rr::{Name, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::wire::{self, MAX_MESSAGE, WireError};
use std::str::FromStr;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/root.zone");

fn seed() -> Zone {
    let text = include_str!("../examples/data/example.com.zone");
    parse(
        text,
        &ParseOptions::new().origin(Name::from_str("example.com.").unwrap()),
    )
    .unwrap()
}

#[test]
fn axfr_stream_is_framed_by_the_soa_and_hickory_reads_every_message() {
    let zone = seed();
    let messages = wire::encode_axfr(&zone, 7).unwrap();
    assert_eq!(messages.len(), 1);
    let message = Message::from_vec(&messages[0]).unwrap();
    assert_eq!(message.metadata.id, 7);
    assert!(message.metadata.authoritative);
    assert_eq!(message.queries.len(), 1);
    assert_eq!(message.queries[0].query_type(), RecordType::AXFR);
    let answers = &message.answers;
    assert_eq!(
        answers.len(),
        zone.len() + 1,
        "every record once, the SOA twice"
    );
    assert_eq!(answers.first().unwrap().record_type(), RecordType::SOA);
    assert_eq!(answers.last().unwrap().record_type(), RecordType::SOA);
    // hickory's view of each record equals the zone's.
    let mut records: Vec<String> = zone.records().map(|r| r.to_string()).collect();
    let mut decoded: Vec<String> = answers[..answers.len() - 1]
        .iter()
        .map(|r| r.to_string())
        .collect();
    records.sort();
    decoded.sort();
    assert_eq!(records, decoded);
    assert_eq!(
        wire::decode_axfr(messages.iter().map(Vec::as_slice)).unwrap(),
        zone
    );
}

#[test]
fn names_are_compressed() {
    let zone = seed();
    let messages = wire::encode_axfr(&zone, 1).unwrap();
    // Uncompressed, every owner and NS/SOA name would spell out example.com (13 octets).
    let uncompressed: usize = zone
        .iter()
        .map(|r| r.owner().to_string().len() + 1 + 10 + r.data().len())
        .sum();
    // The question and the closing SOA come on top of `uncompressed`, yet the message is
    // smaller, and it holds pointers (two octets starting with the bits 11).
    assert!(
        messages[0].len() * 10 < uncompressed * 8,
        "{} vs {uncompressed}",
        messages[0].len()
    );
    assert!(
        messages[0]
            .windows(2)
            .any(|w| w[0] & 0xC0 == 0xC0 && w[1] == 12),
        "a pointer to the question's name at offset 12"
    );
}

#[test]
fn root_zone_round_trips_through_many_messages_within_the_size_limit() {
    let text = std::fs::read_to_string(ROOT).unwrap();
    let zone = parse(&text, &ParseOptions::new().origin(Name::root())).unwrap();
    let messages = wire::encode_axfr(&zone, 0).unwrap();
    assert!(messages.len() > 1);
    let mut total = 0;
    for (index, bytes) in messages.iter().enumerate() {
        assert!(bytes.len() <= MAX_MESSAGE);
        let message = Message::from_vec(bytes).unwrap();
        assert_eq!(
            message.queries.len(),
            usize::from(index == 0),
            "the question only in the first"
        );
        total += message.answers.len();
    }
    assert_eq!(total, zone.len() + 1);
    let back = wire::decode_axfr(messages.iter().map(Vec::as_slice)).unwrap();
    assert_eq!(back, zone);
    let ttls: Vec<u32> = zone.iter().map(|r| r.ttl()).collect();
    assert_eq!(back.iter().map(|r| r.ttl()).collect::<Vec<_>>(), ttls);
}

#[test]
fn streams_without_matching_soas_or_templates_are_refused() {
    let zone = seed();
    let messages = wire::encode_axfr(&zone, 1).unwrap();
    let mut cut = messages[0].clone();
    // Drop the closing SOA by lowering ANCOUNT: the stream no longer ends with the SOA.
    cut[7] -= 1;
    assert_eq!(
        wire::decode_axfr([cut.as_slice()]),
        Err(WireError::UnframedStream)
    );
    assert!(matches!(
        wire::decode_axfr([&messages[0][..5]]),
        Err(WireError::Malformed { .. })
    ));
    let template = parse(
        include_str!("../examples/data/example.com.template"),
        &ParseOptions::new().template(true),
    )
    .unwrap();
    assert!(matches!(
        wire::encode_axfr(&template, 1),
        Err(WireError::Placeholder { .. })
    ));
    let empty = Zone::new(Name::root());
    assert_eq!(wire::encode_axfr(&empty, 1), Err(WireError::NoSoa));
}

#[test]
fn canonical_form_lowercases_owner_and_rfc_4034_names_only() {
    let zone = parse(
        "$ORIGIN Example.\n@ 60 IN SOA NS.Example. H.Example. 1 2 3 4 5\nWWW 60 IN MX 10 Mail.Example.\nWWW 60 IN TXT \"MiXed\"\n",
        &ParseOptions::new(),
    )
    .unwrap();
    let mx = zone
        .iter()
        .find(|r| r.record_type() == RecordType::MX)
        .unwrap();
    let mut out = Vec::new();
    wire::canonical_record(&mx, 300, &mut out);
    let mut expected = b"\x03www\x07example\x00\x00\x0f\x00\x01\x00\x00\x01\x2c\x00\x10\x00\x0a\x04mail\x07example\x00".to_vec();
    assert_eq!(out, expected);
    let txt = zone
        .iter()
        .find(|r| r.record_type() == RecordType::TXT)
        .unwrap();
    out.clear();
    wire::canonical_record(&txt, 60, &mut out);
    expected = b"\x03www\x07example\x00\x00\x10\x00\x01\x00\x00\x00\x3c\x00\x06\x05MiXed".to_vec();
    assert_eq!(out, expected, "TXT data is not lowercased");
}

#[test]
fn render_format_wire_writes_length_prefixed_messages_that_decode_to_the_projection() {
    let output = std::process::Command::new(example::path("render"))
        .args([
            "examples/data/example.com.template",
            "bill",
            "--format",
            "wire",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut stream = output.stdout.as_slice();
    let mut messages = Vec::new();
    while let Some((length, rest)) = stream.split_first_chunk::<2>() {
        let (message, rest) = rest.split_at(usize::from(u16::from_be_bytes(*length)));
        messages.push(message.to_vec());
        stream = rest;
    }
    assert!(!messages.is_empty());
    let zone = wire::decode_axfr(messages.iter().map(Vec::as_slice)).unwrap();
    let template = multiprimary::Template::new(
        parse(
            include_str!("../examples/data/example.com.template"),
            &ParseOptions::new().template(true),
        )
        .unwrap(),
    );
    let (fleet, _) = template.fleet(&[]).unwrap();
    assert_eq!(zone, template.project(fleet.host("bill").unwrap()).unwrap());
}
