//! Prints a generated, realistic master file: `genzone N ORIGIN [SEED] [--template HOSTS]`.
//!
//! ```text
//! cargo run --release --example genzone -- 1000000 example.com > big.zone
//! cargo run --release --example genzone -- 1000000 example.com 1 --template 16 > big.template
//! ```
//!
//! The zone is the one benches and tests use (`tests/support/generate.rs`): the
//! same arguments always print the same text. SEED defaults to 1. With
//! `--template HOSTS` it is a template for `render`: `LOCAL-IP` at the apex and
//! `www`, and an apex NS set of HOSTS hosts (1 to 255) with glue.

use std::io::Write as _;
use std::process::ExitCode;

#[path = "../tests/support/generate.rs"]
mod generate;

const USAGE: &str = "usage: genzone N ORIGIN [SEED] [--template HOSTS]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut hosts: Option<usize> = None;
    let mut words = Vec::new();
    let mut all = std::env::args().skip(1);
    while let Some(word) = all.next() {
        if word == "--template" {
            let value = all
                .next()
                .ok_or_else(|| format!("--template needs HOSTS; {USAGE}"))?;
            let count: usize = value
                .parse()
                .map_err(|error| format!("HOSTS `{value}` is not a number: {error}; {USAGE}"))?;
            if !(1..=255).contains(&count) {
                return Err(format!("HOSTS `{value}` is not in 1..=255; {USAGE}").into());
            }
            hosts = Some(count);
        } else {
            words.push(word);
        }
    }
    let mut args = words.into_iter();
    let (Some(count), Some(origin)) = (args.next(), args.next()) else {
        return Err(USAGE.into());
    };
    let count: usize = count
        .parse()
        .map_err(|error| format!("N `{count}` is not a record count: {error}; {USAGE}"))?;
    let seed: u64 = match args.next() {
        Some(seed) => seed
            .parse()
            .map_err(|error| format!("SEED `{seed}` is not a number: {error}; {USAGE}"))?,
        None => 1,
    };
    if let Some(extra) = args.next() {
        return Err(format!("unexpected argument `{extra}`; {USAGE}").into());
    }
    let zone = match hosts {
        Some(hosts) => generate::generate_template(count, &origin, seed, hosts),
        None => generate::generate_zone(count, &origin, seed),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(zone.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
