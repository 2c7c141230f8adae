//! The scheme as an API, tested from outside the crate: `LOCAL-IP` templates, self
//! names, the fleet and its checks, projection, degraded projection, drift between copies,
//! serials (RFC 1982), the `render` example as a user runs it, and the serde forms.
//!
//! The seed article is never quoted here: the two zone files it prints are data,
//! `tests/data/article.bob.zone` and `tests/data/article.bill.zone`, and the test that
//! reproduces the article compares the projections of `examples/data/example.com.template`
//! against them record by record.
//!
//! Other expected values come from DESIGN.md and the RFCs, worked out by hand: the order of
//! hosts is that of the canonical apex NS RRset (RFC 4034 §6.3: RDATA compared as octet
//! strings, so `\x03bob` sorts before `\x04bill`), drift lists follow canonical name order
//! (RFC 4034 §6.1), serial comparison follows RFC 1982 §3.2.

// Test helpers may panic: a helper that cannot do its job is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/example.rs"]
mod example;

use std::cmp::Ordering;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::{Command, Output};

use multiprimary::hickory_proto::rr::rdata::{A, SOA, TXT};
use multiprimary::hickory_proto::rr::{Name, RData, Record, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{
    Drift, DriftKind, Evidence, Fleet, FleetProblem, FleetWarning, Host, ParseErrorKind, Position,
    Severity, Template, TemplateOptions, Zone, next_serial, serial_cmp,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

const TEMPLATE_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/data/example.com.template"
);

/// The two zone files the seed article prints, bob's and bill's (see `tests/data/README.md`).
const ARTICLE_FILES: [&str; 2] = [
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/article.bob.zone"),
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/article.bill.zone"),
];

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap_or_else(|e| panic!("bad test name {text:?}: {e}"))
}

fn ip(text: &str) -> IpAddr {
    text.parse()
        .unwrap_or_else(|e| panic!("bad test address {text:?}: {e}"))
}

fn template_options() -> ParseOptions {
    ParseOptions::new().template(true).file_name("t.zone")
}

/// A template for example.com. with the given SOA timers and body; SOA MNAME `bob`.
fn zone_with_soa(minimum: u32, body: &str) -> Zone {
    let text = format!(
        "$ORIGIN example.com.\n$TTL 60\n\
         @ SOA bob hostmaster 2007010100 60 7200 604800 {minimum}\n{body}"
    );
    parse(&text, &template_options()).unwrap_or_else(|e| panic!("parse failed: {e}\n{text}"))
}

/// A template for example.com. with a 60 s SOA MINIMUM, so that no timer warns.
fn zone(body: &str) -> Zone {
    zone_with_soa(60, body)
}

/// The seed template shipped with the examples.
fn seed_template() -> Zone {
    let text = std::fs::read_to_string(TEMPLATE_FILE).unwrap();
    parse(
        &text,
        &ParseOptions::new()
            .template(true)
            .file_name("example.com.template"),
    )
    .unwrap()
}

/// The zone files the article prints, parsed with origin example.com., keyed by the host
/// in their SOA MNAME.
fn article_zones() -> Vec<(Name, Zone)> {
    ARTICLE_FILES
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let zone = parse(
                &text,
                &ParseOptions::new()
                    .origin(name("example.com."))
                    .file_name(*path),
            )
            .unwrap_or_else(|e| panic!("article zone does not parse: {e}\n{text}"));
            (soa(&zone).mname, zone)
        })
        .collect()
}

/// The apex SOA record's data and TTL.
fn soa_with_ttl(zone: &Zone) -> (SOA, u32) {
    let rrset = zone
        .rrset(zone.origin(), RecordType::SOA)
        .expect("apex SOA");
    assert_eq!(rrset.len(), 1);
    match rrset.rdatas().next() {
        Some(RData::SOA(soa)) => (soa, rrset.ttl()),
        other => panic!("SOA data does not decode: {other:?}"),
    }
}

fn soa(zone: &Zone) -> SOA {
    soa_with_ttl(zone).0
}

/// Every record as (owner, type, TTL, data), in the zone's (canonical) order.
fn records(zone: &Zone) -> Vec<(Name, RecordType, u32, RData)> {
    zone.records()
        .map(|r| (r.name.clone(), r.record_type(), r.ttl, r.data.clone()))
        .collect()
}

/// The addresses of an A or AAAA RRset, or `None` where the RRset is absent.
fn addresses(zone: &Zone, owner: &str, record_type: RecordType) -> Option<Vec<IpAddr>> {
    let rrset = zone.rrset(&name(owner), record_type)?;
    Some(
        rrset
            .rdatas()
            .map(|rdata| match rdata {
                RData::A(a) => IpAddr::V4(a.0),
                RData::AAAA(aaaa) => IpAddr::V6(aaaa.0),
                other => panic!("not an address: {other:?}"),
            })
            .collect(),
    )
}

fn ttl(zone: &Zone, owner: &str, record_type: RecordType) -> Option<u32> {
    zone.rrset(&name(owner), record_type).map(|r| r.ttl())
}

fn host<'a>(fleet: &'a Fleet, key: &str) -> &'a Host {
    fleet
        .host(key)
        .unwrap_or_else(|| panic!("no host {key} in {:?}", fleet.hosts()))
}

/// The fleet's problems, from an error that must be there.
fn fleet_problems(zone: &Zone, external: &[Host]) -> Vec<FleetProblem> {
    match Template::new(zone.clone()).fleet(external) {
        Ok((fleet, _)) => panic!("fleet should not form, but gave {:?}", fleet.hosts()),
        Err(error) => {
            // Every problem is in the message too.
            let message = error.to_string();
            for problem in error.problems() {
                assert!(message.contains(&problem.to_string()), "{message}");
            }
            error.problems().to_vec()
        }
    }
}

/// Errors of severity Error from `validate`.
fn errors(zone: &Zone) -> Vec<String> {
    zone.validate()
        .iter()
        .filter(|p| p.severity() == Severity::Error)
        .map(ToString::to_string)
        .collect()
}

fn txt(owner: &str, ttl: u32, text: &str) -> Record {
    Record::from_rdata(name(owner), ttl, RData::TXT(TXT::new(vec![text.into()])))
}

fn drift(owner: &str, record_type: RecordType, kind: DriftKind) -> Drift {
    Drift {
        owner: name(owner),
        record_type,
        kind,
    }
}

/// Asserts that `projection` holds exactly the template's RRsets outside the
/// self-referencing address RRsets and the SOA, and the template's SOA apart from MNAME.
fn assert_non_self_unchanged(template: &Template, projection: &Zone, host: &Host) {
    let outside = |n: &Name, t: RecordType| {
        t == RecordType::SOA
            || (matches!(t, RecordType::A | RecordType::AAAA) && template.is_self_name(n))
    };
    let expected: Vec<_> = template
        .zone()
        .rrsets()
        .filter(|(n, r)| !outside(n, r.record_type()))
        .collect();
    let actual: Vec<_> = projection
        .rrsets()
        .filter(|(n, r)| !outside(n, r.record_type()))
        .collect();
    assert_eq!(actual, expected, "non-self RRsets of {host}");
    let (want, want_ttl) = soa_with_ttl(template.zone());
    let (got, got_ttl) = soa_with_ttl(projection);
    assert_eq!(got.mname, *host.name(), "SOA MNAME names the host");
    assert_eq!(got_ttl, want_ttl, "SOA TTL is the template's");
    assert_eq!(
        (
            &got.rname,
            got.serial,
            got.refresh,
            got.retry,
            got.expire,
            got.minimum
        ),
        (
            &want.rname,
            want.serial,
            want.refresh,
            want.retry,
            want.expire,
            want.minimum
        ),
        "SOA fields after MNAME are the template's"
    );
}

/// A directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "multiprimary-projection-{what}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The `render` example run with ARGS from the package root, as a user runs it; the
/// built program itself, so that cargo's own output never mixes with the example's.
fn render(args: &[&str]) -> Output {
    Command::new(example::path("render"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

// ---------------------------------------------------------------------------------------
// 1. The seed, reproduced
// ---------------------------------------------------------------------------------------

#[test]
fn the_seed_template_projects_to_the_articles_two_zone_files() {
    let article = article_zones();
    let template = Template::new(seed_template());
    let (fleet, warnings) = template.fleet(&[]).unwrap();
    assert_eq!(warnings, vec![], "the article's timers are all 60 s");
    assert_eq!(fleet.hosts().len(), 2);
    for (host_name, address) in [
        ("bob.example.com.", "1.2.3.4"),
        ("bill.example.com.", "5.6.7.8"),
    ] {
        let host = host(&fleet, host_name);
        assert_eq!(host.addresses(), [ip(address)]);
        let expected = &article
            .iter()
            .find(|(mname, _)| *mname == name(host_name))
            .unwrap_or_else(|| panic!("the article has no zone file for {host_name}"))
            .1;
        let projection = template.project(host).unwrap();
        assert_eq!(records(&projection), records(expected), "{host_name}");
        assert_eq!(projection, *expected, "{host_name}");

        // What the article's files say, checked on the projection itself.
        let (soa, soa_ttl) = soa_with_ttl(&projection);
        assert_eq!(soa.mname, name(host_name));
        assert_eq!(soa.rname, name("hostmaster.example.com."));
        assert_eq!(soa.serial, 2_007_010_100);
        assert_eq!(soa_ttl, 60);
        assert!(projection.records().all(|r| r.ttl == 60));
        for owner in ["example.com.", "www.example.com."] {
            assert_eq!(
                addresses(&projection, owner, RecordType::A),
                Some(vec![ip(address)])
            );
        }
        assert_eq!(
            addresses(&projection, "bob.example.com.", RecordType::A),
            Some(vec![ip("1.2.3.4")])
        );
        assert_eq!(
            addresses(&projection, "bill.example.com.", RecordType::A),
            Some(vec![ip("5.6.7.8")])
        );
        assert_eq!(projection.len(), 7);
    }
}

// ---------------------------------------------------------------------------------------
// 2. Template parsing
// ---------------------------------------------------------------------------------------

#[test]
fn local_ip_is_an_error_outside_a_template_naming_line_and_column() {
    let text = "$ORIGIN example.com.\n$TTL 60\n@ SOA bob hostmaster 1 60 7200 604800 60\n\
                @ NS bob\nbob A 192.0.2.1\nwww A LOCAL-IP\n";
    let error = parse(text, &ParseOptions::new().file_name("t.zone")).unwrap_err();
    // Line 6 is `www A LOCAL-IP`; the placeholder starts in column 7.
    assert_eq!(error.position(), Position { line: 6, column: 7 });
    assert_eq!(
        error.kind(),
        &ParseErrorKind::PlaceholderNotAllowed {
            found: "LOCAL-IP".into()
        }
    );
    assert!(error.to_string().starts_with("t.zone:6:7: "), "{error}");
    assert!(error.to_string().contains("LOCAL-IP"), "{error}");

    // The same text as a template parses, with one placeholder.
    let zone = parse(text, &ParseOptions::new().template(true)).unwrap();
    assert!(zone.is_template());
    assert_eq!(
        zone.placeholders().collect::<Vec<_>>(),
        [(&name("www.example.com."), RecordType::A)]
    );
}

#[test]
fn the_seed_template_is_refused_without_template_mode_at_its_first_placeholder() {
    let text = std::fs::read_to_string(TEMPLATE_FILE).unwrap();
    // The first placeholder outside comments, found independently of the parser.
    let (line, column) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| {
            let code = l.split(';').next().unwrap_or("");
            code.find("LOCAL-IP").map(|c| (i + 1, c + 1))
        })
        .unwrap();
    let error = parse(
        &text,
        &ParseOptions::new().file_name("example.com.template"),
    )
    .unwrap_err();
    assert_eq!(
        error.position(),
        Position {
            line: u32::try_from(line).unwrap(),
            column: u32::try_from(column).unwrap()
        }
    );
    assert!(matches!(
        error.kind(),
        ParseErrorKind::PlaceholderNotAllowed { .. }
    ));
    assert!(
        error
            .to_string()
            .starts_with(&format!("example.com.template:{line}:{column}: ")),
        "{error}"
    );

    let zone = seed_template();
    assert_eq!(
        zone.placeholders().collect::<Vec<_>>(),
        [
            (&name("example.com."), RecordType::A),
            (&name("www.example.com."), RecordType::A)
        ]
    );
}

#[test]
fn local_ip_works_in_aaaa_records_too() {
    let text = "$ORIGIN example.com.\n$TTL 60\n@ SOA bob hostmaster 1 60 7200 604800 60\n\
                @ NS bob\nbob AAAA 2001:db8::1\nwww AAAA LOCAL-IP\n";
    let zone = parse(text, &ParseOptions::new().template(true)).unwrap();
    assert_eq!(
        zone.placeholders().collect::<Vec<_>>(),
        [(&name("www.example.com."), RecordType::AAAA)]
    );
    let placeholder = zone
        .iter()
        .find(|r| r.owner() == &name("www.example.com."))
        .unwrap();
    assert!(placeholder.is_placeholder());
    assert_eq!(placeholder.record_type(), RecordType::AAAA);

    let error = parse(text, &ParseOptions::new()).unwrap_err();
    assert_eq!(
        error.position(),
        Position {
            line: 6,
            column: 10
        }
    );
    assert!(matches!(
        error.kind(),
        ParseErrorKind::PlaceholderNotAllowed { .. }
    ));
}

#[test]
fn the_writer_writes_local_ip_back_and_templates_round_trip() {
    let mut zones = vec![seed_template()];
    zones.push(zone(
        "@ NS bob\n@ NS bill\n@ 30 A LOCAL-IP\n@ 30 AAAA LOCAL-IP\nwww A LOCAL-IP\n\
         bob A 192.0.2.1\nbob AAAA 2001:db8::1\nbill A 198.51.100.1\n",
    ));
    for template in zones {
        let written = template.to_string();
        let placeholder_lines: Vec<(&str, &str)> = written
            .lines()
            .filter_map(|l| {
                let fields: Vec<&str> = l.split_whitespace().collect();
                match fields.as_slice() {
                    [.., t, "LOCAL-IP"] => Some((fields[0], *t)),
                    _ => None,
                }
            })
            .collect();
        assert_eq!(
            placeholder_lines.len(),
            template.placeholders().count(),
            "every placeholder is written as LOCAL-IP:\n{written}"
        );
        assert!(
            placeholder_lines
                .iter()
                .all(|(_, t)| *t == "A" || *t == "AAAA")
        );
        let back = parse(&written, &ParseOptions::new().template(true))
            .unwrap_or_else(|e| panic!("{e}\n{written}"));
        assert_eq!(back, template, "{written}");
        assert_eq!(records(&back), records(&template));
        // The written text is still a template: a plain parse refuses it.
        let error = parse(&written, &ParseOptions::new()).unwrap_err();
        assert!(matches!(
            error.kind(),
            ParseErrorKind::PlaceholderNotAllowed { .. }
        ));
    }
}

// ---------------------------------------------------------------------------------------
// 3. Self-referencing names
// ---------------------------------------------------------------------------------------

#[test]
fn with_placeholders_the_self_names_are_exactly_the_names_holding_them() {
    // `www` holds a plain address here: with placeholders present, only they count.
    let template = Template::new(zone(
        "@ NS bob\n@ A LOCAL-IP\nshop AAAA LOCAL-IP\nwww A 192.0.2.80\nbob A 192.0.2.1\n",
    ));
    assert_eq!(
        template.self_names(),
        [name("example.com."), name("shop.example.com.")]
    );
    assert!(template.is_self_name(&name("SHOP.example.com.")));
    assert!(!template.is_self_name(&name("www.example.com.")));

    let template = Template::new(zone(
        "@ NS bob\n@ A 192.0.2.80\nwww A LOCAL-IP\nbob A 192.0.2.1\n",
    ));
    assert_eq!(template.self_names(), [name("www.example.com.")]);
}

#[test]
fn without_placeholders_the_self_names_are_apex_and_www_where_they_hold_addresses() {
    let both = Template::new(zone(
        "@ NS bob\n@ A 192.0.2.1\nwww AAAA 2001:db8::1\nbob A 192.0.2.1\n",
    ));
    assert_eq!(
        both.self_names(),
        [name("example.com."), name("www.example.com.")]
    );

    let cname = Template::new(zone(
        "@ NS bob\n@ A 192.0.2.1\nwww CNAME @\nbob A 192.0.2.1\n",
    ));
    assert_eq!(cname.self_names(), [name("example.com.")]);
    assert!(!cname.is_self_name(&name("www.example.com.")));

    let www_only = Template::new(zone(
        "@ NS bob\n@ MX 10 bob\nwww A 192.0.2.1\nbob A 192.0.2.1\n",
    ));
    assert_eq!(www_only.self_names(), [name("www.example.com.")]);

    let none = Template::new(zone("@ NS bob\nbob A 192.0.2.1\nmail A 192.0.2.25\n"));
    assert_eq!(none.self_names(), [] as [Name; 0]);
}

#[test]
fn template_options_add_self_names_in_canonical_order() {
    let options = TemplateOptions::new()
        .self_name(name("shop.example.com."))
        .self_name(name("mail")) // relative to the template's origin
        .self_name(name("shop.example.com.")); // once only
    assert_eq!(
        options.self_names,
        [name("shop.example.com."), name("mail")]
    );

    let zone = zone(
        "@ NS bob\n@ NS bill\n@ A LOCAL-IP\nwww A LOCAL-IP\nshop 30 A 192.0.2.99\n\
         mail A 192.0.2.25\nbob A 192.0.2.1\nbill A 198.51.100.1\n",
    );
    let template = Template::with_options(
        zone.clone(),
        &options.clone().self_name(name("www.example.com.")),
    );
    assert_eq!(
        template.self_names(),
        [
            name("example.com."),
            name("mail.example.com."),
            name("shop.example.com."),
            name("www.example.com."),
        ]
    );
    // An extra self name takes the host's addresses and keeps its own TTL.
    let (fleet, _) = template.fleet(&[]).unwrap();
    let bill = template.project(host(&fleet, "bill")).unwrap();
    for owner in ["shop.example.com.", "mail.example.com.", "www.example.com."] {
        assert_eq!(
            addresses(&bill, owner, RecordType::A),
            Some(vec![ip("198.51.100.1")]),
            "{owner}"
        );
    }
    assert_eq!(ttl(&bill, "shop.example.com.", RecordType::A), Some(30));
    // Without the options, shop and mail keep their own addresses.
    let plain = Template::new(zone).project(host(&fleet, "bill")).unwrap();
    assert_eq!(
        addresses(&plain, "shop.example.com.", RecordType::A),
        Some(vec![ip("192.0.2.99")])
    );
}

// ---------------------------------------------------------------------------------------
// 4. The fleet
// ---------------------------------------------------------------------------------------

#[test]
fn an_out_of_zone_host_needs_addresses_from_the_caller() {
    let zone = zone("@ NS bob\n@ NS ns1.other.net.\n@ A LOCAL-IP\nbob A 192.0.2.1\n");
    let problems = fleet_problems(&zone, &[]);
    assert_eq!(
        problems,
        [FleetProblem::NoAddresses {
            host: name("ns1.other.net.")
        }]
    );
    assert!(problems[0].to_string().contains("ns1.other.net."));

    // Given via `external`, it joins the fleet, after bob in canonical NS order.
    let external = [Host::new(name("ns1.other.net."), [ip("203.0.113.7")])];
    let (fleet, warnings) = Template::new(zone.clone()).fleet(&external).unwrap();
    assert_eq!(warnings, vec![]);
    let names: Vec<&Name> = fleet.hosts().iter().map(Host::name).collect();
    assert_eq!(names, [&name("bob.example.com."), &name("ns1.other.net.")]);
    assert_eq!(
        host(&fleet, "ns1.other.net.").addresses(),
        [ip("203.0.113.7")]
    );
    // And its copy names it and carries its address.
    let template = Template::new(zone);
    let (fleet, _) = template.fleet(&external).unwrap();
    let copy = template.project(host(&fleet, "203.0.113.7")).unwrap();
    assert_eq!(soa(&copy).mname, name("ns1.other.net."));
    assert_eq!(
        addresses(&copy, "example.com.", RecordType::A),
        Some(vec![ip("203.0.113.7")])
    );
}

#[test]
fn an_in_zone_host_without_glue_has_no_addresses() {
    let zone = zone("@ NS bob\n@ NS bill\n@ A LOCAL-IP\nbob A 192.0.2.1\n");
    let problems = fleet_problems(&zone, &[]);
    assert_eq!(
        problems,
        [FleetProblem::NoAddresses {
            host: name("bill.example.com.")
        }]
    );
    assert!(problems[0].to_string().contains("bill.example.com."));
    // External addresses may fill in for missing glue.
    let external = [Host::new(name("bill.example.com."), [ip("198.51.100.1")])];
    let (fleet, _) = Template::new(zone.clone()).fleet(&external).unwrap();
    assert_eq!(host(&fleet, "bill").addresses(), [ip("198.51.100.1")]);
}

#[test]
fn every_fleet_problem_is_listed_at_once() {
    let zone = zone("@ NS bob\n@ NS bill\n@ NS ns1.other.net.\n@ A LOCAL-IP\nbob A 192.0.2.1\n");
    let problems = fleet_problems(&zone, &[]);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.contains(&FleetProblem::NoAddresses {
        host: name("bill.example.com.")
    }));
    assert!(problems.contains(&FleetProblem::NoAddresses {
        host: name("ns1.other.net.")
    }));
}

#[test]
fn a_host_the_caller_lists_twice_is_an_error() {
    let zone = zone("@ NS bob\n@ NS ns1.other.net.\n@ A LOCAL-IP\nbob A 192.0.2.1\n");
    let external = [
        Host::new(name("ns1.other.net."), [ip("203.0.113.7")]),
        Host::new(name("ns1.other.net."), [ip("203.0.113.8")]),
    ];
    let problems = fleet_problems(&zone, &external);
    assert_eq!(
        problems,
        [FleetProblem::DuplicateHost {
            host: name("ns1.other.net.")
        }]
    );
    assert!(problems[0].to_string().contains("ns1.other.net."));
}

#[test]
fn an_address_on_two_hosts_is_an_error() {
    let zone = zone("@ NS bob\n@ NS bill\n@ A LOCAL-IP\nbob A 192.0.2.1\nbill A 192.0.2.1\n");
    let problems = fleet_problems(&zone, &[]);
    // Hosts in canonical NS order: `\x03bob` sorts before `\x04bill` (RFC 4034 §6.3).
    assert_eq!(
        problems,
        [FleetProblem::SharedAddress {
            address: ip("192.0.2.1"),
            first: name("bob.example.com."),
            second: name("bill.example.com."),
        }]
    );
    let message = problems[0].to_string();
    for part in ["192.0.2.1", "bob.example.com.", "bill.example.com."] {
        assert!(message.contains(part), "{message}");
    }
}

#[test]
fn a_template_without_apex_ns_has_no_hosts() {
    let zone = zone("@ A LOCAL-IP\nbob A 192.0.2.1\n");
    assert_eq!(fleet_problems(&zone, &[]), [FleetProblem::NoHosts]);
    assert!(Template::new(zone).fleet(&[]).is_err());
    assert_eq!(
        Fleet::new(vec![]).unwrap_err().problems(),
        [FleetProblem::NoHosts]
    );
}

#[test]
fn two_hosts_in_one_ipv4_slash_24_warn() {
    let template = Template::new(zone(
        "@ NS bob\n@ NS bill\n@ A LOCAL-IP\nbob A 192.0.2.1\nbill A 192.0.2.200\n",
    ));
    let (fleet, warnings) = template.fleet(&[]).unwrap();
    assert_eq!(fleet.hosts().len(), 2, "a warning does not stop the fleet");
    assert_eq!(
        warnings,
        [FleetWarning::SameNetwork {
            first: name("bob.example.com."),
            second: name("bill.example.com."),
            network: "192.0.2.0/24".parse().unwrap(),
        }]
    );
    let message = warnings[0].to_string();
    assert!(message.contains("192.0.2.0/24"), "{message}");
}

#[test]
fn two_hosts_in_one_ipv6_slash_48_warn() {
    let template = Template::new(zone(
        "@ NS bob\n@ NS bill\n@ AAAA LOCAL-IP\nbob AAAA 2001:db8:1:1::1\n\
         bill AAAA 2001:db8:1:ff00::1\n",
    ));
    let (_, warnings) = template.fleet(&[]).unwrap();
    assert_eq!(
        warnings,
        [FleetWarning::SameNetwork {
            first: name("bob.example.com."),
            second: name("bill.example.com."),
            network: "2001:db8:1::/48".parse().unwrap(),
        }]
    );
    // Different /48s: no warning.
    let template = Template::new(zone(
        "@ NS bob\n@ NS bill\n@ AAAA LOCAL-IP\nbob AAAA 2001:db8:1::1\nbill AAAA 2001:db8:2::1\n",
    ));
    assert_eq!(template.fleet(&[]).unwrap().1, []);
}

#[test]
fn hosts_in_neighbouring_slash_24s_do_not_warn() {
    let template = Template::new(zone(
        "@ NS bob\n@ NS bill\n@ A LOCAL-IP\nbob A 192.0.2.1\nbill A 192.0.3.1\n",
    ));
    assert_eq!(template.fleet(&[]).unwrap().1, []);
}

#[test]
fn self_ttls_above_60_seconds_warn() {
    let template = Template::new(zone(
        "@ NS bob\n@ NS bill\n@ A LOCAL-IP\nwww 300 A LOCAL-IP\nbob A 192.0.2.1\n\
         bill A 198.51.100.1\n",
    ));
    let (_, warnings) = template.fleet(&[]).unwrap();
    assert_eq!(
        warnings,
        [FleetWarning::LongSelfTtl {
            name: name("www.example.com."),
            record_type: RecordType::A,
            ttl: 300,
        }]
    );
    // "Above 60 s": 61 warns, 60 does not.
    let at = |ttl: u32| {
        Template::new(zone(&format!(
            "@ NS bob\n@ {ttl} A LOCAL-IP\nbob A 192.0.2.1\n"
        )))
        .fleet(&[])
        .unwrap()
        .1
    };
    assert_eq!(at(60), []);
    assert_eq!(
        at(61),
        [FleetWarning::LongSelfTtl {
            name: name("example.com."),
            record_type: RecordType::A,
            ttl: 61,
        }]
    );
}

#[test]
fn an_soa_minimum_above_60_seconds_warns() {
    let zone = zone_with_soa(
        3600,
        "@ NS bob\n@ NS bill\n@ A LOCAL-IP\nbob A 192.0.2.1\nbill A 198.51.100.1\n",
    );
    let expected = [FleetWarning::LongSoaMinimum { minimum: 3600 }];
    assert_eq!(Template::new(zone).fleet(&[]).unwrap().1, expected);
}

#[test]
fn a_self_family_some_host_lacks_warns() {
    let template = Template::new(zone(
        "@ NS bob\n@ NS bill\n@ A LOCAL-IP\n@ AAAA LOCAL-IP\nbob A 192.0.2.1\n\
         bob AAAA 2001:db8::1\nbill A 198.51.100.1\n",
    ));
    let (_, warnings) = template.fleet(&[]).unwrap();
    assert_eq!(
        warnings,
        [FleetWarning::MissingFamily {
            name: name("example.com."),
            record_type: RecordType::AAAA,
            host: name("bill.example.com."),
        }]
    );
    assert!(warnings[0].to_string().contains("bill.example.com."));
}

#[test]
fn hosts_are_found_by_relative_or_absolute_name_in_any_case_or_by_address() {
    let template = Template::new(seed_template());
    let (fleet, _) = template.fleet(&[]).unwrap();
    let bob = name("bob.example.com.");
    let bill = name("bill.example.com.");
    for (key, expected) in [
        ("bob", &bob),
        ("BOB", &bob),
        ("bob.example.com.", &bob),
        ("BoB.ExAmPlE.CoM.", &bob),
        ("1.2.3.4", &bob),
        ("bill", &bill),
        ("Bill", &bill),
        ("bill.example.com.", &bill),
        ("5.6.7.8", &bill),
    ] {
        assert_eq!(
            fleet.host(key).map(Host::name),
            Some(expected),
            "lookup of {key}"
        );
    }
    for key in [
        "carol",
        "carol.example.com.",
        "bob.example.net.",
        "b",
        "9.9.9.9",
        "2001:db8::1",
    ] {
        assert_eq!(fleet.host(key), None, "lookup of {key}");
    }

    let v6 = Template::new(zone(
        "@ NS bob\n@ AAAA LOCAL-IP\nbob AAAA 2001:db8::1\nbob A 192.0.2.1\n",
    ));
    let (fleet, _) = v6.fleet(&[]).unwrap();
    assert_eq!(fleet.host("2001:db8::1").map(Host::name), Some(&bob));
    assert_eq!(fleet.host("2001:DB8:0::1").map(Host::name), Some(&bob));
}

#[test]
fn a_host_is_found_by_its_full_name_without_the_trailing_dot() {
    // `Fleet::host` falls back to "the one host whose name begins with these labels", so
    // `bob.example` finds bob.example.com.; all of its labels must as well.
    let template = Template::new(seed_template());
    let (fleet, _) = template.fleet(&[]).unwrap();
    assert_eq!(
        fleet.host("bob.example").map(Host::name),
        Some(&name("bob.example.com."))
    );
    assert_eq!(
        fleet.host("bob.example.com").map(Host::name),
        Some(&name("bob.example.com."))
    );
}

// ---------------------------------------------------------------------------------------
// 5. Projection
// ---------------------------------------------------------------------------------------

/// Dual-stack bob, IPv6-only bill; self TTLs 30 (apex) and 45 (www); SOA TTL 120.
fn mixed_template() -> Template {
    let text = "$ORIGIN example.com.\n$TTL 60\n\
                @ 120 SOA bob hostmaster 2024010101 60 7200 604800 60\n\
                @ 3600 NS bob\n@ 3600 NS bill\n\
                @ 30 A LOCAL-IP\nwww 45 A LOCAL-IP\n\
                @ MX 10 mail\nmail A 203.0.113.25\n@ TXT \"v=spf1 mx -all\"\n\
                bob A 192.0.2.1\nbob AAAA 2001:db8::1\nbill AAAA 2001:db8:ffff::1\n";
    Template::new(parse(text, &template_options()).unwrap())
}

#[test]
fn the_mixed_template_loads_with_the_timers_the_tests_assume() {
    let template = mixed_template();
    assert_eq!(errors(template.zone()), Vec::<String>::new());
    assert_eq!(soa_with_ttl(template.zone()).1, 120);
    assert_eq!(template.zone().serial(), Some(2_024_010_101));
    assert_eq!(
        template.self_names(),
        [name("example.com."), name("www.example.com.")]
    );
}

#[test]
fn a_host_gets_a_and_aaaa_at_every_self_name_with_the_templates_ttls() {
    let template = mixed_template();
    let (fleet, _) = template.fleet(&[]).unwrap();
    let bob = host(&fleet, "bob");
    let copy = template.project(bob).unwrap();
    for (owner, self_ttl) in [("example.com.", 30), ("www.example.com.", 45)] {
        assert_eq!(
            addresses(&copy, owner, RecordType::A),
            Some(vec![ip("192.0.2.1")])
        );
        assert_eq!(
            addresses(&copy, owner, RecordType::AAAA),
            Some(vec![ip("2001:db8::1")])
        );
        assert_eq!(ttl(&copy, owner, RecordType::A), Some(self_ttl));
        assert_eq!(ttl(&copy, owner, RecordType::AAAA), Some(self_ttl));
    }
    assert!(!copy.is_template(), "no placeholder is left");
    assert_non_self_unchanged(&template, &copy, bob);
}

#[test]
fn an_ipv6_only_host_gets_no_a_rrset_at_self_names() {
    let template = mixed_template();
    let (fleet, warnings) = template.fleet(&[]).unwrap();
    // The template has A placeholders and bill has no IPv4: warned, not refused.
    assert!(warnings.contains(&FleetWarning::MissingFamily {
        name: name("www.example.com."),
        record_type: RecordType::A,
        host: name("bill.example.com."),
    }));
    let bill = host(&fleet, "bill");
    let copy = template.project(bill).unwrap();
    for (owner, self_ttl) in [("example.com.", 30), ("www.example.com.", 45)] {
        assert_eq!(addresses(&copy, owner, RecordType::A), None, "{owner}");
        assert_eq!(
            addresses(&copy, owner, RecordType::AAAA),
            Some(vec![ip("2001:db8:ffff::1")])
        );
        assert_eq!(ttl(&copy, owner, RecordType::AAAA), Some(self_ttl));
    }
    assert_non_self_unchanged(&template, &copy, bill);
}

#[test]
fn projections_keep_the_templates_soa_apart_from_mname_and_differ_only_in_self_data() {
    for template in [mixed_template(), Template::new(seed_template())] {
        let (fleet, _) = template.fleet(&[]).unwrap();
        let copies: Vec<Zone> = fleet
            .hosts()
            .iter()
            .map(|h| template.project(h).unwrap())
            .collect();
        for (host, copy) in fleet.hosts().iter().zip(&copies) {
            assert_non_self_unchanged(&template, copy, host);
            assert_eq!(copy.serial(), template.zone().serial());
            assert_eq!(errors(copy), Vec::<String>::new(), "{host}'s copy loads");
        }
        for a in &copies {
            for b in &copies {
                assert_eq!(template.drift(a, b), []);
            }
        }
    }
}

#[test]
fn projection_is_deterministic_idempotent_and_the_free_function_agrees() {
    for template in [mixed_template(), Template::new(seed_template())] {
        let (fleet, _) = template.fleet(&[]).unwrap();
        for host in fleet.hosts() {
            let copy = template.project(host).unwrap();
            assert_eq!(template.project(host).unwrap(), copy, "twice, {host}");
            assert_eq!(records(&template.project(host).unwrap()), records(&copy));
            // A copy has no placeholders, so its self names are the apex and www, where
            // it holds the host's addresses: projecting it again changes nothing.
            assert_eq!(
                Template::new(copy.clone()).project(host).unwrap(),
                copy,
                "a projection projected again, {host}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// 6. Degraded projection
// ---------------------------------------------------------------------------------------

#[test]
fn a_degraded_copy_sends_clients_to_every_other_host_and_never_to_itself() {
    let template = Template::new(zone(
        "@ NS bob\n@ NS bill\n@ NS ben\n@ 30 A LOCAL-IP\nwww A LOCAL-IP\n@ TXT \"hello\"\n\
         bob A 192.0.2.1\nbob AAAA 2001:db8::1\nbill A 198.51.100.1\n\
         ben AAAA 2001:db8:ffff::1\n",
    ));
    let (fleet, _) = template.fleet(&[]).unwrap();
    assert_eq!(fleet.hosts().len(), 3);
    for host in fleet.hosts() {
        let degraded = template.degraded(&fleet, host).unwrap();
        let mut others: Vec<IpAddr> = fleet
            .hosts()
            .iter()
            .filter(|h| h.name() != host.name())
            .flat_map(|h| h.addresses().iter().copied())
            .collect();
        others.sort_unstable();
        for owner in ["example.com.", "www.example.com."] {
            let mut got: Vec<IpAddr> = [RecordType::A, RecordType::AAAA]
                .into_iter()
                .flat_map(|t| addresses(&degraded, owner, t).unwrap_or_default())
                .collect();
            got.sort_unstable();
            assert_eq!(got, others, "{host}'s degraded {owner}");
            assert!(got.iter().all(|a| !host.addresses().contains(a)));
        }
        // The apex keeps its TTL of 30.
        assert_eq!(
            ttl(&degraded, "example.com.", RecordType::AAAA),
            Some(30),
            "{host}"
        );
        assert_non_self_unchanged(&template, &degraded, host);
        assert_eq!(
            template.drift(&template.project(host).unwrap(), &degraded),
            []
        );
        assert_eq!(errors(&degraded), Vec::<String>::new());
    }
    // Concretely, for bob: bill's IPv4 and ben's IPv6.
    let degraded = template.degraded(&fleet, host(&fleet, "bob")).unwrap();
    assert_eq!(
        addresses(&degraded, "www.example.com.", RecordType::A),
        Some(vec![ip("198.51.100.1")])
    );
    assert_eq!(
        addresses(&degraded, "www.example.com.", RecordType::AAAA),
        Some(vec![ip("2001:db8:ffff::1")])
    );
}

#[test]
fn the_seeds_degraded_copies_swap_bob_and_bill() {
    let template = Template::new(seed_template());
    let (fleet, _) = template.fleet(&[]).unwrap();
    let bob = host(&fleet, "bob");
    let bill = host(&fleet, "bill");
    // While bob's web server is down, bob's DNS answers like bill's, apart from MNAME.
    let degraded = template.degraded(&fleet, bob).unwrap();
    let bills = template.project(bill).unwrap();
    assert_eq!(
        addresses(&degraded, "www.example.com.", RecordType::A),
        Some(vec![ip("5.6.7.8")])
    );
    assert_eq!(soa(&degraded).mname, *bob.name());
    let without_mname = |zone: &Zone| -> Vec<_> {
        records(zone)
            .into_iter()
            .filter(|r| r.1 != RecordType::SOA)
            .collect()
    };
    assert_eq!(without_mname(&degraded), without_mname(&bills));
}

// ---------------------------------------------------------------------------------------
// 7. Drift
// ---------------------------------------------------------------------------------------

fn drift_template() -> Template {
    Template::new(zone(
        "@ NS bob\n@ NS bill\n@ A LOCAL-IP\nwww A LOCAL-IP\n@ MX 10 mail\n\
         mail A 192.0.2.25\nzeta TXT \"v1\"\nbob A 1.2.3.4\nbill A 5.6.7.8\n",
    ))
}

#[test]
fn bob_and_bill_do_not_drift_from_each_other() {
    for template in [drift_template(), Template::new(seed_template())] {
        let (fleet, _) = template.fleet(&[]).unwrap();
        let bob = template.project(host(&fleet, "bob")).unwrap();
        let bill = template.project(host(&fleet, "bill")).unwrap();
        assert_ne!(bob, bill, "the copies do differ, in self data and MNAME");
        assert_eq!(template.drift(&bob, &bill), []);
        assert_eq!(template.drift(&bill, &bob), []);
    }
}

#[test]
fn drift_names_each_changed_missing_or_unexpected_rrset() {
    let template = drift_template();
    let (fleet, _) = template.fleet(&[]).unwrap();
    let expected = template.project(host(&fleet, "bob")).unwrap();

    let mut changed = expected.clone();
    changed.remove(&name("zeta.example.com."), RecordType::TXT);
    changed.insert(&txt("zeta.example.com.", 60, "v2")).unwrap();
    let drifts = template.drift(&expected, &changed);
    assert_eq!(
        drifts,
        [drift(
            "zeta.example.com.",
            RecordType::TXT,
            DriftKind::Different
        )]
    );
    assert_eq!(drifts[0].to_string(), "zeta.example.com. TXT: different");

    let mut missing = expected.clone();
    missing.remove(&name("example.com."), RecordType::MX);
    assert_eq!(
        template.drift(&expected, &missing),
        [drift("example.com.", RecordType::MX, DriftKind::Missing)]
    );

    let mut extra = expected.clone();
    extra.insert(&txt("new.example.com.", 60, "x")).unwrap();
    assert_eq!(
        template.drift(&expected, &extra),
        [drift(
            "new.example.com.",
            RecordType::TXT,
            DriftKind::Unexpected
        )]
    );

    let mut longer = expected.clone();
    longer.remove(&name("zeta.example.com."), RecordType::TXT);
    longer.insert(&txt("zeta.example.com.", 120, "v1")).unwrap();
    assert_eq!(
        template.drift(&expected, &longer),
        [drift(
            "zeta.example.com.",
            RecordType::TXT,
            DriftKind::Different
        )]
    );

    // A glue address is not self data: a changed one is drift.
    let mut glue = expected.clone();
    glue.remove(&name("bill.example.com."), RecordType::A);
    glue.insert(&Record::from_rdata(
        name("bill.example.com."),
        60,
        RData::A("5.6.7.9".parse().unwrap()),
    ))
    .unwrap();
    assert_eq!(
        template.drift(&expected, &glue),
        [drift(
            "bill.example.com.",
            RecordType::A,
            DriftKind::Different
        )]
    );

    // So is a changed serial; a changed MNAME or self address is not.
    let (mut soa, soa_ttl) = soa_with_ttl(&expected);
    soa.serial += 1;
    let mut newer = expected.clone();
    newer.remove(&name("example.com."), RecordType::SOA);
    newer
        .insert(&Record::from_rdata(
            name("example.com."),
            soa_ttl,
            RData::SOA(soa),
        ))
        .unwrap();
    assert_eq!(
        template.drift(&expected, &newer),
        [drift("example.com.", RecordType::SOA, DriftKind::Different)]
    );
    let mut other_self = expected.clone();
    other_self.remove(&name("www.example.com."), RecordType::A);
    assert_eq!(template.drift(&expected, &other_self), []);
}

#[test]
fn drift_is_listed_in_canonical_order() {
    let template = drift_template();
    let (fleet, _) = template.fleet(&[]).unwrap();
    let expected = template.project(host(&fleet, "bill")).unwrap();
    let mut observed = expected.clone();
    observed.remove(&name("example.com."), RecordType::MX); // apex, type 15
    observed.insert(&txt("example.com.", 60, "apex")).unwrap(); // apex, type 16
    observed.insert(&txt("b.example.com.", 60, "b")).unwrap();
    observed.insert(&txt("z.a.example.com.", 60, "z")).unwrap();
    observed.remove(&name("zeta.example.com."), RecordType::TXT);
    observed
        .insert(&txt("zeta.example.com.", 60, "v9"))
        .unwrap();
    // RFC 4034 §6.1: labels compared from the right, so z.a.example.com. (under `a`)
    // comes before b.example.com., though it sorts after it as text.
    assert_eq!(
        template.drift(&expected, &observed),
        [
            drift("example.com.", RecordType::MX, DriftKind::Missing),
            drift("example.com.", RecordType::TXT, DriftKind::Unexpected),
            drift("z.a.example.com.", RecordType::TXT, DriftKind::Unexpected),
            drift("b.example.com.", RecordType::TXT, DriftKind::Unexpected),
            drift("zeta.example.com.", RecordType::TXT, DriftKind::Different),
        ]
    );
}

#[test]
fn zone_drift_excuses_nothing_template_drift_excuses_self_data_and_mname() {
    let template = drift_template();
    let (fleet, _) = template.fleet(&[]).unwrap();
    let bob = template.project(host(&fleet, "bob")).unwrap();
    let bill = template.project(host(&fleet, "bill")).unwrap();
    assert_eq!(template.drift(&bob, &bill), []);
    // The two copies differ in the apex SOA (MNAME) and the two self names' A RRsets,
    // and in nothing else (the template has no AAAA).
    assert_eq!(
        bob.drift(&bill),
        [
            drift("example.com.", RecordType::A, DriftKind::Different),
            drift("example.com.", RecordType::SOA, DriftKind::Different),
            drift("www.example.com.", RecordType::A, DriftKind::Different),
        ]
    );
    assert_eq!(bob.drift(&bob.clone()), []);
}

#[test]
fn a_copy_is_identified_by_its_mname_else_by_its_self_addresses() {
    let template = drift_template();
    let (fleet, _) = template.fleet(&[]).unwrap();
    let bob = template.project(host(&fleet, "bob")).unwrap();
    let bill = template.project(host(&fleet, "bill")).unwrap();
    for (copy, key) in [(&bob, "bob"), (&bill, "bill")] {
        let (found, how) = template.identify(&fleet, copy).unwrap();
        assert_eq!(found, host(&fleet, key));
        assert_eq!(how, Evidence::Mname);
        assert_eq!(how.to_string(), "named by its SOA MNAME");
    }

    // Bill's copy with an MNAME outside the fleet is still told by its addresses.
    let mut renamed = bill.clone();
    let mut soa = soa(&bill);
    soa.mname = name("ns.example.net.");
    renamed.remove(&name("example.com."), RecordType::SOA);
    renamed
        .insert(&Record::from_rdata(
            name("example.com."),
            60,
            RData::SOA(soa),
        ))
        .unwrap();
    let (found, how) = template.identify(&fleet, &renamed).unwrap();
    assert_eq!(
        (found, how),
        (host(&fleet, "bill"), Evidence::SelfAddresses)
    );

    // Only the self names' A RRsets (a partial copy, as a server's answers are): the same.
    let mut partial = Zone::new(name("example.com."));
    for record in bill
        .iter()
        .filter(|r| r.record_type() == RecordType::A && template.is_self_name(r.owner()))
    {
        partial.insert(&record.to_record()).unwrap();
    }
    let (found, how) = template.identify(&fleet, &partial).unwrap();
    assert_eq!(
        (found, how),
        (host(&fleet, "bill"), Evidence::SelfAddresses)
    );

    // Addresses of both hosts, or of none, tell nothing.
    let mut both = partial.clone();
    both.insert(&Record::from_rdata(
        name("www.example.com."),
        60,
        RData::A(A::new(1, 2, 3, 4)),
    ))
    .unwrap();
    assert_eq!(template.identify(&fleet, &both), None);
    assert_eq!(
        template.identify(&fleet, &Zone::new(name("example.com."))),
        None
    );
}

#[test]
fn existence_and_the_source_of_an_answer_follow_rfc_4592() {
    let zone = zone(
        "@ NS ns\nns A 192.0.2.53\na.b TXT \"deep\"\n*.w TXT \"wild\"\n\
         *.b TXT \"wild under an empty non-terminal's parent\"\n",
    );
    let source = |text: &str| zone.source_of(&name(text)).map(|n| n.to_string());
    // A name with records, an empty non-terminal, a name below neither.
    assert!(zone.exists(&name("a.b.example.com.")));
    assert!(zone.exists(&name("B.example.com.")));
    assert!(!zone.exists(&name("c.example.com.")));
    assert!(!zone.exists(&name("example.org.")));
    assert_eq!(
        source("a.b.example.com.").as_deref(),
        Some("a.b.example.com.")
    );
    assert_eq!(source("b.example.com.").as_deref(), Some("b.example.com."));
    // Below an existing name with a wildcard child: the wildcard.
    assert_eq!(
        source("x.b.example.com.").as_deref(),
        Some("*.b.example.com.")
    );
    assert_eq!(
        source("y.x.w.example.com.").as_deref(),
        Some("*.w.example.com.")
    );
    // The closest encloser is a.b, which has no wildcard child: no source (RFC 4592
    // §2.2.1: the wildcard at b does not reach below a.b).
    assert_eq!(source("x.a.b.example.com."), None);
    // The closest encloser is the apex, without a wildcard; and a name outside the zone.
    assert_eq!(source("nope.example.com."), None);
    assert_eq!(source("example.org."), None);
    // The same in a projection, whose changed nodes live apart from the shared ones.
    let template = Template::new(zone.clone());
    let host = Host::new(name("ns.example.com."), [ip("192.0.2.53")]);
    let copy = template.project(&host).unwrap();
    assert_eq!(
        copy.source_of(&name("x.b.example.com.")),
        Some(name("*.b.example.com."))
    );
    assert!(copy.exists(&name("b.example.com.")));
}

// ---------------------------------------------------------------------------------------
// 8. Serials
// ---------------------------------------------------------------------------------------

#[test]
fn serial_comparison_follows_rfc_1982_with_32_bits() {
    const HALF: u32 = 1 << 31;
    // RFC 1982 §3.2: i1 < i2 where (i1 < i2 and i2 - i1 < 2^31) or
    // (i1 > i2 and i1 - i2 > 2^31).
    let less = [
        (0, 1),
        (1, 2),
        (0, HALF - 1),
        (u32::MAX, 0), // 0 follows 2^32 - 1 (as 0 follows 255 with 8 bits, §5.2)
        (u32::MAX - 5, 10),
        (HALF + 1, 0), // i1 > i2 and i1 - i2 > 2^31
        (2_007_010_100, 2_026_112_500),
    ];
    for (a, b) in less {
        assert_eq!(serial_cmp(a, b), Some(Ordering::Less), "{a} < {b}");
        assert_eq!(serial_cmp(b, a), Some(Ordering::Greater), "{b} > {a}");
    }
    for a in [0, 1, HALF, u32::MAX, 2_007_010_100] {
        assert_eq!(serial_cmp(a, a), Some(Ordering::Equal));
    }
    // Exactly 2^31 apart: undefined (§3.2), both ways.
    for (a, b) in [(0, HALF), (HALF, 0), (1, HALF + 1), (u32::MAX, HALF - 1)] {
        assert_eq!(serial_cmp(a, b), None, "{a} vs {b}");
    }
    // §3.2: the relation is not transitive: 0 < 2^30 < 2^31 + 2^30 - 1 < 0 (each step
    // is less than 2^31 forward).
    let (x, y, z) = (0u32, 1 << 30, HALF + (1 << 30) - 1);
    assert_eq!(serial_cmp(x, y), Some(Ordering::Less));
    assert_eq!(serial_cmp(y, z), Some(Ordering::Less));
    assert_eq!(serial_cmp(z, x), Some(Ordering::Less));
}

#[test]
fn next_serial_is_yyyymmddnn_and_always_newer() {
    // A new day starts at nn = 00.
    assert_eq!(next_serial(2_007_010_100, 2026, 11, 25), 2_026_112_500);
    assert_eq!(next_serial(2_026_112_500, 2026, 11, 26), 2_026_112_600);
    // The same day counts nn up...
    assert_eq!(next_serial(2_026_112_500, 2026, 11, 25), 2_026_112_501);
    assert_eq!(next_serial(2_026_112_598, 2026, 11, 25), 2_026_112_599);
    // ...and past 99 it rolls into the next day's first serial, still newer.
    assert_eq!(next_serial(2_026_112_599, 2026, 11, 25), 2_026_112_600);
    // A serial already ahead of today moves on by one.
    assert_eq!(next_serial(2_026_112_600, 2026, 11, 25), 2_026_112_601);
    assert_eq!(next_serial(2_030_010_100, 2026, 11, 25), 2_030_010_101);
    // A serial exactly 2^31 ahead of today's first is not "older" (undefined): +1.
    let odd = 2_026_112_500u32.wrapping_add(1 << 31);
    assert_eq!(next_serial(odd, 2026, 11, 25), odd.wrapping_add(1));
    // Whatever the input, the result is newer under RFC 1982.
    for current in [
        0,
        1,
        2_007_010_100,
        2_026_112_599,
        odd,
        u32::MAX,
        1 << 31,
        (1 << 31) - 1,
    ] {
        let next = next_serial(current, 2026, 11, 25);
        assert_eq!(
            serial_cmp(next, current),
            Some(Ordering::Greater),
            "{current} -> {next}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// 9. The render example, as a user runs it
// ---------------------------------------------------------------------------------------

#[test]
fn the_render_example_prints_writes_and_refuses_as_documented() {
    let template = Template::new(seed_template());
    let (fleet, _) = template.fleet(&[]).unwrap();
    let article = article_zones();
    // What each host's zone must be: the in-process projection, and the article's file.
    let check = |zone: &Zone, host_name: &str| {
        let expected = template.project(host(&fleet, host_name)).unwrap();
        assert_eq!(*zone, expected, "{host_name}");
        let (_, from_article) = article
            .iter()
            .find(|(mname, _)| *mname == name(host_name))
            .unwrap();
        assert_eq!(records(zone), records(from_article), "{host_name}");
    };

    // No arguments: the seed's zones, bob's and bill's, each after a comment naming it.
    let output = render(&[]);
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let mut blocks: Vec<(String, String)> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with(';') {
            blocks.push((line.to_owned(), String::new()));
        } else if let Some((_, block)) = blocks.last_mut() {
            block.push_str(line);
            block.push('\n');
        }
    }
    assert_eq!(blocks.len(), 2, "{stdout}");
    for host_name in ["bob.example.com.", "bill.example.com."] {
        let (_, block) = blocks
            .iter()
            .find(|(header, _)| header.contains(host_name))
            .unwrap_or_else(|| panic!("no zone for {host_name}:\n{stdout}"));
        let zone = parse(block, &ParseOptions::new()).unwrap_or_else(|e| panic!("{e}\n{block}"));
        check(&zone, host_name);
    }

    // A template and a host: that host's zone, nothing else.
    let output = render(&[TEMPLATE_FILE, "bill"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let zone = parse(&stdout, &ParseOptions::new()).unwrap_or_else(|e| panic!("{e}\n{stdout}"));
    check(&zone, "bill.example.com.");

    // --out DIR: every host, one file each.
    let dir = TempDir::new("out");
    let out = dir.0.to_str().unwrap();
    let output = render(&[TEMPLATE_FILE, "--out", out]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let mut files: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["bill.example.com.zone", "bob.example.com.zone"]);
    for host_name in ["bob.example.com.", "bill.example.com."] {
        let path = dir.0.join(format!("{}zone", host_name));
        let written = std::fs::read_to_string(&path).unwrap();
        let zone = parse(&written, &ParseOptions::new()).unwrap();
        check(&zone, host_name);
    }

    // An unknown host: an error that lists the hosts there are.
    let output = render(&[TEMPLATE_FILE, "carol"]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(stderr.contains("carol"), "{stderr}");
    assert!(stderr.contains("bob.example.com."), "{stderr}");
    assert!(stderr.contains("bill.example.com."), "{stderr}");
    assert_eq!(text(&output.stdout), "");

    // A syntax error: one line, `error: FILE:LINE:COL: ...`.
    let bad = dir.0.join("bad.template");
    std::fs::write(
        &bad,
        "$ORIGIN example.com.\n$TTL 60\n@ SOA bob hostmaster 1 60 7200 604800 60\n\
         @ NS bob\nbob A 1.2.3.999\n",
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    let output = render(&[bad, "bob"]);
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    // Line 5 is `bob A 1.2.3.999`; the address starts in column 7.
    assert!(
        stderr.starts_with(&format!("error: {bad}:5:7: ")),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.ends_with('\n'));
    assert_eq!(text(&output.stdout), "");
}

// ---------------------------------------------------------------------------------------
// 10. Serde
// ---------------------------------------------------------------------------------------

#[cfg(feature = "serde")]
mod serde_forms {
    use super::*;

    #[test]
    fn hosts_fleets_and_options_round_trip_through_json() {
        let host = Host::new(
            name("bob.example.com."),
            [ip("2001:db8::1"), ip("192.0.2.1")],
        );
        let json = serde_json::to_string(&host).unwrap();
        assert_eq!(serde_json::from_str::<Host>(&json).unwrap(), host);
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(
            value["addresses"],
            serde_json::json!(["192.0.2.1", "2001:db8::1"])
        );

        let template = Template::new(seed_template());
        let (fleet, _) = template.fleet(&[]).unwrap();
        let json = serde_json::to_string(&fleet).unwrap();
        let back: Fleet = serde_json::from_str(&json).unwrap();
        assert_eq!(back, fleet);
        // The origin came along: relative lookups still work.
        assert_eq!(
            back.host("bill").map(Host::name),
            Some(&name("bill.example.com."))
        );

        let options = TemplateOptions::new()
            .self_name(name("shop.example.com."))
            .self_name(name("mail.example.com."));
        let json = serde_json::to_string(&options).unwrap();
        assert_eq!(
            serde_json::from_str::<TemplateOptions>(&json).unwrap(),
            options
        );
        assert_eq!(
            serde_json::from_str::<TemplateOptions>("{}").unwrap(),
            TemplateOptions::new()
        );
    }

    #[test]
    fn a_json_fleet_is_checked_like_fleet_new() {
        let duplicate = r#"{"hosts": [
            {"name": "bob.example.com.", "addresses": ["192.0.2.1"]},
            {"name": "bob.example.com.", "addresses": ["198.51.100.1"]}]}"#;
        let error = serde_json::from_str::<Fleet>(duplicate)
            .unwrap_err()
            .to_string();
        assert!(error.contains("bob.example.com."), "{error}");
        assert!(error.contains("twice"), "{error}");

        let shared = r#"{"hosts": [
            {"name": "bob.example.com.", "addresses": ["192.0.2.1"]},
            {"name": "bill.example.com.", "addresses": ["192.0.2.1"]}]}"#;
        let error = serde_json::from_str::<Fleet>(shared)
            .unwrap_err()
            .to_string();
        assert!(error.contains("192.0.2.1"), "{error}");
        assert!(error.contains("bill.example.com."), "{error}");

        assert!(serde_json::from_str::<Fleet>(r#"{"hosts": []}"#).is_err());
        let empty = r#"{"hosts": [{"name": "bob.example.com.", "addresses": []}]}"#;
        assert!(serde_json::from_str::<Fleet>(empty).is_err());

        let good = r#"{"hosts": [
            {"name": "bob.example.com.", "addresses": ["192.0.2.1"]},
            {"name": "bill.example.com.", "addresses": ["198.51.100.1"]}],
            "origin": "example.com."}"#;
        let fleet: Fleet = serde_json::from_str(good).unwrap();
        assert_eq!(
            fleet.host("bill").map(Host::name),
            Some(&name("bill.example.com."))
        );
    }

    #[test]
    fn a_json_host_keeps_the_invariants_of_host_new() {
        let json =
            r#"{"name": "bob.example.com.", "addresses": ["192.0.2.9", "192.0.2.1", "192.0.2.9"]}"#;
        let host: Host = serde_json::from_str(json).unwrap();
        assert_eq!(host.addresses(), [ip("192.0.2.1"), ip("192.0.2.9")]);
        assert_eq!(
            host,
            Host::new(name("bob.example.com."), [ip("192.0.2.1"), ip("192.0.2.9")])
        );
    }

    #[test]
    fn a_json_host_repeating_its_own_address_is_not_a_shared_address() {
        let fleet = r#"{"hosts": [
            {"name": "bob.example.com.", "addresses": ["192.0.2.1", "192.0.2.1"]}]}"#;
        let fleet: Fleet = serde_json::from_str(fleet).unwrap();
        assert_eq!(fleet.hosts()[0].addresses(), [ip("192.0.2.1")]);
    }
}

/// A template that breaks a rule leaves nothing behind: no zone on stdout, and no file
/// (final or staged) in `--out DIR`, while every error names its line.
#[test]
fn render_writes_nothing_for_a_template_with_errors() {
    let dir = TempDir::new("broken");
    let template = dir.0.join("broken.template");
    let good = std::fs::read_to_string(TEMPLATE_FILE).unwrap();
    // A CNAME beside the apex's other data, as the last line.
    let lines = good.lines().count() + 1;
    std::fs::write(&template, format!("{good}www IN CNAME bob\n")).unwrap();
    let path = template.to_str().unwrap();
    let out = dir.0.join("zones");
    std::fs::create_dir_all(&out).unwrap();
    for args in [
        vec![path, "bob"],
        vec![path, "--out", out.to_str().unwrap()],
    ] {
        let output = render(&args);
        assert!(!output.status.success(), "{args:?}");
        assert_eq!(text(&output.stdout), "", "{args:?}");
        let stderr = text(&output.stderr);
        assert!(
            stderr.contains(&format!(
                "error: {path}:{lines}:1: www.example.com. CNAME: CNAME beside other data (A)"
            )),
            "{stderr}"
        );
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0, "{args:?}");
    }
}
