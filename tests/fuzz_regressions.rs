//! Inputs the fuzz targets in `fuzz/` found, reproduced through the public API. Each test
//! states the contract the input broke, and now holds.

use multiprimary::text::{ParseOptions, parse};
use multiprimary::wire::{decode_axfr, encode_axfr};
use multiprimary::{AnswerTable, Transport};

const ZONE: &str =
    "$ORIGIN example.\n@ 60 IN SOA ns h 1 2 3 4 5\n@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n";

/// One AXFR response message holding `records` (owner, type, TTL, data) in its answer.
fn message(records: &[(&[u8], u16, u32, &[u8])]) -> Vec<u8> {
    let count = u16::try_from(records.len()).unwrap_or(u16::MAX);
    let mut out = vec![0, 0, 0x84, 0, 0, 0];
    out.extend_from_slice(&count.to_be_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    for (owner, record_type, ttl, data) in records {
        out.extend_from_slice(owner);
        out.extend_from_slice(&record_type.to_be_bytes());
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&ttl.to_be_bytes());
        out.extend_from_slice(&u16::try_from(data.len()).unwrap_or(u16::MAX).to_be_bytes());
        out.extend_from_slice(data);
    }
    out
}

const APEX: &[u8] = b"\x07example\x00";
const SOA: &[u8] = b"\x02ns\x07example\x00\x01h\x07example\x00\
    \x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x04\x00\x00\x00\x05";
const NS: &[u8] = b"\x02ns\x07example\x00";

/// `parse` target: a zone with two apex SOAs. `encode_axfr` puts the first at both ends
/// and drops the second without an error, so the stream decodes to another zone.
#[test]
fn encode_axfr_does_not_lose_a_second_apex_soa() {
    let text = format!("{ZONE}@ 60 IN SOA ns h 2 2 3 4 5\n");
    let zone = parse(&text, &ParseOptions::new()).unwrap();
    if let Ok(messages) = encode_axfr(&zone, 0x1234) {
        let decoded = decode_axfr(messages.iter().map(Vec::as_slice)).unwrap();
        assert_eq!(decoded, zone, "an encoded stream decodes to another zone");
    }
}

/// `wire_decode` target: a TTL above 2^31 - 1 decodes (RFC 2181 §8 says to read it as 0),
/// and the zone's text, which keeps it, does not parse.
#[test]
fn a_decoded_ttl_above_2_pow_31_writes_text_that_parses() {
    let stream = message(&[
        (APEX, 6, 60, SOA),
        (APEX, 2, 60, NS),
        (NS, 1, 0x9f00_0000, b"\xc0\x00\x02\x01"),
        (APEX, 6, 60, SOA),
    ]);
    let Ok(zone) = decode_axfr([stream.as_slice()]) else {
        return; // refusing the stream is a fix too
    };
    let text = zone.to_string();
    let again = parse(&text, &ParseOptions::new()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again, zone);
}

/// `wire_decode` target: a TSIG (type 250, valid only in messages) inside the stream becomes
/// a record of the zone, whose text then does not parse.
#[test]
fn a_decoded_meta_type_writes_text_that_parses() {
    let stream = message(&[
        (APEX, 6, 60, SOA),
        (APEX, 2, 60, NS),
        (NS, 250, 0, b""),
        (APEX, 6, 60, SOA),
    ]);
    let Ok(zone) = decode_axfr([stream.as_slice()]) else {
        return;
    };
    let text = zone.to_string();
    let again = parse(&text, &ParseOptions::new()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again, zone);
}

/// `wire_decode` target: HTTPS data whose `mandatory` names a key twice is accepted, and its
/// text (`mandatory=port,port`) parses back with the key once: the zone changes.
#[test]
fn https_mandatory_with_a_repeated_key_round_trips() {
    // priority 1, target ".", mandatory=port,port, port=443
    let data = b"\x00\x01\x00\x00\x00\x00\x04\x00\x03\x00\x03\x00\x03\x00\x02\x01\xbb";
    let stream = message(&[
        (APEX, 6, 60, SOA),
        (APEX, 2, 60, NS),
        (NS, 65, 60, data),
        (APEX, 6, 60, SOA),
    ]);
    let Ok(zone) = decode_axfr([stream.as_slice()]) else {
        return;
    };
    let text = zone.to_string();
    let again = parse(&text, &ParseOptions::new()).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again, zone, "{text}");
}

/// `answer` target: over TCP, with an output buffer smaller than the answer, the response
/// carries TC, which `Transport::Tcp` documents as never set.
#[test]
fn tcp_sets_tc_only_when_out_is_too_small() {
    let zone = parse(include_str!("data/answer.zone"), &ParseOptions::new()).unwrap();
    let table = AnswerTable::compile(&zone).unwrap();
    // ID 0x002f, no flags, c5.example. NS IN, OPT payload 4096 with DO.
    let query =
        b"\x00\x2f\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01\x02c5\x07example\x00\x00\x02\x00\x01\
        \x00\x00\x29\x10\x00\x00\x00\x80\x00\x00\x00";
    let mut out = [0u8; 100];
    let len = table.answer(query, Transport::Tcp, &mut out).unwrap();
    assert!(len <= out.len());
    assert_eq!(
        out[2] & 0x02,
        0x02,
        "TC when the caller's buffer is too small"
    );
    let mut out = [0u8; 65535];
    let len = table.answer(query, Transport::Tcp, &mut out).unwrap();
    assert_eq!(
        out[2] & 0x02,
        0,
        "no TC over TCP otherwise: {:02x?}",
        &out[..len]
    );
}

/// `wire_decode` target (reached from text too): an NSEC type bitmap with the bit of OPT
/// (41) set, given as generic data, is accepted and written as `TYPE41`, which the parser
/// then refuses as a query-only type.
#[test]
fn a_type_bitmap_with_a_meta_type_round_trips() {
    // next name ns.example., window 0 with the bits of A (1) and OPT (41)
    let text = format!("{ZONE}ns 60 IN NSEC \\# 20 026e73076578616d706c6500 0006 400000000040\n");
    let zone = parse(&text, &ParseOptions::new()).unwrap();
    let written = zone.to_string();
    let again = parse(&written, &ParseOptions::new()).unwrap_or_else(|e| panic!("{e}\n{written}"));
    assert_eq!(again, zone);
}
