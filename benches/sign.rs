//! Signing cost (feature `dnssec`): one host's projection signed whole, and every host's
//! projection signed by [`Template::sign_projections`].
//!
//! ```text
//! cargo bench --features dnssec --bench sign
//! ```
//!
//! Inputs: generated templates (`tests/support/generate.rs`, seed 1, as `genzone N
//! example.com 1 --template HOSTS` prints them: `LOCAL-IP` at the apex and `www`, an apex
//! NS set of HOSTS hosts with glue), one Ed25519 CSK (flags 257) made in-process, and a
//! fixed signature window (2026-12-03 23:00 UTC for 14 days), so that runs are
//! comparable whatever the day.
//!
//! Groups (ids `GROUP/DENIAL/CASE`, DENIAL `NSEC` or `NSEC3`: SHA-1, no extra
//! iterations, no salt, no opt-out):
//! - `sign`, cases `10k` and `100k`: [`sign`] over host `ns1`'s projection of a one-host
//!   template of about 10,000 and 100,000 records (the projection made outside the
//!   timing). One iteration is one signed zone: DNSKEY, the chain, and an RRSIG over
//!   every authoritative RRset, on every core.
//! - `sign_projections`, cases `1-host` and `16-hosts`: [`Template::sign_projections`]
//!   on a 16-host template of about 10,000 records, for `ns1` alone and for all 16 hosts
//!   (projections included). The RRsets all hosts share are signed once, so 16 hosts
//!   should cost little more than one (the goal: within 1.3×); the bench prints that
//!   ratio from its own short timing (median of 3) before criterion runs the cases.
//!
//! Before any timing each case checks its result: the unsigned zone has the records the
//! generator promised, the signed one has one DNSKEY, one NSEC (or NSEC3) per name of
//! the chain, an RRSIG at every chain owner and more RRSIGs than chain records; of the
//! 16 signed copies, there are 16, the first and the last are each the zone [`sign`]
//! makes from that host's projection alone, and two hosts' apex signatures differ. A
//! case whose check fails prints a `WARNING` line and is not timed. Samples are few and
//! short (10 each; on 100k, flat sampling: 10 iterations): the whole run takes about
//! three minutes on two idle cores. `scripts/bench-sign.sh` compares the whole
//! `render --keys` process with `ldns-signzone` and `dnssec-signzone`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode, criterion_group, criterion_main};
use multiprimary::dnssec::{Denial, Key, KeySet, SignOptions, sign};
use multiprimary::hickory_proto::dnssec::Algorithm;
use multiprimary::hickory_proto::rr::{Name, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{Host, Template, Zone};

#[path = "../tests/support/generate.rs"]
mod generate;

const ORIGIN: &str = "example.com.";
/// The host whose projection is signed.
const HOST: &str = "ns1";
/// The hosts of the `sign_projections` template.
const HOSTS: usize = 16;
/// The signature window: 2026-12-03 23:00 UTC for 14 days.
const INCEPTION: u32 = 1_796_338_800;
const EXPIRATION: u32 = INCEPTION + 14 * 86_400;
/// How far past the asked-for count the generator may go (it finishes the name it is
/// writing).
const OVERSHOOT: usize = 16;

/// A generated template of about `records` records for `hosts` hosts, checked to hold
/// as many records as asked for.
fn template(records: usize, hosts: usize) -> Result<Template, String> {
    let text = generate::generate_template(records, ORIGIN, 1, hosts);
    let zone = parse(&text, &ParseOptions::new().template(true)).map_err(|e| e.to_string())?;
    if !(records..=records + OVERSHOOT).contains(&zone.len()) {
        return Err(format!(
            "{} records, expected {records} to {}",
            zone.len(),
            records + OVERSHOOT
        ));
    }
    Ok(Template::new(zone))
}

/// One Ed25519 CSK for the origin.
fn keys() -> Result<KeySet, String> {
    let origin = Name::from_ascii(ORIGIN).map_err(|e| e.to_string())?;
    let key = Key::generate(origin.clone(), Algorithm::ED25519, 257).map_err(|e| e.to_string())?;
    KeySet::new(origin, vec![key]).map_err(|e| e.to_string())
}

fn options(denial: Denial) -> SignOptions {
    SignOptions::new()
        .window(INCEPTION, EXPIRATION)
        .denial(denial)
}

fn label(denial: Denial) -> &'static str {
    match denial {
        Denial::Nsec3 => "NSEC3",
        _ => "NSEC",
    }
}

/// Whether `name` is in the chain of `zone` (RFC 4035 §2.3): inside the zone, not below
/// a zone cut or a DNAME. Worked out here, not by the signer.
fn in_chain(zone: &Zone, name: &Name) -> bool {
    let origin = zone.origin();
    if !origin.zone_of(name) {
        return false;
    }
    let mut ancestor = name.clone();
    while ancestor != *origin {
        ancestor = ancestor.base_name();
        let cut = ancestor != *origin && zone.rrset(&ancestor, RecordType::NS).is_some();
        if cut || zone.rrset(&ancestor, RecordType::DNAME).is_some() {
            return false;
        }
    }
    true
}

/// Checks that `signed` is `unsigned` signed with one key: one DNSKEY, one NSEC per name
/// of the chain (NSEC3: at least one per such name, empty non-terminals adding theirs,
/// and NSEC3PARAM), an RRSIG at every chain owner and more RRSIGs than chain records.
/// Returns the number of RRSIG records.
fn check_signed(unsigned: &Zone, signed: &Zone, denial: Denial) -> Result<usize, String> {
    let origin = signed.origin();
    let dnskeys = signed
        .rrset(origin, RecordType::DNSKEY)
        .map_or(0, |r| r.len());
    if dnskeys != 1 {
        return Err(format!("{dnskeys} DNSKEY records, expected 1"));
    }
    let names = unsigned
        .names()
        .filter(|name| in_chain(unsigned, name))
        .count();
    let chain_type = match denial {
        Denial::Nsec3 => RecordType::NSEC3,
        _ => RecordType::NSEC,
    };
    let mut chain = 0;
    let mut rrsigs = 0;
    for (name, rrset) in signed.rrsets() {
        if rrset.record_type() == RecordType::RRSIG {
            rrsigs += rrset.len();
        } else if rrset.record_type() == chain_type {
            chain += rrset.len();
            if signed.rrset(name, RecordType::RRSIG).is_none() {
                return Err(format!("{name} {chain_type} is not signed"));
            }
        }
    }
    let chain_ok = match denial {
        Denial::Nsec3 => chain >= names && signed.rrset(origin, RecordType::NSEC3PARAM).is_some(),
        _ => chain == names,
    };
    if !chain_ok {
        return Err(format!(
            "{chain} {chain_type} records for {names} names in the chain"
        ));
    }
    if rrsigs <= chain {
        return Err(format!("{rrsigs} RRSIGs for {chain} {chain_type} records"));
    }
    Ok(rrsigs)
}

/// The host `HOST` of `template`'s fleet, and every host.
fn hosts(template: &Template) -> Result<Vec<Host>, String> {
    let (fleet, _) = template.fleet(&[]).map_err(|e| e.to_string())?;
    let mut hosts = fleet.hosts().to_vec();
    let first = fleet.host(HOST).ok_or(format!("no host {HOST}"))?;
    // `HOST` first: the one-host case signs it.
    hosts.retain(|host| host.name() != first.name());
    hosts.insert(0, first.clone());
    Ok(hosts)
}

/// `sign/DENIAL/CASE` for both denials: `HOST`'s projection of a template of `records`
/// records.
fn sign_cases(
    group: &mut BenchmarkGroup<'_, WallTime>,
    keys: &KeySet,
    records: usize,
    case: &str,
) -> Result<(), String> {
    let template = template(records, 1)?;
    let hosts = hosts(&template)?;
    let host = hosts.first().ok_or("no host")?;
    let projection = template.project(host).map_err(|e| e.to_string())?;
    for denial in [Denial::Nsec, Denial::Nsec3] {
        let id = format!("{}/{case}", label(denial));
        let options = options(denial);
        let started = Instant::now();
        let checked = sign(&projection, keys, &options)
            .map_err(|e| e.to_string())
            .and_then(|signed| {
                let took = started.elapsed();
                check_signed(&projection, &signed, denial).map(|rrsigs| (signed, rrsigs, took))
            });
        let (signed, rrsigs, took) = match checked {
            Ok(checked) => checked,
            Err(error) => {
                println!("WARNING sign/{id}: {error}; not timed");
                continue;
            }
        };
        println!(
            "sign/{id}: {} records signed to {} ({rrsigs} RRSIGs) in {took:?}",
            projection.len(),
            signed.len()
        );
        drop(signed);
        group.bench_function(id, |b| {
            b.iter(|| sign(black_box(&projection), keys, &options));
        });
    }
    Ok(())
}

fn sign_group(c: &mut Criterion) {
    let keys = match keys() {
        Ok(keys) => keys,
        Err(error) => {
            println!("WARNING: no key, sign skipped: {error}");
            return;
        }
    };
    let mut group = c.benchmark_group("sign");
    for (records, case) in [(10_000, "10k"), (100_000, "100k")] {
        if records >= 100_000 {
            // Seconds per iteration: the 10 samples are 10 iterations.
            group.sampling_mode(SamplingMode::Flat);
            group.warm_up_time(Duration::from_millis(500));
            group.measurement_time(Duration::from_secs(30));
        }
        if let Err(error) = sign_cases(&mut group, &keys, records, case) {
            println!("WARNING sign/*/{case}: {error}; not timed");
        }
    }
    group.finish();
}

/// Checks `sign_projections` for all of `hosts`: a zone per host, the first host's and
/// the last host's copies each the zone [`sign`] makes from that host's projection
/// alone, and the first two hosts' apex signatures different.
fn check_projections(
    template: &Template,
    hosts: &[&Host],
    keys: &KeySet,
    options: &SignOptions,
) -> Result<(), String> {
    let signed = template
        .sign_projections(hosts, keys, options)
        .map_err(|e| e.to_string())?;
    let zones = signed.zones();
    if zones.len() != hosts.len() {
        return Err(format!("{} zones for {} hosts", zones.len(), hosts.len()));
    }
    let ends = [
        hosts.first().zip(zones.first()),
        hosts.last().zip(zones.last()),
    ];
    for (index, (host, zone)) in ends.into_iter().flatten().enumerate() {
        let projection = template.project(host).map_err(|e| e.to_string())?;
        let alone = sign(&projection, keys, options).map_err(|e| e.to_string())?;
        if *zone != alone {
            return Err(format!("{host}: the copy is not the zone signed alone"));
        }
        if index == 0 {
            check_signed(&projection, zone, options.denial_kind())?;
        }
    }
    let origin = template.zone().origin();
    let apex = |index: usize| {
        zones
            .get(index)
            .and_then(|zone| zone.rrset(origin, RecordType::RRSIG))
    };
    if hosts.len() > 1 && apex(0) == apex(1) {
        return Err("two hosts share their apex RRSIGs".into());
    }
    Ok(())
}

/// The median of 3 timed calls of `f`.
fn median(mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..3)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// `sign_projections/DENIAL/1-host` and `sign_projections/DENIAL/16-hosts`.
fn projections_cases(
    group: &mut BenchmarkGroup<'_, WallTime>,
    template: &Template,
    keys: &KeySet,
    denial: Denial,
) -> Result<(), String> {
    let name = label(denial);
    let hosts = hosts(template)?;
    let all: Vec<&Host> = hosts.iter().collect();
    let one = all.get(..1).unwrap_or_default();
    let options = options(denial);
    check_projections(template, &all, keys, &options)?;
    let sign_all = |hosts: &[&Host]| {
        black_box(template.sign_projections(black_box(hosts), keys, &options)).is_ok()
    };
    let single = median(|| {
        sign_all(one);
    });
    let many = median(|| {
        sign_all(&all);
    });
    println!(
        "sign_projections/{name}: {} records; 1 host {single:?}, {} hosts {many:?} \
         (median of 3): {:.2}× one",
        template.zone().len(),
        all.len(),
        many.as_secs_f64() / single.as_secs_f64()
    );
    group.bench_function(format!("{name}/1-host"), |b| b.iter(|| sign_all(one)));
    group.bench_function(format!("{name}/{}-hosts", all.len()), |b| {
        b.iter(|| sign_all(&all));
    });
    Ok(())
}

fn sign_projections_group(c: &mut Criterion) {
    let (template, keys) = match template(10_000, HOSTS).and_then(|t| Ok((t, keys()?))) {
        Ok(inputs) => inputs,
        Err(error) => {
            println!("WARNING: sign_projections skipped: {error}");
            return;
        }
    };
    let mut group = c.benchmark_group("sign_projections");
    for denial in [Denial::Nsec, Denial::Nsec3] {
        if let Err(error) = projections_cases(&mut group, &template, &keys, denial) {
            println!(
                "WARNING sign_projections/{}: {error}; not timed",
                label(denial)
            );
        }
    }
    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

criterion_group! {
    name = benches;
    config = config();
    targets = sign_group, sign_projections_group
}
criterion_main!(benches);
