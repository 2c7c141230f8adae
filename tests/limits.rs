//! Limits at their edges (issue 6, items 2 and 3): each limit is met exactly and then
//! passed by one, and passing it is a clear error (kind and position) or a FORMERR, never
//! a panic, a hang or unbounded memory. `$INCLUDE` confinement cases that `tests/text.rs`
//! does not already cover, and the TCP limits of the `serve` example (connections, idle
//! time, message size), run against a real `serve` process on `127.0.0.1:0`.
//!
//! What `tests/text.rs` and `tests/answer.rs` already test is not repeated here: the line
//! limit at 30/31 octets, records at 2/3, labels 63/64 in owners and 64 in NS data, owner
//! names of 255/257 octets (and 256 through the origin), `..`, absolute and symlinked
//! files leading out, an a→b→a include cycle at the default depth, and CNAME chains.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test code: a failed unwrap or an out-of-range index is a failed test

#[path = "support/example.rs"]
mod example;

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use multiprimary::hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use multiprimary::hickory_proto::rr::{Name, RData, Record, RecordType};
use multiprimary::text::{Limits, ParseOptions, parse};
use multiprimary::wire::{self, MAX_MESSAGE, WireError};
use multiprimary::{
    AnswerTable, CompileError, MAX_CHAIN, ParseError, ParseErrorKind, Position, ProblemKind,
    Transport, Zone,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// SOA, apex NS and its address under `example.`; tests append lines.
const HEAD: &str = "$ORIGIN example.\n$TTL 60\n@ SOA ns hostmaster 1 7200 3600 604800 60\n\
                    @ NS ns\nns A 192.0.2.1\n";

fn options() -> ParseOptions {
    ParseOptions::new().file_name("db.test")
}

fn with_limits(change: impl FnOnce(&mut Limits)) -> ParseOptions {
    let mut limits = Limits::default();
    change(&mut limits);
    options().limits(limits)
}

fn parse_ok(text: &str, options: &ParseOptions) -> Zone {
    parse(text, options).unwrap_or_else(|e| panic!("parse failed: {e}"))
}

fn parse_err(text: &str, options: &ParseOptions) -> ParseError {
    match parse(text, options) {
        Ok(zone) => panic!("parse should fail but gave {} records", zone.len()),
        Err(error) => error,
    }
}

fn assert_error(error: &ParseError, line: u32, column: u32, kind: &ParseErrorKind) {
    assert_eq!(
        (error.position(), error.kind()),
        (Position { line, column }, kind),
        "{error}"
    );
}

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

/// `c` repeated `len` times.
fn label(c: char, len: usize) -> String {
    std::iter::repeat_n(c, len).collect()
}

/// A directory under the system temp dir, removed with everything in it when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "multiprimary-limits-{}-{tag}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn file(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `granted/` (the include directory) and `outside.zone`, a secret, beside it.
fn sandbox(tag: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(tag);
    dir.file("outside.zone", "secret 60 IN A 192.0.2.66\n");
    let granted = dir.path().join("granted");
    std::fs::create_dir_all(&granted).unwrap();
    (dir, granted)
}

fn include(granted: &Path, path: &str) -> Result<Zone, ParseError> {
    parse(
        &format!("$ORIGIN example.\n$INCLUDE {path}\n"),
        &options().include_dir(granted),
    )
}

fn has_secret(zone: &Zone) -> bool {
    zone.rrset(&name("secret.example."), RecordType::A)
        .is_some()
}

/// A query built by hickory-proto, with EDNS when `payload` is given.
fn query(qname: &str, record_type: RecordType, payload: Option<u16>) -> Vec<u8> {
    let mut message = Message::new(0xbeef, MessageType::Query, OpCode::Query);
    message.add_query(Query::query(name(qname), record_type));
    if let Some(payload) = payload {
        let mut edns = Edns::new();
        edns.set_max_payload(payload);
        message.set_edns(edns);
    }
    message.to_vec().unwrap()
}

/// A header with ID 0x1234, RD, and the four counts.
fn header(qd: u16, an: u16, ns: u16, ar: u16) -> Vec<u8> {
    let mut bytes = vec![0x12, 0x34, 0x01, 0x00];
    for count in [qd, an, ns, ar] {
        bytes.extend_from_slice(&count.to_be_bytes());
    }
    bytes
}

/// The wire form of a dotted absolute name (no escapes).
fn wire_name(text: &str) -> Vec<u8> {
    let mut wire = Vec::new();
    for part in text
        .trim_end_matches('.')
        .split('.')
        .filter(|p| !p.is_empty())
    {
        wire.push(u8::try_from(part.len()).unwrap());
        wire.extend_from_slice(part.as_bytes());
    }
    wire.push(0);
    wire
}

/// Answers `bytes` into a 64 KiB buffer; the response, read back by hickory-proto.
fn answer(table: &AnswerTable, bytes: &[u8], transport: Transport) -> (Message, usize) {
    let mut out = vec![0u8; 65_535];
    let len = table.answer(bytes, transport, &mut out).unwrap();
    (Message::from_vec(&out[..len]).unwrap(), len)
}

fn table(extra: &str) -> AnswerTable {
    AnswerTable::compile(&parse_ok(&format!("{HEAD}{extra}"), &options())).unwrap()
}

/// A TXT record's data as quoted strings holding `octets` octets of wire data in all
/// (each string 255 characters, the last one what remains).
fn txt_of_wire_length(octets: usize) -> String {
    let mut strings = Vec::new();
    let mut left = octets;
    while left > 0 {
        let take = (left - 1).min(255);
        strings.push(format!("\"{}\"", label('x', take)));
        left -= take + 1;
    }
    strings.join(" ")
}

// ---------------------------------------------------------------------------------------
// 1. Zone text: size, line length, records
// ---------------------------------------------------------------------------------------

#[test]
fn text_size_limit_is_inclusive_and_counts_octets_not_characters() {
    let text = "$ORIGIN example.\na 60 IN TXT \"caf\u{e9}\"\n";
    assert_eq!(text.len(), text.chars().count() + 1, "é is two octets");
    assert_eq!(
        parse_ok(text, &with_limits(|l| l.max_text = text.len())).len(),
        1
    );
    let error = parse_err(text, &with_limits(|l| l.max_text = text.len() - 1));
    assert_error(
        &error,
        1,
        1,
        &ParseErrorKind::TextTooLarge {
            limit: text.len() - 1,
        },
    );
    // The limit applies before anything is read: a later syntax error is not reported.
    let broken = format!("{text}bad 60 IN A 999.0.0.1\n");
    let error = parse_err(&broken, &with_limits(|l| l.max_text = text.len()));
    assert!(
        matches!(error.kind(), ParseErrorKind::TextTooLarge { .. }),
        "{error}"
    );
}

#[test]
fn text_size_limit_applies_to_included_files_too() {
    let (dir, granted) = sandbox("text-size");
    let big = format!("big 60 IN TXT \"{}\"\n", label('x', 200)).repeat(20);
    dir.file("granted/big.zone", &big);
    let text = "$ORIGIN example.\n$INCLUDE big.zone\n";
    // The whole text, the included file's included, is 4,000+ octets; the limit 1,000.
    let options = with_limits(|l| l.max_text = 1000).include_dir(&granted);
    let error = parse_err(text, &options);
    assert!(
        matches!(error.kind(), ParseErrorKind::TextTooLarge { limit: 1000 }),
        "{error}"
    );
}

#[test]
fn default_line_limit_of_256_kib_is_inclusive() {
    let limit = Limits::default().max_line;
    assert_eq!(limit, 256 * 1024);
    let record = "a 60 IN A 192.0.2.1 ;";
    let at_limit = format!("{record}{}", label('x', limit - record.len()));
    assert_eq!(at_limit.len(), limit);
    let zone = parse_ok(&format!("$ORIGIN example.\n{at_limit}\n"), &options());
    assert_eq!(zone.len(), 1);
    let error = parse_err(&format!("$ORIGIN example.\n{at_limit}x\n"), &options());
    assert_error(&error, 2, 1, &ParseErrorKind::LineTooLong { limit });
}

#[test]
fn line_limit_applies_to_a_last_line_without_a_newline() {
    let options = with_limits(|l| l.max_line = 25);
    let line = "www 60 IN A 192.0.2.1 ; x";
    assert_eq!(line.len(), 25);
    assert_eq!(
        parse_ok(&format!("$ORIGIN example.\n{line}"), &options).len(),
        1
    );
    let error = parse_err(&format!("$ORIGIN example.\n{line}x"), &options);
    assert_error(&error, 2, 1, &ParseErrorKind::LineTooLong { limit: 25 });
}

#[test]
fn line_limit_is_per_physical_line_inside_parentheses_and_included_files() {
    let options = with_limits(|l| l.max_line = 40);
    // One entry of 98 octets over five lines, none longer than 40.
    let soa = "$ORIGIN example.\n@ 60 IN SOA ns.example. (\n hostmaster.example.\n \
               2024010100 7200\n 3600 604800 60 )\n";
    assert!(soa.lines().all(|l| l.len() <= 40));
    assert_eq!(parse_ok(soa, &options).len(), 1);
    // A long line inside an included file is reported there.
    let (dir, granted) = sandbox("line");
    dir.file(
        "granted/long.zone",
        &format!(
            "ok 60 IN A 192.0.2.1\nlong 60 IN TXT \"{}\"\n",
            label('x', 30)
        ),
    );
    let error = parse_err(
        "$ORIGIN example.\n$INCLUDE long.zone\n",
        &options.include_dir(&granted),
    );
    assert_error(&error, 2, 1, &ParseErrorKind::LineTooLong { limit: 40 });
    assert_eq!(error.file(), Some("long.zone"));
}

#[test]
fn record_limit_counts_records_across_included_files() {
    let (dir, granted) = sandbox("records");
    dir.file("granted/one.zone", "c 60 IN A 192.0.2.3\n");
    dir.file(
        "granted/two.zone",
        "c 60 IN A 192.0.2.3\nd 60 IN A 192.0.2.4\n",
    );
    let options = with_limits(|l| l.max_records = 3).include_dir(&granted);
    let two = "$ORIGIN example.\na 60 IN A 192.0.2.1\nb 60 IN A 192.0.2.2\n";
    let zone = parse_ok(&format!("{two}$INCLUDE one.zone\n"), &options);
    assert_eq!(zone.len(), 3, "exactly the limit");
    let error = parse_err(&format!("{two}$INCLUDE two.zone\n"), &options);
    assert_error(&error, 2, 9, &ParseErrorKind::TooManyRecords { limit: 3 });
    assert_eq!(error.file(), Some("two.zone"));
    // A limit of 0 takes directives but no record.
    let none = with_limits(|l| l.max_records = 0);
    assert!(parse_ok("$ORIGIN example.\n$TTL 60\n", &none).is_empty());
    let error = parse_err("$ORIGIN example.\na 60 IN A 192.0.2.1\n", &none);
    assert_error(&error, 2, 9, &ParseErrorKind::TooManyRecords { limit: 0 });
}

// ---------------------------------------------------------------------------------------
// 2. RRset and record size
// ---------------------------------------------------------------------------------------

/// Zone text with `count` A records: in one RRset at `big.example.`, or one each at
/// `h0.example.`, `h1.example.`, ...
fn many_a_records(count: usize, one_rrset: bool) -> String {
    let mut text = String::from(HEAD);
    for i in 0..count {
        let owner = if one_rrset {
            String::from("big")
        } else {
            format!("h{i}")
        };
        text.push_str(&format!(
            "{owner} A 10.{}.{}.{}\n",
            i >> 16,
            (i >> 8) & 255,
            i & 255
        ));
    }
    text
}

/// A stream is read up to its record limit and no further: exactly the limit decodes, one
/// more is `TooManyRecords`, and an endless stream (a peer that never sends the closing
/// SOA) stops there instead of filling memory.
#[test]
fn axfr_record_limit_is_inclusive_and_stops_an_endless_stream() {
    let zone = parse_ok(&many_a_records(1000, false), &options());
    let messages = wire::encode_axfr(&zone, 0xbeef).unwrap();
    let stream = || messages.iter().map(Vec::as_slice);
    let count = zone.len(); // the closing SOA is not counted
    assert_eq!(wire::decode_axfr_limited(stream(), count).unwrap(), zone);
    assert_eq!(
        wire::decode_axfr_limited(stream(), count - 1),
        Err(WireError::TooManyRecords { limit: count - 1 })
    );
    assert_eq!(wire::MAX_RECORDS, Limits::default().max_records);
    // The opening SOA with 100 records, then the same 100 records (no SOA) for ever.
    let soa = zone
        .iter()
        .find(|r| r.record_type() == RecordType::SOA)
        .unwrap();
    let records: Vec<Record> = zone
        .iter()
        .filter(|r| r.record_type() == RecordType::A)
        .take(100)
        .map(|r| r.to_record())
        .collect();
    let message = |soa: Option<Record>| {
        let mut message = Message::new(0xbeef, MessageType::Response, OpCode::Query);
        message.add_answers(soa.into_iter().chain(records.iter().cloned()));
        message.to_vec().unwrap()
    };
    let (opening, more) = (message(Some(soa.to_record())), message(None));
    let endless = std::iter::once(opening.as_slice()).chain(std::iter::repeat(more.as_slice()));
    assert_eq!(
        wire::decode_axfr_limited(endless, 50_000),
        Err(WireError::TooManyRecords { limit: 50_000 })
    );
}

#[test]
fn an_rrset_larger_than_a_message_travels_by_axfr_and_does_not_compile() {
    const COUNT: usize = 5_000;
    let zone = parse_ok(&many_a_records(COUNT, true), &options());
    let rrset = zone.rrset(&name("big.example."), RecordType::A).unwrap();
    assert_eq!(rrset.len(), COUNT);
    assert!(zone.validate().is_empty());
    // 80,000 octets of records: no response can hold them, and the answer table refuses
    // them (documented: "an RRset exceeds a message").
    assert!(matches!(
        AnswerTable::compile(&zone),
        Err(CompileError::TooLarge)
    ));
    // AXFR splits the RRset over messages of at most 64 KiB that read back to the zone.
    let messages = wire::encode_axfr(&zone, 9).unwrap();
    assert!(messages.len() > 1);
    assert!(messages.iter().all(|m| m.len() <= MAX_MESSAGE));
    let records: usize = messages
        .iter()
        .map(|m| Message::from_vec(m).unwrap().answers.len())
        .sum();
    assert_eq!(records, zone.len() + 1, "every record once, the SOA twice");
    assert_eq!(
        wire::decode_axfr(messages.iter().map(Vec::as_slice)).unwrap(),
        zone
    );
}

#[test]
fn an_rrset_of_100_000_records_parses() {
    // Records given in canonical order join their RRset at its end, so this stays linear
    // (it once took ~15 minutes in a debug build). No time is asserted: a regression shows
    // as a test run that takes minutes.
    const COUNT: usize = 100_000;
    let zone = parse_ok(&many_a_records(COUNT, true), &options());
    let rrset = zone.rrset(&name("big.example."), RecordType::A).unwrap();
    assert_eq!(rrset.len(), COUNT);
    let spread = many_a_records(COUNT, false);
    assert_eq!(parse_ok(&spread, &options()).len(), COUNT + 3);
}

/// 100,000 records at one name in reverse order, every tenth given twice (with another
/// TTL), and, in a second run, each record in a paragraph of its own between records of
/// another owner: the worst orders for a loader that searched each record into place (one
/// comparison per record already held, quadratic in all). The same worst order reaches
/// `decode_axfr` from the wire. No time is asserted; a regression shows as a test run that
/// takes minutes. What is asserted is the result: canonical order, one of each record, the
/// first TTL of each kept, and the duplicates reported.
#[test]
fn an_rrset_of_100_000_records_in_reverse_order_with_duplicates_loads() {
    const COUNT: u32 = 100_000;
    let address = |i: u32| format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255);
    let mut together = String::from(HEAD);
    let mut interleaved = String::from(HEAD);
    for i in (0..COUNT).rev() {
        together.push_str(&format!(
            "big 60 A {}
",
            address(i)
        ));
        interleaved.push_str(&format!(
            "big 60 A {}
other 60 TXT \"{i}\"
",
            address(i)
        ));
        if i % 10 == 0 {
            together.push_str(&format!(
                "big 30 A {}
",
                address(i)
            ));
            interleaved.push_str(&format!(
                "big 30 A {}
",
                address(i)
            ));
        }
    }
    let expected: Vec<Vec<u8>> = (0..COUNT)
        .map(|i| vec![10, (i >> 16) as u8, (i >> 8) as u8, i as u8])
        .collect();
    let check = |zone: &Zone, what: &str| {
        let rrset = zone.rrset(&name("big.example."), RecordType::A).unwrap();
        let records: Vec<(u32, Vec<u8>)> = rrset
            .iter()
            .map(|(ttl, data)| (ttl, data.to_vec()))
            .collect();
        assert_eq!(records.len(), expected.len(), "{what}: records kept");
        for ((ttl, data), want) in records.iter().zip(&expected) {
            assert_eq!(data, want, "{what}: not in canonical order");
            assert_eq!(*ttl, 60, "{what}: the first TTL given is not the one kept");
        }
        let duplicates: Vec<(RecordType, ProblemKind)> = zone
            .validate()
            .iter()
            .filter(|p| p.owner().to_string() == "big.example.")
            .map(|p| (p.record_type(), p.kind().clone()))
            .collect();
        assert_eq!(
            duplicates,
            [(RecordType::A, ProblemKind::Duplicate { count: 10000 })],
            "{what}"
        );
    };
    let zone = parse_ok(&together, &options());
    check(&zone, "one paragraph");
    assert_eq!(zone.len(), COUNT as usize + 3);
    let spread = parse_ok(&interleaved, &options());
    check(&spread, "interleaved");
    assert_eq!(spread.len(), 2 * COUNT as usize + 3);

    // The same order over the wire: hickory-proto writes the messages, records as given.
    let soa = zone.rrset(&name("example."), RecordType::SOA).unwrap();
    let soa = soa
        .records(&name("example."), zone.class())
        .next()
        .unwrap()
        .to_record();
    // The SOA, the big RRset as the text gave it, the rest of the zone, the SOA again.
    let big = together.lines().filter_map(|line| {
        let mut words = line.strip_prefix("big ")?.split(' ');
        let (Some(ttl), Some("A"), Some(ip)) = (words.next(), words.next(), words.next()) else {
            panic!("{line}");
        };
        Some(Record::from_rdata(
            name("big.example."),
            ttl.parse().unwrap(),
            RData::A(ip.parse().unwrap()),
        ))
    });
    let rest = zone
        .iter()
        .filter(|r| r.record_type() != RecordType::SOA && r.owner() != &name("big.example."))
        .map(|r| r.to_record());
    let mut records = vec![soa.clone()];
    records.extend(big);
    records.extend(rest);
    records.push(soa);
    let messages: Vec<Vec<u8>> = records
        .chunks(2000)
        .map(|chunk| {
            let mut message = Message::new(0xbeef, MessageType::Response, OpCode::Query);
            message.add_query(Query::query(name("example."), RecordType::AXFR));
            for record in chunk {
                message.add_answer(record.clone());
            }
            message.to_vec().unwrap()
        })
        .collect();
    // (hickory compresses only the first names of a message and drops what does not fit.)
    let sent: usize = messages
        .iter()
        .map(|m| Message::from_vec(m).unwrap().answers.len())
        .sum();
    assert_eq!(sent, records.len(), "the test's messages lost records");
    let decoded = wire::decode_axfr(messages.iter().map(Vec::as_slice)).unwrap();
    check(&decoded, "AXFR");
    assert_eq!(decoded, zone);
}

#[test]
fn record_data_of_65535_octets_parses_and_one_more_is_rdata_too_long() {
    let line = |octets: usize| {
        format!(
            "$ORIGIN example.\nbig 60 IN TXT {}\n",
            txt_of_wire_length(octets)
        )
    };
    let zone = parse_ok(&line(65_535), &options());
    let rrset = zone.rrset(&name("big.example."), RecordType::TXT).unwrap();
    assert_eq!(rrset.iter().next().unwrap().1.len(), 65_535);
    let error = parse_err(&line(65_536), &options());
    assert_error(
        &error,
        2,
        11,
        &ParseErrorKind::RdataTooLong { length: 65_536 },
    );
    // RFC 3597 generic data: a declared length of 65,535 is the most.
    let hex = label('a', 2 * 65_535);
    let zone = parse_ok(
        &format!("$ORIGIN example.\nx 60 IN TYPE65534 \\# 65535 {hex}\n"),
        &options(),
    );
    assert_eq!(zone.len(), 1);
    let error = parse_err(
        &format!("$ORIGIN example.\nx 60 IN TYPE65534 \\# 65536 {hex}aa\n"),
        &options(),
    );
    assert_error(
        &error,
        2,
        22,
        &ParseErrorKind::Expected {
            expected: "the length of the generic data (0 to 65535)",
            found: "65536".into(),
        },
    );
}

#[test]
fn axfr_carries_the_largest_record_one_message_holds_and_refuses_one_octet_more() {
    // In a message of its own: header 12, owner `t.example.` 11, type to length 10, data.
    let largest = MAX_MESSAGE - 12 - 11 - 10;
    let zone_with = |octets: usize| {
        parse_ok(
            &format!("{HEAD}t TXT {}\n", txt_of_wire_length(octets)),
            &options(),
        )
    };
    let zone = zone_with(largest);
    let messages = wire::encode_axfr(&zone, 1).unwrap();
    assert!(messages.iter().all(|m| m.len() <= MAX_MESSAGE));
    assert!(
        messages.iter().any(|m| m.len() > 65_000),
        "the big record has a message to itself"
    );
    assert_eq!(
        wire::decode_axfr(messages.iter().map(Vec::as_slice)).unwrap(),
        zone
    );
    assert_eq!(
        wire::encode_axfr(&zone_with(largest + 1), 1),
        Err(WireError::RecordTooLarge {
            owner: Box::new(name("t.example.")),
            record_type: RecordType::TXT,
        })
    );
    assert_eq!(
        wire::encode_axfr(&zone_with(65_535), 1),
        Err(WireError::RecordTooLarge {
            owner: Box::new(name("t.example.")),
            record_type: RecordType::TXT,
        })
    );
}

/// `count` A records at `abcde.example.` (the question for it is 19 octets).
fn a_records(count: usize) -> String {
    let mut text = String::from("abcde A 10.0.0.0\n");
    for i in 1..count {
        text.push_str(&format!(" A 10.0.{}.{}\n", i >> 8, i & 255));
    }
    text
}

#[test]
fn the_largest_rrset_a_tcp_response_holds_is_answered_whole_and_truncated_over_udp() {
    // 12 (header) + 19 (question) + 4,094 × 16 (pointer, type to length, address) = 65,535.
    let table = table(&a_records(4094));
    let bytes = query("abcde.example.", RecordType::A, None);
    let (response, len) = answer(&table, &bytes, Transport::Tcp);
    assert_eq!(len, 65_535);
    assert!(!response.metadata.truncation);
    assert_eq!(response.answers.len(), 4094);
    let (response, len) = answer(&table, &bytes, Transport::Udp);
    assert!(len <= 512);
    assert!(response.metadata.truncation);
    assert!(response.answers.is_empty());
}

#[test]
fn an_rrset_no_response_can_hold_does_not_compile() {
    // 4,095 records take 65,520 octets: with a header and the shortest question (5
    // octets) that is 65,537, more than a message.
    let zone = parse_ok(&format!("{HEAD}{}", a_records(4095)), &options());
    assert!(matches!(
        AnswerTable::compile(&zone),
        Err(CompileError::TooLarge)
    ));
    let zone = parse_ok(
        &format!("{HEAD}t TXT {}\n", txt_of_wire_length(65_535)),
        &options(),
    );
    assert!(matches!(
        AnswerTable::compile(&zone),
        Err(CompileError::TooLarge)
    ));
}

#[test]
fn tcp_sets_tc_only_when_the_answer_exceeds_a_message() {
    // Documented on Transport::Tcp: a CNAME to the largest RRset that fits alone makes an
    // answer over 65,535 octets, which comes back with TC and empty sections.
    let table = table(&format!("alias CNAME abcde\n{}", a_records(4094)));
    let bytes = query("alias.example.", RecordType::A, None);
    let (response, len) = answer(&table, &bytes, Transport::Tcp);
    assert!(len <= 65_535);
    assert!(
        response.metadata.truncation,
        "TC when nothing can hold the answer"
    );
    assert!(response.answers.is_empty());
    let bytes = query("abcde.example.", RecordType::A, None);
    let (response, _) = answer(&table, &bytes, Transport::Tcp);
    assert!(!response.metadata.truncation, "no TC when the answer fits");
    assert_eq!(response.answers.len(), 4094);
}

// ---------------------------------------------------------------------------------------
// 3. Names and labels
// ---------------------------------------------------------------------------------------

/// The longest absolute name (255 octets) and one octet longer, both of 63-octet labels
/// but the last.
fn names_255_and_256() -> (String, String) {
    let l63 = label('a', 63);
    (
        format!("{l63}.{l63}.{l63}.{}.", label('b', 61)),
        format!("{l63}.{l63}.{l63}.{}.", label('b', 62)),
    )
}

#[test]
fn names_in_record_data_are_held_to_255_octets_and_labels_to_63() {
    let (longest, too_long) = names_255_and_256();
    let l63 = format!("{}.example.", label('c', 63));
    let l64 = format!("{}.example.", label('c', 64));
    for (data, prefix) in [
        ("NS", "NS "),
        ("CNAME", "CNAME "),
        ("MX", "MX 10 "),
        ("SRV", "SRV 0 0 53 "),
        ("SOA", "SOA "),
    ] {
        let line = |target: &str| {
            let rest = if data == "SOA" {
                " h.example. 1 2 3 4 5"
            } else {
                ""
            };
            format!("x.example. 60 IN {prefix}{target}{rest}\n")
        };
        let column = u32::try_from("x.example. 60 IN ".len() + prefix.len() + 1).unwrap();
        assert_eq!(parse_ok(&line(&longest), &options()).len(), 1, "{data}");
        assert_eq!(parse_ok(&line(&l63), &options()).len(), 1, "{data}");
        let error = parse_err(&line(&too_long), &options());
        assert_error(
            &error,
            1,
            column,
            &ParseErrorKind::NameTooLong { length: 256 },
        );
        let error = parse_err(&line(&l64), &options());
        assert_error(
            &error,
            1,
            column,
            &ParseErrorKind::LabelTooLong { length: 64 },
        );
    }
    // A relative name in data that only passes 255 with its origin.
    let error = parse_err(
        &format!(
            "$ORIGIN {}.\nx 60 IN CNAME {}.{}.{}\n",
            label('o', 62),
            label('a', 63),
            label('a', 63),
            label('a', 63)
        ),
        &options(),
    );
    assert_error(&error, 2, 15, &ParseErrorKind::NameTooLong { length: 256 });
}

#[test]
fn origin_of_255_octets_takes_at_but_nothing_below_it() {
    let (longest, too_long) = names_255_and_256();
    let zone = parse_ok(
        &format!("$ORIGIN {longest}\n@ 60 IN A 192.0.2.1\n"),
        &options(),
    );
    assert_eq!(zone.origin(), &name(&longest));
    let error = parse_err(
        &format!("$ORIGIN {longest}\na 60 IN A 192.0.2.1\n"),
        &options(),
    );
    assert_error(&error, 2, 1, &ParseErrorKind::NameTooLong { length: 257 });
    let error = parse_err(&format!("$ORIGIN {too_long}\n"), &options());
    assert_error(&error, 1, 9, &ParseErrorKind::NameTooLong { length: 256 });
}

#[test]
fn query_names_of_255_octets_are_answered_and_longer_ones_are_formerr() {
    // a63.b63.c63.d53.example. is 3 × 64 + 54 + 9 = 255 octets.
    let owner = format!(
        "{}.{}.{}.{}.example.",
        label('a', 63),
        label('b', 63),
        label('c', 63),
        label('d', 53)
    );
    assert_eq!(wire_name(&owner).len(), 255);
    let table = table(&format!("{owner} A 192.0.2.9\n"));
    let (response, _) = answer(&table, &query(&owner, RecordType::A, None), Transport::Udp);
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    assert_eq!(response.answers.len(), 1);
    // 256 octets, and a 64-octet label: malformed, hence FORMERR without a question.
    let long = format!("x{owner}");
    let mut wide = wire_name(&format!("{}.example.", label('e', 63)));
    wide[0] = 64;
    wide.insert(1, b'e');
    for qname in [wire_name(&long), wide] {
        let mut bytes = header(1, 0, 0, 0);
        bytes.extend_from_slice(&qname);
        bytes.extend_from_slice(&[0, 1, 0, 1]);
        let (response, _) = answer(&table, &bytes, Transport::Udp);
        assert_eq!(response.metadata.response_code, ResponseCode::FormErr);
        assert_eq!(response.metadata.id, 0x1234);
        assert!(response.queries.is_empty());
    }
}

// ---------------------------------------------------------------------------------------
// 4. $INCLUDE depth and confinement
// ---------------------------------------------------------------------------------------

#[test]
fn include_depth_may_be_reached_but_not_exceeded() {
    let (dir, granted) = sandbox("depth");
    dir.file("granted/a.zone", "a 60 IN A 192.0.2.1\n$INCLUDE b.zone\n");
    dir.file("granted/b.zone", "b 60 IN A 192.0.2.2\n$INCLUDE c.zone\n");
    dir.file("granted/c.zone", "c 60 IN A 192.0.2.3\n");
    let depth = |limit: usize| with_limits(|l| l.max_include_depth = limit).include_dir(&granted);
    // text → a (1) → b (2) → c (3).
    let text = "$ORIGIN example.\n$INCLUDE a.zone\n";
    assert_eq!(parse_ok(text, &depth(3)).len(), 3);
    let error = parse_err(text, &depth(2));
    assert_error(&error, 2, 10, &ParseErrorKind::IncludeTooDeep { limit: 2 });
    assert_eq!(error.file(), Some("b.zone"));
    // A limit of 0 refuses every `$INCLUDE`.
    let error = parse_err(text, &depth(0));
    assert_error(&error, 2, 10, &ParseErrorKind::IncludeTooDeep { limit: 0 });
    assert_eq!(error.file(), Some("db.test"));
    // A file that includes itself stops at the limit too.
    dir.file("granted/self.zone", "$INCLUDE self.zone\n");
    let error = parse_err("$INCLUDE self.zone\n", &depth(3));
    assert_error(&error, 1, 10, &ParseErrorKind::IncludeTooDeep { limit: 3 });
    assert_eq!(error.file(), Some("self.zone"));
}

#[test]
fn include_paths_that_stay_inside_are_allowed() {
    let (dir, granted) = sandbox("inside");
    dir.file("granted/a.zone", "a 60 IN A 192.0.2.1\n");
    std::fs::create_dir_all(granted.join("sub")).unwrap();
    let absolute = granted.canonicalize().unwrap().join("a.zone");
    for path in [
        absolute.to_str().unwrap(),
        "./a.zone",
        "sub/../a.zone",
        "sub/./../sub/../a.zone",
        // Out and straight back in: the path still names a file inside.
        "../granted/a.zone",
    ] {
        let zone = include(&granted, path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            zone.rrset(&name("a.example."), RecordType::A).is_some(),
            "{path}"
        );
    }
}

#[test]
fn include_paths_that_leave_are_refused_even_next_door() {
    let (dir, granted) = sandbox("leave");
    dir.file("granted/sub/x.zone", "x 60 IN A 192.0.2.1\n");
    // A sibling whose name begins with the granted directory's.
    dir.file("granted-sibling/x.zone", "secret 60 IN A 192.0.2.66\n");
    for path in [
        "sub/../../outside.zone",
        "sub/../../granted-sibling/x.zone",
        "../granted-sibling/x.zone",
        "../../outside.zone",
    ] {
        let error = include(&granted, path).unwrap_err();
        assert_error(
            &error,
            2,
            10,
            &ParseErrorKind::IncludeOutsideBase { path: path.into() },
        );
    }
    let sibling = dir.path().join("granted-sibling/x.zone");
    let error = include(&granted, sibling.to_str().unwrap()).unwrap_err();
    assert!(
        matches!(error.kind(), ParseErrorKind::IncludeOutsideBase { .. }),
        "{error}"
    );
}

#[cfg(unix)]
#[test]
fn include_through_symbolic_links_is_allowed_inside_and_refused_outside() {
    use std::os::unix::fs::symlink;
    let (dir, granted) = sandbox("links");
    dir.file("granted/real/a.zone", "a 60 IN A 192.0.2.1\n");
    // Inside to inside: a file link and a directory link.
    symlink(granted.join("real/a.zone"), granted.join("file-link.zone")).unwrap();
    symlink(granted.join("real"), granted.join("dir-link")).unwrap();
    symlink("real/a.zone", granted.join("relative-link.zone")).unwrap();
    for path in ["file-link.zone", "dir-link/a.zone", "relative-link.zone"] {
        let zone = include(&granted, path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(
            zone.rrset(&name("a.example."), RecordType::A).is_some(),
            "{path}"
        );
    }
    // A directory link that leads out, and a chain of links whose last step leads out.
    symlink(dir.path(), granted.join("out")).unwrap();
    symlink("../outside.zone", granted.join("hop2.zone")).unwrap();
    symlink("hop2.zone", granted.join("hop1.zone")).unwrap();
    for path in [
        "out/outside.zone",
        "hop1.zone",
        "out/granted/../outside.zone",
    ] {
        let error = include(&granted, path).unwrap_err();
        assert_error(
            &error,
            2,
            10,
            &ParseErrorKind::IncludeOutsideBase { path: path.into() },
        );
    }
    // `..` after a link that leads out: whatever the parser does with it, the secret
    // outside is never read.
    let deep = dir.path().join("deep");
    std::fs::create_dir_all(&deep).unwrap();
    symlink(&deep, granted.join("deep-link")).unwrap();
    match include(&granted, "deep-link/../outside.zone") {
        Ok(zone) => assert!(!has_secret(&zone)),
        Err(error) => assert!(
            matches!(
                error.kind(),
                ParseErrorKind::IncludeOutsideBase { .. }
                    | ParseErrorKind::IncludeUnreadable { .. }
            ),
            "{error}"
        ),
    }
}

/// Only regular files are read: opening a FIFO blocks until a writer comes (forever, for a
/// zone load), and a directory is no zone. Parsed on another thread, so that a regression
/// fails here instead of hanging the run.
#[test]
fn include_reads_regular_files_only() {
    let (_dir, granted) = sandbox("special");
    std::fs::create_dir_all(granted.join("subdir")).unwrap();
    let fifo = granted.join("pipe.zone");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo failed");
    for path in ["pipe.zone", "subdir"] {
        let (send, result) = mpsc::channel();
        let dir = granted.clone();
        std::thread::spawn(move || {
            let _ = send.send(include(&dir, path));
        });
        let error = result
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("$INCLUDE {path} still blocks after 20 s"))
            .unwrap_err();
        assert_error(
            &error,
            2,
            10,
            &ParseErrorKind::IncludeUnreadable {
                path: path.into(),
                reason: "not a regular file".into(),
            },
        );
    }
}

#[test]
fn include_of_a_file_that_is_not_utf8_names_the_offset() {
    let (_dir, granted) = sandbox("latin1");
    std::fs::write(granted.join("latin1.zone"), b"caf\xe9 60 IN A 192.0.2.1\n").unwrap();
    let error = include(&granted, "latin1.zone").unwrap_err();
    assert_error(
        &error,
        2,
        10,
        &ParseErrorKind::IncludeUnreadable {
            path: "latin1.zone".into(),
            reason: "not UTF-8 text: invalid octet at offset 3".into(),
        },
    );
}

// ---------------------------------------------------------------------------------------
// 5. Answer path: chains, compression pointers, query size
// ---------------------------------------------------------------------------------------

#[test]
fn dname_chains_stop_at_the_chain_limit() {
    // d0 → … → d7 (8 DNAMEs) reach x.d8's A; e0 → … → e8 (9 DNAMEs) stop before x.e9.
    let mut zone = String::new();
    for i in 0..8 {
        zone.push_str(&format!("d{i} DNAME d{}\n", i + 1));
    }
    zone.push_str("x.d8 A 192.0.2.8\n");
    for i in 0..9 {
        zone.push_str(&format!("e{i} DNAME e{}\n", i + 1));
    }
    zone.push_str("x.e9 A 192.0.2.9\n");
    // A DNAME below its own target grows the name at every step.
    zone.push_str("grow DNAME x.grow\n");
    let table = table(&zone);
    let types = |response: &Message| -> Vec<RecordType> {
        response.answers.iter().map(|r| r.record_type()).collect()
    };
    let (response, _) = answer(
        &table,
        &query("x.d0.example.", RecordType::A, None),
        Transport::Tcp,
    );
    let got = types(&response);
    assert_eq!(got.len(), 2 * MAX_CHAIN + 1, "{got:?}");
    assert_eq!(got.last(), Some(&RecordType::A));
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    let (response, _) = answer(
        &table,
        &query("x.e0.example.", RecordType::A, None),
        Transport::Tcp,
    );
    let got = types(&response);
    assert_eq!(got.len(), 2 * (MAX_CHAIN + 1), "{got:?}");
    assert!(!got.contains(&RecordType::A));
    assert_eq!(
        got.iter().filter(|&&t| t == RecordType::DNAME).count(),
        MAX_CHAIN + 1
    );
    let (response, _) = answer(
        &table,
        &query("a.grow.example.", RecordType::A, None),
        Transport::Tcp,
    );
    assert_eq!(response.answers.len(), 2 * (MAX_CHAIN + 1));
    assert_eq!(
        response.answers.last().unwrap().data.to_string(),
        format!("a{}.grow.example.", ".x".repeat(MAX_CHAIN + 1))
    );
}

/// Questions whose name is, or ends in, a compression pointer (which a query's first name
/// has nothing before to point at) or another label type RFC 1035 does not allow there.
fn pointer_questions() -> Vec<(&'static str, Vec<u8>)> {
    let question = |name: &[u8]| {
        let mut bytes = header(1, 0, 0, 0);
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(&[0, 1, 0, 1]);
        bytes
    };
    let mut forward = question(&[0xC0, 18]);
    forward.extend_from_slice(b"\x03www\x07example\x00");
    vec![
        ("a pointer to itself", question(&[0xC0, 12])),
        (
            "a label, then a pointer back to it",
            question(b"\x03www\xC0\x0C"),
        ),
        (
            "two pointers pointing at each other",
            question(&[0xC0, 14, 0xC0, 12]),
        ),
        ("a forward pointer", forward),
        ("a pointer past the end", question(&[0xC0, 0xFF])),
        ("the largest pointer", question(&[0xFF, 0xFF])),
        ("a pointer into the header", question(&[0xC0, 0])),
        (
            "a name ending in a pointer",
            question(b"\x03www\x07example\xC0\x0C"),
        ),
        ("a truncated pointer", {
            let mut bytes = header(1, 0, 0, 0);
            bytes.push(0xC0);
            bytes
        }),
        ("an extended label type", question(&[0x41, 0, 0])),
        ("a reserved label type", question(&[0x80, 1, 0])),
    ]
}

#[test]
fn compression_pointers_in_the_question_are_formerr_and_never_followed() {
    let table = table("www A 192.0.2.80\n");
    let mut out = vec![0u8; 65_535];
    let cases = pointer_questions();
    for (what, bytes) in &cases {
        for transport in [Transport::Udp, Transport::Tcp] {
            let len = table
                .answer(bytes, transport, &mut out)
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let response = Message::from_vec(&out[..len]).unwrap();
            assert_eq!(
                response.metadata.response_code,
                ResponseCode::FormErr,
                "{what}"
            );
            assert_eq!(response.metadata.id, 0x1234, "{what}");
            assert!(response.queries.is_empty(), "{what}");
        }
    }
    // Many of them in a row finish (no loop is followed); the time is not asserted.
    for round in 0..10_000 {
        let (what, bytes) = &cases[round % cases.len()];
        let len = table.answer(bytes, Transport::Udp, &mut out).unwrap();
        assert_eq!((len, out[3] & 0x0F), (12, 1), "{what}");
    }
}

#[test]
fn compression_pointers_in_the_additional_section_are_skipped_not_followed() {
    let table = table("www A 192.0.2.80\n");
    let base = query("www.example.", RecordType::A, None);
    let with_additional = |record: &[u8]| {
        let mut bytes = base.clone();
        bytes[11] = 1;
        bytes.extend_from_slice(record);
        bytes
    };
    // An A record whose owner is a pointer to itself: skipped, the query answered.
    let at = u8::try_from(base.len()).unwrap();
    let looping = with_additional(&[0xC0, at, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]);
    let (response, _) = answer(&table, &looping, Transport::Udp);
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    assert_eq!(response.answers.len(), 1);
    // An OPT owned by a pointer (to the root, even) is not owned by the root: FORMERR.
    let end = u8::try_from(base.len() - 5).unwrap();
    assert_eq!(base[usize::from(end)], 0, "the question name's root label");
    let opt = with_additional(&[0xC0, end, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0]);
    let (response, _) = answer(&table, &opt, Transport::Udp);
    assert_eq!(response.metadata.response_code, ResponseCode::FormErr);
}

/// A query of exactly `total` octets for `www.example. A`: an OPT record and padding
/// records (root owner, TXT, no data but the last) in the additional section, the OPT
/// first or last.
fn padded_query(total: usize, opt_last: bool) -> (Vec<u8>, u16) {
    let question = b"\x03www\x07example\x00\x00\x01\x00\x01";
    let opt = [0u8, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0];
    let rest = total - 12 - question.len() - opt.len();
    let padding = rest / 11;
    let mut records = Vec::new();
    for i in 0..padding {
        let extra = if i + 1 == padding {
            rest - padding * 11
        } else {
            0
        };
        records.extend_from_slice(&[0, 0, 16, 0, 1, 0, 0, 0, 0]);
        records.extend_from_slice(&u16::try_from(extra).unwrap().to_be_bytes());
        records.extend(std::iter::repeat_n(b'p', extra));
    }
    let arcount = u16::try_from(padding + 1).unwrap();
    let mut bytes = header(1, 0, 0, arcount);
    bytes.extend_from_slice(question);
    if opt_last {
        bytes.extend_from_slice(&records);
        bytes.extend_from_slice(&opt);
    } else {
        bytes.extend_from_slice(&opt);
        bytes.extend_from_slice(&records);
    }
    assert_eq!(bytes.len(), total);
    (bytes, arcount)
}

#[test]
fn a_query_of_65535_octets_is_answered_and_a_lying_arcount_is_formerr() {
    let table = table("www A 192.0.2.80\nwww A 192.0.2.81\n");
    for opt_last in [false, true] {
        let (bytes, arcount) = padded_query(65_535, opt_last);
        for transport in [Transport::Udp, Transport::Tcp] {
            let (response, _) = answer(&table, &bytes, transport);
            assert_eq!(response.metadata.response_code, ResponseCode::NoError);
            assert_eq!(response.answers.len(), 2);
            assert_eq!(response.edns.unwrap().max_payload(), 1232, "OPT found");
        }
        // One record more than the message holds.
        let mut lying = bytes.clone();
        lying[10..12].copy_from_slice(&(arcount + 1).to_be_bytes());
        let (response, _) = answer(&table, &lying, Transport::Tcp);
        assert_eq!(response.metadata.response_code, ResponseCode::FormErr);
    }
    // Counts of 65,535 with nothing behind them.
    let mut bytes = query("www.example.", RecordType::A, None);
    for at in [6, 8, 10] {
        let mut lying = bytes.clone();
        lying[at..at + 2].copy_from_slice(&[0xFF, 0xFF]);
        let (response, _) = answer(&table, &lying, Transport::Udp);
        assert_eq!(
            response.metadata.response_code,
            ResponseCode::FormErr,
            "count at {at}"
        );
        assert_eq!(response.metadata.id, 0xbeef);
    }
    // Larger than any DNS message: 65,535 real additional records (721 kB) are read once,
    // and the query is answered.
    bytes[10..12].copy_from_slice(&[0xFF, 0xFF]);
    for _ in 0..65_535 {
        bytes.extend_from_slice(&[0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 0]);
    }
    let (response, _) = answer(&table, &bytes, Transport::Tcp);
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    assert_eq!(response.answers.len(), 2);
}

// ---------------------------------------------------------------------------------------
// 6. `serve`: TCP connections, idle time, message size
// ---------------------------------------------------------------------------------------

const ANSWER_ZONE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/answer.zone");

/// A `serve` process for `tests/data/answer.zone` on `127.0.0.1:0`, killed (by its handle)
/// and reaped on drop.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    /// Starts the server, again if it could not bind: with port 0, `serve` takes the port
    /// UDP got for TCP too, which a TCP socket (even a client's) may already hold.
    fn start() -> Self {
        let mut said = Vec::new();
        for _ in 0..5 {
            match Self::try_start() {
                Ok(server) => return server,
                Err(lines) if lines.iter().any(|l| l.contains("(TCP)")) => {
                    eprintln!("serve did not start, starting again: {lines:?}");
                    said = lines;
                }
                Err(lines) => panic!("serve never said `listening on`: {lines:?}"),
            }
        }
        panic!("serve could not bind TCP five times: {said:?}");
    }

    /// Starts `serve ZONE --listen 127.0.0.1:0`; what it said if it never said
    /// `listening on`.
    fn try_start() -> Result<Self, Vec<String>> {
        let mut child = Command::new(example::path_with_features("serve", &["server"]))
            .args([ANSWER_ZONE, "--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (send, lines) = mpsc::channel();
        // Reads stderr to its end, so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        let mut said = Vec::new();
        loop {
            match lines.recv_timeout(Duration::from_secs(30)) {
                Ok(line) => {
                    if let Some(address) = line.strip_prefix("listening on ") {
                        let address = address.trim().parse().unwrap();
                        return Ok(Self { child, address });
                    }
                    said.push(line);
                }
                Err(error) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    said.push(format!("({error})"));
                    return Err(said);
                }
            }
        }
    }

    fn udp(&self, bytes: &[u8]) -> Message {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        socket.send_to(bytes, self.address).unwrap();
        let mut buffer = vec![0u8; 65_535];
        let (len, _) = socket.recv_from(&mut buffer).unwrap();
        Message::from_vec(&buffer[..len]).unwrap()
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one length-prefixed message and reads one back.
fn exchange(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<Message> {
    let prefix = u16::try_from(bytes.len()).unwrap().to_be_bytes();
    stream.write_all(&[prefix.as_slice(), bytes].concat())?;
    let mut length = [0u8; 2];
    stream.read_exact(&mut length)?;
    let mut message = vec![0u8; usize::from(u16::from_be_bytes(length))];
    stream.read_exact(&mut message)?;
    Ok(Message::from_vec(&message).unwrap())
}

/// Whether the server closed `stream` (end of stream or a reset) within its read timeout.
fn closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
        Err(_) => true,
    }
}

fn www() -> Vec<u8> {
    query("www.example.", RecordType::A, None)
}

#[test]
fn serve_closes_tcp_connections_past_128_and_udp_still_answers() {
    let server = Server::start();
    let mut held: Vec<TcpStream> = (0..128).map(|_| server.connect()).collect();
    // The last of the 128 is served (so all before it were accepted too).
    let response = exchange(held.last_mut().unwrap(), &www()).unwrap();
    assert_eq!(response.answers.len(), 2);
    // The 129th and 130th are closed at once, without a word.
    for n in [129, 130] {
        let mut extra = server.connect();
        let started = Instant::now();
        assert!(closed(&mut extra), "connection {n} was left open");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    // UDP answers meanwhile, and so do the connections held.
    let response = server.udp(&www());
    assert_eq!(response.answers.len(), 2);
    let response = exchange(&mut held[0], &www()).unwrap();
    assert_eq!(response.answers.len(), 2);
    // One closed by its client frees a place for a new one.
    held.truncate(127);
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let mut fresh = server.connect();
        if let Ok(response) = exchange(&mut fresh, &www()) {
            assert_eq!(response.answers.len(), 2);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no place freed for a new connection"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The one slow test (about ten seconds): the idle timeout, and the deadline for a whole
/// query.
#[test]
fn serve_closes_idle_stalled_and_trickling_tcp_connections_after_about_ten_seconds() {
    let server = Server::start();
    let query = www();
    let mut connections: Vec<(&str, TcpStream, Instant)> = Vec::new();
    let silent = server.connect();
    connections.push(("sends nothing", silent, Instant::now()));
    let mut half = server.connect();
    half.write_all(&[0]).unwrap();
    connections.push(("sends one octet of the length", half, Instant::now()));
    let mut short = server.connect();
    short.write_all(&512u16.to_be_bytes()).unwrap();
    short.write_all(&query).unwrap();
    connections.push(("promises 512 octets, sends fewer", short, Instant::now()));
    let mut answered = server.connect();
    assert_eq!(exchange(&mut answered, &query).unwrap().answers.len(), 2);
    connections.push(("is answered, then sends nothing", answered, Instant::now()));
    // One octet of a 512-octet query every second: each read is quick, the query never
    // whole; a timeout per read would keep this connection open for nine minutes.
    let mut trickle = server.connect();
    let mut writer = trickle.try_clone().unwrap();
    std::thread::spawn(move || {
        for octet in 512u16.to_be_bytes().into_iter().chain([0; 512]) {
            if writer.write_all(&[octet]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    trickle.flush().unwrap();
    connections.push(("sends one octet a second", trickle, Instant::now()));
    // Open for now.
    for (what, stream, _) in &mut connections {
        stream
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        assert!(
            !closed(stream),
            "a connection that {what} was closed at once"
        );
    }
    // Closed after the idle time, by the server.
    for (what, stream, since) in &mut connections {
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        assert!(closed(stream), "a connection that {what} is still open");
        let idle = since.elapsed();
        assert!(
            idle >= Duration::from_secs(9) && idle <= Duration::from_secs(14),
            "a connection that {what} was closed after {idle:?}"
        );
    }
    // The server still answers.
    assert_eq!(server.udp(&query).answers.len(), 2);
}

/// A client that sends queries and never reads the answers: once its receive buffer and
/// the server's send buffer are full, the server's write waits; 10 s after it began that
/// response the server gives up and closes the connection, and the client's writes fail
/// with a reset. (Without the deadline, the client's own 60 s timeout ends the test with
/// `WouldBlock`; with a timeout per write, send-buffer growth let it last about 30 s.)
#[test]
fn serve_closes_a_tcp_connection_whose_client_does_not_read() {
    let server = Server::start();
    let mut stream = server.connect();
    stream
        .set_write_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let query = www();
    let prefix = u16::try_from(query.len()).unwrap().to_be_bytes();
    let batch = [prefix.as_slice(), &query].concat().repeat(1000);
    let error = loop {
        if let Err(error) = stream.write_all(&batch) {
            break error;
        }
    };
    assert!(
        matches!(
            error.kind(),
            ErrorKind::ConnectionReset | ErrorKind::BrokenPipe
        ),
        "the server did not close the connection: {error:?}"
    );
    assert_eq!(server.udp(&query).answers.len(), 2);
}

#[test]
fn serve_answers_queries_at_the_message_size_limits_and_formerr_for_malformed_ones() {
    let server = Server::start();
    let mut stream = server.connect();
    // An empty TCP message is not answered, and the connection goes on.
    stream.write_all(&[0, 0]).unwrap();
    assert_eq!(exchange(&mut stream, &www()).unwrap().answers.len(), 2);
    // The largest TCP message, most of it additional records.
    let (bytes, _) = padded_query(65_535, true);
    let response = exchange(&mut stream, &bytes).unwrap();
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    assert_eq!(response.answers.len(), 2);
    assert!(response.edns.is_some());
    // ARCOUNT 65,535 and no records: FORMERR, and the connection goes on.
    let mut lying = www();
    lying[10..12].copy_from_slice(&[0xFF, 0xFF]);
    let response = exchange(&mut stream, &lying).unwrap();
    assert_eq!(response.metadata.response_code, ResponseCode::FormErr);
    for (what, bytes) in pointer_questions() {
        let response = exchange(&mut stream, &bytes).unwrap();
        assert_eq!(
            response.metadata.response_code,
            ResponseCode::FormErr,
            "{what}"
        );
    }
    // Over UDP: the largest IPv4 datagram (65,507 octets), then malformed queries.
    let (bytes, _) = padded_query(65_507, false);
    let response = server.udp(&bytes);
    assert_eq!(response.answers.len(), 2);
    assert_eq!(
        server.udp(&lying).metadata.response_code,
        ResponseCode::FormErr
    );
    for (what, bytes) in pointer_questions() {
        assert_eq!(
            server.udp(&bytes).metadata.response_code,
            ResponseCode::FormErr,
            "{what}"
        );
    }
}
