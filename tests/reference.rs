//! `AnswerTable::answer` against a slow reference answerer built on hickory's `Message`
//! (`support/reference.rs`), on a fixed zone and on generated zones full of wildcards,
//! empty non-terminals, zone cuts with glue, DNAMEs and CNAME chains; and `answer` on
//! arbitrary and mutated bytes, which must never panic nor break the size limits.
// Test helpers outside #[test] functions may panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/reference.rs"]
mod reference;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

use multiprimary::hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
use multiprimary::hickory_proto::rr::{DNSClass, Name, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{AnswerError, AnswerTable, EDNS_PAYLOAD, Transport, Zone};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use reference::Expected;

// ---------------------------------------------------------------------------------------
// Queries and the comparison.

/// A query as the tests build it.
#[derive(Debug, Clone)]
struct Ask {
    name: Name,
    record_type: RecordType,
    class: DNSClass,
    /// Payload, DO, version.
    edns: Option<(u16, bool, u8)>,
    transport: Transport,
    id: u16,
    recursion_desired: bool,
    checking_disabled: bool,
}

impl Ask {
    fn new(name: &str, record_type: RecordType) -> Self {
        Self {
            name: Name::from_ascii(name).unwrap(),
            record_type,
            class: DNSClass::IN,
            edns: None,
            transport: Transport::Udp,
            id: 0xbeef,
            recursion_desired: true,
            checking_disabled: false,
        }
    }

    fn bytes(&self) -> Vec<u8> {
        let mut message = Message::new(self.id, MessageType::Query, OpCode::Query);
        message.metadata.recursion_desired = self.recursion_desired;
        message.metadata.checking_disabled = self.checking_disabled;
        let mut query = Query::query(self.name.clone(), self.record_type);
        query.set_query_class(self.class);
        message.add_query(query);
        if let Some((payload, dnssec_ok, version)) = self.edns {
            let mut edns = Edns::new();
            edns.set_max_payload(payload);
            edns.set_dnssec_ok(dnssec_ok);
            edns.set_version(version);
            message.set_edns(edns);
        }
        message.to_vec().unwrap()
    }
}

impl std::fmt::Display for Ask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} {} over {:?}",
            self.name, self.class, self.record_type, self.transport
        )?;
        match self.edns {
            Some((payload, dnssec_ok, version)) => write!(
                f,
                ", EDNS version {version} payload {payload}{}",
                if dnssec_ok { " DO" } else { "" }
            ),
            None => write!(f, ", no EDNS"),
        }
    }
}

/// Asks the table and the reference; on disagreement, a report with the zone text, the
/// query and both responses.
fn compare(zone_text: &str, zone: &Zone, table: &AnswerTable, ask: &Ask) -> Result<(), String> {
    let bytes = ask.bytes();
    let mut out = vec![0u8; 65_535];
    let len = table
        .answer(&bytes, ask.transport, &mut out)
        .map_err(|e| format!("answer failed: {e}"))?;
    let fast = &out[..len];
    let expected = reference::answer(zone, &bytes, ask.transport).expect("a valid query");
    reference::check(fast, &expected).map_err(|why| report(zone_text, ask, fast, &expected, &why))
}

fn report(zone_text: &str, ask: &Ask, fast: &[u8], expected: &Expected, why: &str) -> String {
    let mut text = format!(
        "{why}\n--- zone\n{zone_text}--- query\n{ask}\n--- fast path ({} octets)\n",
        fast.len()
    );
    match Message::from_vec(fast) {
        Ok(message) => {
            let _ = write!(text, "{message}");
        }
        Err(e) => {
            let _ = writeln!(text, "unreadable ({e}): {fast:02x?}");
        }
    }
    for (i, message) in expected.responses.iter().enumerate() {
        let _ = write!(
            text,
            "--- reference {} of {} (limit {})\n{message}",
            i + 1,
            expected.responses.len(),
            expected.limit
        );
    }
    text
}

/// `cases` cases (or `PROPTEST_CASES`), and no regression files written beside the
/// sources (the minimal cases found are kept as plain tests instead).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------
// The fixed zone of tests/answer.rs.

const ANSWER_ZONE: &str = include_str!("data/answer.zone");

fn answer_zone() -> &'static (Zone, AnswerTable) {
    static TABLE: OnceLock<(Zone, AnswerTable)> = OnceLock::new();
    TABLE.get_or_init(|| {
        let zone = parse(ANSWER_ZONE, &ParseOptions::new().file_name("answer.zone")).unwrap();
        let table = AnswerTable::compile(&zone).unwrap();
        (zone, table)
    })
}

const TYPES: [RecordType; 12] = [
    RecordType::A,
    RecordType::AAAA,
    RecordType::TXT,
    RecordType::MX,
    RecordType::NS,
    RecordType::CNAME,
    RecordType::DNAME,
    RecordType::DS,
    RecordType::SOA,
    RecordType::SRV,
    RecordType::ANY,
    RecordType::Unknown(65_000),
];

#[test]
fn reference_agrees_on_every_name_and_type_of_the_answer_zone() {
    let (zone, table) = answer_zone();
    let long = "x".repeat(63);
    let mut names: Vec<String> = zone.names().map(ToString::to_string).collect();
    let extra = [
        "b.ent.example.",
        "x.b.ent.example.",
        "y.ent.example.",
        "Foo.wild.example.",
        "a.b.wild.example.",
        "*.wild.example.",
        "x.*.wild.example.",
        "host.sub.example.",
        "a.ns.sub.example.",
        "x.Dn.example.",
        "a.b.dn.example.",
        "www.inner.example.",
        "WWW.INNER.EXAMPLE.",
        "mail.inner.example.",
        "y.long.example.",
        "nope.example.",
        "a.nope.example.",
        "www.other.net.",
        "xexample.",
        ".",
    ];
    names.extend(extra.iter().map(|n| (*n).to_owned()));
    names.push(format!("{long}.long.example."));
    names.push(format!("{long}.dn.example."));
    let mut failures = Vec::new();
    let mut count = 0;
    for name in &names {
        for record_type in TYPES {
            for (transport, edns) in [
                (Transport::Udp, None),
                (Transport::Udp, Some((1232, false, 0))),
                (Transport::Tcp, None),
                (Transport::Udp, Some((4096, true, 1))),
            ] {
                let mut ask = Ask::new(name, record_type);
                ask.transport = transport;
                ask.edns = edns;
                count += 1;
                if let Err(report) = compare(ANSWER_ZONE, zone, table, &ask) {
                    failures.push(report);
                }
            }
        }
    }
    assert!(count > 1000);
    assert!(
        failures.is_empty(),
        "{} of {count} queries disagree; the first:\n{}",
        failures.len(),
        failures[0]
    );
}

#[test]
fn reference_knows_the_answer_zone_outcomes() {
    // The reference itself, on outcomes tests/answer.rs checks by hand.
    let (zone, _) = answer_zone();
    let ask = |name: &str, record_type| {
        let bytes = Ask::new(name, record_type).bytes();
        reference::answer(zone, &bytes, Transport::Tcp)
            .unwrap()
            .responses
    };
    let chain = &ask("chain.example.", RecordType::A)[0];
    assert_eq!(chain.answers.len(), 4);
    assert!(chain.metadata.authoritative);
    let looped = &ask("loop1.example.", RecordType::A)[0];
    assert_eq!(
        looped.answers.len(),
        2,
        "the loop stops where it comes back"
    );
    let long = &ask("c1.example.", RecordType::A)[0];
    assert_eq!(long.answers.len(), multiprimary::MAX_CHAIN + 1);
    let referral = &ask("host.sub.example.", RecordType::A)[0];
    assert!(!referral.metadata.authoritative);
    assert_eq!(referral.authorities.len(), 2);
    assert_eq!(referral.additionals.len(), 1);
    let blocked = &ask("x.b.ent.example.", RecordType::A)[0];
    assert_eq!(
        blocked.metadata.response_code,
        multiprimary::hickory_proto::op::ResponseCode::NXDomain
    );
    assert_eq!(blocked.authorities[0].ttl, 120);
    let yx = &ask(&format!("{}.long.example.", "x".repeat(63)), RecordType::A)[0];
    assert_eq!(
        yx.metadata.response_code,
        multiprimary::hickory_proto::op::ResponseCode::YXDomain
    );
    assert_eq!(ask("www.example.", RecordType::ANY).len(), 2, "A or AAAA");
}

// ---------------------------------------------------------------------------------------
// Generated zones: a small vocabulary of labels, so that queries meet wildcards, empty
// non-terminals, cuts, DNAMEs and chains.

const LABELS: [&str; 6] = ["a", "b", "c", "*", "ns", "x"];
const OUTSIDE: [&str; 3] = ["other.net.", "mx.other.net.", "Example.NET."];

/// A target name in record data.
#[derive(Debug, Clone)]
enum Target {
    /// Labels from [`LABELS`] under the origin (none: the apex).
    In(Vec<usize>),
    /// The owner of the generated record of this index (modulo their number), so that
    /// targets often exist.
    Owner(usize),
    Out(usize),
    /// 218 octets outside the zone: a DNAME to it overflows with a 63-octet prefix.
    LongOut,
    /// 188 octets inside the zone.
    LongIn,
}

impl Target {
    fn text(&self) -> String {
        match self {
            Self::In(labels) => absolute(&words(labels), false),
            Self::Owner(_) => unreachable!("build resolves owners first"),
            Self::Out(i) => OUTSIDE[*i].to_owned(),
            Self::LongOut => format!(
                "{}.{}.{}.{}.net.",
                "a".repeat(63),
                "b".repeat(63),
                "c".repeat(63),
                "d".repeat(20)
            ),
            Self::LongIn => format!(
                "{}.{}.{}.example.",
                "a".repeat(63),
                "b".repeat(63),
                "c".repeat(50)
            ),
        }
    }

    /// Its labels below the origin, if it is in the zone.
    fn inside(&self) -> Option<Vec<String>> {
        match self {
            Self::In(labels) => Some(words(labels)),
            Self::Owner(_) => unreachable!("build resolves owners first"),
            Self::LongIn => Some(vec!["a".repeat(63), "b".repeat(63), "c".repeat(50)]),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
enum Kind {
    A(u8),
    Aaaa(u8),
    Txt(u8, bool),
    Mx(u16, Target),
    Srv(u16, Target),
    Ns(Target),
    Cname(Target),
    Dname(Target),
    Ds(u16),
}

impl Kind {
    fn record_type(&self) -> &'static str {
        match self {
            Self::A(_) => "A",
            Self::Aaaa(_) => "AAAA",
            Self::Txt(..) => "TXT",
            Self::Mx(..) => "MX",
            Self::Srv(..) => "SRV",
            Self::Ns(_) => "NS",
            Self::Cname(_) => "CNAME",
            Self::Dname(_) => "DNAME",
            Self::Ds(_) => "DS",
        }
    }

    fn data(&self) -> String {
        match self {
            Self::A(n) => format!("192.0.2.{n}"),
            Self::Aaaa(n) => format!("2001:db8::{n:x}"),
            Self::Txt(n, false) => format!("\"t{n}\""),
            Self::Txt(n, true) => format!("\"{}{n}\"", "t".repeat(200)),
            Self::Mx(preference, target) => format!("{preference} {}", target.text()),
            Self::Srv(port, target) => format!("1 2 {port} {}", target.text()),
            Self::Ns(target) | Self::Cname(target) | Self::Dname(target) => target.text(),
            Self::Ds(tag) => format!("{tag} 13 2 {}", "AB".repeat(32)),
        }
    }

    fn target(&self) -> Option<&Target> {
        match self {
            Self::Mx(_, t) | Self::Srv(_, t) | Self::Ns(t) | Self::Cname(t) | Self::Dname(t) => {
                Some(t)
            }
            _ => None,
        }
    }
}

/// One generated record: owner labels (leftmost first), owner in upper case, TTL, data.
type RecordSpec = (Vec<usize>, bool, u32, Kind);

/// Which zones the generator may build: every valid zone, or one without the shapes the
/// fast path is known to answer wrongly (see the ignored properties).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shapes {
    /// DNAMEs at or below a zone cut.
    dnames_under_cuts: bool,
    /// MX and SRV targets at a zone cut's own name.
    targets_at_cuts: bool,
}

const ALL: Shapes = Shapes {
    dnames_under_cuts: true,
    targets_at_cuts: true,
};

/// A generated zone: its text, and the names worth asking about (labels below the origin,
/// leftmost first).
#[derive(Debug, Clone)]
struct ZoneSpec {
    text: String,
    names: Vec<Vec<String>>,
}

fn words(labels: &[usize]) -> Vec<String> {
    labels.iter().map(|&i| LABELS[i].to_owned()).collect()
}

fn absolute(labels: &[String], upper: bool) -> String {
    let mut text = String::new();
    for label in labels {
        text.push_str(&if upper {
            label.to_uppercase()
        } else {
            label.clone()
        });
        text.push('.');
    }
    text.push_str("example.");
    text
}

fn is_below(name: &[String], ancestor: &[String]) -> bool {
    name.len() > ancestor.len() && name.ends_with(ancestor)
}

/// Builds the zone text from the apex settings and records, keeping only records that
/// keep the zone valid (as `strategy::valid_zone` does): no CNAME beside other data, one
/// DNAME per name and nothing below it, no NS or DNAME at a wildcard (whose meaning
/// RFC 4592 §4.2 and §4.4 leave open), one TTL per RRset.
fn build(
    (soa_ttl, minimum, second_ns, ns_aaaa): (u32, u32, bool, bool),
    mut records: Vec<RecordSpec>,
    shapes: Shapes,
) -> ZoneSpec {
    let owners: Vec<Vec<usize>> = records.iter().map(|(owner, ..)| owner.clone()).collect();
    for (_, _, _, kind) in &mut records {
        if let Kind::Mx(_, t) | Kind::Srv(_, t) | Kind::Ns(t) | Kind::Cname(t) | Kind::Dname(t) =
            kind
            && let Target::Owner(k) = t
        {
            *t = Target::In(owners[*k % owners.len()].clone());
        }
    }
    let mut text = format!(
        "example. {soa_ttl} IN SOA ns.example. hostmaster.example. 1 7200 3600 1209600 {minimum}\n\
         example. {soa_ttl} IN NS ns.example.\n\
         ns.example. 300 IN A 192.0.2.53\n"
    );
    if second_ns {
        text.push_str(&format!("example. {soa_ttl} IN NS ns.other.net.\n"));
    }
    if ns_aaaa {
        text.push_str("ns.example. 300 IN AAAA 2001:db8::53\n");
    }
    let mut model: BTreeMap<Vec<String>, BTreeMap<&'static str, u32>> = BTreeMap::new();
    model.insert(vec![], BTreeMap::from([("SOA", soa_ttl), ("NS", soa_ttl)]));
    model.insert(vec!["ns".to_owned()], BTreeMap::from([("A", 300)]));
    if ns_aaaa {
        model
            .get_mut(&vec!["ns".to_owned()])
            .unwrap()
            .insert("AAAA", 300);
    }
    let mut names: Vec<Vec<String>> = vec![vec![], vec!["ns".to_owned()]];
    let mut targets: Vec<(Vec<String>, &'static str)> = Vec::new();
    for (owner, upper, ttl, kind) in records {
        let owner = words(&owner);
        let record_type = kind.record_type();
        let here = model.get(&owner).cloned().unwrap_or_default();
        let wildcard = owner.first().is_some_and(|l| l == "*");
        let conflict = match record_type {
            "CNAME" => !here.is_empty(),
            "DNAME" => {
                here.contains_key("CNAME")
                    || here.contains_key("DNAME")
                    || wildcard
                    || model.keys().any(|n| is_below(n, &owner))
            }
            "NS" => here.contains_key("CNAME") || wildcard,
            _ => here.contains_key("CNAME"),
        };
        let dname_above = model
            .iter()
            .any(|(n, types)| types.contains_key("DNAME") && is_below(&owner, n));
        let cut_at_or_above = |model: &BTreeMap<Vec<String>, BTreeMap<&str, u32>>,
                               name: &[String]| {
            model.iter().any(|(n, types)| {
                !n.is_empty() && types.contains_key("NS") && (n == name || is_below(name, n))
            })
        };
        let dname_under_cut = (record_type == "DNAME" && cut_at_or_above(&model, &owner))
            || (record_type == "NS"
                && model.iter().any(|(n, types)| {
                    types.contains_key("DNAME") && (n == &owner || is_below(n, &owner))
                }));
        let at_cut = |name: &[String]| {
            model
                .get(name)
                .is_some_and(|types| !name.is_empty() && types.contains_key("NS"))
        };
        let target_at_cut = (matches!(record_type, "MX" | "SRV")
            && kind
                .target()
                .and_then(Target::inside)
                .is_some_and(|t| at_cut(&t)))
            || (record_type == "NS"
                && targets.iter().any(|(t, kind)| *kind != "NS" && *t == owner));
        let excluded = (dname_under_cut && !shapes.dnames_under_cuts)
            || (target_at_cut && !shapes.targets_at_cuts);
        if conflict || dname_above || excluded {
            continue;
        }
        let ttl = here.get(record_type).copied().unwrap_or(ttl);
        model
            .entry(owner.clone())
            .or_default()
            .insert(record_type, ttl);
        let _ = writeln!(
            text,
            "{} {ttl} IN {record_type} {}",
            absolute(&owner, upper),
            kind.data()
        );
        names.push(owner);
        if let Some(target) = kind.target().and_then(Target::inside) {
            targets.push((target.clone(), record_type));
            names.push(target);
        }
    }
    // Every ancestor too: parents of wildcards, empty non-terminals.
    let ancestors: Vec<Vec<String>> = names
        .iter()
        .flat_map(|name| (1..name.len()).map(|skip| name[skip..].to_vec()))
        .collect();
    names.extend(ancestors);
    names.sort();
    names.dedup();
    ZoneSpec { text, names }
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        5 => vec(0..LABELS.len(), 0..=3).prop_map(Target::In),
        5 => any::<usize>().prop_map(Target::Owner),
        2 => (0..OUTSIDE.len()).prop_map(Target::Out),
        1 => Just(Target::LongOut),
        1 => Just(Target::LongIn),
    ]
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        4 => any::<u8>().prop_map(Kind::A),
        2 => any::<u8>().prop_map(Kind::Aaaa),
        2 => (any::<u8>(), proptest::bool::weighted(0.3)).prop_map(|(n, long)| Kind::Txt(n, long)),
        2 => (0u16..20, target()).prop_map(|(p, t)| Kind::Mx(p, t)),
        1 => (1u16..100, target()).prop_map(|(p, t)| Kind::Srv(p, t)),
        3 => target().prop_map(Kind::Ns),
        3 => target().prop_map(Kind::Cname),
        2 => prop_oneof![
            6 => target(),
            2 => Just(Target::LongOut),
            1 => Just(Target::LongIn),
        ]
        .prop_map(Kind::Dname),
        1 => any::<u16>().prop_map(Kind::Ds),
    ]
}

fn record() -> impl Strategy<Value = RecordSpec> {
    (
        vec(0..LABELS.len(), 1..=3),
        proptest::bool::weighted(0.2),
        select(vec![0u32, 60, 300, 3600]),
        kind(),
    )
}

fn zone_spec(shapes: Shapes) -> impl Strategy<Value = ZoneSpec> {
    let apex = (
        select(vec![30u32, 300, 3600]),
        select(vec![10u32, 60, 600, 7200]),
        any::<bool>(),
        any::<bool>(),
    );
    (apex, vec(record(), 2..=24)).prop_map(move |(apex, records)| build(apex, records, shapes))
}

/// How a query's name relates to a name of the zone.
#[derive(Debug, Clone)]
enum Near {
    Same,
    Child(usize),
    Grandchild(usize, usize),
    Missing,
    /// A 63-octet label in front: DNAMEs overflow.
    Long,
    LongChild(usize),
    Parent,
    /// Outside the zone.
    Outside(usize),
}

const OUTSIDE_QUERIES: [&str; 5] = ["other.net.", "xexample.", "example.net.", ".", "net."];

#[derive(Debug, Clone)]
struct QuerySpec {
    base: usize,
    near: Near,
    case_mask: u64,
    record_type: RecordType,
    chaos: bool,
    edns: Option<(u16, bool, u8)>,
    tcp: bool,
    id: u16,
    recursion_desired: bool,
    checking_disabled: bool,
}

impl QuerySpec {
    fn ask(&self, names: &[Vec<String>]) -> Ask {
        let base = &names[self.base % names.len()];
        let label = |i: usize| LABELS[i].to_owned();
        let mut labels: Vec<String> = match self.near {
            Near::Same | Near::Outside(_) => base.clone(),
            Near::Child(i) => [vec![label(i)], base.clone()].concat(),
            Near::Grandchild(i, j) => [vec![label(i), label(j)], base.clone()].concat(),
            Near::Missing => [vec!["zz".to_owned()], base.clone()].concat(),
            Near::Long => [vec!["q".repeat(63)], base.clone()].concat(),
            Near::LongChild(i) => [vec![label(i), "q".repeat(63)], base.clone()].concat(),
            Near::Parent => base.iter().skip(1).cloned().collect(),
        };
        let name = match self.near {
            Near::Outside(i) => Name::from_ascii(OUTSIDE_QUERIES[i]).unwrap(),
            _ => {
                labels.push("example".to_owned());
                let mut position = 0u32;
                let bytes: Vec<Vec<u8>> = labels
                    .iter()
                    .map(|label| {
                        label
                            .bytes()
                            .map(|b| {
                                position += 1;
                                if self.case_mask >> (position % 64) & 1 == 1 {
                                    b.to_ascii_uppercase()
                                } else {
                                    b
                                }
                            })
                            .collect()
                    })
                    .collect();
                reference::name_from(bytes).unwrap_or_else(|| Name::from_ascii("example.").unwrap())
            }
        };
        Ask {
            name,
            record_type: self.record_type,
            class: if self.chaos {
                DNSClass::CH
            } else {
                DNSClass::IN
            },
            edns: self.edns,
            transport: if self.tcp {
                Transport::Tcp
            } else {
                Transport::Udp
            },
            id: self.id,
            recursion_desired: self.recursion_desired,
            checking_disabled: self.checking_disabled,
        }
    }
}

fn near() -> impl Strategy<Value = Near> {
    prop_oneof![
        6 => Just(Near::Same),
        3 => (0..LABELS.len()).prop_map(Near::Child),
        2 => (0..LABELS.len(), 0..LABELS.len()).prop_map(|(i, j)| Near::Grandchild(i, j)),
        2 => Just(Near::Missing),
        2 => Just(Near::Long),
        2 => (0..LABELS.len()).prop_map(Near::LongChild),
        1 => Just(Near::Parent),
        1 => (0..OUTSIDE_QUERIES.len()).prop_map(Near::Outside),
    ]
}

fn query_spec() -> impl Strategy<Value = QuerySpec> {
    let record_type = select(vec![
        RecordType::A,
        RecordType::AAAA,
        RecordType::TXT,
        RecordType::MX,
        RecordType::NS,
        RecordType::CNAME,
        RecordType::DNAME,
        RecordType::DS,
        RecordType::SOA,
        RecordType::SRV,
        RecordType::ANY,
    ]);
    let edns = proptest::option::weighted(
        0.5,
        (
            select(vec![512u16, 1232, 1400, 4096, 65_535]),
            any::<bool>(),
            prop_oneof![19 => Just(0u8), 1 => Just(1u8)],
        ),
    );
    (
        (any::<usize>(), near(), any::<u64>(), record_type),
        (proptest::bool::weighted(0.05), edns, any::<bool>()),
        (any::<u16>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (base, near, case_mask, record_type),
                (chaos, edns, tcp),
                (id, recursion_desired, checking_disabled),
            )| QuerySpec {
                base,
                near,
                case_mask,
                record_type,
                chaos,
                edns,
                tcp,
                id,
                recursion_desired,
                checking_disabled,
            },
        )
}

/// Parses, checks and compiles a generated zone, then asks every query of both sides.
fn agree(spec: &ZoneSpec, queries: &[QuerySpec]) -> Result<(), TestCaseError> {
    let zone = parse(&spec.text, &ParseOptions::new())
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", spec.text)))?;
    zone.check()
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", spec.text)))?;
    let table = AnswerTable::compile(&zone)
        .map_err(|e| TestCaseError::fail(format!("{e}\n{}", spec.text)))?;
    for query in queries {
        compare(&spec.text, &zone, &table, &query.ask(&spec.names)).map_err(TestCaseError::fail)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// Every valid generated zone but for the two shapes the ignored properties below
    /// keep.
    #[test]
    fn fast_path_agrees_with_the_reference(
        spec in zone_spec(Shapes { dnames_under_cuts: false, targets_at_cuts: false }),
        queries in vec(query_spec(), 1..=24),
    ) {
        agree(&spec, &queries)?;
    }
}

proptest! {
    // More cases: the shapes are rare enough that 256 cases sometimes miss them.
    #![proptest_config(config(2048))]

    #[test]
    fn fast_path_agrees_with_the_reference_with_dnames_under_cuts(
        spec in zone_spec(Shapes { dnames_under_cuts: true, targets_at_cuts: false }),
        queries in vec(query_spec(), 1..=24),
    ) {
        agree(&spec, &queries)?;
    }

    #[test]
    fn fast_path_agrees_with_the_reference_with_targets_at_cuts(
        spec in zone_spec(Shapes { dnames_under_cuts: false, targets_at_cuts: true }),
        queries in vec(query_spec(), 1..=24),
    ) {
        agree(&spec, &queries)?;
    }

    /// Every valid generated zone, both known bugs included.
    #[test]
    fn fast_path_agrees_with_the_reference_on_every_valid_zone(
        spec in zone_spec(ALL),
        queries in vec(query_spec(), 1..=24),
    ) {
        agree(&spec, &queries)?;
    }
}

/// The minimal zone of a disagreement: SOA, apex NS with glue, and `rest`.
fn small_zone(rest: &str) -> String {
    format!(
        "example. 300 IN SOA ns.example. hostmaster.example. 1 7200 3600 1209600 60\n\
         example. 300 IN NS ns.example.\n\
         ns.example. 300 IN A 192.0.2.53\n{rest}"
    )
}

fn assert_agrees(zone_text: &str, ask: &Ask) {
    let zone = parse(zone_text, &ParseOptions::new()).unwrap();
    zone.check().unwrap();
    let table = AnswerTable::compile(&zone).unwrap();
    if let Err(report) = compare(zone_text, &zone, &table, ask) {
        panic!("{report}");
    }
}

#[test]
fn dname_below_a_cut_gives_way_to_the_referral() {
    let zone = small_zone(
        "sub.example. 300 IN NS ns.other.net.\n\
         dn.sub.example. 300 IN DNAME example.\n",
    );
    assert_agrees(&zone, &Ask::new("x.dn.sub.example.", RecordType::A));
}

#[test]
fn dname_at_a_cut_gives_way_to_the_referral() {
    let zone = small_zone(
        "sub.example. 300 IN NS ns.other.net.\n\
         sub.example. 300 IN DNAME example.\n",
    );
    assert_agrees(&zone, &Ask::new("x.sub.example.", RecordType::A));
}

#[test]
fn mx_target_at_a_cut_gets_no_additional_address() {
    let zone = small_zone(
        "example. 300 IN MX 10 sub.example.\n\
         sub.example. 300 IN NS ns.other.net.\n\
         sub.example. 300 IN A 192.0.2.7\n",
    );
    assert_agrees(&zone, &Ask::new("example.", RecordType::MX));
}

#[test]
fn mx_target_below_a_cut_gets_no_additional_address() {
    // The fast path's own rule, one label further down: agreed.
    let zone = small_zone(
        "example. 300 IN MX 10 mail.sub.example.\n\
         sub.example. 300 IN NS ns.other.net.\n\
         mail.sub.example. 300 IN A 192.0.2.7\n",
    );
    assert_agrees(&zone, &Ask::new("example.", RecordType::MX));
}

// ---------------------------------------------------------------------------------------
// Robustness: arbitrary and mutated bytes.

/// Answers `bytes` into an `out` of `out_len` octets inside a larger buffer, and checks
/// that nothing panicked or spilled, and that what came back is a readable response
/// echoing the ID, within the UDP limits.
fn robust(
    table: &AnswerTable,
    bytes: &[u8],
    transport: Transport,
    out_len: usize,
) -> Result<(), TestCaseError> {
    let mut buffer = vec![0xa5u8; out_len + 64];
    let result = table.answer(bytes, transport, &mut buffer[..out_len]);
    prop_assert!(
        buffer[out_len..].iter().all(|&b| b == 0xa5),
        "wrote past out"
    );
    match result {
        Err(AnswerError::ShortQuery { len }) => {
            prop_assert_eq!(len, bytes.len());
            prop_assert!(bytes.len() < 2);
        }
        Err(AnswerError::NotQuery) => prop_assert!(bytes[2] & 0x80 != 0),
        Err(AnswerError::BufferTooSmall { len, needed }) => {
            prop_assert_eq!(len, out_len);
            prop_assert!(needed > out_len);
        }
        Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        Ok(len) => {
            prop_assert!(len <= out_len, "{} > {}", len, out_len);
            let response = &buffer[..len];
            let message = Message::from_vec(response).map_err(|e| {
                TestCaseError::fail(format!(
                    "unreadable response {e}: {response:02x?}\nquery {bytes:02x?}"
                ))
            })?;
            prop_assert_eq!(
                message.metadata.id,
                u16::from_be_bytes([bytes[0], bytes[1]])
            );
            prop_assert_eq!(message.metadata.message_type, MessageType::Response);
            if transport == Transport::Udp {
                prop_assert!(len <= usize::from(EDNS_PAYLOAD));
                if message.edns.is_none() {
                    prop_assert!(len <= 512, "{} octets without EDNS", len);
                }
            }
        }
    }
    Ok(())
}

/// A way to damage a query.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    /// QDCOUNT, ANCOUNT, NSCOUNT or ARCOUNT set to a value.
    Count(usize, u16),
    Truncate(usize),
    /// The question name replaced by these octets.
    Name(Vec<u8>),
    /// A record appended to the additional section (ARCOUNT raised).
    Additional(Vec<u8>),
    Append(Vec<u8>),
}

/// Where the question name ends, if it is a plain sequence of labels.
fn question_name_end(query: &[u8]) -> Option<usize> {
    let mut at = 12;
    loop {
        let len = usize::from(*query.get(at)?);
        if len == 0 {
            return Some(at + 1);
        }
        if len > 63 {
            return None;
        }
        at += 1 + len;
    }
}

impl Mutation {
    fn apply(&self, query: &mut Vec<u8>) {
        let len = query.len();
        match self {
            Self::Flip(at, bit) if len > 0 => query[at % len] ^= 1 << (bit % 8),
            Self::Insert(at, byte) => query.insert(at % (len + 1), *byte),
            Self::Delete(at) if len > 0 => {
                query.remove(at % len);
            }
            Self::Count(which, value) if len >= 12 => {
                let at = 4 + 2 * (which % 4);
                query[at..at + 2].copy_from_slice(&value.to_be_bytes());
            }
            Self::Truncate(at) => query.truncate(*at),
            Self::Name(name) => {
                if let Some(end) = question_name_end(query) {
                    query.splice(12..end, name.iter().copied());
                }
            }
            Self::Additional(record) if len >= 12 => {
                let count = u16::from_be_bytes([query[10], query[11]]).wrapping_add(1);
                query[10..12].copy_from_slice(&count.to_be_bytes());
                query.extend_from_slice(record);
            }
            Self::Append(bytes) => query.extend_from_slice(bytes),
            _ => {}
        }
    }
}

fn opt(owner: &[u8], payload: u16, version: u8, rdata: &[u8], rdlength: u16) -> Vec<u8> {
    let mut record = owner.to_vec();
    record.extend_from_slice(&41u16.to_be_bytes());
    record.extend_from_slice(&payload.to_be_bytes());
    record.extend_from_slice(&[0, version, 0x80, 0]);
    record.extend_from_slice(&rdlength.to_be_bytes());
    record.extend_from_slice(rdata);
    record
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let names = select(vec![
        b"\xc0\x0c".to_vec(),                                 // points at itself: a loop
        b"\x01a\xc0\x0c".to_vec(),                            // a label, then back to the start
        b"\xc0\xff".to_vec(),                                 // past the end
        b"\xc0\x0e\x01a\x00".to_vec(),                        // forward
        b"\x3fabc\x00".to_vec(),                              // a label longer than the message
        b"\x40".to_vec(),                                     // label type 01
        b"\x80\x00".to_vec(),                                 // label type 10
        [b"\x3f".as_slice(), &[b'x'; 63]].concat().repeat(5), // 320 octets, unterminated
        [
            [b"\x3f".as_slice(), &[b'x'; 63]].concat().repeat(4),
            b"\x00".to_vec(),
        ]
        .concat(),
        b"".to_vec(),
        b"\x00".to_vec(),
    ]);
    let additional = prop_oneof![
        Just(opt(b"\x00", 1232, 0, b"", 0)),
        Just(opt(b"\x01a\x00", 1232, 0, b"", 0)), // owner not the root
        Just(opt(b"\xc0\x0c", 1232, 0, b"", 0)),  // owner a pointer
        Just(opt(b"\xc0\xff", 1232, 0, b"", 0)),  // owner a pointer past the end
        Just(opt(b"\x00", 1232, 0, b"\x00\x0a\x00\x02ab", 0xffff)), // RDLENGTH past the end
        Just(opt(b"\x00", 1232, 0, b"\x00\x0a\x00\x02ab", 6)), // a cookie option
        Just(opt(b"\x00", 1232, 0, b"\x00\x0a\x00\x09ab", 6)), // option longer than its record
        (any::<u16>(), any::<u8>()).prop_map(|(p, v)| opt(b"\x00", p, v, b"", 0)),
        Just(b"\x00\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01".to_vec()), // an A record
        Just(b"\x00\x00".to_vec()),                                                     // cut short
        vec(any::<u8>(), 0..30),
    ];
    prop_oneof![
        4 => (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Flip(a, b)),
        2 => (any::<usize>(), any::<u8>()).prop_map(|(a, b)| Mutation::Insert(a, b)),
        2 => any::<usize>().prop_map(Mutation::Delete),
        2 => (0usize..4, prop_oneof![Just(0u16), Just(1), Just(2), Just(0xffff), any::<u16>()])
            .prop_map(|(w, v)| Mutation::Count(w, v)),
        1 => (0usize..80).prop_map(Mutation::Truncate),
        2 => names.prop_map(Mutation::Name),
        3 => additional.prop_map(Mutation::Additional),
        1 => vec(any::<u8>(), 1..40).prop_map(Mutation::Append),
    ]
}

/// A valid query for the answer zone.
fn answer_zone_query() -> impl Strategy<Value = Ask> {
    let names = select(vec![
        "www.example.",
        "example.",
        "big.example.",
        "chain.example.",
        "loop1.example.",
        "x.dn.example.",
        "a.b.wild.example.",
        "host.sub.example.",
        "sub.example.",
        "nope.example.",
        "_sip._udp.example.",
        "www.other.net.",
    ]);
    (
        names,
        select(TYPES.to_vec()),
        proptest::option::of((
            any::<u16>(),
            any::<bool>(),
            prop_oneof![4 => Just(0u8), 1 => any::<u8>()],
        )),
        any::<u16>(),
    )
        .prop_map(|(name, record_type, edns, id)| {
            let mut ask = Ask::new(name, record_type);
            ask.edns = edns;
            ask.id = id;
            ask
        })
}

/// A query's octets written by hand, so that its OPT may ask for less than 512 octets
/// (hickory raises such payloads to 512).
fn raw_query(name: &str, record_type: RecordType, payload: Option<u16>) -> Vec<u8> {
    let mut bytes = vec![
        0x12,
        0x34,
        0x01,
        0x00,
        0,
        1,
        0,
        0,
        0,
        0,
        0,
        u8::from(payload.is_some()),
    ];
    for label in name.trim_end_matches('.').split('.') {
        bytes.push(u8::try_from(label.len()).unwrap());
        bytes.extend_from_slice(label.as_bytes());
    }
    bytes.push(0);
    bytes.extend_from_slice(&u16::from(record_type).to_be_bytes());
    bytes.extend_from_slice(&[0, 1]);
    if let Some(payload) = payload {
        bytes.extend_from_slice(&opt(b"\x00", payload, 0, b"", 0));
    }
    bytes
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn answer_survives_arbitrary_bytes(
        bytes in vec(any::<u8>(), 0..600),
        out_len in 0usize..2048,
        tcp in any::<bool>(),
    ) {
        let transport = if tcp { Transport::Tcp } else { Transport::Udp };
        robust(&answer_zone().1, &bytes, transport, out_len)?;
    }

    #[test]
    fn answer_survives_arbitrary_bytes_after_a_query_header(
        flags in any::<[u8; 2]>(),
        counts in any::<[u8; 8]>(),
        rest in vec(any::<u8>(), 0..600),
        out_len in 0usize..2048,
        tcp in any::<bool>(),
    ) {
        let mut bytes = vec![0xab, 0xcd, flags[0] & 0x7f, flags[1]];
        bytes.extend_from_slice(&counts);
        bytes.extend_from_slice(&rest);
        let transport = if tcp { Transport::Tcp } else { Transport::Udp };
        robust(&answer_zone().1, &bytes, transport, out_len)?;
    }

    #[test]
    fn answer_survives_mutated_queries(
        ask in answer_zone_query(),
        mutations in vec(mutation(), 1..=4),
        out_len in 0usize..2048,
        tcp in any::<bool>(),
    ) {
        let mut bytes = ask.bytes();
        for mutation in &mutations {
            mutation.apply(&mut bytes);
        }
        let transport = if tcp { Transport::Tcp } else { Transport::Udp };
        robust(&answer_zone().1, &bytes, transport, out_len)?;
    }

    #[test]
    fn udp_responses_fit_the_client_limit(
        name in select(vec![
            "big.example.", "www.example.", "example.", "sub.example.", "host.sub.example.",
            "chain.example.", "loop1.example.", "x.dn.example.", "nope.example.",
        ]),
        record_type in select(TYPES.to_vec()),
        payload in proptest::option::of(prop_oneof![0u16..1300, any::<u16>()]),
        out_len in prop_oneof![Just(65_535usize), 0usize..2048],
    ) {
        let bytes = raw_query(name, record_type, payload);
        let table = &answer_zone().1;
        let mut out = vec![0u8; out_len];
        let Ok(len) = table.answer(&bytes, Transport::Udp, &mut out) else {
            // Only a buffer too small for the question fails.
            prop_assert!(out_len < bytes.len() + 11);
            return Ok(());
        };
        let limit = payload.map_or(512, |p| usize::from(p.min(EDNS_PAYLOAD)).max(512));
        prop_assert!(len <= limit, "{} octets for a limit of {}", len, limit);
        prop_assert!(len <= out_len);
        let message = Message::from_vec(&out[..len]).unwrap();
        prop_assert_eq!(message.metadata.id, 0x1234);
        prop_assert_eq!(message.edns.is_some(), payload.is_some());
        // Over TCP into a full buffer, the same question is never truncated.
        let mut whole = vec![0u8; 65_535];
        let whole_len = table.answer(&bytes, Transport::Tcp, &mut whole).unwrap();
        let whole = Message::from_vec(&whole[..whole_len]).unwrap();
        prop_assert!(!whole.metadata.truncation);
        if !message.metadata.truncation {
            prop_assert_eq!(&message.answers, &whole.answers);
            prop_assert_eq!(&message.authorities, &whole.authorities);
        }
    }
}
