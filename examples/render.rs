//! Renders each host's zone from the fleet's one template.
//!
//! ```text
//! cargo run --example render                  # the seed's example.com: bob's and bill's zones
//! cargo run --example render -- TEMPLATE HOST [--origin NAME] [--format text|wire] [--self NAME]...
//! cargo run --example render -- TEMPLATE --out DIR [--origin NAME] [--format text|wire] [--self NAME]...
//! ```
//!
//! `HOST` is a name in the template's apex NS set (relative or absolute) or one of its
//! addresses. The zone goes to stdout; with `--out DIR`, every host's zone is written to
//! `DIR/HOSTNAME.zone`. `--format wire` writes the zone as an AXFR message stream
//! (RFC 5936), each message with its 2-octet length prefix as on TCP (`HOSTNAME.axfr`). Warnings go to stderr as `warning: ...`. Bad input prints one line,
//! `error: FILE:LINE:COL: what is wrong`, and exits non-zero.

use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;

use multiprimary::hickory_proto::rr::Name;
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{Host, ProjectOptions, Severity, Template, wire};
use std::io::Write;

const SEED: &str = include_str!("data/example.com.template");
const SEED_NAME: &str = "examples/data/example.com.template";

struct Args {
    template: Option<PathBuf>,
    host: Option<String>,
    origin: Option<String>,
    self_names: Vec<String>,
    out: Option<PathBuf>,
    wire: bool,
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // An empty message: the errors were printed already, one line each.
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            ExitCode::from(1)
        }
    }
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        template: None,
        host: None,
        origin: None,
        self_names: Vec::new(),
        out: None,
        wire: false,
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |option: &str| words.next().ok_or(format!("{option} needs a value"));
        match word.as_str() {
            "--origin" => args.origin = Some(value("--origin")?),
            "--self" => args.self_names.push(value("--self")?),
            "--out" => args.out = Some(PathBuf::from(value("--out")?)),
            "--format" => match value("--format")?.as_str() {
                "text" => args.wire = false,
                "wire" => args.wire = true,
                other => return Err(format!("--format {other}: expected text or wire")),
            },
            "-h" | "--help" => {
                return Err("usage: render [TEMPLATE HOST | TEMPLATE --out DIR] [--origin NAME] [--self NAME]... [--format text|wire]".into());
            }
            _ if word.starts_with("--") => return Err(format!("unknown option {word}")),
            _ if args.template.is_none() => args.template = Some(PathBuf::from(word)),
            _ if args.host.is_none() => args.host = Some(word),
            _ => return Err(format!("unexpected argument {word}")),
        }
    }
    if args.template.is_some() && args.host.is_none() && args.out.is_none() {
        return Err("give a HOST, or --out DIR for every host".into());
    }
    Ok(args)
}

fn name(text: &str, what: &str) -> Result<Name, String> {
    Name::from_str(text).map_err(|e| format!("{what} {text}: {e}"))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let (text, file) = match &args.template {
        Some(path) => (
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
            path.display().to_string(),
        ),
        None => (SEED.to_owned(), SEED_NAME.to_owned()),
    };
    let mut options = ParseOptions::new().template(true).file_name(file.as_str());
    if let Some(origin) = &args.origin {
        options = options.origin(name(origin, "--origin")?);
    }
    let zone = parse(&text, &options).map_err(|e| e.to_string())?;
    // Each problem on a line of its own, `error: FILE:LINE:COL: ...`, the errors last.
    let mut problems = zone.validate();
    problems.sort_by_key(|p| p.severity() == Severity::Error);
    for problem in &problems {
        eprintln!("{}: {problem}", problem.severity());
    }
    if problems.iter().any(|p| p.severity() == Severity::Error) {
        return Err(String::new());
    }
    let mut project_options = ProjectOptions::new();
    for self_name in &args.self_names {
        let mut self_name = name(self_name, "--self")?;
        if !self_name.is_fqdn() {
            self_name = self_name
                .append_domain(zone.origin())
                .map_err(|e| format!("--self: {e}"))?;
        }
        project_options = project_options.self_name(self_name);
    }
    let template = Template::with_options(zone, &project_options);
    let (fleet, warnings) = template.fleet(&[]).map_err(|error| {
        // One line each, `error: FILE:LINE:COL: ...`.
        for (problem, location) in error.located() {
            match location {
                Some(location) => eprintln!("error: {location}: {problem}"),
                None => eprintln!("error: {file}: {problem}"),
            }
        }
        String::new()
    })?;
    for warning in &warnings {
        eprintln!("warning: {file}: {warning}");
    }
    let hosts: Vec<&Host> = match &args.host {
        Some(key) => vec![fleet.host(key).ok_or_else(|| {
            let known: Vec<String> = fleet.hosts().iter().map(ToString::to_string).collect();
            format!(
                "unknown host {key}: the template's hosts are {}",
                known.join(", ")
            )
        })?],
        None => fleet.hosts().iter().collect(),
    };
    for host in hosts {
        let zone = template.project(host);
        let bytes = if args.wire {
            let mut stream = Vec::new();
            for message in wire::encode_axfr(&zone, 0).map_err(|e| format!("{host}: {e}"))? {
                let length = u16::try_from(message.len())
                    .map_err(|_| format!("{host}: message too long"))?;
                stream.extend_from_slice(&length.to_be_bytes());
                stream.extend_from_slice(&message);
            }
            stream
        } else if args.template.is_none() && args.out.is_none() {
            format!("; the zone served by {host}\n{zone}\n").into_bytes()
        } else {
            zone.to_string().into_bytes()
        };
        match &args.out {
            Some(dir) => {
                let host_name = host.name().to_string();
                let extension = if args.wire { "axfr" } else { "zone" };
                let path = dir.join(format!("{}.{extension}", host_name.trim_end_matches('.')));
                std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            None => std::io::stdout()
                .write_all(&bytes)
                .map_err(|e| format!("stdout: {e}"))?,
        }
    }
    Ok(())
}
