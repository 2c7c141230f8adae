//! The answer path against hand-checked expectations, read back with hickory-proto.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // test helpers may panic

use multiprimary::hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use multiprimary::hickory_proto::rr::{DNSClass, Name, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{AnswerError, AnswerTable, Transport};

fn table() -> AnswerTable {
    let zone = parse(
        include_str!("data/answer.zone"),
        &ParseOptions::new().file_name("answer.zone"),
    )
    .unwrap();
    AnswerTable::compile(&zone).unwrap()
}

fn query(name: &str, record_type: RecordType, edns: Option<u16>) -> Vec<u8> {
    let mut message = Message::new(0xbeef, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(Name::from_ascii(name).unwrap(), record_type));
    if let Some(payload) = edns {
        let mut edns = Edns::new();
        edns.set_max_payload(payload);
        message.set_edns(edns);
    }
    message.to_vec().unwrap()
}

fn ask(table: &AnswerTable, bytes: &[u8], transport: Transport) -> (Message, usize) {
    let mut out = [0u8; 65535];
    let len = table.answer(bytes, transport, &mut out).unwrap();
    (Message::from_vec(&out[..len]).unwrap(), len)
}

fn udp(name: &str, record_type: RecordType) -> Message {
    ask(&table(), &query(name, record_type, None), Transport::Udp).0
}

fn section(records: &[multiprimary::hickory_proto::rr::Record]) -> Vec<String> {
    let mut lines: Vec<String> = records.iter().map(|r| r.to_string()).collect();
    lines.sort();
    lines
}

#[test]
fn a_hit_is_authoritative_with_every_record_of_the_rrset() {
    let response = udp("www.example.", RecordType::A);
    assert_eq!(response.metadata.id, 0xbeef);
    assert_eq!(response.metadata.message_type, MessageType::Response);
    assert!(response.metadata.authoritative);
    assert!(response.metadata.recursion_desired, "RD is copied");
    assert!(!response.metadata.recursion_available);
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    assert_eq!(
        section(&response.answers),
        [
            "www.example. 300 IN A 192.0.2.80",
            "www.example. 300 IN A 192.0.2.81"
        ]
    );
    assert!(
        response.authorities.is_empty(),
        "no NS RRset in authority (minimal responses)"
    );
    assert!(response.additionals.is_empty());
}

#[test]
fn nodata_and_nxdomain_carry_the_soa_with_the_rfc_2308_ttl() {
    for (name, code) in [
        ("www.example.", ResponseCode::NoError),
        ("nope.example.", ResponseCode::NXDomain),
    ] {
        let response = udp(name, RecordType::MX);
        assert!(response.metadata.authoritative);
        assert_eq!(response.metadata.response_code, code, "{name}");
        assert!(response.answers.is_empty());
        assert_eq!(response.authorities.len(), 1);
        let soa = &response.authorities[0];
        assert_eq!(soa.record_type(), RecordType::SOA);
        assert_eq!(soa.name, Name::from_ascii("example.").unwrap());
        assert_eq!(soa.ttl, 120, "min(SOA TTL 3600, MINIMUM 120)");
    }
}

#[test]
fn cname_chains_are_followed_inside_the_zone() {
    let response = udp("chain.example.", RecordType::A);
    assert_eq!(
        response
            .answers
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>(),
        [
            "chain.example. 300 IN CNAME alias.example.",
            "alias.example. 300 IN CNAME www.example.",
            "www.example. 300 IN A 192.0.2.80",
            "www.example. 300 IN A 192.0.2.81",
        ]
    );
    let response = udp("out.example.", RecordType::A);
    assert_eq!(
        section(&response.answers),
        ["out.example. 300 IN CNAME www.other.net."]
    );
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    // A chain ending at a name that does not exist: NXDOMAIN with the CNAME (RFC 6604).
    let response = udp("dangling.example.", RecordType::A);
    assert_eq!(response.metadata.response_code, ResponseCode::NXDomain);
    assert_eq!(response.answers.len(), 1);
    assert_eq!(response.authorities[0].record_type(), RecordType::SOA);
    // Asking for the CNAME itself does not follow it.
    let response = udp("alias.example.", RecordType::CNAME);
    assert_eq!(
        section(&response.answers),
        ["alias.example. 300 IN CNAME www.example."]
    );
}

#[test]
fn cname_loops_stop_where_they_come_back() {
    // RFC 1034 §3.6.2; no RRset twice in one answer (RFC 2181 §5).
    let response = udp("loop1.example.", RecordType::A);
    assert_eq!(
        response
            .answers
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>(),
        [
            "loop1.example. 300 IN CNAME loop2.example.",
            "loop2.example. 300 IN CNAME loop1.example."
        ]
    );
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
}

#[test]
fn long_cname_chains_stop_at_the_chain_limit() {
    // c1 -> c2 -> ... -> c11 A: ten CNAMEs, of which MAX_CHAIN + 1 are followed.
    let response = udp("c1.example.", RecordType::A);
    assert_eq!(response.answers.len(), multiprimary::MAX_CHAIN + 1);
    assert!(
        response
            .answers
            .iter()
            .all(|r| r.record_type() == RecordType::CNAME)
    );
    let response = udp("c3.example.", RecordType::A);
    assert_eq!(response.answers.len(), 9, "eight CNAMEs and the A");
    assert_eq!(
        response.answers.last().unwrap().to_string(),
        "c11.example. 300 IN A 192.0.2.11"
    );
}

#[test]
fn dname_synthesizes_a_cname_and_follows_it_in_the_zone() {
    let response = udp("x.Dn.example.", RecordType::A);
    assert!(response.metadata.authoritative);
    // hickory-proto has no DNAME type: compare its data as octets.
    assert_eq!(response.answers.len(), 2);
    assert_eq!(response.answers[0].name.to_string(), "Dn.example.");
    assert_eq!(response.answers[0].record_type(), RecordType::DNAME);
    let mut data = Vec::new();
    let mut encoder = multiprimary::hickory_proto::serialize::binary::BinEncoder::new(&mut data);
    multiprimary::hickory_proto::serialize::binary::BinEncodable::emit(
        &response.answers[0].data,
        &mut encoder,
    )
    .unwrap();
    assert_eq!(data, b"\x06target\x00");
    assert_eq!(
        response.answers[1].to_string(),
        "x.Dn.example. 300 IN CNAME x.target."
    );
    let response = udp("www.inner.example.", RecordType::A);
    assert_eq!(response.answers.len(), 2);
    assert_eq!(response.answers[0].record_type(), RecordType::DNAME);
    assert_eq!(
        response.answers[1].to_string(),
        "www.inner.example. 300 IN CNAME www.www.example."
    );
    assert_eq!(
        response.metadata.response_code,
        ResponseCode::NXDomain,
        "www.www.example. does not exist"
    );
    // The DNAME owner itself is not rewritten.
    let response = udp("dn.example.", RecordType::DNAME);
    assert_eq!(response.answers.len(), 1);
    assert_eq!(response.answers[0].name.to_string(), "dn.example.");
}

#[test]
fn dname_whose_result_is_too_long_is_yxdomain() {
    // long.example. DNAME has a 199-octet target: a 2-octet prefix fits, a 64-octet one
    // makes 263 octets (RFC 6672 §2.2).
    let response = udp("y.long.example.", RecordType::A);
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    assert_eq!(response.answers.len(), 2);
    let long = format!("{}.long.example.", "x".repeat(63));
    let response = udp(&long, RecordType::A);
    assert_eq!(response.metadata.response_code, ResponseCode::YXDomain);
    assert_eq!(response.answers.len(), 1, "the DNAME alone");
    assert_eq!(response.answers[0].record_type(), RecordType::DNAME);
}

#[test]
fn wildcards_answer_only_names_that_do_not_exist() {
    let response = udp("Foo.wild.example.", RecordType::TXT);
    assert!(response.metadata.authoritative);
    assert_eq!(
        section(&response.answers),
        ["Foo.wild.example. 300 IN TXT wildcard"]
    );
    let response = udp("a.b.wild.example.", RecordType::A);
    assert_eq!(
        section(&response.answers),
        ["a.b.wild.example. 300 IN A 192.0.2.99"],
        "below the wildcard too"
    );
    let response = udp("here.wild.example.", RecordType::A);
    assert!(
        response.answers.is_empty(),
        "an existing name is not matched (RFC 4592 §2.2.1)"
    );
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    let response = udp("x.wild.example.", RecordType::MX);
    assert!(response.answers.is_empty(), "NODATA from the wildcard");
    assert_eq!(response.metadata.response_code, ResponseCode::NoError);
    // b.ent.example. is an empty non-terminal: it blocks *.ent for names below it.
    let response = udp("x.b.ent.example.", RecordType::A);
    assert_eq!(response.metadata.response_code, ResponseCode::NXDomain);
    let response = udp("b.ent.example.", RecordType::A);
    assert_eq!(
        response.metadata.response_code,
        ResponseCode::NoError,
        "an empty non-terminal exists"
    );
    assert!(response.answers.is_empty());
    let response = udp("y.ent.example.", RecordType::A);
    assert_eq!(
        section(&response.answers),
        ["y.ent.example. 300 IN A 192.0.2.8"]
    );
}

#[test]
fn names_below_a_cut_get_a_referral_with_glue() {
    for name in ["sub.example.", "host.sub.example.", "ns.sub.example."] {
        let response = udp(name, RecordType::A);
        assert!(!response.metadata.authoritative, "{name}");
        assert_eq!(response.metadata.response_code, ResponseCode::NoError);
        assert!(response.answers.is_empty());
        assert_eq!(
            section(&response.authorities),
            [
                "sub.example. 300 IN NS ns.other.net.",
                "sub.example. 300 IN NS ns.sub.example."
            ]
        );
        assert_eq!(
            section(&response.additionals),
            ["ns.sub.example. 300 IN A 192.0.2.54"]
        );
    }
    // DS is the parent's: answered with authority.
    let response = udp("sub.example.", RecordType::DS);
    assert!(response.metadata.authoritative);
    assert_eq!(response.answers.len(), 1);
    assert_eq!(response.answers[0].record_type(), RecordType::DS);
}

#[test]
fn additional_section_has_in_zone_addresses_of_ns_mx_and_srv_targets() {
    let response = udp("example.", RecordType::MX);
    assert_eq!(
        section(&response.additionals),
        ["mail.example. 300 IN A 192.0.2.25"]
    );
    let response = udp("example.", RecordType::NS);
    assert_eq!(
        section(&response.additionals),
        [
            "ns1.example. 300 IN A 192.0.2.53",
            "ns1.example. 300 IN AAAA 2001:db8::53"
        ]
    );
    let response = udp("_sip._udp.example.", RecordType::SRV);
    assert_eq!(
        section(&response.additionals),
        ["mail.example. 300 IN A 192.0.2.25"]
    );
}

#[test]
fn outside_the_zone_is_refused_and_other_classes_too() {
    let response = udp("www.other.net.", RecordType::A);
    assert_eq!(response.metadata.response_code, ResponseCode::Refused);
    assert!(!response.metadata.authoritative);
    let response = udp("xexample.", RecordType::A);
    assert_eq!(
        response.metadata.response_code,
        ResponseCode::Refused,
        "a suffix that is not a label boundary"
    );
    let mut message = Message::from_vec(&query("www.example.", RecordType::A, None)).unwrap();
    message.queries[0].set_query_class(DNSClass::CH);
    let (response, _) = ask(&table(), &message.to_vec().unwrap(), Transport::Udp);
    assert_eq!(response.metadata.response_code, ResponseCode::Refused);
}

#[test]
fn malformed_queries_get_formerr_and_other_opcodes_notimp() {
    let table = table();
    let mut two = Message::from_vec(&query("www.example.", RecordType::A, None)).unwrap();
    two.add_query(Query::query(
        Name::from_ascii("example.").unwrap(),
        RecordType::A,
    ));
    let (response, _) = ask(&table, &two.to_vec().unwrap(), Transport::Udp);
    assert_eq!(response.metadata.response_code, ResponseCode::FormErr);
    assert_eq!(response.metadata.id, 0xbeef);
    let mut bytes = query("www.example.", RecordType::A, None);
    bytes.truncate(15);
    let mut out = [0u8; 512];
    let len = table.answer(&bytes, Transport::Udp, &mut out).unwrap();
    let response = Message::from_vec(&out[..len]).unwrap();
    assert_eq!(response.metadata.response_code, ResponseCode::FormErr);
    assert!(response.queries.is_empty());
    let mut notify = query("example.", RecordType::SOA, None);
    notify[2] = (notify[2] & 0x87) | (4 << 3);
    let len = table.answer(&notify, Transport::Udp, &mut out).unwrap();
    let response = Message::from_vec(&out[..len]).unwrap();
    assert_eq!(response.metadata.response_code, ResponseCode::NotImp);
    assert_eq!(response.metadata.op_code, OpCode::Notify);
    assert_eq!(response.queries.len(), 1, "the question is echoed");
}

#[test]
fn edns_is_echoed_with_our_payload_and_badvers_above_version_0() {
    let table = table();
    let (response, _) = ask(
        &table,
        &query("www.example.", RecordType::A, Some(4096)),
        Transport::Udp,
    );
    let edns = response.edns.expect("OPT echoed");
    assert_eq!(edns.max_payload(), 1232);
    assert_eq!(edns.version(), 0);
    let mut message = Message::from_vec(&query("www.example.", RecordType::A, Some(1232))).unwrap();
    message.edns.as_mut().unwrap().set_version(1);
    message.edns.as_mut().unwrap().set_dnssec_ok(true);
    let (response, _) = ask(&table, &message.to_vec().unwrap(), Transport::Udp);
    // BADVERS is 16: extended RCODE 1 in the OPT, 0 in the header (RFC 6891 §6.1.3).
    // hickory-proto names 16 BADSIG, which shares the value.
    assert_eq!(u16::from(response.metadata.response_code), 16);
    assert!(response.answers.is_empty());
    assert_eq!(response.queries.len(), 1, "the question is kept");
    assert!(
        response.edns.as_ref().unwrap().flags().dnssec_ok,
        "DO echoed"
    );
}

#[test]
fn udp_responses_respect_the_client_limit_and_tcp_never_truncates() {
    let table = table();
    let (response, len) = ask(
        &table,
        &query("big.example.", RecordType::TXT, None),
        Transport::Udp,
    );
    assert!(len <= 512);
    assert!(response.metadata.truncation);
    assert!(response.answers.is_empty(), "TC with an empty answer");
    let (response, len) = ask(
        &table,
        &query("big.example.", RecordType::TXT, Some(1232)),
        Transport::Udp,
    );
    assert!(len <= 1232);
    assert!(!response.metadata.truncation);
    assert_eq!(response.answers.len(), 6);
    let (response, _) = ask(
        &table,
        &query("big.example.", RecordType::TXT, None),
        Transport::Tcp,
    );
    assert!(!response.metadata.truncation);
    assert_eq!(response.answers.len(), 6);
}

#[test]
fn any_is_answered_with_one_rrset() {
    let response = udp("www.example.", RecordType::ANY);
    let types: std::collections::BTreeSet<RecordType> =
        response.answers.iter().map(|r| r.record_type()).collect();
    assert_eq!(types.len(), 1, "RFC 8482: one RRset");
    assert!(response.metadata.authoritative);
}

#[test]
fn the_question_keeps_the_case_it_was_asked_in() {
    let bytes = query("wWw.ExAmPlE.", RecordType::A, None);
    let mut out = [0u8; 512];
    let len =
        multiprimary::AnswerTable::answer(&table(), &bytes, Transport::Udp, &mut out).unwrap();
    assert_eq!(&out[12..12 + 14], &bytes[12..12 + 14]);
    let response = Message::from_vec(&out[..len]).unwrap();
    assert_eq!(response.answers.len(), 2);
}

#[test]
fn unanswerable_input_is_an_error_not_a_panic() {
    let table = table();
    let mut out = [0u8; 512];
    assert_eq!(
        table.answer(&[], Transport::Udp, &mut out),
        Err(AnswerError::ShortQuery { len: 0 })
    );
    assert_eq!(
        table.answer(&[1], Transport::Udp, &mut out),
        Err(AnswerError::ShortQuery { len: 1 })
    );
    let mut response = query("www.example.", RecordType::A, None);
    response[2] |= 0x80;
    assert_eq!(
        table.answer(&response, Transport::Udp, &mut out),
        Err(AnswerError::NotQuery)
    );
    let mut tiny = [0u8; 20];
    assert!(matches!(
        table.answer(
            &query("www.example.", RecordType::A, None),
            Transport::Udp,
            &mut tiny
        ),
        Err(AnswerError::BufferTooSmall { .. })
    ));
}

/// A response truncated part way through a chain keeps the RCODE the whole answer has
/// (found by the reference property test with a random seed: a DNAME chain too long for
/// 512 octets, ending in YXDOMAIN, came back NOERROR with TC).
#[test]
fn a_truncated_chain_keeps_the_rcode_of_the_whole_answer() {
    let label = |c: char| c.to_string().repeat(63);
    let long = |c: char, labels: usize| vec![label(c); labels].join(".");
    let text = format!(
        "$ORIGIN example.\n@ 60 SOA ns h 1 2 3 4 5\n@ 60 NS ns\nns 60 A 192.0.2.1\n\
         q 60 CNAME {a}\n{a} 60 CNAME {b}\n{b} 60 CNAME {c}\n\
         d 60 DNAME {m}\n{m} 60 DNAME {n}\n",
        a = long('a', 3),
        b = long('b', 3),
        c = long('c', 3),
        m = long('m', 2),
        n = long('n', 3),
    );
    let zone = parse(&text, &ParseOptions::new()).unwrap();
    let table = AnswerTable::compile(&zone).unwrap();
    let below_d = format!("{}.d.example.", label('x'));
    for (name, rcode) in [
        // q → a… → b… → c…, which does not exist: a Name Error (RFC 6604).
        ("q.example.", ResponseCode::NXDomain),
        // x.d → x.m….m… (201 octets), under the second DNAME, whose 201-octet target
        // makes x.n….n….n…. 265 octets: YXDOMAIN (RFC 6672 §2.2).
        (below_d.as_str(), ResponseCode::YXDomain),
    ] {
        let (whole, len) = ask(&table, &query(name, RecordType::A, None), Transport::Tcp);
        assert_eq!(whole.metadata.response_code, rcode, "{name} over TCP");
        assert!(
            len > 512,
            "{name}: the whole answer ({len} octets) fits UDP"
        );
        let (cut, _) = ask(&table, &query(name, RecordType::A, None), Transport::Udp);
        assert!(cut.metadata.truncation, "{name}: no TC over UDP");
        assert_eq!(cut.metadata.response_code, rcode, "{name} over UDP");
    }
}
