//! What a crate written against `multiprimary` needs, as such a crate would write it: a
//! three-host template with IPv4 and IPv6 glue, its fleet and projections, validation of
//! mail and service targets, and (with `serde`) a fleet read from JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use std::net::IpAddr;

use multiprimary::hickory_proto::rr::{Name, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{ProblemKind, Template, Zone};

const TEMPLATE: &str = "\
$ORIGIN example.net.
$TTL 60
@      SOA  a hostmaster 2026120400 60 7200 604800 60
@      NS   a
@      NS   b
@      NS   c
@      A    LOCAL-IP
@      AAAA LOCAL-IP
www    A    LOCAL-IP
www    AAAA LOCAL-IP
a      A    192.0.2.1
a      AAAA 2001:db8:1::1
b      A    198.51.100.1
b      AAAA 2001:db8:2::1
c      A    203.0.113.1
c      AAAA 2001:db8:3::1
@      MX   10 mail
mail   CNAME a
_imap._tcp SRV 0 0 143 mail
";

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

fn template() -> Template {
    let options = ParseOptions::new()
        .template(true)
        .file_name("example.net.template");
    Template::new(parse(TEMPLATE, &options).unwrap())
}

/// Item 11: the SOA and a host's addresses without matching on `RData`.
#[test]
fn the_soa_and_the_addresses_of_each_projection_read_directly() {
    let template = template();
    let (fleet, warnings) = template.fleet(&[]).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    for (host, v4, v6) in [
        ("a", "192.0.2.1", "2001:db8:1::1"),
        ("b", "198.51.100.1", "2001:db8:2::1"),
        ("c", "203.0.113.1", "2001:db8:3::1"),
    ] {
        let zone: Zone = template.project(fleet.host(host).unwrap()).unwrap();
        let soa = zone.soa().unwrap();
        assert_eq!(soa.serial, 2026120400);
        assert_eq!(soa.mname, name(&format!("{host}.example.net.")));
        for owner in ["example.net.", "www.example.net."] {
            let a: Vec<IpAddr> = zone
                .rrset(&name(owner), RecordType::A)
                .unwrap()
                .addresses()
                .collect();
            let aaaa: Vec<IpAddr> = zone
                .rrset(&name(owner), RecordType::AAAA)
                .unwrap()
                .addresses()
                .collect();
            assert_eq!(a, [v4.parse::<IpAddr>().unwrap()], "{host} {owner}");
            assert_eq!(aaaa, [v6.parse::<IpAddr>().unwrap()], "{host} {owner}");
        }
    }
}

/// Item 13: an MX or SRV target that is a CNAME is named as such (RFC 2181 §10.3), not
/// as a target without addresses.
#[test]
fn mail_and_service_targets_that_are_aliases_are_reported_as_aliases() {
    let problems = template().zone().validate();
    let kinds: Vec<(RecordType, ProblemKind)> = problems
        .iter()
        .map(|p| (p.record_type(), p.kind().clone()))
        .collect();
    let alias = ProblemKind::TargetIsAlias {
        target: name("mail.example.net."),
    };
    assert_eq!(
        kinds,
        [(RecordType::MX, alias.clone()), (RecordType::SRV, alias)]
    );
    let lines: Vec<u32> = problems
        .iter()
        .map(|p| p.location().unwrap().position().unwrap().line)
        .collect();
    assert_eq!(lines, [17, 19]);
}

/// Item 14: a bad fleet in JSON says where in the JSON it is.
#[cfg(feature = "serde")]
#[test]
fn a_bad_fleet_in_json_names_its_line_and_column() {
    let json = "{\"hosts\": [\n  {\"name\": \"a.example.net.\", \"addresses\": [\"192.0.2.1\"]},\n  {\"name\": \"b.example.net.\", \"addresses\": [\"192.0.2.1\"]}\n]}";
    let error = serde_json::from_str::<multiprimary::Fleet>(json).unwrap_err();
    assert!(error.line() > 0, "{error}");
    assert!(
        error
            .to_string()
            .contains("address 192.0.2.1 belongs to both"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains(&format!("line {}", error.line())),
        "{error}"
    );
}
