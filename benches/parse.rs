//! Zone-text throughput: `multiprimary`'s parser and writer, with hickory-proto's
//! zone parser on the same input for comparison.
//!
//! ```text
//! cargo bench --bench parse
//! ```
//!
//! Inputs:
//! - the IANA root zone, `tests/data/root.zone` (built into the bench; provenance in
//!   `tests/data/README.md`);
//! - a generated zone of 1,000,000 records (`tests/support/generate.rs`, seed 1).
//!
//! Groups report bytes of zone text per second: `parse/root.zone` and
//! `parse/generated-1m` (cases `multiprimary` and `hickory`; a case whose parser
//! rejects the input is skipped with a note), and `write/root.zone` (our writer,
//! bytes written). Samples are few and short, so the whole run takes a few
//! minutes on two cores: enough to compare, not to chase 1% changes.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use multiprimary::hickory_proto::rr::Name;
use multiprimary::hickory_proto::serialize::txt::Parser;
use multiprimary::text::{ParseOptions, parse, write};

#[path = "../tests/support/generate.rs"]
mod generate;

/// The IANA root zone (see `tests/data/README.md`).
const ROOT_ZONE: &str = include_str!("../tests/data/root.zone");
const GENERATED_RECORDS: usize = 1_000_000;
const GENERATED_ORIGIN: &str = "example.com.";

/// Parses `text` with hickory-proto, returning the number of RRsets.
fn hickory_parse(text: &str, origin: &Name) -> Result<usize, String> {
    Parser::new(text, None, Some(origin.clone()))
        .parse()
        .map(|(_, rrsets)| rrsets.len())
        .map_err(|error| error.to_string())
}

/// Adds the `multiprimary` and `hickory` cases for one input to `group`.
fn parse_cases(group: &mut BenchmarkGroup<'_, WallTime>, label: &str, text: &str, origin: &Name) {
    group.throughput(Throughput::Bytes(text.len() as u64));
    let options = ParseOptions::new().origin(origin.clone()).file_name(label);

    match parse(text, &options) {
        Ok(zone) => {
            println!(
                "{label}: {} bytes, multiprimary parses {} records",
                text.len(),
                zone.len()
            );
            group.bench_function("multiprimary", |b| {
                // Time building the zone, not freeing it (the same for hickory below).
                b.iter_with_large_drop(|| parse(black_box(text), black_box(&options)));
            });
        }
        Err(error) => println!("{label}: multiprimary cannot parse it, skipped: {error}"),
    }

    match hickory_parse(text, origin) {
        Ok(rrsets) => {
            println!("{label}: hickory parses {rrsets} RRsets");
            group.bench_function("hickory", |b| {
                b.iter_with_large_drop(|| {
                    Parser::new(black_box(text), None, Some(origin.clone())).parse()
                });
            });
        }
        Err(error) => println!("{label}: hickory cannot parse it, skipped: {error}"),
    }
}

fn root_zone(c: &mut Criterion) {
    let origin = Name::root();

    let mut group = c.benchmark_group("parse/root.zone");
    parse_cases(&mut group, "root.zone", ROOT_ZONE, &origin);
    group.finish();

    let options = ParseOptions::new().origin(origin).file_name("root.zone");
    let zone = match parse(ROOT_ZONE, &options) {
        Ok(zone) => zone,
        Err(error) => {
            println!("note: root.zone does not parse, skipping write/root.zone: {error}");
            return;
        }
    };
    let mut written = String::new();
    if let Err(error) = write(&zone, &mut written) {
        println!("note: writing root.zone failed, skipping write/root.zone: {error}");
        return;
    }
    let capacity = written.len();
    println!("root.zone: writer emits {capacity} bytes");

    let mut group = c.benchmark_group("write");
    group.throughput(Throughput::Bytes(capacity as u64));
    group.bench_function("root.zone", |b| {
        b.iter(|| {
            let mut out = String::with_capacity(capacity);
            let result = write(black_box(&zone), &mut out);
            (result, out)
        });
    });
    group.finish();
}

fn generated_zone(c: &mut Criterion) {
    let text = generate::generate_zone(GENERATED_RECORDS, GENERATED_ORIGIN, 1);
    let origin = match Name::from_ascii(GENERATED_ORIGIN) {
        Ok(origin) => origin,
        Err(error) => {
            println!("note: bad origin {GENERATED_ORIGIN}: {error}");
            return;
        }
    };
    let mut group = c.benchmark_group("parse/generated-1m");
    // One parse takes a second or more: time each iteration on its own, and
    // leave room for ten of them (hickory-proto needs about 2.3 s each).
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(25));
    parse_cases(&mut group, "generated-1m", &text, &origin);
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = root_zone, generated_zone
}
criterion_main!(benches);
