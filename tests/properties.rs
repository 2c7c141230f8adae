//! Property tests: zone text round trips, the parser never panics, and projection keeps
//! the scheme's promises for random templates and fleets.

use std::net::IpAddr;

use multiprimary::hickory_proto::rr::{Name, RData, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{Host, Severity, Template, TemplateOptions, Zone, strategy};
use proptest::prelude::*;

/// Zone-file vocabulary: directives, names, numbers, types, classes, escapes, quotes,
/// parentheses, comments and line breaks, so that random strings reach deep into the parser.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "$ORIGIN",
            "$TTL",
            "$INCLUDE",
            "$GENERATE",
            "@",
            "*",
            "(",
            ")",
            ";",
            "\"",
            "\\",
            "\\#",
            "\\0",
            "\\255",
            "\\999",
            "\\.",
            ".",
            "..",
            "IN",
            "CH",
            "CLASS1",
            "CLASS255",
            "ANY",
            "NONE",
            "A",
            "AAAA",
            "NS",
            "SOA",
            "MX",
            "TXT",
            "CNAME",
            "DNAME",
            "SRV",
            "CAA",
            "SVCB",
            "HTTPS",
            "alpn=h2,h3",
            "alpn=\"a\\\\,b\"",
            "mandatory=alpn",
            "port=99999",
            "ipv4hint=1.2.3.4",
            "ech=AA==",
            "key65535",
            "NSEC",
            "NSEC3",
            "RRSIG",
            "DNSKEY",
            "DS",
            "TYPE0",
            "TYPE65535",
            "TYPE65536",
            "0",
            "1h30m",
            "2147483648",
            "4294967296",
            "65536",
            "1.2.3.4",
            "::1",
            "example.",
            "www",
            "a.b.c",
            "20030322173103",
            "-",
            "AABB",
            "Zm9v",
            "\n",
            "\n ",
            "\r\n",
            "\t",
            " ",
        ])
        .prop_map(str::to_owned),
        "[ -~]{0,6}",
        any::<String>().prop_map(|s| s.chars().take(4).collect()),
    ]
}

/// The duplicate records `zone` reports having dropped.
fn duplicates(zone: &Zone) -> usize {
    zone.validate()
        .iter()
        .map(|p| match p.kind() {
            multiprimary::ProblemKind::Duplicate { count } => *count,
            _ => 0,
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn written_zones_parse_back_equal_with_ttls(zone in strategy::zone()) {
        let text = zone.to_string();
        let back = parse(&text, &ParseOptions::new()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &zone);
        let ttls: Vec<u32> = zone.iter().map(|r| r.ttl()).collect();
        let back_ttls: Vec<u32> = back.iter().map(|r| r.ttl()).collect();
        prop_assert_eq!(ttls, back_ttls);
        prop_assert_eq!(back.to_string(), text, "writing is deterministic");
    }

    /// Loaders append records as they come and sort each node once at the end; whatever
    /// the order, and with records given twice, the zone is the same, and each copy is
    /// reported. `Zone::insert`, which searches each record into place, and
    /// `Zone::insert_all`, which sorts like the loaders, agree.
    #[test]
    fn zones_are_the_same_from_records_in_any_order_given_twice(
        zone in strategy::zone(),
        seed in any::<u64>(),
    ) {
        let text = zone.to_string();
        let (directives, records): (Vec<&str>, Vec<&str>) =
            text.lines().partition(|line| line.starts_with('$'));
        // Every third record twice, then all in a random order (xorshift, Fisher-Yates).
        let mut lines: Vec<&str> = records.clone();
        lines.extend(records.iter().step_by(3));
        let mut state = seed | 1;
        for i in (1..lines.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            lines.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let shuffled = format!("{}\n{}\n", directives.join("\n"), lines.join("\n"));
        let back = parse(&shuffled, &ParseOptions::new())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{shuffled}")))?;
        prop_assert_eq!(&back, &zone, "{}", shuffled);
        prop_assert_eq!(&back.to_string(), &text);
        // (The written zone holds each record once, whatever duplicates `zone` dropped.)
        prop_assert_eq!(duplicates(&back), records.iter().step_by(3).count());

        // The same records in the same order through `Zone::insert`, one at a time, and
        // `Zone::insert_all`, all at once.
        let mut given = Vec::new();
        for line in &lines {
            let one = parse(&format!("{}\n{line}\n", directives.join("\n")), &ParseOptions::new())
                .map_err(|e| TestCaseError::fail(format!("{e}\n{line}")))?;
            given.extend(one.records());
        }
        let mut inserted = Zone::with_class(zone.origin().clone(), zone.class());
        for record in &given {
            inserted.insert(record).map_err(|e| TestCaseError::fail(e.to_string()))?;
        }
        prop_assert_eq!(&inserted, &zone);
        let mut all = Zone::with_class(zone.origin().clone(), zone.class());
        let added = all.insert_all(&given).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(added, zone.len());
        prop_assert_eq!(&all, &zone);
        prop_assert_eq!(duplicates(&all), duplicates(&back));
    }

    #[test]
    fn parse_never_panics_on_arbitrary_strings(text in any::<String>()) {
        let _ = parse(&text, &ParseOptions::new());
    }

    #[test]
    fn parse_never_panics_on_zone_file_tokens(tokens in proptest::collection::vec(token(), 0..40)) {
        let text = tokens.join(" ");
        let origin = multiprimary::hickory_proto::rr::Name::root();
        let _ = parse(&text, &ParseOptions::new());
        let _ = parse(&text, &ParseOptions::new().origin(origin));
    }

    #[test]
    fn errors_point_inside_the_text(tokens in proptest::collection::vec(token(), 1..30)) {
        let text = tokens.join(" ");
        if let Err(error) = parse(&text, &ParseOptions::new()) {
            let lines = text.split('\n').count() as u32;
            prop_assert!(error.position().line >= 1 && error.position().line <= lines.max(1), "{error} in {text:?}");
            prop_assert!(error.position().column >= 1);
        }
    }
}

#[cfg(feature = "serde")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn zones_round_trip_through_serde_json(zone in strategy::zone()) {
        let json = serde_json::to_string(&zone).unwrap();
        let back: multiprimary::Zone = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}\n{json}")))?;
        prop_assert_eq!(&back, &zone);
        let ttls: Vec<u32> = zone.iter().map(|r| r.ttl()).collect();
        prop_assert_eq!(back.iter().map(|r| r.ttl()).collect::<Vec<_>>(), ttls);
    }
}

/// The template's self-referencing A and AAAA RRsets are projected per host; so is the
/// SOA MNAME. Everything else, compared as data.
#[derive(Debug, PartialEq, Eq)]
enum Shared {
    /// An SOA record without its MNAME: TTL, RNAME, serial, refresh, retry, expire, minimum.
    Soa(u32, Name, [u32; 5]),
    /// An RRset: its records as (TTL, wire data).
    Rrset(Vec<(u32, Vec<u8>)>),
}

/// Every RRset of `zone` outside `template`'s self-referencing A and AAAA RRsets, in
/// canonical order, the SOA without its MNAME.
fn shared_rrsets(template: &Template, zone: &Zone) -> Vec<(Name, RecordType, Shared)> {
    zone.rrsets()
        .filter(|(name, rrset)| {
            !(matches!(rrset.record_type(), RecordType::A | RecordType::AAAA)
                && template.is_self_name(name))
        })
        .flat_map(|(name, rrset)| {
            let record_type = rrset.record_type();
            if record_type == RecordType::SOA {
                rrset
                    .iter()
                    .zip(rrset.rdatas())
                    .map(|((ttl, data), rdata)| {
                        let shared = match rdata {
                            RData::SOA(soa) => Shared::Soa(
                                ttl,
                                soa.rname.clone(),
                                [
                                    soa.serial,
                                    soa.refresh as u32,
                                    soa.retry as u32,
                                    soa.expire as u32,
                                    soa.minimum,
                                ],
                            ),
                            _ => Shared::Rrset(vec![(ttl, data.to_vec())]),
                        };
                        (name.clone(), record_type, shared)
                    })
                    .collect::<Vec<_>>()
            } else {
                let records = rrset.iter().map(|(t, d)| (t, d.to_vec())).collect();
                vec![(name.clone(), record_type, Shared::Rrset(records))]
            }
        })
        .collect()
}

/// The addresses of the A and AAAA RRsets at `name`, sorted.
fn addresses_at(zone: &Zone, name: &Name) -> Vec<IpAddr> {
    let mut addresses: Vec<IpAddr> = [RecordType::A, RecordType::AAAA]
        .into_iter()
        .filter_map(|t| zone.rrset(name, t))
        .flat_map(|rrset| rrset.rdatas())
        .filter_map(|rdata| match rdata {
            RData::A(a) => Some(IpAddr::V4(a.0)),
            RData::AAAA(aaaa) => Some(IpAddr::V6(aaaa.0)),
            _ => None,
        })
        .collect();
    addresses.sort_unstable();
    addresses
}

/// The Error-severity problems of `zone`.
fn errors(zone: &Zone) -> Vec<String> {
    zone.validate()
        .into_iter()
        .filter(|p| p.severity() == Severity::Error)
        .map(|p| p.to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn valid_zones_have_no_errors_and_parse_back(zone in strategy::valid_zone()) {
        prop_assert_eq!(errors(&zone), Vec::<String>::new());
        let back = parse(&zone.to_string(), &ParseOptions::new()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, zone);
    }

    #[test]
    fn templates_are_valid_and_name_their_fleet((zone, fleet) in strategy::template()) {
        prop_assert_eq!(errors(&zone), Vec::<String>::new());
        let template = Template::new(zone);
        let origin = template.zone().origin().clone();
        let www = Name::from_ascii("www.example.").unwrap();
        prop_assert_eq!(template.self_names(), &[origin, www][..]);
        let (found, _warnings) = template.fleet(&[]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut expected: Vec<_> = fleet.hosts().to_vec();
        let mut found: Vec<_> = found.hosts().to_vec();
        expected.sort_by_key(|h| h.name().to_lowercase());
        found.sort_by_key(|h| h.name().to_lowercase());
        prop_assert_eq!(found, expected);
        // Templates round-trip through text too, placeholders included.
        let text = template.zone().to_string();
        let back = parse(&text, &ParseOptions::new().template(true)).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, template.zone());
    }

    #[test]
    fn projections_differ_only_in_self_rrsets_and_soa_mname((zone, fleet) in strategy::template()) {
        let template = Template::new(zone);
        let projections: Vec<Zone> = fleet.hosts().iter().map(|h| template.project(h).unwrap()).collect();
        let expected = shared_rrsets(&template, template.zone());
        for (i, first) in projections.iter().enumerate() {
            prop_assert_eq!(&shared_rrsets(&template, first), &expected);
            for second in projections.iter().skip(i + 1) {
                prop_assert_eq!(template.drift(first, second), vec![]);
                prop_assert_eq!(shared_rrsets(&template, first), shared_rrsets(&template, second));
            }
        }
    }

    #[test]
    fn every_non_self_record_of_the_template_is_in_every_projection((zone, fleet) in strategy::template()) {
        let template = Template::new(zone);
        for host in fleet.hosts() {
            let projection = template.project(host).unwrap();
            let soa = projection.rrset(projection.origin(), RecordType::SOA).unwrap();
            prop_assert_eq!(soa.len(), 1);
            match soa.rdatas().next() {
                Some(RData::SOA(soa)) => prop_assert_eq!(&soa.mname, host.name()),
                other => prop_assert!(false, "no SOA: {other:?}"),
            }
            prop_assert_eq!(projection.serial(), template.zone().serial());
            for record in template.zone().iter() {
                let owner = record.owner();
                let record_type = record.record_type();
                let is_self = matches!(record_type, RecordType::A | RecordType::AAAA) && template.is_self_name(owner);
                if is_self || record_type == RecordType::SOA {
                    continue;
                }
                let present = projection
                    .rrset(owner, record_type)
                    .is_some_and(|rrset| rrset.iter().any(|(ttl, data)| ttl == record.ttl() && data == record.data()));
                prop_assert!(present, "{record:?} missing from {}'s projection", host.name());
            }
        }
    }

    #[test]
    fn projection_is_deterministic_and_idempotent((zone, fleet) in strategy::template()) {
        let template = Template::new(zone);
        let options = template
            .self_names()
            .iter()
            .fold(TemplateOptions::new(), |options, name| options.self_name(name.clone()));
        for host in fleet.hosts() {
            let projection = template.project(host).unwrap();
            let again = Template::new(template.zone().clone()).project(host).unwrap();
            prop_assert_eq!(&again, &projection);
            prop_assert_eq!(again.to_string(), projection.to_string());
            let reprojected = Template::with_options(projection.clone(), &options).project(host).unwrap();
            prop_assert_eq!(reprojected.to_string(), projection.to_string());
            prop_assert_eq!(&reprojected, &projection);
            // With the names a projection implies (apex and www).
            prop_assert_eq!(&Template::new(projection.clone()).project(host).unwrap(), &projection);
        }
    }

    #[test]
    fn projections_and_degraded_projections_validate((zone, fleet) in strategy::template()) {
        let template = Template::new(zone);
        for host in fleet.hosts() {
            prop_assert_eq!(errors(&template.project(host).unwrap()), Vec::<String>::new(), "projection for {}", host);
            prop_assert_eq!(errors(&template.degraded(&fleet, host).unwrap()), Vec::<String>::new(), "degraded for {}", host);
        }
    }

    #[test]
    fn self_names_carry_exactly_the_hosts_addresses((zone, fleet) in strategy::template()) {
        let template = Template::new(zone);
        for host in fleet.hosts() {
            let projection = template.project(host).unwrap();
            for name in template.self_names() {
                prop_assert_eq!(addresses_at(&projection, name), host.addresses().to_vec(), "{} for {}", name, host);
                prop_assert!(projection.iter().all(|r| !r.is_placeholder()));
            }
        }
    }

    #[test]
    fn degraded_projections_never_point_at_their_own_host((zone, fleet) in strategy::template()) {
        let template = Template::new(zone);
        for host in fleet.hosts() {
            let degraded = template.degraded(&fleet, host).unwrap();
            let mut others: Vec<IpAddr> = fleet
                .hosts()
                .iter()
                .filter(|h| h.name() != host.name())
                .flat_map(|h| h.addresses().iter().copied())
                .collect();
            others.sort_unstable();
            for name in template.self_names() {
                let at = addresses_at(&degraded, name);
                prop_assert!(at.iter().all(|a| !host.addresses().contains(a)), "{} holds {:?} of {}", name, at, host);
                prop_assert_eq!(at, others.clone(), "{} for {}", name, host);
            }
            prop_assert_eq!(template.drift(&template.project(host).unwrap(), &degraded), vec![]);
        }
    }

    #[test]
    fn projections_written_in_one_pass_are_each_projection_written_alone(
        (zone, fleet) in strategy::template(),
        extra in proptest::sample::subsequence(vec!["MAIL.example.", "www.example.", "a.b.example.", "example."], 0..=4),
    ) {
        let mut options = TemplateOptions::new();
        for name in extra {
            options = options.self_name(Name::from_ascii(name).unwrap());
        }
        let template = Template::with_options(zone, &options);
        let mut targets: Vec<(&Host, String)> = fleet.hosts().iter().map(|h| (h, String::new())).collect();
        template.write_projections(&mut targets).unwrap();
        for (host, text) in &targets {
            prop_assert_eq!(text, &template.project(host).unwrap().to_string(), "{}", host);
        }
    }

    #[test]
    fn projections_round_trip_through_text((zone, fleet) in strategy::template()) {
        let template = Template::new(zone);
        for host in fleet.hosts() {
            for projection in [template.project(host).unwrap(), template.degraded(&fleet, host).unwrap()] {
                let text = projection.to_string();
                let back = parse(&text, &ParseOptions::new()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
                prop_assert_eq!(&back, &projection);
                let ttls: Vec<u32> = projection.iter().map(|r| r.ttl()).collect();
                prop_assert_eq!(back.iter().map(|r| r.ttl()).collect::<Vec<_>>(), ttls);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn axfr_streams_decode_to_the_same_zone_with_ttls(zone in strategy::zone(), id in any::<u16>()) {
        let messages = multiprimary::wire::encode_axfr(&zone, id).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = multiprimary::wire::decode_axfr(messages.iter().map(Vec::as_slice))
            .map_err(|e| TestCaseError::fail(format!("{e}\n{zone}")))?;
        prop_assert_eq!(&back, &zone);
        // `Zone ==` compares TTLs too (and names in data case-insensitively: a compressed
        // name takes the case of the name it points to); say so record by record.
        let records = |zone: &Zone| {
            zone.iter()
                .map(|r| (r.owner().to_lowercase().to_string(), r.record_type(), r.ttl()))
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(records(&back), records(&zone));
    }
}
