//! Makes a new DNSSEC key pair in BIND's format and prints its DS record (feature `dnssec`).
//!
//! ```text
//! cargo run --features dnssec --example keygen -- ZONE [--algorithm ED25519|ECDSAP256SHA256|15|13] [--flags 257|256] [--dir DIR]
//! ```
//!
//! Writes `K<zone>+<alg>+<tag>.key` and `.private` (mode 0600) into DIR (default `.`),
//! never overwriting a file, and prints their paths on stderr. The key is a CSK (flags
//! 257) with Ed25519 unless told otherwise. The DS record (SHA-256) for the parent goes to
//! stdout, as `dnssec-dsfromkey -2` prints it:
//!
//! ```text
//! example.com. IN DS 12345 15 2 4F0A...
//! ```
//!
//! Usage errors print one `error: ...` line and exit 2; a key that cannot be made or
//! written exits 1. RSA keys come from `dnssec-keygen -a RSASHA256 -b 2048 ZONE`: ring
//! cannot make them.

use std::path::PathBuf;
use std::process::ExitCode;

use multiprimary::dnssec::Key;
use multiprimary::hickory_proto::dnssec::Algorithm;
use multiprimary::hickory_proto::rr::Name;

const USAGE: &str =
    "usage: keygen ZONE [--algorithm ED25519|ECDSAP256SHA256|15|13] [--flags 257|256] [--dir DIR]";

/// What the command line asks for.
struct Args {
    zone: Name,
    algorithm: Algorithm,
    flags: u16,
    dir: PathBuf,
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let mut zone = None;
    let mut algorithm = Algorithm::ED25519;
    let mut flags = 257;
    let mut dir = PathBuf::from(".");
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |option: &str| {
            words
                .next()
                .ok_or_else(|| format!("{option} needs a value; {USAGE}"))
        };
        match word.as_str() {
            "--algorithm" => {
                algorithm = match value("--algorithm")?.to_ascii_uppercase().as_str() {
                    "ED25519" | "15" => Algorithm::ED25519,
                    "ECDSAP256SHA256" | "13" => Algorithm::ECDSAP256SHA256,
                    other => {
                        return Err(format!(
                            "--algorithm {other}: expected ED25519 (15) or ECDSAP256SHA256 (13); \
                             for RSA use dnssec-keygen -a RSASHA256 -b 2048"
                        ));
                    }
                }
            }
            "--flags" => {
                flags = match value("--flags")?.as_str() {
                    "257" => 257,
                    "256" => 256,
                    other => {
                        return Err(format!(
                            "--flags {other}: expected 257 (a KSK or CSK) or 256 (a ZSK)"
                        ));
                    }
                }
            }
            "--dir" => dir = PathBuf::from(value("--dir")?),
            "-h" | "--help" => return Err(USAGE.into()),
            _ if word.starts_with("--") => return Err(format!("unknown option {word}; {USAGE}")),
            _ if zone.is_none() => {
                let mut name = Name::from_ascii(&word)
                    .map_err(|error| format!("ZONE `{word}` is not a domain name: {error}"))?;
                name.set_fqdn(true);
                zone = Some(name);
            }
            _ => return Err(format!("unexpected argument `{word}`; {USAGE}")),
        }
    }
    let zone = zone.ok_or_else(|| USAGE.to_owned())?;
    Ok(Args {
        zone,
        algorithm,
        flags,
        dir,
    })
}

fn run(args: &Args) -> Result<(), Box<dyn std::error::Error>> {
    let key = Key::generate(args.zone.clone(), args.algorithm, args.flags)?;
    let (public, private) = key.write(&args.dir)?;
    eprintln!("{}", public.display());
    eprintln!("{}", private.display());
    let ds = key.ds()?;
    let digest: String = ds.digest().iter().map(|b| format!("{b:02X}")).collect();
    println!(
        "{} IN DS {} {} {} {digest}",
        key.zone(),
        ds.key_tag(),
        u8::from(ds.algorithm()),
        u8::from(ds.digest_type()),
    );
    Ok(())
}
