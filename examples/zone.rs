//! Parses a zone file, reports what validation finds, and writes the zone back in
//! canonical text.
//!
//! ```text
//! cargo run --example zone                          # the bundled seed zone (example.com)
//! cargo run --example zone -- FILE [--origin NAME] [--include-dir DIR]
//! ```
//!
//! The zone goes to stdout; problems go to stderr as `warning: ...` or `error: ...`.
//! A syntax error prints `error: FILE:LINE:COL: what is wrong` and exits with status 1;
//! a zone that parses but breaks a rule servers enforce exits with status 2.

use std::process::ExitCode;
use std::str::FromStr;

use multiprimary::hickory_proto::rr::Name;
use multiprimary::text::{ParseOptions, parse, write};
use multiprimary::{Problem, Severity};

const SEED: &str = include_str!("data/example.com.zone");

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<ExitCode, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut file = None;
    let mut origin = None;
    let mut include_dir = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--origin" => origin = Some(args.next().ok_or("--origin needs a name")?),
            "--include-dir" => {
                include_dir = Some(args.next().ok_or("--include-dir needs a directory")?)
            }
            "-h" | "--help" => {
                println!("usage: zone [FILE] [--origin NAME] [--include-dir DIR]");
                return Ok(ExitCode::SUCCESS);
            }
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}").into()),
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument {arg}").into()),
        }
    }
    let (text, name) = match &file {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?,
            path.clone(),
        ),
        None => (SEED.to_owned(), "examples/data/example.com.zone".to_owned()),
    };
    let mut options = ParseOptions::new().file_name(name);
    match origin {
        Some(origin) => {
            options = options
                .origin(Name::from_str(&origin).map_err(|e| format!("--origin {origin}: {e}"))?)
        }
        None if file.is_none() => options = options.origin(Name::from_str("example.com.")?),
        None => {}
    }
    if let Some(dir) = include_dir {
        options = options.include_dir(dir);
    }
    let zone = parse(&text, &options)?;
    let problems = zone.validate();
    for problem in &problems {
        eprintln!("{}: {problem}", problem.severity());
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    write(&zone, &mut out)?;
    print!("{out}");
    let failed = problems
        .iter()
        .any(|p: &Problem| p.severity() == Severity::Error);
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
