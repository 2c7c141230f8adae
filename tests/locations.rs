//! Where problems are: every validation problem and fleet error of a zone read from text
//! names the file, line and column of its record (and of the other record, where a rule
//! concerns two); a zone built in code names none.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers may panic

use std::path::PathBuf;

use multiprimary::hickory_proto::rr::{Name, RData, Record, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{Location, Position, Problem, ProblemKind, Template, Zone};

fn zone(text: &str) -> Zone {
    parse(text, &ParseOptions::new().file_name("db.example")).unwrap()
}

fn at(location: Option<&Location>) -> Option<(String, u32, u32)> {
    let location = location?;
    let Position { line, column } = location.position()?;
    Some((location.file().to_owned(), line, column))
}

fn place(file: &str, line: u32, column: u32) -> Option<(String, u32, u32)> {
    Some((file.to_owned(), line, column))
}

/// The one problem of `kind`'s variant (compared by its Debug name).
fn problem<'a>(problems: &'a [Problem], variant: &str) -> &'a Problem {
    let found: Vec<&Problem> = problems
        .iter()
        .filter(|p| format!("{:?}", p.kind()).starts_with(variant))
        .collect();
    assert_eq!(found.len(), 1, "{variant} in {problems:#?}");
    found[0]
}

const HEAD: &str = "$ORIGIN example.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";

#[test]
fn a_second_soa_is_named_at_its_line_with_the_first_beside_it() {
    // Line 6 repeats the SOA with another serial; the first is on line 3.
    let problems = zone(&format!("{HEAD}@ SOA ns h 2 2 3 4 5\n")).validate();
    let soa = problem(&problems, "MultipleSoa");
    assert_eq!(at(soa.location()), place("db.example", 6, 1));
    assert_eq!(at(soa.related()), place("db.example", 3, 1));
    assert_eq!(
        soa.to_string(),
        "db.example:6:1: example. SOA: the zone has 2 SOA records at its apex; exactly one is \
         allowed; the first is at db.example:3:1"
    );
}

#[test]
fn a_cname_beside_data_names_both_records() {
    // The A record comes first (line 6), the CNAME after it with a blank owner (line 8,
    // where its first field is, column 3).
    let problems = zone(&format!("{HEAD}www A 192.0.2.7\n; a comment\n  CNAME ns\n")).validate();
    let cname = problem(&problems, "CnameAndOtherData");
    assert_eq!(
        cname.kind(),
        &ProblemKind::CnameAndOtherData {
            other: RecordType::A
        }
    );
    assert_eq!(at(cname.location()), place("db.example", 8, 3));
    assert_eq!(at(cname.related()), place("db.example", 6, 1));
}

#[test]
fn a_record_continued_over_lines_is_placed_where_it_starts() {
    // The second SOA starts on line 6 and runs to line 8.
    let text = format!("{HEAD}@ SOA ns h (\n  2 2 3\n  4 5 )\n");
    let problems = zone(&text).validate();
    assert_eq!(
        at(problem(&problems, "MultipleSoa").location()),
        place("db.example", 6, 1)
    );
}

#[test]
fn ttl_mismatches_and_second_cnames_and_dnames_name_the_later_record() {
    let text = format!(
        "{HEAD}www 60 A 192.0.2.9\nalias CNAME ns\nwww 30 A 192.0.2.3\nalias CNAME www\n\
         dn DNAME a.test.\ndn DNAME b.test.\n"
    );
    let problems = zone(&text).validate();
    // The record read first is the first, though 192.0.2.3 sorts before 192.0.2.9.
    let ttl = problem(&problems, "TtlMismatch");
    assert_eq!(
        ttl.kind(),
        &ProblemKind::TtlMismatch {
            first: 60,
            other: 30
        }
    );
    assert_eq!(at(ttl.location()), place("db.example", 8, 1));
    assert_eq!(at(ttl.related()), place("db.example", 6, 1));
    let cnames = problem(&problems, "MultipleCnames");
    assert_eq!(at(cnames.location()), place("db.example", 9, 1));
    assert_eq!(at(cnames.related()), place("db.example", 7, 1));
    let dnames = problem(&problems, "MultipleDnames");
    assert_eq!(at(dnames.location()), place("db.example", 11, 1));
    assert_eq!(at(dnames.related()), place("db.example", 10, 1));
}

#[test]
fn records_outside_the_origin_below_cuts_and_dnames_are_placed() {
    let text = format!(
        "{HEAD}www.other. A 192.0.2.2\nsub NS ns.sub\nns.sub A 192.0.2.9\nx.sub TXT \"hidden\"\n\
         dn DNAME a.test.\nx.dn A 192.0.2.9\n@ MX 10 mail\n"
    );
    let problems = zone(&text).validate();
    assert_eq!(
        at(problem(&problems, "OutsideOrigin").location()),
        place("db.example", 6, 1)
    );
    let cut = problem(&problems, "BelowZoneCut");
    assert_eq!(at(cut.location()), place("db.example", 9, 1));
    assert_eq!(at(cut.related()), place("db.example", 7, 1));
    let dname = problem(&problems, "BelowDname");
    assert_eq!(at(dname.location()), place("db.example", 11, 1));
    assert_eq!(at(dname.related()), place("db.example", 10, 1));
    let mx = problem(&problems, "TargetWithoutAddress");
    assert_eq!(at(mx.location()), place("db.example", 12, 1));
}

#[test]
fn a_zone_without_soa_or_ns_names_its_file() {
    let problems = zone("$ORIGIN example.\n$TTL 60\nns A 192.0.2.1\n").validate();
    for variant in ["NoSoa", "NoApexNs"] {
        let problem = problem(&problems, variant);
        let location = problem.location().unwrap();
        assert_eq!(location.file(), "db.example");
        assert_eq!(location.position(), None);
        assert!(
            problem.to_string().starts_with("db.example: example. "),
            "{problem}"
        );
    }
}

/// A duplicate is named where it was read, with the record it repeats, in each way a
/// loader meets one: in a small RRset, in a large RRset given out of order (sorted once
/// at the end), and at an owner given again after other owners (nodes merged at the end).
#[test]
fn duplicates_are_placed_however_the_loader_met_them() {
    // Small RRset: line 7 repeats line 6.
    let problems = zone(&format!("{HEAD}www A 192.0.2.2\nwww A 192.0.2.2\n")).validate();
    let duplicate = problem(&problems, "Duplicate");
    assert_eq!(at(duplicate.location()), place("db.example", 7, 1));
    assert_eq!(at(duplicate.related()), place("db.example", 6, 1));

    // Large RRset in reverse order, then a repeat of its 10th record (10.0.0.30, line 15).
    let mut text = HEAD.to_owned();
    for i in (0..40).rev() {
        text.push_str(&format!("big A 10.0.0.{i}\n"));
    }
    text.push_str("big A 10.0.0.30\n");
    let problems = zone(&text).validate();
    let duplicate = problem(&problems, "Duplicate");
    assert_eq!(duplicate.kind(), &ProblemKind::Duplicate { count: 1 });
    assert_eq!(at(duplicate.location()), place("db.example", 46, 1));
    assert_eq!(at(duplicate.related()), place("db.example", 15, 1));

    // The owner comes back after another: its nodes merge at the end.
    let text = format!("{HEAD}www A 192.0.2.2\nmail A 192.0.2.3\nwww A 192.0.2.2\n");
    let problems = zone(&text).validate();
    let duplicate = problem(&problems, "Duplicate");
    assert_eq!(at(duplicate.location()), place("db.example", 8, 1));
    assert_eq!(at(duplicate.related()), place("db.example", 6, 1));
}

/// A directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn records_from_an_included_file_are_placed_in_that_file() {
    let dir = TempDir(
        std::env::temp_dir().join(format!("multiprimary-locations-{}", std::process::id())),
    );
    std::fs::create_dir_all(&dir.0).unwrap();
    std::fs::write(dir.0.join("extra.zone"), "; extra\nwww CNAME ns\n").unwrap();
    let text = format!("{HEAD}www A 192.0.2.7\n$INCLUDE extra.zone\nmail A 192.0.2.8\n");
    let options = ParseOptions::new()
        .file_name("db.example")
        .include_dir(&dir.0);
    let zone = parse(&text, &options).unwrap();
    let problems = zone.validate();
    let cname = problem(&problems, "CnameAndOtherData");
    let location = cname.location().unwrap();
    assert!(location.file().ends_with("extra.zone"), "{location}");
    assert_eq!(location.position(), Some(Position { line: 2, column: 1 }));
    assert_eq!(at(cname.related()), place("db.example", 6, 1));
    // The including file's records after the include are still its own.
    let mail = Name::from_ascii("mail.example.").unwrap();
    assert_eq!(
        zone.location_of(&mail, RecordType::A).unwrap().to_string(),
        "db.example:8:1"
    );
}

#[test]
fn text_without_a_file_name_is_input() {
    let zone: Zone = format!("{HEAD}www A 192.0.2.2\nwww A 192.0.2.2\n")
        .parse()
        .unwrap();
    let problems = zone.validate();
    assert_eq!(
        at(problem(&problems, "Duplicate").location()),
        place("<input>", 7, 1)
    );
}

#[test]
fn a_zone_built_in_code_has_no_locations_and_reads_as_before() {
    let origin = Name::from_ascii("example.").unwrap();
    let mut zone = Zone::new(origin.clone());
    let www = Name::from_ascii("www.example.").unwrap();
    zone.insert(&Record::from_rdata(
        www.clone(),
        60,
        RData::A(std::net::Ipv4Addr::new(192, 0, 2, 1).into()),
    ))
    .unwrap();
    zone.insert(&Record::from_rdata(
        www.clone(),
        60,
        RData::CNAME(multiprimary::hickory_proto::rr::rdata::CNAME(
            origin.clone(),
        )),
    ))
    .unwrap();
    let problems = zone.validate();
    assert!(
        problems
            .iter()
            .all(|p| p.location().is_none() && p.related().is_none())
    );
    let cname = problem(&problems, "CnameAndOtherData");
    assert_eq!(
        cname.to_string(),
        "www.example. CNAME: CNAME beside other data (A)"
    );
    assert_eq!(zone.location_of(&www, RecordType::A), None);
}

#[test]
fn records_added_in_code_to_a_parsed_zone_have_no_location_and_keep_the_others() {
    let mut zone = zone(&format!("{HEAD}www A 192.0.2.2\n"));
    let www = Name::from_ascii("www.example.").unwrap();
    // 192.0.2.1 sorts before the parsed record, so it goes in front of it.
    zone.insert(&Record::from_rdata(
        www.clone(),
        30,
        RData::A(std::net::Ipv4Addr::new(192, 0, 2, 1).into()),
    ))
    .unwrap();
    let problems = zone.validate();
    let ttl = problem(&problems, "TtlMismatch");
    // The parsed record is the first read; the one added in code has no place.
    assert_eq!(
        ttl.kind(),
        &ProblemKind::TtlMismatch {
            first: 30,
            other: 60
        }
    );
    assert_eq!(at(ttl.location()), place("db.example", 6, 1));
    assert_eq!(ttl.related(), None);
    assert_eq!(
        zone.location_of(&www, RecordType::A).unwrap().to_string(),
        "db.example:6:1"
    );
}

#[test]
fn fleet_errors_name_the_ns_record_and_the_glue() {
    let text = "$ORIGIN example.\n$TTL 60\n@ SOA a h 1 2 3 4 5\n@ A LOCAL-IP\n@ NS a\n\
                @ NS b\n@ NS c.other.\na A 192.0.2.1\nb A 192.0.2.1\n";
    let options = ParseOptions::new().template(true).file_name("t.zone");
    let template = Template::new(parse(text, &options).unwrap());
    let error = template.fleet(&[]).unwrap_err();
    let located: Vec<String> = error
        .located()
        .map(|(problem, location)| format!("{}: {problem}", location.unwrap()))
        .collect();
    // Problems in the order of the hosts: a, b (shares a's address), c.other.
    assert_eq!(
        located,
        [
            "t.zone:9:1: address 192.0.2.1 belongs to both a.example. and b.example.",
            "t.zone:7:1: host c.other. has no addresses: add glue A/AAAA records or give them \
             explicitly",
        ]
    );
    assert_eq!(error.to_string(), located.join("; "));
}
