//! Projection cost: a template projected for every host of a fleet.
//!
//! ```text
//! cargo bench --bench project
//! ```
//!
//! Inputs:
//! - the IANA root zone, `tests/data/root.zone` (built into the bench; provenance in
//!   `tests/data/README.md`), as a template whose one self-referencing name is the apex,
//!   with the fleet its apex NS and glue give (the 13 root servers);
//! - a generated template of 1,000,000 records (`tests/support/generate.rs`, seed 1, its
//!   apex and `www` addresses replaced by `LOCAL-IP` placeholders), and one of 1,000
//!   records made the same way for comparison, each for synthetic fleets of 2, 16 and
//!   128 hosts (one IPv4 and one IPv6 address each).
//!
//! One iteration projects every host of the fleet and drops the projections, so a
//! case's time is N projections; the throughput (elements per second) is projections per
//! second. Projection copies only what differs between hosts (the self-referencing
//! RRsets and the SOA), so a projection should cost the same on the 1M-record template
//! as on the 1k-record one. Samples are few and short: the whole run takes a few minutes
//! on two cores.

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use multiprimary::hickory_proto::rr::{Name, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{Fleet, Host, Template, TemplateOptions, Zone};

#[path = "../tests/support/generate.rs"]
mod generate;

/// The IANA root zone (see `tests/data/README.md`).
const ROOT_ZONE: &str = include_str!("../tests/data/root.zone");
const GENERATED_ORIGIN: &str = "example.com.";
const FLEET_SIZES: [usize; 3] = [2, 16, 128];

/// Projects `template` for every host of `fleet`, keeping all N projections until the end
/// of the iteration (as `render --out DIR` would), then drops them.
fn project_all(template: &Template, fleet: &Fleet) -> usize {
    let projections: Vec<Zone> = fleet
        .hosts()
        .iter()
        // Every host is the fleet's, which the template made.
        .filter_map(|host| template.project(black_box(host)).ok())
        .collect();
    black_box(&projections);
    projections.len()
}

fn root_zone(c: &mut Criterion) {
    let options = ParseOptions::new()
        .origin(Name::root())
        .file_name("root.zone");
    let zone = match parse(ROOT_ZONE, &options) {
        Ok(zone) => zone,
        Err(error) => {
            println!("note: root.zone does not parse, skipping project/root.zone: {error}");
            return;
        }
    };
    let records = zone.len();
    let template = Template::with_options(zone, &TemplateOptions::new().self_name(Name::root()));
    let fleet = match template.fleet(&[]) {
        Ok((fleet, warnings)) => {
            println!(
                "root.zone: {records} records, self names {:?}, {} hosts, {} warnings",
                template
                    .self_names()
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>(),
                fleet.hosts().len(),
                warnings.len()
            );
            for host in fleet.hosts() {
                println!("  {host}");
            }
            fleet
        }
        Err(error) => {
            println!("note: root.zone gives no fleet, skipping project/root.zone: {error}");
            return;
        }
    };
    let mut group = c.benchmark_group("project/root.zone");
    let hosts = fleet.hosts().len();
    group.throughput(Throughput::Elements(hosts as u64));
    group.bench_function(format!("{hosts}-hosts"), |b| {
        b.iter(|| project_all(black_box(&template), black_box(&fleet)));
    });
    group.finish();
}

/// A generated zone of about `records` records made a template: the apex and `www` A and
/// AAAA RRsets replaced by `LOCAL-IP` placeholders (TTL 60).
fn generated_template(records: usize) -> Result<Template, String> {
    let origin = Name::from_ascii(GENERATED_ORIGIN).map_err(|e| e.to_string())?;
    let www = Name::from_ascii("www")
        .and_then(|www| www.append_domain(&origin))
        .map_err(|e| e.to_string())?;
    let text = generate::generate_zone(records, GENERATED_ORIGIN, 1);
    let options = ParseOptions::new().origin(origin.clone());
    let mut zone = parse(&text, &options).map_err(|e| e.to_string())?;
    for name in [&origin, &www] {
        for record_type in [RecordType::A, RecordType::AAAA] {
            zone.remove(name, record_type);
        }
    }
    let mut text = zone.to_string();
    text.push_str("@ 60 A LOCAL-IP\n@ 60 AAAA LOCAL-IP\nwww 60 A LOCAL-IP\nwww 60 AAAA LOCAL-IP\n");
    let zone = parse(&text, &options.template(true)).map_err(|e| e.to_string())?;
    let template = Template::new(zone);
    println!(
        "generated-{records}: {} records, self names {:?}",
        template.zone().len(),
        template
            .self_names()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    Ok(template)
}

/// `size` hosts `hN.example.com.`, each with one IPv4 and one IPv6 address, all distinct.
fn synthetic_fleet(size: usize) -> Result<Fleet, String> {
    let origin = Name::from_ascii(GENERATED_ORIGIN).map_err(|e| e.to_string())?;
    let hosts = (0..size)
        .map(|index| {
            let name = Name::from_ascii(format!("h{index}"))
                .and_then(|name| name.append_domain(&origin))
                .map_err(|e| e.to_string())?;
            let [high, low] = u16::try_from(index)
                .map_err(|e| e.to_string())?
                .to_be_bytes();
            let v4 = Ipv4Addr::new(10, high, low, 1);
            let v6 = Ipv6Addr::new(
                0x2001,
                0xdb8,
                u16::from_be_bytes([high, low]),
                0,
                0,
                0,
                0,
                1,
            );
            Ok(Host::new(name, [IpAddr::V4(v4), IpAddr::V6(v6)]))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Fleet::new(hosts).map_err(|e| e.to_string())
}

fn generated(c: &mut Criterion, records: usize, label: &str) {
    let template = match generated_template(records) {
        Ok(template) => template,
        Err(error) => {
            println!("note: no generated template of {records} records, skipping: {error}");
            return;
        }
    };
    let mut group = c.benchmark_group(format!("project/{label}"));
    for size in FLEET_SIZES {
        let fleet = match synthetic_fleet(size) {
            Ok(fleet) => fleet,
            Err(error) => {
                println!("note: no fleet of {size} hosts, skipping: {error}");
                continue;
            }
        };
        group.throughput(Throughput::Elements(size as u64));
        group.bench_function(format!("{size}-hosts"), |b| {
            b.iter(|| project_all(black_box(&template), black_box(&fleet)));
        });
    }
    group.finish();
}

fn generated_1m(c: &mut Criterion) {
    generated(c, 1_000_000, "generated-1m");
}

fn generated_1k(c: &mut Criterion) {
    generated(c, 1_000, "generated-1k");
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = root_zone, generated_1k, generated_1m
}
criterion_main!(benches);
