//! The answer path: [`AnswerTable::answer`] beside hickory-server 0.26's in-memory zone
//! handler answering the same queries the way a hickory-based server does.
//!
//! ```text
//! cargo bench --bench answer
//! ```
//!
//! Zones:
//! - `seed`: the README's example.com as projected for bob, with a wildcard `*.wild` and
//!   a delegation `sub` (in-zone NS, glue A and AAAA) added;
//! - `1m`: a generated zone of about 1,000,000 names (`tests/support/generate.rs`,
//!   seed 1, 1,755,000 records) with the same wildcard and delegation added.
//!
//! Cases, one group each (`answer/ZONE/CASE`, functions `multiprimary` and `hickory`):
//! `www-a` (a hit), `apex-a`, `nodata` (MX at a name without MX), `nxdomain`, `wildcard`
//! (a name the wildcard answers), `referral` (a name below a delegation) and `edns` (a
//! hit with OPT, payload 1232). On `seed` every case asks one fixed query. On `1m` every
//! iteration asks the next of 262,144 pre-encoded queries in a random order: hits and
//! NODATA at random names that own an A record (not below a cut), NXDOMAIN at random
//! names that do not exist, wildcard hits at random labels under `wild`, referrals at a
//! random name below a random delegation; `apex-a` is one fixed query.
//!
//! Group `answer/zones/hit`: a hit at a random name `hN.zoneM.test.` found through a
//! [`ZoneIndex`](multiprimary::answer::ZoneIndex), then answered by that zone's table:
//! `1000`, among 1,000 zones `zoneM.test.` of 100 records each; `1-of-all`, the same
//! 97,000 names in one zone `test.` (the same data, no zone to find: what finding the
//! zone costs `serve --config`; goal: `1000` within 1.3× of it); `1-small`, one zone of
//! 100 records (all of it in the CPU's caches, which 1,000 zones are not).
//!
//! One iteration answers one query from its wire bytes to response bytes
//! (`Throughput::Elements(1)`):
//! - `multiprimary`: `AnswerTable::answer` into a reused buffer, over UDP;
//! - `hickory`: what `hickory_server::Server` does with a UDP packet, minus the socket and
//!   the logging wrapper: the query copied into an owned buffer (the server's receive
//!   buffer), decoded by `Request::from_bytes`, answered by `Catalog::handle_request`
//!   (EDNS, lookup in an `InMemoryZoneHandler` holding the same records, response
//!   built), and the response encoded as `ResponseHandle` does (a fresh 512-octet
//!   `Vec`, size limit 512 or the client's EDNS payload). The future is polled on the
//!   bench's thread with a no-op waker: nothing in that path waits.
//!
//! hickory's NODATA and NXDOMAIN scan every RRset key of the zone to tell them apart, so
//! a case whose hickory lookups take over 100 µs (on `1m`, those two: tens of
//! milliseconds each) runs hickory's side with flat sampling, 10 samples and about 40
//! lookups. hickory answers a referral with AA set and without glue, so there it writes
//! less than we do. Before the groups run, the bench prints each case's first response
//! from both sides (RCODE, AA, section counts, size) and checks RCODE, AA and TC of every
//! pre-encoded query on our side (a `WARNING` line names the first that differs).
//! Samples are few and short: the whole run takes about three and a half minutes on two
//! cores.

use std::future::Future;
use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use hickory_server::net::NetError;
use hickory_server::net::runtime::TokioTime;
use hickory_server::net::xfer::Protocol;
use hickory_server::proto::ProtoError;
use hickory_server::proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_server::proto::rr::{LowerName, Name, Record, RecordType};
use hickory_server::proto::serialize::binary::BinEncoder;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, MessageResponse, ZoneType};
use multiprimary::answer::ZoneIndex;
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{AnswerTable, Transport, Zone};

#[path = "../tests/support/generate.rs"]
mod generate;

const ORIGIN: &str = "example.com.";
/// About 1,000,000 names: the generator writes about 0.57 names per record.
const GENERATED_RECORDS: usize = 1_755_000;
/// Pre-encoded queries per case on the big zone (a power of two).
const QUERIES: usize = 1 << 18;
/// The client's address, which hickory's `Request` carries.
const CLIENT: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 99)), 53000);

/// The README's example.com as projected for bob, with a wildcard and a delegation.
const SEED: &str = "\
$ORIGIN example.com.
$TTL 60
@       IN SOA  bob.example.com. hostmaster.example.com. ( 2007010100 60 7200 604800 60 )
@       IN NS   bob.example.com.
@       IN NS   bill.example.com.
@       IN A    1.2.3.4
www     IN A    1.2.3.4
bob     IN A    1.2.3.4
bill    IN A    5.6.7.8
";

/// Added to both zones.
const SPECIAL: &str = "\
*.wild  300   IN A    192.0.2.10
sub     86400 IN NS   ns1.sub
sub     86400 IN NS   ns2.sub
ns1.sub 86400 IN A    192.0.2.53
ns2.sub 86400 IN A    192.0.2.54
ns2.sub 86400 IN AAAA 2001:db8::53
";

/// Polls a future that never waits to completion on this thread.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::yield_now();
    }
}

/// hickory's `ResponseHandler`: encodes the response as `ResponseHandle` does and keeps
/// the bytes (the socket send left out).
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Sink {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// `MessageResponse::encode` (crate-private in hickory-server), for UDP.
fn encode<'a>(
    response: MessageResponse<
        '_,
        'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
        impl Iterator<Item = &'a Record> + Send + 'a,
    >,
) -> Result<(ResponseInfo, Vec<u8>), ProtoError> {
    let mut bytes = Vec::with_capacity(512);
    let mut encoder = BinEncoder::new(&mut bytes);
    encoder.set_max_size(response.edns().map_or(512, Edns::max_payload));
    let info = response.destructive_emit(&mut encoder)?;
    Ok((info, bytes))
}

// `#[async_trait]` written out: the trait comes from hickory-server, the macro would be
// one more dependency.
impl ResponseHandler for Sink {
    fn send_response<'a, 'life0, 'life1, 'async_trait>(
        &'life0 mut self,
        response: MessageResponse<
            'life1,
            'a,
            impl 'async_trait + Iterator<Item = &'a Record> + Send + 'a,
            impl 'async_trait + Iterator<Item = &'a Record> + Send + 'a,
            impl 'async_trait + Iterator<Item = &'a Record> + Send + 'a,
            impl 'async_trait + Iterator<Item = &'a Record> + Send + 'a,
        >,
    ) -> Pin<Box<dyn Future<Output = Result<ResponseInfo, NetError>> + Send + 'async_trait>>
    where
        'a: 'async_trait,
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        let result = encode(response).map(|(info, bytes)| {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = bytes;
            info
        });
        Box::pin(std::future::ready(result.map_err(NetError::from)))
    }
}

/// One query through hickory-server, bytes to bytes; `None` if it does not decode.
fn hickory_answer(catalog: &Catalog, sink: &Sink, query: &[u8]) -> Option<ResponseInfo> {
    let request = Request::from_bytes(query.to_vec(), CLIENT, Protocol::Udp).ok()?;
    Some(block_on(
        catalog.handle_request::<_, TokioTime>(&request, sink.clone()),
    ))
}

/// A catalog with one in-memory primary zone holding `zone`'s records.
fn hickory_catalog(zone: &Zone) -> Result<Catalog, String> {
    let serial = zone.serial().ok_or("no SOA")?;
    let mut handler: InMemoryZoneHandler =
        InMemoryZoneHandler::empty(zone.origin().clone(), ZoneType::Primary, AxfrPolicy::Deny);
    for record in zone.records() {
        if !handler.upsert_mut(record.clone(), serial) {
            return Err(format!("hickory refused {record}"));
        }
    }
    let mut catalog = Catalog::new();
    catalog.upsert(LowerName::new(zone.origin()), vec![Arc::new(handler)]);
    Ok(catalog)
}

/// A query's wire form: ID 0xbeef, RD, one question, OPT with `payload` if given.
fn encode_query(name: &Name, record_type: RecordType, payload: Option<u16>) -> Option<Vec<u8>> {
    let mut message = Message::new(0xbeef, MessageType::Query, OpCode::Query);
    message.metadata.recursion_desired = true;
    message.add_query(Query::query(name.clone(), record_type));
    if let Some(payload) = payload {
        let mut edns = Edns::new();
        edns.set_max_payload(payload);
        message.set_edns(edns);
    }
    message.to_vec().ok()
}

/// splitmix64, for picking names.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    fn pick<'n>(&mut self, names: &'n [Name]) -> Option<&'n Name> {
        names.get(self.below(names.len()))
    }
}

/// `label.parent`, or `None` if that is not a name.
fn child(label: &str, parent: &Name) -> Option<Name> {
    Name::from_ascii(label).ok()?.append_domain(parent).ok()
}

/// One case: its queries (one for a fixed query), and the RCODE and AA expected.
struct Case {
    name: &'static str,
    queries: Vec<Vec<u8>>,
    rcode: ResponseCode,
    authoritative: bool,
}

/// The cases' queries for `zone`: fixed ones when `random` is false, else `QUERIES`
/// random ones per case (apex A stays fixed).
fn cases(zone: &Zone, random: bool) -> Option<Vec<Case>> {
    let origin = zone.origin();
    let www = child("www", origin)?;
    let wild = child("wild", origin)?;
    let sub = child("sub", origin)?;
    let mut rng = Rng(0x616E_7377_6572); // "answer"
    let count = if random { QUERIES } else { 1 };

    // Names that own an A RRset and are not at or below a zone cut.
    let below_cut = |name: &Name| {
        let mut name = name.clone();
        while name.num_labels() > origin.num_labels() {
            if zone.rrset(&name, RecordType::NS).is_some() {
                return true;
            }
            name = name.base_name();
        }
        false
    };
    let (hits, no_mx, cuts): (Vec<Name>, Vec<Name>, Vec<Name>) = if random {
        let hits: Vec<Name> = zone
            .names()
            .filter(|name| *name != origin && zone.rrset(name, RecordType::A).is_some())
            .filter(|name| !below_cut(name))
            .cloned()
            .collect();
        let no_mx = hits
            .iter()
            .filter(|name| zone.rrset(name, RecordType::MX).is_none())
            .cloned()
            .collect();
        let cuts = zone
            .names()
            .filter(|name| *name != origin && zone.rrset(name, RecordType::NS).is_some())
            .cloned()
            .collect();
        (hits, no_mx, cuts)
    } else {
        (vec![www.clone()], vec![www.clone()], vec![sub.clone()])
    };
    if random {
        println!(
            "  {} names own A (not below a cut), {} of them no MX; {} delegations",
            hits.len(),
            no_mx.len(),
            cuts.len()
        );
    }

    let fresh = |rng: &mut Rng, prefix: &str, parent: &Name| -> Option<Name> {
        if random {
            child(&format!("{prefix}-{:016x}", rng.next()), parent)
        } else {
            child(prefix, parent)
        }
    };
    let mut list = |make: &mut dyn FnMut(&mut Rng) -> Option<Vec<u8>>| -> Option<Vec<Vec<u8>>> {
        (0..count).map(|_| make(&mut rng)).collect()
    };
    let a = RecordType::A;
    let case = |name, queries, rcode, authoritative| Case {
        name,
        queries,
        rcode,
        authoritative,
    };
    Some(vec![
        case(
            "www-a",
            list(&mut |rng| encode_query(rng.pick(&hits)?, a, None))?,
            ResponseCode::NoError,
            true,
        ),
        case(
            "apex-a",
            vec![encode_query(origin, a, None)?],
            ResponseCode::NoError,
            true,
        ),
        case(
            "nodata",
            list(&mut |rng| encode_query(rng.pick(&no_mx)?, RecordType::MX, None))?,
            ResponseCode::NoError,
            true,
        ),
        case(
            "nxdomain",
            list(&mut |rng| encode_query(&fresh(rng, "nope", origin)?, a, None))?,
            ResponseCode::NXDomain,
            true,
        ),
        case(
            "wildcard",
            list(&mut |rng| encode_query(&fresh(rng, "any", &wild)?, a, None))?,
            ResponseCode::NoError,
            true,
        ),
        case(
            "referral",
            list(&mut |rng| {
                let cut = rng.pick(&cuts)?.clone();
                encode_query(&fresh(rng, "host", &cut)?, a, None)
            })?,
            ResponseCode::NoError,
            false,
        ),
        case(
            "edns",
            list(&mut |rng| encode_query(rng.pick(&hits)?, a, Some(1232)))?,
            ResponseCode::NoError,
            true,
        ),
    ])
}

/// RCODE, AA and section counts of a response, for the log.
fn summary(bytes: &[u8]) -> String {
    match Message::from_vec(bytes) {
        Ok(message) => format!(
            "{} aa={} tc={} an={} ns={} ar={} edns={} ({} octets)",
            message.metadata.response_code,
            u8::from(message.metadata.authoritative),
            u8::from(message.metadata.truncation),
            message.answers.len(),
            message.authorities.len(),
            message.additionals.len(),
            message
                .edns
                .as_ref()
                .map_or("-".to_owned(), |e| e.max_payload().to_string()),
            bytes.len()
        ),
        Err(error) => format!("undecodable: {error}"),
    }
}

/// Prints both sides' first response per case; checks our RCODE and AA on every query.
fn check(label: &str, table: &AnswerTable, catalog: &Catalog, cases: &[Case]) {
    let mut out = [0u8; 4096];
    let sink = Sink::default();
    for case in cases {
        if let Some(query) = case.queries.first() {
            let ours = table.answer(query, Transport::Udp, &mut out).map_or_else(
                |e| e.to_string(),
                |len| summary(out.get(..len).unwrap_or_default()),
            );
            let started = Instant::now();
            let theirs = match hickory_answer(catalog, &sink, query) {
                Some(_) => summary(&sink.take()),
                None => "query did not decode".to_owned(),
            };
            let elapsed = started.elapsed();
            println!("  {label}/{}: multiprimary {ours}", case.name);
            println!(
                "  {label}/{}: hickory      {theirs} (first lookup {elapsed:?})",
                case.name
            );
        }
        let mut wrong = 0usize;
        let mut first_wrong = None;
        for query in &case.queries {
            // Header octet 2: QR opcode AA TC RD; octet 3: RA Z AD CD RCODE.
            let expected = [
                0x81 | if case.authoritative { 0x04 } else { 0 },
                case.rcode.low(),
            ];
            let good = table
                .answer(query, Transport::Udp, &mut out)
                .is_ok_and(|_| out.get(2..4) == Some(&expected[..]));
            if !good {
                wrong += 1;
                first_wrong.get_or_insert_with(|| {
                    Message::from_vec(query).map_or_else(
                        |e| e.to_string(),
                        |m| {
                            m.queries
                                .first()
                                .map(ToString::to_string)
                                .unwrap_or_default()
                        },
                    )
                });
            }
        }
        if wrong > 0 {
            println!(
                "  WARNING {label}/{}: {wrong} of {} answers not {} aa={} (first: {})",
                case.name,
                case.queries.len(),
                case.rcode,
                u8::from(case.authoritative),
                first_wrong.unwrap_or_default()
            );
        }
    }
}

/// Parses `text` (with `SPECIAL` appended) and builds both answerers.
fn load(label: &str, mut text: String) -> Option<(Zone, AnswerTable, Catalog)> {
    text.push_str("$ORIGIN example.com.\n");
    text.push_str(SPECIAL);
    let started = Instant::now();
    let zone = match parse(&text, &ParseOptions::new().file_name(label)) {
        Ok(zone) => zone,
        Err(error) => {
            println!("note: {label} does not parse, skipped: {error}");
            return None;
        }
    };
    let parsed = started.elapsed();
    let started = Instant::now();
    let table = match AnswerTable::compile(&zone) {
        Ok(table) => table,
        Err(error) => {
            println!("note: {label} does not compile, skipped: {error}");
            return None;
        }
    };
    let compiled = started.elapsed();
    let started = Instant::now();
    let catalog = match hickory_catalog(&zone) {
        Ok(catalog) => catalog,
        Err(error) => {
            println!("note: hickory cannot load {label}, skipped: {error}");
            return None;
        }
    };
    println!(
        "{label}: {} records, {} names; parsed in {parsed:?}, compiled in {compiled:?}, \
         hickory loaded in {:?}",
        zone.len(),
        zone.names().count(),
        started.elapsed()
    );
    Some((zone, table, catalog))
}

/// Runs every case of one zone: `multiprimary` and `hickory` side by side.
fn run(c: &mut Criterion, label: &str, text: String, random: bool) {
    let Some((zone, table, catalog)) = load(label, text) else {
        return;
    };
    let Some(cases) = cases(&zone, random) else {
        println!("note: {label}: could not build the queries, skipped");
        return;
    };
    check(label, &table, &catalog, &cases);
    let sink = Sink::default();

    for case in &cases {
        let queries = case.queries.as_slice();
        let mask = queries.len().next_power_of_two() - 1;
        let mut group = c.benchmark_group(format!("answer/{label}/{}", case.name));
        group.throughput(Throughput::Elements(1));

        let mut out = [0u8; 4096];
        let mut index = 0usize;
        group.bench_function("multiprimary", |b| {
            b.iter(|| {
                index = (index + 1) & mask;
                let query = queries.get(index).map_or(&[][..], Vec::as_slice);
                table.answer(black_box(query), Transport::Udp, black_box(&mut out))
            });
        });

        // hickory's NODATA and NXDOMAIN scan the zone: time a few lookups first.
        const PROBES: u32 = 8;
        let started = Instant::now();
        for query in queries.iter().cycle().take(PROBES as usize) {
            black_box(hickory_answer(&catalog, &sink, query));
        }
        let per_lookup = started.elapsed() / PROBES;
        if per_lookup > Duration::from_micros(100) {
            println!(
                "  {label}/{}: hickory takes {per_lookup:?} per lookup",
                case.name
            );
            group.sampling_mode(SamplingMode::Flat);
            group.sample_size(10);
            group.warm_up_time(Duration::from_millis(200));
            group.measurement_time(per_lookup * 40);
        }
        let mut index = 0usize;
        group.bench_function("hickory", |b| {
            b.iter(|| {
                index = (index + 1) & mask;
                let query = queries.get(index).map_or(&[][..], Vec::as_slice);
                hickory_answer(&catalog, &sink, black_box(query))
            });
        });
        group.finish();
    }
}

fn seed(c: &mut Criterion) {
    run(c, "seed", SEED.to_owned(), false);
}

fn generated(c: &mut Criterion) {
    let text = generate::generate_zone(GENERATED_RECORDS, ORIGIN, 1);
    run(c, "1m", text, true);
}

/// Zones in the `zones` group's many-zone case, and records in each.
const MANY_ZONES: usize = 1000;
const RECORDS_PER_ZONE: usize = 100;

/// A zone `zoneN.test.` of [`RECORDS_PER_ZONE`] records: SOA, NS, the name server's
/// address and `h0` ... `h96` with an A record each.
fn small_zone(n: usize) -> String {
    let mut text = format!(
        "$ORIGIN zone{n}.test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n\
         @ NS ns\nns A 192.0.2.53\n"
    );
    for h in 0..RECORDS_PER_ZONE - 3 {
        text.push_str(&format!("h{h} A 192.0.2.{}\n", h % 250 + 1));
    }
    text
}

/// Finding the zone among many (what `serve --config` does for every query): a hit
/// through a [`ZoneIndex`] of one zone and of 1,000 zones of 100 records each, the
/// zone's [`AnswerTable`] then answering. Every iteration asks the next of 65,536
/// queries for random names (`hN.zoneM.test.`, M below the zone count).
fn zones(c: &mut Criterion) {
    let zones: Vec<(Zone, AnswerTable)> = (0..MANY_ZONES)
        .filter_map(|n| {
            let zone = parse(&small_zone(n), &ParseOptions::default()).ok()?;
            let table = AnswerTable::compile(&zone).ok()?;
            Some((zone, table))
        })
        .collect();
    if zones.len() != MANY_ZONES {
        println!("note: zones: only {} zones compiled, skipped", zones.len());
        return;
    }
    // The same names in one zone `test.`: the data of the 1,000 zones, found without an
    // index of zones, so that the two differ in finding the zone only.
    let mut whole = String::from(
        "$ORIGIN test.\n$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n@ NS ns\n\
         ns A 192.0.2.53\n",
    );
    for n in 0..MANY_ZONES {
        for h in 0..RECORDS_PER_ZONE - 3 {
            whole.push_str(&format!("h{h}.zone{n} A 192.0.2.{}\n", h % 250 + 1));
        }
    }
    let Some(one) = parse(&whole, &ParseOptions::default())
        .ok()
        .and_then(|zone| Some((AnswerTable::compile(&zone).ok()?, zone)))
        .map(|(table, zone)| vec![(zone, table)])
    else {
        println!("note: zones: the one-zone copy did not compile, skipped");
        return;
    };
    let mut group = c.benchmark_group("answer/zones/hit");
    group.throughput(Throughput::Elements(1));
    for (label, count, served) in [
        ("1-small", 1, zones.get(..1).unwrap_or_default()),
        ("1-of-all", MANY_ZONES, one.as_slice()),
        ("1000", MANY_ZONES, zones.as_slice()),
    ] {
        let index = ZoneIndex::new(served.iter().map(|(zone, _)| zone.origin()));
        let mut rng = Rng(u64::try_from(count).unwrap_or(0));
        let queries: Vec<Vec<u8>> = (0..1 << 16)
            .filter_map(|_| {
                let name = format!(
                    "h{}.zone{}.test.",
                    rng.below(RECORDS_PER_ZONE - 3),
                    rng.below(count)
                );
                encode_query(&Name::from_ascii(name).ok()?, RecordType::A, None)
            })
            .collect();
        let mut out = [0u8; 4096];
        // Every query must find its zone and be answered with one A record.
        let wrong = queries.iter().find(|query| {
            let Some(hit) = index.find(query) else {
                return true;
            };
            let Some((_, table)) = served.get(hit.zone) else {
                return true;
            };
            let Ok(n) = table.answer(query, Transport::Udp, &mut out) else {
                return true;
            };
            Message::from_vec(out.get(..n).unwrap_or_default())
                .map_or(true, |m| m.answers.len() != 1 || !m.metadata.authoritative)
        });
        if let Some(query) = wrong {
            println!("WARNING: zones/{label}: a query was not answered from its zone: {query:?}");
        }
        let mask = queries.len() - 1;
        let mut at = 0usize;
        group.bench_function(label, |b| {
            b.iter(|| {
                at = (at + 1) & mask;
                let query = black_box(queries.get(at).map_or(&[][..], Vec::as_slice));
                let hit = index.find(query)?;
                let (_, table) = served.get(hit.zone)?;
                table
                    .answer(query, Transport::Udp, black_box(&mut out))
                    .ok()
            });
        });
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = seed, generated, zones
}
criterion_main!(benches);
