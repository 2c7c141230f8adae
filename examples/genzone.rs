//! Prints a generated, realistic master file: `genzone N ORIGIN [SEED]`.
//!
//! ```text
//! cargo run --release --example genzone -- 1000000 example.com > big.zone
//! ```
//!
//! The zone is the one benches and tests use (`tests/support/generate.rs`): the
//! same arguments always print the same text. SEED defaults to 1.

use std::io::Write as _;
use std::process::ExitCode;

#[path = "../tests/support/generate.rs"]
mod generate;

const USAGE: &str = "usage: genzone N ORIGIN [SEED]";

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
    let mut args = std::env::args().skip(1);
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
    let zone = generate::generate_zone(count, &origin, seed);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(zone.as_bytes())?;
    stdout.flush()?;
    Ok(())
}
