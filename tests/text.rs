//! Zone text in and out (RFC 1035 §5, RFC 2308 §4, RFC 3597 §5), validation, and the
//! `Zone` API, tested from outside the crate.
//!
//! Expected values come from the RFCs and DESIGN.md, worked out by hand: error columns are
//! counted in bytes from 1, wire data is written out octet by octet, canonical order follows
//! RFC 4034 §6.1 (names) and §6.3 (record data as left-justified octet strings).

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use multiprimary::hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, NULL, SOA, TXT};
use multiprimary::hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use multiprimary::text::{Limits, ParseOptions, parse, write};
use multiprimary::{
    ParseError, ParseErrorKind, Position, Problem, ProblemKind, RecordError, Rrset, Severity, Zone,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Helpers, in a `cfg(test)` module so that clippy's test allowances (unwrap, panic,
/// indexing) apply to them as to the tests.
#[cfg(test)]
mod support {
    use super::*;

    pub(super) fn name(text: &str) -> Name {
        Name::from_ascii(text).unwrap_or_else(|e| panic!("bad test name {text:?}: {e}"))
    }

    /// Options with a file name, so that error messages carry it.
    pub(super) fn options() -> ParseOptions {
        ParseOptions::new().file_name("db.test")
    }

    pub(super) fn parse_ok(text: &str) -> Zone {
        parse(text, &options()).unwrap_or_else(|e| panic!("parse failed: {e}\n{text}"))
    }

    pub(super) fn parse_err(text: &str) -> ParseError {
        match parse(text, &options()) {
            Ok(zone) => panic!("parse should fail but gave {} records:\n{text}", zone.len()),
            Err(error) => error,
        }
    }

    /// Asserts an error's full message, its position and its kind.
    pub(super) fn assert_error(
        error: &ParseError,
        message: &str,
        line: u32,
        column: u32,
        kind: &ParseErrorKind,
    ) {
        assert_eq!(error.to_string(), message);
        assert_eq!(error.position(), Position { line, column });
        assert_eq!(error.kind(), kind);
    }

    /// `(TTL, wire data)` of every record of one RRset.
    pub(super) fn rrset_data(
        zone: &Zone,
        owner: &str,
        record_type: RecordType,
    ) -> Vec<(u32, Vec<u8>)> {
        zone.rrset(&name(owner), record_type)
            .unwrap_or_else(|| panic!("no {record_type} RRset at {owner}"))
            .iter()
            .map(|(ttl, data)| (ttl, data.to_vec()))
            .collect()
    }

    /// The one record of an RRset: its TTL and data.
    pub(super) fn single(zone: &Zone, owner: &str, record_type: RecordType) -> (u32, Vec<u8>) {
        let data = rrset_data(zone, owner, record_type);
        assert_eq!(data.len(), 1, "{owner} {record_type}: {data:?}");
        data.into_iter().next().unwrap()
    }

    /// Wire form of a domain name, written label by label.
    pub(super) fn wire_name(labels: &[&[u8]]) -> Vec<u8> {
        let mut wire = Vec::new();
        for label in labels {
            wire.push(u8::try_from(label.len()).unwrap());
            wire.extend_from_slice(label);
        }
        wire.push(0);
        wire
    }

    /// Every record as comparable values: owner (as text), type, class, TTL, data.
    pub(super) fn records_of(zone: &Zone) -> Vec<(String, RecordType, DNSClass, u32, Vec<u8>)> {
        zone.iter()
            .map(|r| {
                (
                    r.owner().to_string(),
                    r.record_type(),
                    r.class(),
                    r.ttl(),
                    r.data().to_vec(),
                )
            })
            .collect()
    }

    pub(super) fn written(zone: &Zone) -> String {
        let mut text = String::new();
        write(zone, &mut text).unwrap();
        text
    }

    /// Writes `zone`, parses the text back with no options, and checks everything survived:
    /// origin, class, every record with its TTL, and zone equality.
    pub(super) fn assert_round_trip(zone: &Zone) -> String {
        let text = written(zone);
        let back = parse(&text, &ParseOptions::new())
            .unwrap_or_else(|e| panic!("written text does not parse: {e}\n{text}"));
        assert_eq!(back.origin(), zone.origin());
        assert_eq!(back.class(), zone.class());
        assert_eq!(back.len(), zone.len());
        let (ours, theirs) = (records_of(zone), records_of(&back));
        for (a, b) in ours.iter().zip(&theirs) {
            assert_eq!(a, b, "record changed by a write/parse round trip");
        }
        assert_eq!(ours.len(), theirs.len());
        assert_eq!(&back, zone);
        text
    }

    /// Problems as comparable values: owner text, type, kind, severity.
    pub(super) fn problems(zone: &Zone) -> Vec<(String, RecordType, ProblemKind, Severity)> {
        zone.validate()
            .iter()
            .map(|p: &Problem| {
                (
                    p.owner().to_string(),
                    p.record_type(),
                    p.kind().clone(),
                    p.severity(),
                )
            })
            .collect()
    }

    pub(super) fn seed_zone() -> Zone {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/data/example.com.zone"
        );
        let text = std::fs::read_to_string(path).unwrap();
        parse(
            &text,
            &ParseOptions::new()
                .origin(name("example.com."))
                .file_name("example.com.zone"),
        )
        .unwrap()
    }

    pub(super) fn rich_zone() -> Zone {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/rich.zone");
        let text = std::fs::read_to_string(path).unwrap();
        parse(&text, &ParseOptions::new().file_name("rich.zone")).unwrap()
    }

    /// The IANA root zone (`tests/data/root.zone`, see `tests/data/README.md`).
    pub(super) fn root_zone() -> Zone {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/root.zone");
        let text = std::fs::read_to_string(path).unwrap();
        parse(&text, &ParseOptions::new().file_name("root.zone")).unwrap()
    }

    /// A small valid zone: SOA, apex NS, and the NS's address. Tests append lines to it.
    pub(super) const BASE: &str = "$ORIGIN example.com.\n\
                        $TTL 3600\n\
                        @ IN SOA ns hostmaster 1 7200 3600 604800 300\n\
                        @ IN NS ns\n\
                        ns IN A 192.0.2.1\n";

    pub(super) fn base_with(extra: &str) -> Zone {
        parse_ok(&format!("{BASE}{extra}"))
    }

    /// A directory under the system temp dir, removed with everything in it when dropped.
    pub(super) struct TempDir(PathBuf);

    impl TempDir {
        pub(super) fn new(tag: &str) -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let path = std::env::temp_dir().join(format!(
                "multiprimary-text-{}-{tag}-{nanos}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&path).unwrap();
            Self(path)
        }

        pub(super) fn path(&self) -> &Path {
            &self.0
        }

        /// Writes a file at `relative` (creating directories), returning its path.
        pub(super) fn file(&self, relative: &str, contents: &str) -> PathBuf {
            let path = self.0.join(relative);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).unwrap();
            }
            std::fs::write(&path, contents).unwrap();
            path
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// A temp dir holding `granted/` (the include directory) and `outside.zone` beside it.
    pub(super) fn include_sandbox(tag: &str) -> (TempDir, PathBuf) {
        let dir = TempDir::new(tag);
        dir.file("outside.zone", "secret 60 IN A 192.0.2.66\n");
        let granted = dir.path().join("granted");
        std::fs::create_dir_all(&granted).unwrap();
        (dir, granted)
    }

    pub(super) fn include_options(granted: &Path) -> ParseOptions {
        options().include_dir(granted)
    }

    pub(super) fn one_problem(
        zone: &Zone,
        owner: &str,
        record_type: RecordType,
        kind: ProblemKind,
        severity: Severity,
    ) {
        assert_eq!(
            problems(zone),
            [(owner.to_string(), record_type, kind, severity)]
        );
    }
}

use support::*;

// ---------------------------------------------------------------------------------------
// 1. Syntax
// ---------------------------------------------------------------------------------------

#[test]
fn origin_directive_takes_absolute_names_and_names_relative_to_the_previous_origin() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         www 3600 IN A 192.0.2.1\n\
         $ORIGIN sub\n\
         host 3600 IN A 192.0.2.2\n\
         $ORIGIN deeper\n\
         x 3600 IN A 192.0.2.3\n\
         $ORIGIN other.test.\n\
         y 3600 IN A 192.0.2.4\n",
    );
    assert_eq!(zone.origin(), &name("example.com."), "the first $ORIGIN");
    assert_eq!(
        single(&zone, "www.example.com.", RecordType::A),
        (3600, vec![192, 0, 2, 1])
    );
    assert_eq!(
        single(&zone, "host.sub.example.com.", RecordType::A).1,
        [192, 0, 2, 2]
    );
    assert_eq!(
        single(&zone, "x.deeper.sub.example.com.", RecordType::A).1,
        [192, 0, 2, 3]
    );
    assert_eq!(
        single(&zone, "y.other.test.", RecordType::A).1,
        [192, 0, 2, 4]
    );
    assert_eq!(zone.len(), 4);
}

#[test]
fn zone_origin_is_the_option_else_first_origin_directive_else_the_soa_owner() {
    let soa = "example.net. 60 IN SOA ns.example.net. h.example.net. 1 2 3 4 5\n";
    assert_eq!(parse_ok(soa).origin(), &name("example.net."));
    let with_directive = format!("$ORIGIN example.org.\n{soa}");
    assert_eq!(parse_ok(&with_directive).origin(), &name("example.org."));
    let zone = parse(soa, &options().origin(name("example.com"))).unwrap();
    assert_eq!(zone.origin(), &name("example.com."));
}

#[test]
fn ttl_directive_accepts_units_in_any_case() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         $TTL 1h30m\n\
         a IN A 192.0.2.1\n\
         $TTL 1W2d3H4m5S\n\
         b IN A 192.0.2.2\n\
         $TTL 90\n\
         c IN A 192.0.2.3\n\
         d 1d IN A 192.0.2.4\n\
         e 2w IN A 192.0.2.5\n",
    );
    assert_eq!(single(&zone, "a.example.com.", RecordType::A).0, 5400);
    // 1 week + 2 days + 3 hours + 4 minutes + 5 seconds.
    assert_eq!(
        single(&zone, "b.example.com.", RecordType::A).0,
        604_800 + 2 * 86_400 + 3 * 3600 + 4 * 60 + 5
    );
    assert_eq!(single(&zone, "c.example.com.", RecordType::A).0, 90);
    assert_eq!(single(&zone, "d.example.com.", RecordType::A).0, 86_400);
    assert_eq!(single(&zone, "e.example.com.", RecordType::A).0, 1_209_600);
}

#[test]
fn record_without_ttl_takes_the_ttl_directive_even_after_an_explicit_ttl() {
    // RFC 2308 §4: $TTL is the default for records without one.
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         $TTL 600\n\
         a 300 IN A 192.0.2.1\n\
         b IN A 192.0.2.2\n",
    );
    assert_eq!(single(&zone, "a.example.com.", RecordType::A).0, 300);
    assert_eq!(single(&zone, "b.example.com.", RecordType::A).0, 600);
}

#[test]
fn record_without_ttl_and_without_ttl_directive_takes_the_last_stated_ttl() {
    // RFC 1035 §5.1: an omitted TTL defaults to the last explicitly stated one.
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         a 300 IN A 192.0.2.1\n\
         b IN A 192.0.2.2\n\
         c IN 120 A 192.0.2.3\n\
         d A 192.0.2.4\n\
         \x20 AAAA 2001:db8::4\n",
    );
    assert_eq!(single(&zone, "b.example.com.", RecordType::A).0, 300);
    assert_eq!(single(&zone, "c.example.com.", RecordType::A).0, 120);
    assert_eq!(single(&zone, "d.example.com.", RecordType::A).0, 120);
    assert_eq!(single(&zone, "d.example.com.", RecordType::AAAA).0, 120);
}

#[test]
fn default_ttl_option_applies_only_before_any_ttl_in_the_text() {
    let zone = parse(
        "$ORIGIN example.com.\n\
         a IN A 192.0.2.1\n\
         b 300 IN A 192.0.2.2\n\
         c IN A 192.0.2.3\n",
        &options().default_ttl(100),
    )
    .unwrap();
    assert_eq!(single(&zone, "a.example.com.", RecordType::A).0, 100);
    assert_eq!(single(&zone, "b.example.com.", RecordType::A).0, 300);
    assert_eq!(single(&zone, "c.example.com.", RecordType::A).0, 300);
}

#[test]
fn record_without_any_ttl_is_an_error() {
    let error = parse_err("$ORIGIN example.com.\nwww IN A 192.0.2.1\n");
    assert_error(
        &error,
        "db.test:2:8: record has no TTL and no `$TTL` or earlier TTL applies",
        2,
        8,
        &ParseErrorKind::NoTtl,
    );
}

#[test]
fn soa_without_any_ttl_takes_its_minimum() {
    // RFC 2308 §4 / BIND: no $TTL and no earlier TTL, so the SOA uses its MINIMUM (5m), and
    // that becomes the TTL in force for the records after it.
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         @ IN SOA ns hostmaster 1 7200 3600 604800 5m\n\
         \x20 IN NS ns\n",
    );
    let (ttl, data) = single(&zone, "example.com.", RecordType::SOA);
    assert_eq!(ttl, 300);
    assert_eq!(&data[data.len() - 4..], 300u32.to_be_bytes());
    assert_eq!(single(&zone, "example.com.", RecordType::NS).0, 300);
}

#[test]
fn at_sign_is_the_origin_in_owners_and_data() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         @ 3600 IN MX 10 @\n\
         $ORIGIN sub.example.com.\n\
         @ 3600 IN CNAME @\n",
    );
    let (_, mx) = single(&zone, "example.com.", RecordType::MX);
    let mut expected = vec![0, 10];
    expected.extend(wire_name(&[b"example", b"com"]));
    assert_eq!(mx, expected);
    let (_, cname) = single(&zone, "sub.example.com.", RecordType::CNAME);
    assert_eq!(cname, wire_name(&[b"sub", b"example", b"com"]));
}

#[test]
fn blank_owner_repeats_the_previous_owner() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         www 3600 IN A 192.0.2.1\n\
         \x20    3600 IN AAAA 2001:db8::1\n\
         \tIN TXT \"x\"\n\
         ; a comment line does not change the owner\n\
         \n\
         \x20 60 IN A 192.0.2.2\n",
    );
    assert_eq!(zone.len(), 4);
    assert_eq!(zone.names().count(), 1);
    assert_eq!(
        rrset_data(&zone, "www.example.com.", RecordType::A).len(),
        2
    );
    assert!(
        zone.rrset(&name("www.example.com."), RecordType::AAAA)
            .is_some()
    );
    assert!(
        zone.rrset(&name("www.example.com."), RecordType::TXT)
            .is_some()
    );
}

#[test]
fn blank_owner_before_any_owner_is_an_error() {
    let error = parse_err("$ORIGIN example.com.\n  3600 IN A 192.0.2.1\n");
    assert_error(
        &error,
        "db.test:2:3: record has no owner and there is no previous owner to repeat",
        2,
        3,
        &ParseErrorKind::NoPreviousOwner,
    );
}

#[test]
fn parentheses_join_lines_and_comments_inside_them_are_ignored() {
    let text = "$ORIGIN example.com.\n\
                @ 3600 IN SOA ns hostmaster ( ; comment with ( and \" and ;\n\
                \x20   2024010101 ; serial\n\
                \x20   2h         ; refresh\n\
                \x20   3600       ; retry )\n\
                \x20   1w\n\
                \x20   300 )      ; minimum\n\
                www 3600 IN A ( 192.0.2.1 )\n\
                bad 3600 IN A 192.0.2.999\n";
    let error = parse_err(text);
    // Lines are still counted inside parentheses: the bad record is on line 9.
    assert_eq!(
        error.position(),
        Position {
            line: 9,
            column: 15
        }
    );

    let zone = parse_ok(text.rsplit_once("bad").unwrap().0);
    assert_eq!(zone.serial(), Some(2_024_010_101));
    let soa = zone
        .rrset(&name("example.com."), RecordType::SOA)
        .unwrap()
        .rdatas()
        .next()
        .unwrap();
    let expected = SOA::new(
        name("ns.example.com."),
        name("hostmaster.example.com."),
        2_024_010_101,
        7200,
        3600,
        604_800,
        300,
    );
    assert_eq!(soa, RData::SOA(expected));
    assert_eq!(
        single(&zone, "www.example.com.", RecordType::A),
        (3600, vec![192, 0, 2, 1])
    );
}

#[test]
fn quoted_strings_decode_escaped_quote_backslash_and_decimal_and_keep_semicolons() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         t 3600 IN TXT \"say \\\"hi\\\"\" \"back\\\\slash\" \"semi;colon ( ) inside\" \
         \"\\065\\066\\067\" \"\" unquoted \"tab\\009end\\255\"\n",
    );
    let (_, data) = single(&zone, "t.example.com.", RecordType::TXT);
    let strings: [&[u8]; 7] = [
        b"say \"hi\"",
        b"back\\slash",
        b"semi;colon ( ) inside",
        b"ABC",
        b"",
        b"unquoted",
        b"tab\tend\xff",
    ];
    let mut expected = Vec::new();
    for s in strings {
        expected.push(u8::try_from(s.len()).unwrap());
        expected.extend_from_slice(s);
    }
    assert_eq!(data, expected);
    let record = zone.iter().next().unwrap();
    assert_eq!(
        record.rdata(),
        RData::TXT(TXT::from_bytes(strings.to_vec()))
    );
}

#[test]
fn ttl_and_class_may_come_in_either_order() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         a 300 IN A 192.0.2.1\n\
         b IN 300 A 192.0.2.2\n\
         c IN A 192.0.2.3\n\
         d 77 A 192.0.2.4\n",
    );
    for owner in ["a", "b", "c"] {
        let owner = format!("{owner}.example.com.");
        assert_eq!(single(&zone, &owner, RecordType::A).0, 300, "{owner}");
    }
    assert_eq!(single(&zone, "d.example.com.", RecordType::A).0, 77);
    assert_eq!(zone.class(), DNSClass::IN);
    assert!(zone.iter().all(|r| r.class() == DNSClass::IN));
}

#[test]
fn relative_names_in_owners_and_data_are_completed_with_the_origin() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         mail 3600 IN MX 10 mx1\n\
         mail 3600 IN MX 20 mx2.other.test.\n\
         alias.sub 3600 IN CNAME target.sub\n",
    );
    let mx = zone
        .rrset(&name("mail.example.com."), RecordType::MX)
        .unwrap()
        .rdatas()
        .collect::<Vec<_>>();
    assert_eq!(
        mx,
        [
            RData::MX(MX::new(10, name("mx1.example.com."))),
            RData::MX(MX::new(20, name("mx2.other.test."))),
        ]
    );
    let (_, cname) = single(&zone, "alias.sub.example.com.", RecordType::CNAME);
    assert_eq!(cname, wire_name(&[b"target", b"sub", b"example", b"com"]));
}

#[test]
fn generic_type_class_and_data_follow_rfc_3597() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         g 3600 CLASS1 TYPE65534 \\# 4 0A000001\n\
         split 3600 IN TYPE65534 \\# 4 0A00 00 01\n\
         empty 3600 IN TYPE65533 \\# 0\n",
    );
    assert_eq!(zone.class(), DNSClass::IN, "CLASS1 is IN");
    let unknown = RecordType::Unknown(65534);
    assert_eq!(
        single(&zone, "g.example.com.", unknown),
        (3600, vec![10, 0, 0, 1])
    );
    assert_eq!(
        single(&zone, "split.example.com.", unknown).1,
        [10, 0, 0, 1]
    );
    assert_eq!(
        single(&zone, "empty.example.com.", RecordType::Unknown(65533)),
        (3600, vec![])
    );
}

#[test]
fn class1_and_in_are_the_same_class() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         a 3600 CLASS1 A 192.0.2.1\n\
         b 3600 IN A 192.0.2.2\n\
         c 3600 class1 A 192.0.2.3\n",
    );
    assert_eq!(zone.class(), DNSClass::IN);
    assert_eq!(zone.len(), 3);
}

#[test]
fn generic_data_for_a_known_type_equals_its_presentation_form() {
    let plain = parse_ok("$ORIGIN example.com.\nwww 3600 IN A 192.0.2.1\n");
    for generic in [
        "www 3600 IN A \\# 4 C0000201",
        "www 3600 IN A \\# 4 c0000201",
        "www 3600 IN TYPE1 \\# 4 C0000201",
        "www 3600 IN TYPE1 192.0.2.1",
    ] {
        let zone = parse_ok(&format!("$ORIGIN example.com.\n{generic}\n"));
        assert_eq!(zone, plain, "{generic}");
    }
    // A name in generic data: 00 0A (preference 10), 02 'm' 'x' 00 ("mx.").
    let plain = parse_ok("$ORIGIN example.com.\n@ 3600 IN MX 10 mx.\n");
    let generic = parse_ok("$ORIGIN example.com.\n@ 3600 IN MX \\# 6 000A026D7800\n");
    assert_eq!(generic, plain);
}

#[test]
fn names_take_escaped_dots_and_decimal_escapes_inside_labels() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         a\\.b 3600 IN TXT \"dot\"\n\
         c\\032d 3600 IN TXT \"space\"\n\
         ptr 3600 IN PTR e\\.f\\032g.example.com.\n",
    );
    let owners: Vec<Vec<u8>> = zone
        .names()
        .map(|n| n.iter().next().unwrap().to_vec())
        .collect();
    assert!(owners.contains(&b"a.b".to_vec()), "{owners:?}");
    assert!(owners.contains(&b"c d".to_vec()), "{owners:?}");
    let dotted = Name::from_labels([&b"a.b"[..], b"example", b"com"]).unwrap();
    assert_eq!(dotted.num_labels(), 3);
    assert!(zone.rrset(&dotted, RecordType::TXT).is_some());
    let (_, ptr) = single(&zone, "ptr.example.com.", RecordType::PTR);
    assert_eq!(ptr, wire_name(&[b"e.f g", b"example", b"com"]));
}

#[test]
fn star_that_is_not_the_leftmost_label_is_an_ordinary_label() {
    let zone = parse_ok(
        "$ORIGIN example.\n\
         @ 3600 IN SOA ns hostmaster 1 2 3 4 5\n\
         a.*.example. 3600 IN A 192.0.2.1\n\
         *.example. 3600 IN A 192.0.2.2\n",
    );
    let owner = zone
        .names()
        .find(|n| n.iter().next() == Some(&b"a"[..]))
        .unwrap();
    let labels: Vec<&[u8]> = owner.iter().collect();
    assert_eq!(labels, [&b"a"[..], b"*", b"example"]);
    assert!(!owner.is_wildcard());
    assert_eq!(
        single(&zone, "a.*.example.", RecordType::A).1,
        [192, 0, 2, 1]
    );
    let text = assert_round_trip(&zone);
    assert!(text.lines().any(|l| l.starts_with("a.*\t")), "{text}");
}

#[test]
fn owner_case_is_preserved_while_lookups_ignore_case() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         WwW 3600 IN A 192.0.2.1\n\
         www 3600 IN AAAA 2001:db8::1\n\
         WWW.EXAMPLE.COM. 3600 IN A 192.0.2.1\n",
    );
    // One node, spelled as first written; the third line is a duplicate of the first.
    let names: Vec<&Name> = zone.names().collect();
    assert_eq!(names.len(), 1);
    assert!(names[0].eq_case(&name("WwW.example.com.")), "{}", names[0]);
    assert_eq!(zone.len(), 2);
    for spelling in ["www.example.com.", "WWW.EXAMPLE.COM.", "wWw.ExAmPlE.cOm."] {
        assert!(
            zone.rrset(&name(spelling), RecordType::A).is_some(),
            "{spelling}"
        );
        assert!(
            zone.rrset(&name(spelling), RecordType::AAAA).is_some(),
            "{spelling}"
        );
    }
    let text = written(&zone);
    assert!(text.contains("\nWwW\t3600\tIN\tA\t192.0.2.1\n"), "{text}");
}

#[test]
fn zone_from_str_and_display_are_parse_and_write() {
    let text = "$ORIGIN example.com.\n@ 60 IN SOA ns h 1 2 3 4 5\n";
    let zone: Zone = text.parse().unwrap();
    assert_eq!(zone, parse(text, &ParseOptions::new()).unwrap());
    assert_eq!(zone.to_string(), written(&zone));
}

// ---------------------------------------------------------------------------------------
// 2. Errors
// ---------------------------------------------------------------------------------------

#[test]
fn owner_and_ttl_without_a_type_is_an_unexpected_end() {
    let error = parse_err("$ORIGIN example.com.\nwww 3600\n");
    assert_error(
        &error,
        "db.test:2:9: expected a record type, found the end of the record",
        2,
        9,
        &ParseErrorKind::UnexpectedEnd {
            expected: "a record type",
        },
    );
}

#[test]
fn parse_rejects_unknown_type_mnemonic() {
    let error = parse_err("$ORIGIN example.com.\nwww 3600 IN AX 1.2.3.4\n");
    assert_error(
        &error,
        "db.test:2:13: unknown record type `AX`: write it as `TYPEnnn` with `\\#` generic data",
        2,
        13,
        &ParseErrorKind::UnknownType { found: "AX".into() },
    );
    // A type number past 65535 is no type either.
    let error = parse_err("$ORIGIN example.com.\nwww 3600 IN TYPE65536 \\# 0\n");
    assert_eq!(
        error.kind(),
        &ParseErrorKind::UnknownType {
            found: "TYPE65536".into()
        }
    );
}

#[test]
fn parse_rejects_query_only_words_as_type_or_class() {
    let cases = [
        ("www 3600 IN ANY 192.0.2.1", 13, "ANY"),
        ("www 3600 IN * 192.0.2.1", 13, "*"),
        ("www 3600 IN AXFR 192.0.2.1", 13, "AXFR"),
        ("www 3600 NONE A 192.0.2.1", 10, "NONE"),
        ("www 3600 ANY A 192.0.2.1", 10, "ANY"),
        ("www 3600 IN TYPE255 \\# 0", 13, "TYPE255"),
    ];
    for (line, column, word) in cases {
        let error = parse_err(&format!("$ORIGIN example.com.\n{line}\n"));
        assert_error(
            &error,
            &format!("db.test:2:{column}: `{word}` is valid only in queries, not in a zone"),
            2,
            column,
            &ParseErrorKind::QueryOnly { found: word.into() },
        );
    }
}

#[test]
fn parse_rejects_bad_ipv4_addresses() {
    for (address, column) in [("192.0.2.256", 15), ("192.0.2", 15), ("2001:db8::1", 15)] {
        let error = parse_err(&format!("$ORIGIN example.com.\nwww 3600 IN A {address}\n"));
        assert_error(
            &error,
            &format!("db.test:2:{column}: expected an IPv4 address, found `{address}`"),
            2,
            column,
            &ParseErrorKind::Expected {
                expected: "an IPv4 address",
                found: address.into(),
            },
        );
    }
}

#[test]
fn parse_rejects_bad_ttls_and_accepts_the_rfc_2181_maximum() {
    let cases = [
        ("www 1h30 IN A 192.0.2.1", 5, "1h30"),
        ("www 2147483648 IN A 192.0.2.1", 5, "2147483648"),
        ("www 99999999999 IN A 192.0.2.1", 5, "99999999999"),
        ("www 1x IN A 192.0.2.1", 5, "1x"),
        ("$TTL 1h3", 6, "1h3"),
        ("$TTL nope", 6, "nope"),
    ];
    for (line, column, ttl) in cases {
        let error = parse_err(&format!("$ORIGIN example.com.\n{line}\n"));
        assert_error(
            &error,
            &format!(
                "db.test:2:{column}: expected a TTL (seconds, or units like `1h30m`, at most \
                 2147483647), found `{ttl}`"
            ),
            2,
            column,
            &ParseErrorKind::BadTtl { found: ttl.into() },
        );
    }
    let zone = parse_ok("$ORIGIN example.com.\nwww 2147483647 IN A 192.0.2.1\n");
    assert_eq!(
        single(&zone, "www.example.com.", RecordType::A).0,
        2_147_483_647
    );
}

#[test]
fn parse_rejects_an_unterminated_quote() {
    let error = parse_err("$ORIGIN example.com.\nwww 3600 IN TXT \"abc\n");
    assert_error(
        &error,
        "db.test:2:17: quoted string is not closed before the end of the line",
        2,
        17,
        &ParseErrorKind::UnterminatedQuote,
    );
    // At the end of the input too, and a quote is not closed by an escaped quote.
    let error = parse_err("$ORIGIN example.com.\nwww 3600 IN TXT \"abc\\\"");
    assert_eq!(
        error.position(),
        Position {
            line: 2,
            column: 17
        }
    );
    assert_eq!(error.kind(), &ParseErrorKind::UnterminatedQuote);
}

#[test]
fn parse_rejects_an_open_parenthesis_that_is_never_closed() {
    let error = parse_err("$ORIGIN example.com.\nwww 3600 IN TXT ( \"a\"\n \"b\"\n");
    assert_error(
        &error,
        "db.test:2:17: unbalanced parenthesis: `(` is never closed",
        2,
        17,
        &ParseErrorKind::UnbalancedParenthesis {
            detail: "`(` is never closed",
        },
    );
}

#[test]
fn parse_rejects_a_close_parenthesis_without_an_open_one() {
    let error = parse_err("$ORIGIN example.com.\nwww 3600 IN A 192.0.2.1 )\n");
    assert_error(
        &error,
        "db.test:2:25: unbalanced parenthesis: `)` without `(`",
        2,
        25,
        &ParseErrorKind::UnbalancedParenthesis {
            detail: "`)` without `(`",
        },
    );
}

#[test]
fn parse_rejects_relative_owner_without_origin() {
    let error = parse("www 3600 IN A 192.0.2.1\n", &ParseOptions::new()).unwrap_err();
    assert_error(
        &error,
        "<input>:1:1: relative name `www` but no origin is known: give `$ORIGIN` or an origin",
        1,
        1,
        &ParseErrorKind::NoOrigin {
            found: "www".into(),
        },
    );
    assert_eq!(error.file(), None);
    let error = parse_err("@ 3600 IN A 192.0.2.1\n");
    assert_eq!(
        error.kind(),
        &ParseErrorKind::NoOrigin { found: "@".into() }
    );
}

#[test]
fn parse_rejects_relative_name_in_data_without_origin() {
    let error = parse_err("example.com. 3600 IN NS ns\n");
    assert_error(
        &error,
        "db.test:1:25: relative name `ns` but no origin is known: give `$ORIGIN` or an origin",
        1,
        25,
        &ParseErrorKind::NoOrigin { found: "ns".into() },
    );
}

#[test]
fn parse_rejects_labels_longer_than_63_octets() {
    let ok = format!("{}.example.com. 3600 IN A 192.0.2.1\n", "a".repeat(63));
    assert_eq!(parse_ok(&ok).len(), 1);
    let error = parse_err(&format!(
        "{}.example.com. 3600 IN A 192.0.2.1\n",
        "a".repeat(64)
    ));
    assert_error(
        &error,
        "db.test:1:1: label of 64 octets is longer than 63",
        1,
        1,
        &ParseErrorKind::LabelTooLong { length: 64 },
    );
    // In data, and counted after escapes are decoded: 62 + 2 escaped octets = 64.
    let error = parse_err(&format!(
        "x.example. 3600 IN NS {}\\046\\046.example.\n",
        "b".repeat(62)
    ));
    assert_eq!(
        error.position(),
        Position {
            line: 1,
            column: 23
        }
    );
    assert_eq!(error.kind(), &ParseErrorKind::LabelTooLong { length: 64 });
}

#[test]
fn parse_rejects_names_longer_than_255_octets() {
    let label63 = "a".repeat(63);
    // Wire length: 3 * (1 + 63) + (1 + 61) + 1 = 255: the longest name allowed.
    let longest = format!("{label63}.{label63}.{label63}.{}.", "b".repeat(61));
    let zone = parse_ok(&format!("{longest} 3600 IN A 192.0.2.1\n"));
    assert_eq!(zone.len(), 1);
    // 4 * (1 + 63) + 1 = 257.
    let too_long = format!("{label63}.{label63}.{label63}.{label63}.");
    let error = parse_err(&format!("{too_long} 3600 IN A 192.0.2.1\n"));
    assert_error(
        &error,
        "db.test:1:1: name of 257 octets is longer than 255",
        1,
        1,
        &ParseErrorKind::NameTooLong { length: 257 },
    );
    // A relative name that only becomes too long with its origin: 3 * 64 + (1 + 62) + 1.
    let error = parse_err(&format!(
        "$ORIGIN {}.\n{label63}.{label63}.{label63} 3600 IN A 192.0.2.1\n",
        "c".repeat(62)
    ));
    assert_eq!(error.position(), Position { line: 2, column: 1 });
    assert_eq!(error.kind(), &ParseErrorKind::NameTooLong { length: 256 });
}

#[test]
fn parse_rejects_generic_data_whose_length_does_not_match() {
    let error = parse_err("$ORIGIN example.com.\ng 3600 IN TYPE65534 \\# 4 0A0000\n");
    assert_error(
        &error,
        "db.test:2:24: generic data declares 4 octets but holds 3",
        2,
        24,
        &ParseErrorKind::GenericLength {
            declared: 4,
            actual: 3,
        },
    );
    let error = parse_err("$ORIGIN example.com.\ng 3600 IN TYPE65534 \\# 0 00\n");
    assert_eq!(
        error.kind(),
        &ParseErrorKind::GenericLength {
            declared: 0,
            actual: 1
        }
    );
}

#[test]
fn parse_rejects_generic_data_that_is_invalid_for_a_known_type() {
    let error = parse_err("$ORIGIN example.com.\nwww 3600 IN A \\# 3 010203\n");
    assert_error(
        &error,
        "db.test:2:15: data is not valid A data: it does not match the type's format",
        2,
        15,
        &ParseErrorKind::InvalidRdata {
            record_type: RecordType::A,
            reason: "it does not match the type's format",
        },
    );
    // `\# 0` is fine for an unknown type but not for A, which needs 4 octets.
    let error = parse_err("$ORIGIN example.com.\nwww 3600 IN A \\# 0\n");
    assert!(
        matches!(
            error.kind(),
            ParseErrorKind::InvalidRdata {
                record_type: RecordType::A,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn parse_rejects_a_class_that_differs_from_the_first_record() {
    let error = parse_err(
        "$ORIGIN example.com.\n\
         a 3600 IN A 192.0.2.1\n\
         b 3600 CH A 192.0.2.2\n",
    );
    assert_error(
        &error,
        "db.test:3:8: class `CH` differs from the zone's class `IN`",
        3,
        8,
        &ParseErrorKind::ClassMismatch {
            expected: "IN".into(),
            found: "CH".into(),
        },
    );
}

#[test]
fn parse_rejects_trailing_data_after_a_record() {
    let error = parse_err("$ORIGIN example.com.\nwww 3600 IN A 192.0.2.1 extra\n");
    assert_error(
        &error,
        "db.test:2:25: unexpected `extra` after the record data",
        2,
        25,
        &ParseErrorKind::TrailingData {
            found: "extra".into(),
        },
    );
}

#[test]
fn parse_rejects_a_line_longer_than_the_limit() {
    let mut limits = Limits::default();
    limits.max_line = 30;
    let options = options().limits(limits);
    // Line 2 is exactly 30 octets: allowed. Line 3 is 31: too long.
    let line2 = "www 3600 IN A 192.0.2.1   ; ok";
    let line3 = "ftp 3600 IN A 192.0.2.1   ; bad";
    assert_eq!((line2.len(), line3.len()), (30, 31));
    let ok = format!("$ORIGIN example.com.\n{line2}\n");
    assert_eq!(parse(&ok, &options).unwrap().len(), 1);
    let error = parse(&format!("{ok}{line3}\n"), &options).unwrap_err();
    assert_error(
        &error,
        "db.test:3:1: line is longer than the limit of 30 octets",
        3,
        1,
        &ParseErrorKind::LineTooLong { limit: 30 },
    );
}

#[test]
fn parse_rejects_more_records_than_the_limit() {
    let mut limits = Limits::default();
    limits.max_records = 2;
    let options = options().limits(limits);
    let two = "$ORIGIN example.com.\na 60 IN A 192.0.2.1\nb 60 IN A 192.0.2.2\n";
    assert_eq!(parse(two, &options).unwrap().len(), 2);
    let error = parse(&format!("{two}c 60 IN A 192.0.2.3\n"), &options).unwrap_err();
    assert_error(
        &error,
        "db.test:4:9: zone has more than the limit of 2 records",
        4,
        9,
        &ParseErrorKind::TooManyRecords { limit: 2 },
    );
}

#[test]
fn parse_rejects_text_larger_than_the_limit() {
    let mut limits = Limits::default();
    limits.max_text = 10;
    let error = parse("$ORIGIN example.com.\n", &options().limits(limits)).unwrap_err();
    assert_error(
        &error,
        "db.test:1:1: zone text is larger than the limit of 10 octets",
        1,
        1,
        &ParseErrorKind::TextTooLarge { limit: 10 },
    );
    // Exactly the limit is allowed.
    limits.max_text = "$TTL 60\n".len();
    assert!(parse("$TTL 60\n", &options().limits(limits)).is_ok());
}

#[test]
fn parse_rejects_unknown_directives() {
    let error = parse_err("$ORIGIN example.com.\n$GENERATE 1-2 a$ A 192.0.2.$\n");
    assert_error(
        &error,
        "db.test:2:1: unknown directive `$GENERATE`: expected `$ORIGIN`, `$TTL` or `$INCLUDE`",
        2,
        1,
        &ParseErrorKind::UnknownDirective {
            found: "$GENERATE".into(),
        },
    );
}

#[test]
fn include_without_a_granted_directory_is_refused() {
    let error = parse_err("$ORIGIN example.com.\n$INCLUDE hosts.zone\n");
    assert_error(
        &error,
        "db.test:2:10: `$INCLUDE` of `hosts.zone` is not allowed: no include directory was \
         granted",
        2,
        10,
        &ParseErrorKind::IncludeNotAllowed {
            path: "hosts.zone".into(),
        },
    );
}

#[test]
fn include_of_a_parent_path_is_refused() {
    let (_dir, granted) = include_sandbox("parent");
    let error = parse(
        "$ORIGIN example.com.\n$INCLUDE ../outside.zone\n",
        &include_options(&granted),
    )
    .unwrap_err();
    assert_error(
        &error,
        "db.test:2:10: `$INCLUDE` of `../outside.zone` is outside the permitted directory",
        2,
        10,
        &ParseErrorKind::IncludeOutsideBase {
            path: "../outside.zone".into(),
        },
    );
}

#[test]
fn include_of_a_missing_parent_path_is_refused_as_outside() {
    let (_dir, granted) = include_sandbox("parent-missing");
    let error = parse(
        "$ORIGIN example.com.\n$INCLUDE ../missing.zone\n",
        &include_options(&granted),
    )
    .unwrap_err();
    assert_error(
        &error,
        "db.test:2:10: `$INCLUDE` of `../missing.zone` is outside the permitted directory",
        2,
        10,
        &ParseErrorKind::IncludeOutsideBase {
            path: "../missing.zone".into(),
        },
    );
}

#[test]
fn include_of_an_absolute_path_outside_is_refused() {
    let (dir, granted) = include_sandbox("absolute");
    let outside = dir.path().join("outside.zone");
    let outside = outside.to_str().unwrap();
    let error = parse(
        &format!("$ORIGIN example.com.\n$INCLUDE {outside}\n"),
        &include_options(&granted),
    )
    .unwrap_err();
    assert_eq!(
        error.position(),
        Position {
            line: 2,
            column: 10
        }
    );
    assert_eq!(
        error.kind(),
        &ParseErrorKind::IncludeOutsideBase {
            path: outside.into()
        }
    );
}

#[cfg(unix)]
#[test]
fn include_of_a_symbolic_link_that_leads_outside_is_refused() {
    let (dir, granted) = include_sandbox("symlink");
    std::os::unix::fs::symlink(dir.path().join("outside.zone"), granted.join("link.zone")).unwrap();
    let error = parse(
        "$ORIGIN example.com.\n$INCLUDE link.zone\n",
        &include_options(&granted),
    )
    .unwrap_err();
    assert_error(
        &error,
        "db.test:2:10: `$INCLUDE` of `link.zone` is outside the permitted directory",
        2,
        10,
        &ParseErrorKind::IncludeOutsideBase {
            path: "link.zone".into(),
        },
    );
}

#[test]
fn include_cycle_stops_at_the_depth_limit() {
    let (dir, granted) = include_sandbox("cycle");
    dir.file("granted/a.zone", "$INCLUDE b.zone\n");
    dir.file("granted/b.zone", "$INCLUDE a.zone\n");
    let error = parse(
        "$ORIGIN example.com.\n$INCLUDE a.zone\n",
        &include_options(&granted),
    )
    .unwrap_err();
    // The text is depth 0; a.zone is 1, 3, 5, 7; b.zone is 2, 4, 6, 8, and b.zone at depth 8
    // is the one whose `$INCLUDE` would go past the default limit of 8.
    assert_eq!(Limits::default().max_include_depth, 8);
    assert_error(
        &error,
        "b.zone:1:10: `$INCLUDE` nested deeper than 8 files",
        1,
        10,
        &ParseErrorKind::IncludeTooDeep { limit: 8 },
    );
    assert_eq!(error.file(), Some("b.zone"));
}

#[test]
fn include_inside_the_granted_directory_adds_records_and_restores_the_origin() {
    let (dir, granted) = include_sandbox("ok");
    dir.file(
        "granted/hosts.zone",
        "www 60 IN A 192.0.2.80  ; relative to the origin on the $INCLUDE line\n\
         \x20   60 IN AAAA 2001:db8::80\n\
         $ORIGIN elsewhere.example.\n\
         x 60 IN A 192.0.2.81\n",
    );
    dir.file("granted/inc/plain.zone", "plain 60 IN A 192.0.2.82\n");
    let zone = parse(
        "$ORIGIN example.com.\n\
         @ 3600 IN SOA ns hostmaster 1 7200 3600 604800 300\n\
         $INCLUDE hosts.zone sub.example.com.\n\
         after 3600 IN TXT \"back in the parent\"\n\
         $INCLUDE \"inc/plain.zone\"\n\
         last 3600 IN TXT \"still example.com\"\n",
        &include_options(&granted),
    )
    .unwrap();
    assert_eq!(zone.origin(), &name("example.com."));
    assert_eq!(
        single(&zone, "www.sub.example.com.", RecordType::A),
        (60, vec![192, 0, 2, 80])
    );
    assert!(
        zone.rrset(&name("www.sub.example.com."), RecordType::AAAA)
            .is_some()
    );
    assert_eq!(
        single(&zone, "x.elsewhere.example.", RecordType::A).1,
        [192, 0, 2, 81]
    );
    // After each include the parent's origin applies again.
    assert!(
        zone.rrset(&name("after.example.com."), RecordType::TXT)
            .is_some()
    );
    assert_eq!(
        single(&zone, "plain.example.com.", RecordType::A).1,
        [192, 0, 2, 82]
    );
    assert!(
        zone.rrset(&name("last.example.com."), RecordType::TXT)
            .is_some()
    );
    assert_eq!(zone.len(), 7);
}

#[test]
fn error_inside_an_included_file_names_that_file() {
    let (dir, granted) = include_sandbox("nested-error");
    dir.file(
        "granted/bad.zone",
        "ok 60 IN A 192.0.2.1\nbad 60 IN A 192.0.2.300\n",
    );
    let error = parse(
        "$ORIGIN example.com.\n$INCLUDE bad.zone\n",
        &include_options(&granted),
    )
    .unwrap_err();
    assert_error(
        &error,
        "bad.zone:2:13: expected an IPv4 address, found `192.0.2.300`",
        2,
        13,
        &ParseErrorKind::Expected {
            expected: "an IPv4 address",
            found: "192.0.2.300".into(),
        },
    );
    assert_eq!(error.file(), Some("bad.zone"));
}

#[test]
fn include_of_a_missing_file_is_unreadable() {
    let (_dir, granted) = include_sandbox("missing");
    let error = parse(
        "$ORIGIN example.com.\n$INCLUDE nothing-here.zone\n",
        &include_options(&granted),
    )
    .unwrap_err();
    assert_eq!(
        error.position(),
        Position {
            line: 2,
            column: 10
        }
    );
    assert!(
        matches!(
            error.kind(),
            ParseErrorKind::IncludeUnreadable { path, .. } if path == "nothing-here.zone"
        ),
        "{error}"
    );
}

// ---------------------------------------------------------------------------------------
// 3. Writer
// ---------------------------------------------------------------------------------------

#[test]
fn write_is_deterministic_and_stable_across_round_trips() {
    let zone = rich_zone();
    let first = written(&zone);
    assert_eq!(written(&zone), first);
    assert_eq!(zone.to_string(), first);
    let again = parse(&first, &ParseOptions::new()).unwrap();
    assert_eq!(written(&again), first);
    assert_eq!(written(&zone.clone()), first);
}

#[test]
fn write_of_the_seed_zone_is_exactly_the_canonical_text() {
    // $ORIGIN, then the SOA, then canonical order: the apex's A (type 1) before its NS (2);
    // the NS data ordered as octet strings (RFC 4034 §6.3), where "bob" (length 3) comes
    // before "bill" (length 4); then owners bill < bob < www (RFC 4034 §6.1).
    let expected = "$ORIGIN example.com.\n\
        @\t60\tIN\tSOA\tbob.example.com. hostmaster.example.com. 2007010100 60 7200 604800 60\n\
        @\t60\tIN\tA\t1.2.3.4\n\
        @\t60\tIN\tNS\tbob.example.com.\n\
        @\t60\tIN\tNS\tbill.example.com.\n\
        bill\t60\tIN\tA\t5.6.7.8\n\
        bob\t60\tIN\tA\t1.2.3.4\n\
        www\t60\tIN\tA\t1.2.3.4\n";
    assert_eq!(written(&seed_zone()), expected);
}

#[test]
fn write_puts_origin_first_then_soa_and_states_every_ttl_and_class() {
    let zone = rich_zone();
    let text = written(&zone);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("$ORIGIN rich.example."));
    let records: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(records.len(), zone.len());
    assert_eq!(records[0][0], "@");
    assert_eq!(records[0][3], "SOA");
    assert_eq!(records.iter().filter(|r| r[3] == "SOA").count(), 1);
    for fields in &records {
        assert_eq!(fields.len(), 5, "owner, TTL, class, type, data: {fields:?}");
        assert!(
            !fields[0].is_empty(),
            "every line has its owner: {fields:?}"
        );
        let ttl: u32 = fields[1].parse().unwrap_or_else(|_| panic!("{fields:?}"));
        assert!(ttl <= 2_147_483_647);
        assert_eq!(fields[2], "IN");
    }
    // Owners below the origin are relative, the apex is `@`.
    let owners: Vec<&str> = records.iter().map(|r| r[0]).collect();
    for owner in [
        "@",
        "www",
        "ns1",
        "_sip._udp",
        "ns1.sub",
        "*.wild",
        "odd\\.label",
    ] {
        assert!(owners.contains(&owner), "{owner} in {owners:?}");
    }
    assert!(
        !owners.iter().any(|o| o.ends_with("rich.example.")),
        "{owners:?}"
    );
}

#[test]
fn write_keeps_owners_outside_the_origin_absolute() {
    let zone = base_with("other.test. IN A 192.0.2.9\nEXAMPLE.net. IN TXT \"x\"\n");
    let text = assert_round_trip(&zone);
    assert!(
        text.contains("\nother.test.\t3600\tIN\tA\t192.0.2.9\n"),
        "{text}"
    );
    assert!(
        text.contains("\nEXAMPLE.net.\t3600\tIN\tTXT\t\"x\"\n"),
        "{text}"
    );
    assert!(text.contains("\nns\t3600\tIN\tA\t192.0.2.1\n"), "{text}");
    assert!(
        text.contains("\n@\t3600\tIN\tNS\tns.example.com.\n"),
        "{text}"
    );
}

#[test]
fn write_uses_rfc_3597_form_for_unknown_types() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         g 3600 IN TYPE65534 \\# 4 0a000001\n\
         e 3600 IN TYPE65533 \\# 0\n",
    );
    let text = assert_round_trip(&zone);
    assert!(
        text.contains("\ng\t3600\tIN\tTYPE65534\t\\# 4 0A000001\n"),
        "{text}"
    );
    assert!(text.contains("\ne\t3600\tIN\tTYPE65533\t\\# 0\n"), "{text}");
}

#[test]
fn seed_zone_round_trips_with_its_ttls() {
    let zone = seed_zone();
    assert_eq!(zone.origin(), &name("example.com."));
    assert_eq!(zone.len(), 7);
    assert!(zone.iter().all(|r| r.ttl() == 60));
    assert_round_trip(&zone);
}

#[test]
fn rich_zone_parses_as_written_and_round_trips() {
    let zone = rich_zone();
    // Counted by hand from the file: 19 at the apex, 44 elsewhere.
    assert_eq!(zone.len(), 63);
    assert_eq!(zone.origin(), &name("rich.example."));
    let apex = "rich.example.";
    assert_eq!(single(&zone, apex, RecordType::SOA).0, 5400, "$TTL 1h30m");
    assert!(
        rrset_data(&zone, apex, RecordType::MX)
            .iter()
            .all(|(ttl, _)| *ttl == 3600)
    );
    // The TXT after the MX lines has no TTL: $TTL applies, not the last stated 3600.
    assert!(
        rrset_data(&zone, apex, RecordType::TXT)
            .iter()
            .all(|(ttl, _)| *ttl == 5400)
    );
    assert_eq!(single(&zone, "ns2.rich.example.", RecordType::AAAA).0, 300);
    assert_eq!(
        single(&zone, "mail2.rich.example.", RecordType::A).0,
        86_400
    );
    assert_eq!(
        single(&zone, "after-sub.rich.example.", RecordType::TXT).0,
        3600
    );
    let soa = zone
        .rrset(&name(apex), RecordType::SOA)
        .unwrap()
        .rdatas()
        .next()
        .unwrap();
    let RData::SOA(soa) = soa else {
        panic!("not an SOA: {soa:?}")
    };
    assert_eq!(&soa.mname, &name("ns1.rich.example."));
    assert_eq!(soa.rname.iter().next(), Some(&b"hostmaster.admin"[..]));
    assert_eq!(
        (soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum),
        (2_024_010_101, 7200, 1800, 1_209_600, 300)
    );
    let quotes = rrset_data(&zone, "quotes.rich.example.", RecordType::TXT);
    let mut first = vec![8];
    first.extend_from_slice(b"say \"hi\"");
    first.push(10);
    first.extend_from_slice(b"back\\slash");
    first.push(24);
    first.extend_from_slice(b"semi;colon inside quotes");
    first.push(11);
    first.extend_from_slice(b"ABC are ABC");
    let mut second = vec![13];
    second.extend_from_slice(b"unquoted-word");
    second.push(15);
    second.extend_from_slice(b"tab\tand\nnewline");
    let mut found: Vec<Vec<u8>> = quotes.into_iter().map(|(_, d)| d).collect();
    found.sort();
    let mut expected = vec![first, second];
    expected.sort();
    assert_eq!(found, expected);
    assert_round_trip(&zone);
}

#[test]
fn root_zone_round_trips() {
    let zone = root_zone();
    assert_eq!(zone.origin(), &Name::root());
    // 22,094 lines, one record each, no duplicates.
    assert_eq!(zone.len(), 22_094);
    let text = assert_round_trip(&zone);
    assert!(text.starts_with("$ORIGIN .\n@\t86400\tIN\tSOA\ta.root-servers.net. "));
}

#[test]
fn owner_labels_with_special_octets_round_trip() {
    let labels: [&[u8]; 10] = [
        b"sp ace",
        b"q\"uote",
        b"semi;colon",
        b"par(en)",
        b"@",
        b"at@sign",
        b"$dollar",
        b"nul\x00byte",
        b"high\xc8byte",
        b"back\\slash.dot",
    ];
    let mut zone = Zone::new(name("example.com."));
    for (index, label) in labels.iter().enumerate() {
        let mut owner = Name::from_labels([*label, &b"example"[..], &b"com"[..]]).unwrap();
        owner.set_fqdn(true);
        let address = A::new(192, 0, 2, u8::try_from(index).unwrap());
        zone.insert(&Record::from_rdata(owner, 60, RData::A(address)))
            .unwrap();
    }
    let text = assert_round_trip(&zone);
    // Every special octet is escaped: each line still has exactly five tab-separated
    // fields, no line holds a control octet, and no line starts a directive.
    for line in text.lines().skip(1) {
        assert_eq!(line.split('\t').count(), 5, "{line:?}");
        assert!(!line.starts_with('$'), "{line:?}");
        assert!(
            line.bytes()
                .all(|b| b == b'\t' || (0x20..0x7f).contains(&b)),
            "{line:?}"
        );
    }
    // The same owners written by hand with RFC 1035 escapes parse to the same zone.
    let by_hand = "$ORIGIN example.com.\n\
        sp\\032ace 60 IN A 192.0.2.0\n\
        q\\\"uote 60 IN A 192.0.2.1\n\
        semi\\;colon 60 IN A 192.0.2.2\n\
        par\\(en\\) 60 IN A 192.0.2.3\n\
        \\@ 60 IN A 192.0.2.4\n\
        at\\@sign 60 IN A 192.0.2.5\n\
        \\$dollar 60 IN A 192.0.2.6\n\
        nul\\000byte 60 IN A 192.0.2.7\n\
        high\\200byte 60 IN A 192.0.2.8\n\
        back\\\\slash\\.dot 60 IN A 192.0.2.9\n";
    assert_eq!(parse_ok(by_hand), zone);
}

#[test]
fn txt_with_every_octet_round_trips() {
    let low: Vec<u8> = (0..=127).collect();
    let high: Vec<u8> = (128..=255).collect();
    let owner = name("t.example.com.");
    let mut zone = Zone::new(name("example.com."));
    let txt = TXT::from_bytes(vec![&low[..], &high[..]]);
    zone.insert(&Record::from_rdata(
        owner.clone(),
        60,
        RData::TXT(txt.clone()),
    ))
    .unwrap();
    let mut expected = vec![128];
    expected.extend(&low);
    expected.push(128);
    expected.extend(&high);
    assert_eq!(single(&zone, "t.example.com.", RecordType::TXT).1, expected);

    let text = assert_round_trip(&zone);
    let line = text.lines().nth(1).unwrap();
    assert!(
        line.bytes()
            .all(|b| b == b'\t' || (0x20..0x7f).contains(&b)),
        "{line:?}"
    );

    // The same data written by hand with \DDD escapes.
    let escaped = |bytes: &[u8]| {
        bytes
            .iter()
            .map(|b| format!("\\{b:03}"))
            .collect::<String>()
    };
    let by_hand = format!(
        "$ORIGIN example.com.\nt 60 IN TXT \"{}\" \"{}\"\n",
        escaped(&low),
        escaped(&high)
    );
    let parsed = parse_ok(&by_hand);
    assert_eq!(parsed, zone);
    assert_eq!(parsed.iter().next().unwrap().rdata(), RData::TXT(txt));
}

// ---------------------------------------------------------------------------------------
// 4. Validation
// ---------------------------------------------------------------------------------------

#[test]
fn base_zone_validates_clean() {
    let zone = base_with("");
    assert_eq!(problems(&zone), []);
    assert!(zone.check().unwrap().is_empty());
}

#[test]
fn seed_zone_validates_clean() {
    let zone = seed_zone();
    assert_eq!(problems(&zone), []);
}

#[test]
fn rich_zone_validates_clean() {
    // It loads in BIND, NSD and Knot: glue below `sub` is allowed, the CNAME stands alone.
    assert_eq!(problems(&rich_zone()), []);
}

#[test]
fn validate_reports_a_missing_soa() {
    let zone = parse_ok("$ORIGIN example.com.\n@ 3600 IN NS ns\nns 3600 IN A 192.0.2.1\n");
    one_problem(
        &zone,
        "example.com.",
        RecordType::SOA,
        ProblemKind::NoSoa,
        Severity::Error,
    );
    let error = zone.check().unwrap_err();
    assert_eq!(error.problems().len(), 1);
    assert_eq!(error.problems()[0].kind(), &ProblemKind::NoSoa);
}

#[test]
fn validate_reports_two_different_soas() {
    let zone = base_with("@ IN SOA ns hostmaster 2 7200 3600 604800 300\n");
    one_problem(
        &zone,
        "example.com.",
        RecordType::SOA,
        ProblemKind::MultipleSoa { count: 2 },
        Severity::Error,
    );
}

#[test]
fn validate_reports_a_missing_apex_ns() {
    let zone = parse_ok(
        "$ORIGIN example.com.\n\
         @ 3600 IN SOA ns hostmaster 1 7200 3600 604800 300\n\
         ns 3600 IN A 192.0.2.1\n",
    );
    one_problem(
        &zone,
        "example.com.",
        RecordType::NS,
        ProblemKind::NoApexNs,
        Severity::Error,
    );
}

#[test]
fn validate_reports_cname_beside_other_data() {
    let zone = base_with("www IN CNAME ns\nwww IN TXT \"x\"\n");
    one_problem(
        &zone,
        "www.example.com.",
        RecordType::CNAME,
        ProblemKind::CnameAndOtherData {
            other: RecordType::TXT,
        },
        Severity::Error,
    );
}

#[test]
fn validate_allows_rrsig_and_nsec_beside_a_cname() {
    // RFC 4035 §2.5: a signed CNAME has its RRSIG and NSEC at the same name.
    let zone = base_with(
        "alias IN CNAME ns\n\
         alias IN RRSIG CNAME 13 3 3600 20300101000000 20240101000000 12345 example.com. AAAA\n\
         alias IN NSEC ns.example.com. CNAME RRSIG NSEC\n",
    );
    assert_eq!(problems(&zone), []);
}

#[test]
fn validate_reports_two_cnames_at_one_name() {
    let zone = base_with("www IN CNAME a.test.\nwww IN CNAME b.test.\n");
    one_problem(
        &zone,
        "www.example.com.",
        RecordType::CNAME,
        ProblemKind::MultipleCnames { count: 2 },
        Severity::Error,
    );
}

#[test]
fn validate_reports_two_dnames_at_one_name() {
    let zone = base_with("dn IN DNAME a.test.\ndn IN DNAME b.test.\n");
    one_problem(
        &zone,
        "dn.example.com.",
        RecordType::DNAME,
        ProblemKind::MultipleDnames { count: 2 },
        Severity::Error,
    );
}

#[test]
fn validate_reports_owners_outside_the_origin() {
    let zone = base_with("other.test. IN A 192.0.2.9\n");
    one_problem(
        &zone,
        "other.test.",
        RecordType::A,
        ProblemKind::OutsideOrigin {
            origin: name("example.com."),
        },
        Severity::Error,
    );
}

#[test]
fn validate_reports_different_ttls_inside_an_rrset() {
    // 192.0.2.10 sorts before 192.0.2.20 and is also written first, so it is the first.
    let zone = base_with("a 60 IN A 192.0.2.10\na 30 IN A 192.0.2.20\n");
    one_problem(
        &zone,
        "a.example.com.",
        RecordType::A,
        ProblemKind::TtlMismatch {
            first: 60,
            other: 30,
        },
        Severity::Error,
    );
}

#[test]
fn validate_does_not_flag_rrsigs_with_different_ttls() {
    // Each RRSIG carries the TTL of the RRset it covers (RFC 4034 §3).
    let zone = base_with(
        "@ 3600 IN RRSIG SOA 13 2 3600 20300101000000 20240101000000 12345 example.com. AAAA\n\
         @ 86400 IN RRSIG NS 13 2 86400 20300101000000 20240101000000 12345 example.com. AAAA\n",
    );
    let ttls: Vec<u32> = rrset_data(&zone, "example.com.", RecordType::RRSIG)
        .iter()
        .map(|(ttl, _)| *ttl)
        .collect();
    assert_eq!(ttls.len(), 2);
    assert_ne!(ttls[0], ttls[1]);
    assert_eq!(problems(&zone), []);
}

#[test]
fn validate_reports_duplicates_and_keeps_them_once() {
    let base = base_with("");
    let zone = base_with("www IN A 192.0.2.7\nwww IN A 192.0.2.7\nwww 60 IN A 192.0.2.7\n");
    assert_eq!(zone.len(), base.len() + 1);
    assert_eq!(
        single(&zone, "www.example.com.", RecordType::A),
        (3600, vec![192, 0, 2, 7])
    );
    one_problem(
        &zone,
        "www.example.com.",
        RecordType::A,
        ProblemKind::Duplicate { count: 2 },
        Severity::Warning,
    );
    // Names in NS data compare case-insensitively: `NS` is the same target as `ns`.
    let zone = base_with("@ IN NS NS\n");
    assert_eq!(zone.len(), base.len());
    one_problem(
        &zone,
        "example.com.",
        RecordType::NS,
        ProblemKind::Duplicate { count: 1 },
        Severity::Warning,
    );
    assert_eq!(zone.check().unwrap().len(), 1, "a warning only");
}

#[test]
fn validate_reports_an_in_zone_ns_target_without_addresses() {
    let zone = base_with("@ IN NS ns2\n@ IN NS ns.other.test.\n");
    one_problem(
        &zone,
        "example.com.",
        RecordType::NS,
        ProblemKind::TargetWithoutAddress {
            target: name("ns2.example.com."),
        },
        Severity::Warning,
    );
}

#[test]
fn validate_reports_an_in_zone_mx_target_without_addresses() {
    let zone = base_with("@ IN MX 10 mail\n@ IN MX 20 mx.other.test.\n");
    one_problem(
        &zone,
        "example.com.",
        RecordType::MX,
        ProblemKind::TargetWithoutAddress {
            target: name("mail.example.com."),
        },
        Severity::Warning,
    );
    let zone = base_with("@ IN MX 10 mail\nmail IN AAAA 2001:db8::25\n");
    assert_eq!(problems(&zone), []);
}

#[test]
fn validate_reports_data_below_a_zone_cut_but_not_glue() {
    let zone = base_with(
        "sub IN NS ns.sub\n\
         sub IN NS ns.other.test.\n\
         sub IN DS 12345 13 2 8329D15F0BADA23A05F463661AC9D64B7B806EED571C34744932E9365126E2EE\n\
         ns.sub IN A 192.0.2.53\n\
         ns.sub IN AAAA 2001:db8::53\n\
         x.sub IN TXT \"occluded\"\n\
         sibling IN TXT \"not below the cut\"\n",
    );
    one_problem(
        &zone,
        "x.sub.example.com.",
        RecordType::TXT,
        ProblemKind::BelowZoneCut {
            cut: name("sub.example.com."),
        },
        Severity::Warning,
    );
}

#[test]
fn validate_reports_data_below_a_dname() {
    let zone = base_with("dn IN DNAME elsewhere.test.\nx.dn IN A 192.0.2.7\ndn2 IN TXT \"x\"\n");
    let found = problems(&zone);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "x.dn.example.com.");
    assert_eq!(found[0].1, RecordType::A);
    assert_eq!(
        found[0].2,
        ProblemKind::BelowDname {
            dname: name("dn.example.com.")
        }
    );
}

#[test]
fn data_below_a_dname_is_an_error() {
    let zone = base_with("dn IN DNAME elsewhere.test.\nx.dn IN A 192.0.2.7\n");
    one_problem(
        &zone,
        "x.dn.example.com.",
        RecordType::A,
        ProblemKind::BelowDname {
            dname: name("dn.example.com."),
        },
        Severity::Error,
    );
    assert!(zone.check().is_err());
}

#[test]
fn root_zone_validates_clean() {
    let zone = root_zone();
    let found = zone.validate();
    for problem in &found {
        eprintln!("root.zone: {problem}");
    }
    eprintln!("root.zone: {} problems", found.len());
    // Checked by hand with awk over the file: every NS target has an A or AAAA record, no
    // RRset other than the two RRSIGs mixes TTLs, and everything below a delegation is
    // A/AAAA glue, so nothing is reported.
    assert_eq!(found, []);
    // The glue does sit below cuts: a.root-servers.net. is below the `net.` delegation.
    assert!(zone.rrset(&name("net."), RecordType::NS).is_some());
    assert!(
        zone.rrset(&name("a.root-servers.net."), RecordType::A)
            .is_some()
    );
}

// ---------------------------------------------------------------------------------------
// 5. Zone API
// ---------------------------------------------------------------------------------------

#[test]
fn insert_rrset_records_and_remove_work_with_hickory_records() {
    let origin = name("example.com.");
    let mut zone = Zone::new(origin.clone());
    let www = name("www.example.com.");
    let a1 = Record::from_rdata(www.clone(), 300, RData::A(A::new(192, 0, 2, 1)));
    let a2 = Record::from_rdata(www.clone(), 300, RData::A(A::new(192, 0, 2, 2)));
    let aaaa = Record::from_rdata(
        www.clone(),
        300,
        RData::AAAA(AAAA::from(
            "2001:db8::1".parse::<std::net::Ipv6Addr>().unwrap(),
        )),
    );
    let mx = Record::from_rdata(
        origin.clone(),
        3600,
        RData::MX(MX::new(10, name("mail.example.com."))),
    );
    let txt = Record::from_rdata(
        origin.clone(),
        3600,
        RData::TXT(TXT::new(vec!["hello world".into(), "second".into()])),
    );
    let ns = Record::from_rdata(origin.clone(), 3600, RData::NS(NS(name("ns.example.com."))));
    let cname = Record::from_rdata(
        name("alias.example.com."),
        60,
        RData::CNAME(CNAME(www.clone())),
    );
    for record in [&a2, &a1, &aaaa, &mx, &txt, &ns, &cname] {
        assert!(zone.insert(record).unwrap(), "{record}");
    }
    assert!(!zone.insert(&a1).unwrap(), "the same record again");
    assert_eq!(zone.len(), 7);

    let rrset = zone
        .rrset(&name("WWW.Example.COM."), RecordType::A)
        .unwrap();
    assert_eq!(rrset.len(), 2);
    assert_eq!(rrset.ttl(), 300);
    assert_eq!(rrset.record_type(), RecordType::A);
    // Canonical order: 192.0.2.1 before 192.0.2.2, whatever the insertion order.
    assert_eq!(
        rrset.rdatas().collect::<Vec<_>>(),
        [a1.data.clone(), a2.data.clone()]
    );

    // Every record comes back as it went in: owner, TTL, class and decoded data.
    let back: Vec<Record> = zone.records().collect();
    assert_eq!(back.len(), 7);
    for original in [&a1, &a2, &aaaa, &mx, &txt, &ns, &cname] {
        let found = back
            .iter()
            .find(|r| r.name == original.name && r.data == original.data)
            .unwrap_or_else(|| panic!("{original} missing from {back:?}"));
        assert_eq!(found.ttl, original.ttl);
        assert_eq!(found.dns_class, DNSClass::IN);
        assert_eq!(found.record_type(), original.record_type());
    }
    let mx_ref = zone
        .iter()
        .find(|r| r.record_type() == RecordType::MX)
        .unwrap();
    assert_eq!(mx_ref.rdata(), mx.data);
    assert_eq!(mx_ref.owner(), &origin);
    assert_eq!(mx_ref.ttl(), 3600);
    let mut mx_wire = vec![0, 10];
    mx_wire.extend(wire_name(&[b"mail", b"example", b"com"]));
    assert_eq!(mx_ref.data(), mx_wire);

    let removed = zone.remove(&origin, RecordType::MX).unwrap();
    assert_eq!(removed.len(), 1);
    assert!(zone.rrset(&origin, RecordType::MX).is_none());
    assert!(zone.remove(&origin, RecordType::MX).is_none());
    assert_eq!(zone.len(), 6);

    assert!(zone.remove_record(&a1));
    assert!(!zone.remove_record(&a1));
    assert_eq!(zone.rrset(&www, RecordType::A).unwrap().len(), 1);
    assert_eq!(zone.len(), 5);
}

#[test]
fn insert_rejects_relative_owners_and_other_classes() {
    let mut zone = Zone::new(name("example.com."));
    let mut relative = name("www");
    relative.set_fqdn(false);
    let record = Record::from_rdata(relative, 60, RData::A(A::new(192, 0, 2, 1)));
    assert!(matches!(
        zone.insert(&record),
        Err(RecordError::RelativeOwner { .. })
    ));
    let mut chaos =
        Record::from_rdata(name("www.example.com."), 60, RData::A(A::new(192, 0, 2, 1)));
    chaos.dns_class = DNSClass::CH;
    assert!(matches!(
        zone.insert(&chaos),
        Err(RecordError::ClassMismatch {
            zone: DNSClass::IN,
            record: DNSClass::CH
        })
    ));
    assert!(zone.is_empty());
}

#[test]
fn parsed_data_decodes_to_the_hickory_rdata_it_describes() {
    let zone = base_with(
        "@ IN MX 10 mail\n\
         mail IN A 192.0.2.25\n\
         mail IN AAAA 2001:db8::25\n\
         @ IN TXT \"v=spf1 mx -all\" \"second\"\n",
    );
    let decoded = |owner: &str, record_type| -> Vec<RData> {
        zone.rrset(&name(owner), record_type)
            .unwrap()
            .rdatas()
            .collect()
    };
    assert_eq!(
        decoded("example.com.", RecordType::MX),
        [RData::MX(MX::new(10, name("mail.example.com.")))]
    );
    assert_eq!(
        decoded("mail.example.com.", RecordType::A),
        [RData::A(A::new(192, 0, 2, 25))]
    );
    assert_eq!(
        decoded("mail.example.com.", RecordType::AAAA),
        [RData::AAAA(AAAA::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x25))]
    );
    assert_eq!(
        decoded("example.com.", RecordType::TXT),
        [RData::TXT(TXT::new(vec![
            "v=spf1 mx -all".into(),
            "second".into()
        ]))]
    );
    assert_eq!(
        decoded("example.com.", RecordType::NS),
        [RData::NS(NS(name("ns.example.com.")))]
    );
}

#[test]
fn unknown_type_data_comes_back_as_rdata_unknown_with_the_exact_octets() {
    let zone = parse_ok("$ORIGIN example.com.\ng 3600 IN TYPE65534 \\# 4 0A000001\n");
    let record = zone.iter().next().unwrap();
    assert_eq!(record.record_type(), RecordType::Unknown(65534));
    assert_eq!(record.data(), [10, 0, 0, 1]);
    assert_eq!(
        record.rdata(),
        RData::Unknown {
            code: RecordType::Unknown(65534),
            rdata: NULL::with(vec![10, 0, 0, 1]),
        }
    );
    // And an RData::Unknown inserted through the API is kept exactly.
    let mut zone = Zone::new(name("example.com."));
    let unknown = RData::Unknown {
        code: RecordType::Unknown(65000),
        rdata: NULL::with(vec![0, 1, 2, 255]),
    };
    zone.insert(&Record::from_rdata(
        name("u.example.com."),
        60,
        unknown.clone(),
    ))
    .unwrap();
    assert_eq!(zone.iter().next().unwrap().rdata(), unknown);
    let text = assert_round_trip(&zone);
    assert!(
        text.contains("\nu\t60\tIN\tTYPE65000\t\\# 4 000102FF\n"),
        "{text}"
    );
}

#[test]
fn empty_generic_data_of_an_unknown_type_decodes_to_empty_rdata_unknown() {
    let zone = parse_ok("$ORIGIN example.com.\ne 3600 IN TYPE65533 \\# 0\n");
    let record = zone.iter().next().unwrap();
    assert_eq!(record.data(), &[] as &[u8]);
    match record.rdata() {
        RData::Unknown { code, rdata } => {
            assert_eq!(code, RecordType::Unknown(65533));
            assert!(rdata.anything.is_empty());
        }
        other => panic!("expected RData::Unknown, got {other:?}"),
    }
}

#[test]
fn empty_generic_data_of_a_type_hickory_cannot_decode_does_not_panic() {
    // `\# 0` is valid RFC 3597 data for a type this crate has no schema for. hickory knows
    // CERT (37) but cannot decode empty CERT data, so the octets must come back opaque.
    let zone = parse_ok("$ORIGIN example.com.\nc 3600 IN TYPE37 \\# 0\n");
    assert_eq!(zone.len(), 1);
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        zone.records().collect::<Vec<_>>()
    }));
    let records = decoded.expect("decoding empty generic data must not panic");
    match &records[0].data {
        RData::Unknown { code, rdata } => {
            assert_eq!(*code, RecordType::CERT);
            assert!(rdata.anything.is_empty());
        }
        other => panic!("expected opaque empty data, got {other:?}"),
    }
}

#[test]
fn template_placeholder_decodes_without_panicking() {
    let zone = parse(
        "$ORIGIN example.com.\nwww 60 IN A LOCAL-IP\n",
        &options().template(true),
    )
    .unwrap();
    let record = zone.iter().next().unwrap();
    assert!(record.is_placeholder());
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| record.rdata()));
    let rdata = decoded.expect("decoding a placeholder must not panic");
    assert!(
        matches!(&rdata, RData::Unknown { code: RecordType::A, rdata } if rdata.anything.is_empty()),
        "{rdata:?}"
    );
}

#[test]
fn zone_equality_ignores_case_in_owner_names() {
    let lower = base_with("mail IN A 192.0.2.25\n");
    let upper = base_with("MAIL.Example.COM. IN A 192.0.2.25\n");
    assert_eq!(lower, upper);
}

#[test]
fn zone_equality_ignores_case_in_names_inside_data() {
    let lower = base_with("@ IN MX 10 mail.example.com.\nmail IN A 192.0.2.25\n");
    let upper = base_with("@ IN MX 10 MAIL.Example.COM.\nmail IN A 192.0.2.25\n");
    assert_eq!(lower, upper);
}

#[test]
fn zone_equality_includes_ttls() {
    let a = base_with("www IN A 192.0.2.1\n");
    let b = base_with("www 60 IN A 192.0.2.1\n");
    assert_ne!(a, b);
    assert_eq!(a, base_with("www 3600 IN A 192.0.2.1\n"));
}

#[test]
fn public_types_are_send_sync_clone_and_debug() {
    fn assert_traits<T: Send + Sync + Clone + Debug>() {}
    assert_traits::<Zone>();
    assert_traits::<Rrset>();
    assert_traits::<ParseError>();
    assert_traits::<Problem>();
    assert_traits::<ParseOptions>();
    assert_traits::<Limits>();
    assert_traits::<multiprimary::AnswerTable>();
    assert_traits::<multiprimary::Host>();
    assert_traits::<multiprimary::Fleet>();
    assert_traits::<multiprimary::Template>();
    assert_traits::<multiprimary::TemplateOptions>();
    let zone = seed_zone();
    let clone = zone.clone();
    assert_eq!(clone, zone);
    assert!(format!("{zone:?}").contains("example.com"));
    let rrset = zone.rrset(&name("example.com."), RecordType::NS).unwrap();
    assert_eq!(rrset.clone(), *rrset);
    assert!(format!("{rrset:?}").contains("NS"));
}
