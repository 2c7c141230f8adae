//! Property tests: zone text round trips, and the parser never panics.

use multiprimary::strategy;
use multiprimary::text::{ParseOptions, parse};
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
