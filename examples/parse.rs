//! Parses a master file and prints its record count: `parse FILE [--origin NAME]`.
//!
//! ```text
//! cargo run --release --example parse -- tests/data/root.zone --origin .
//! ```
//!
//! It exists to measure the parser on its own, for instance its peak memory with
//! `/usr/bin/time -v` on the built example (`scripts/bench-parse.sh` does that, with the
//! binary found where cargo built it). Prints `records: N` on success; on failure
//! prints `error: ...` on stderr and exits non-zero (2 for bad arguments, 1 for
//! a file that cannot be read or parsed).

use std::process::ExitCode;

use multiprimary::hickory_proto::rr::Name;
use multiprimary::text::{ParseOptions, parse};

const USAGE: &str = "usage: parse FILE [--origin NAME]";

/// What went wrong, and so which exit code to use.
enum Failure {
    Usage(String),
    Run(Box<dyn std::error::Error>),
}

impl<E: Into<Box<dyn std::error::Error>>> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure::Run(error.into())
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}; {USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Run(error)) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Failure> {
    let mut path = None;
    let mut origin = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--origin" => {
                let Some(name) = args.next() else {
                    return Err(Failure::Usage("--origin needs a NAME".into()));
                };
                origin = Some(name);
            }
            _ if arg.starts_with("--") => {
                return Err(Failure::Usage(format!("unknown option `{arg}`")));
            }
            _ if path.is_none() => path = Some(arg),
            _ => return Err(Failure::Usage(format!("unexpected argument `{arg}`"))),
        }
    }
    let Some(path) = path else {
        return Err(Failure::Usage("missing FILE".into()));
    };

    let mut options = ParseOptions::new().file_name(path.as_str());
    if let Some(origin) = origin {
        let absolute = if origin.ends_with('.') {
            origin.clone()
        } else {
            format!("{origin}.")
        };
        let name = Name::from_ascii(&absolute)
            .map_err(|error| Failure::Usage(format!("bad origin `{origin}`: {error}")))?;
        options = options.origin(name);
    }
    let text = std::fs::read_to_string(&path).map_err(|error| format!("{path}: {error}"))?;
    let zone = parse(&text, &options)?;
    println!("records: {}", zone.len());
    // The process is about to exit: leave the memory to the OS rather than free a million
    // records one by one (servers and checkers measured beside this do the same).
    std::mem::forget(zone);
    Ok(())
}
