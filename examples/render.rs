//! Renders each host's zone from the fleet's one template.
//!
//! ```text
//! cargo run --example render                  # the seed's example.com: bob's and bill's zones
//! cargo run --example render -- TEMPLATE HOST [--origin NAME] [--format text|wire] [--self NAME]...
//! cargo run --example render -- TEMPLATE --out DIR [--origin NAME] [--format text|wire] [--self NAME]...
//! cargo run --features dnssec --example render -- TEMPLATE (HOST | --out DIR) --keys DIR
//!     [--nsec3] [--inception T] [--expiration T] [--cds] [--resign]
//! ```
//!
//! With `--keys DIR` (feature `dnssec`) each host's zone is signed with the key pairs in
//! DIR for the template's origin (BIND's `K<zone>.+<alg>.+<tag>.key` and `.private`
//! files): the DNSKEY RRset, an NSEC chain (NSEC3 with `--nsec3`: SHA-1, no extra
//! iterations, no salt, no opt-out), an RRSIG over every authoritative RRset, and with
//! `--cds` CDS and CDNSKEY records. The signatures are valid from `--inception` to
//! `--expiration`, each `YYYYMMDDHHMMSS` (UTC, as RRSIG presents it) or `+DAYS`: by
//! default from an hour before the start of the current UTC day for 14 days, so that
//! every host that signs on the same day makes the same signatures; `--inception +D` is
//! D days after that default, `--expiration +D` D days after the inception. A template
//! that holds DNSSEC records is refused, or with `--resign` has them dropped (a warning
//! says how many) and is signed anew.
//!
//! `HOST` is a name in the template's apex NS set (relative or absolute) or one of its
//! addresses. The zone goes to stdout; with `--out DIR`, every host's zone is written to
//! `DIR/HOSTNAME.zone`. `--format wire` writes the zone as an AXFR message stream
//! (RFC 5936), each message with its 2-octet length prefix as on TCP (`HOSTNAME.axfr`). Warnings go to stderr as `warning: ...`. Bad input prints one line,
//! `error: FILE:LINE:COL: what is wrong`, and exits non-zero.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

use multiprimary::hickory_proto::rr::Name;
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{Fleet, Host, Severity, Template, TemplateOptions, Zone, wire};

const SEED: &str = include_str!("data/example.com.template");
const SEED_NAME: &str = "examples/data/example.com.template";

struct Args {
    template: Option<PathBuf>,
    host: Option<String>,
    origin: Option<String>,
    self_names: Vec<String>,
    out: Option<PathBuf>,
    wire: bool,
    signing: Signing,
}

/// The signing options.
#[derive(Default)]
struct Signing {
    keys: Option<PathBuf>,
    nsec3: bool,
    inception: Option<String>,
    expiration: Option<String>,
    cds: bool,
    resign: bool,
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
        signing: Signing::default(),
    };
    let mut words = std::env::args().skip(1);
    while let Some(word) = words.next() {
        let mut value = |option: &str| words.next().ok_or(format!("{option} needs a value"));
        match word.as_str() {
            "--origin" => args.origin = Some(value("--origin")?),
            "--self" => args.self_names.push(value("--self")?),
            "--out" => args.out = Some(PathBuf::from(value("--out")?)),
            "--keys" => args.signing.keys = Some(PathBuf::from(value("--keys")?)),
            "--inception" => args.signing.inception = Some(value("--inception")?),
            "--expiration" => args.signing.expiration = Some(value("--expiration")?),
            "--nsec3" => args.signing.nsec3 = true,
            "--cds" => args.signing.cds = true,
            "--resign" => args.signing.resign = true,
            "--format" => match value("--format")?.as_str() {
                "text" => args.wire = false,
                "wire" => args.wire = true,
                other => return Err(format!("--format {other}: expected text or wire")),
            },
            "-h" | "--help" => {
                return Err("usage: render [TEMPLATE HOST | TEMPLATE --out DIR] [--origin NAME] [--self NAME]... [--format text|wire] [--keys DIR [--nsec3] [--inception T] [--expiration T] [--cds] [--resign]]".into());
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
    let signing = &args.signing;
    if signing.keys.is_none()
        && (signing.nsec3
            || signing.cds
            || signing.resign
            || signing.inception.is_some()
            || signing.expiration.is_some())
    {
        return Err(
            "--nsec3, --cds, --resign, --inception and --expiration need --keys DIR".into(),
        );
    }
    Ok(args)
}

fn name(text: &str, what: &str) -> Result<Name, String> {
    Name::from_str(text).map_err(|e| format!("{what} {text}: {e}"))
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let file = match &args.template {
        Some(path) => path.display().to_string(),
        None => SEED_NAME.to_owned(),
    };
    let mut options = ParseOptions::new().template(true).file_name(file.as_str());
    if let Some(origin) = &args.origin {
        options = options.origin(name(origin, "--origin")?);
    }
    // The text is dropped as soon as it is parsed: nothing after needs it, and it is as
    // large as the zone's output.
    let zone = match &args.template {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            parse(&text, &options)
        }
        None => parse(SEED, &options),
    }
    .map_err(|e| e.to_string())?;
    let mut template_options = TemplateOptions::new();
    for self_name in &args.self_names {
        template_options = template_options.self_name(name(self_name, "--self")?);
    }
    let template = Template::with_options(zone, &template_options);
    // Validation runs on a thread of its own while the zones are written to staging
    // outputs (memory for stdout, a temporary file beside each file of `--out DIR`);
    // nothing reaches an output before the template has passed it.
    let result = std::thread::scope(|scope| {
        let validation = scope.spawn(|| template.zone().validate());
        let fleet = template.fleet(&[]);
        let staged = match &fleet {
            Ok((fleet, _))
                if !args.wire
                    && args.signing.keys.is_none()
                    && (args.template.is_some() || args.out.is_some()) =>
            {
                Some(hosts_of(fleet, &args).and_then(|hosts| stage_text(&template, &hosts, &args)))
            }
            _ => None,
        };
        // (A validation that panicked is a failure, never an empty list of problems.)
        let problems = validation
            .join()
            .map_err(|_| "validation failed".to_owned());
        (problems, fleet, staged)
    });
    let (problems, fleet, staged) = result;
    let mut problems = match problems {
        Ok(problems) => problems,
        Err(message) => {
            if let Some(Ok(staged)) = staged {
                staged.discard();
            }
            return Err(message);
        }
    };
    // Each problem on a line of its own, `error: FILE:LINE:COL: ...`, the errors last.
    problems.sort_by_key(|p| p.severity() == Severity::Error);
    for problem in &problems {
        eprintln!("{}: {problem}", problem.severity());
    }
    if problems.iter().any(|p| p.severity() == Severity::Error) {
        if let Some(Ok(staged)) = staged {
            staged.discard();
        }
        return Err(String::new());
    }
    let (fleet, warnings) = fleet.map_err(|error| {
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
    if let Some(staged) = staged {
        staged?.commit()?;
    } else if let Some(keys) = &args.signing.keys {
        let hosts = hosts_of(&fleet, &args)?;
        signed::render(&template, &hosts, keys, &args, &file)?;
    } else {
        let hosts = hosts_of(&fleet, &args)?;
        if args.wire {
            for host in hosts {
                let zone = template.project(host).map_err(|e| e.to_string())?;
                output(host, &args, |out| write_axfr(&zone, host, out))?;
            }
        } else {
            // The seed's zones, one after another, each under a comment.
            for host in hosts {
                output(host, &args, |out| {
                    writeln!(out, "; the zone served by {host}")?;
                    write_text(&template, &mut [(host, TextOut::new(&mut *out))])?;
                    out.write_all(b"\n")
                })?;
            }
        }
    }
    // The process ends here: freeing a million-record zone node by node would only cost
    // time (a fifth of the whole run), and the system takes the memory back at once.
    std::mem::forget(template);
    Ok(())
}

/// The hosts to render: HOST, or every host of the fleet.
fn hosts_of<'f>(fleet: &'f Fleet, args: &Args) -> Result<Vec<&'f Host>, String> {
    match &args.host {
        Some(key) => Ok(vec![fleet.host(key).ok_or_else(|| {
            let known: Vec<String> = fleet.hosts().iter().map(ToString::to_string).collect();
            format!(
                "unknown host {key}: the template's hosts are {}",
                known.join(", ")
            )
        })?]),
        None => Ok(fleet.hosts().iter().collect()),
    }
}

/// Zones written where nothing reads them yet: in memory for stdout, or to a temporary
/// file beside each final one.
enum Staged {
    Stdout(Vec<u8>),
    Files(Vec<(PathBuf, PathBuf)>),
}

impl Staged {
    /// Sends the zones on: to stdout, or each temporary file renamed to its final name.
    fn commit(self) -> Result<(), String> {
        match self {
            Self::Stdout(bytes) => std::io::stdout()
                .lock()
                .write_all(&bytes)
                .map_err(|e| format!("stdout: {e}")),
            Self::Files(files) => {
                for (staging, path) in files {
                    std::fs::rename(&staging, &path)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    eprintln!("wrote {}", path.display());
                }
                Ok(())
            }
        }
    }

    /// Removes the temporary files.
    fn discard(self) {
        if let Self::Files(files) = self {
            for (staging, _) in files {
                let _ = std::fs::remove_file(staging);
            }
        }
    }
}

/// Every host's zone in one pass over the template (the lines they share are formatted
/// once), to its staging output.
fn stage_text(template: &Template, hosts: &[&Host], args: &Args) -> Result<Staged, String> {
    let Some(dir) = &args.out else {
        // Without `--out`, HOST names the one host.
        let mut bytes = Vec::new();
        for host in hosts {
            write_text(template, &mut [(*host, TextOut::new(&mut bytes))])
                .map_err(|e| format!("stdout: {e}"))?;
        }
        return Ok(Staged::Stdout(bytes));
    };
    let mut files = Vec::with_capacity(hosts.len());
    let mut targets = Vec::with_capacity(hosts.len());
    for host in hosts {
        let path = host_path(dir, host, "zone");
        let staging = host_path(dir, host, "zone.new");
        let file = File::create(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
        targets.push((*host, TextOut::new(BufWriter::with_capacity(BUFFER, file))));
        files.push((staging, path));
    }
    let written = write_text(template, &mut targets)
        .and_then(|()| targets.iter_mut().try_for_each(|(_, out)| out.out.flush()));
    drop(targets);
    let staged = Staged::Files(files);
    match written {
        Ok(()) => Ok(staged),
        Err(error) => {
            staged.discard();
            Err(format!("{}: {error}", dir.display()))
        }
    }
}

/// The size of the output buffer.
const BUFFER: usize = 1 << 16;

/// The file of `host`'s zone in `dir`: `HOSTNAME.EXTENSION`.
fn host_path(dir: &Path, host: &Host, extension: &str) -> PathBuf {
    let host_name = host.name().to_string();
    dir.join(format!("{}.{extension}", host_name.trim_end_matches('.')))
}

/// Runs `write` on `host`'s output (its file under `--out DIR`, else stdout), buffered,
/// and flushes it.
fn output(
    host: &Host,
    args: &Args,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), String> {
    match &args.out {
        Some(dir) => {
            let path = host_path(dir, host, if args.wire { "axfr" } else { "zone" });
            let file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let mut out = BufWriter::with_capacity(BUFFER, file);
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(|e| format!("{}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
        None => {
            let mut out = BufWriter::with_capacity(BUFFER, std::io::stdout().lock());
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(|e| format!("stdout: {e}"))?;
        }
    }
    Ok(())
}

/// Writes `zone` to `out` as an AXFR message stream, each message with its 2-octet length.
fn write_axfr(zone: &Zone, host: &Host, out: &mut dyn Write) -> std::io::Result<()> {
    let messages =
        wire::encode_axfr(zone, 0).map_err(|e| std::io::Error::other(format!("{host}: {e}")))?;
    for message in messages {
        let framed = wire::tcp_frame(&message)
            .ok_or_else(|| std::io::Error::other(format!("{host}: message too long")))?;
        out.write_all(&framed)?;
    }
    Ok(())
}

/// Writes each host's zone as text to its output, streamed: no zone is held as one string.
fn write_text<W: Write>(
    template: &Template,
    targets: &mut [(&Host, TextOut<W>)],
) -> std::io::Result<()> {
    if template.write_projections(targets).is_err() {
        let error = targets.iter_mut().find_map(|(_, out)| out.error.take());
        return Err(error.unwrap_or_else(|| std::io::Error::other("formatting failed")));
    }
    Ok(())
}

/// `fmt::Write` over an `io::Write`, keeping the I/O error that `fmt::Error` cannot carry.
struct TextOut<W: Write> {
    out: W,
    error: Option<std::io::Error>,
}

impl<W: Write> TextOut<W> {
    fn new(out: W) -> Self {
        Self { out, error: None }
    }
}

impl<W: Write> std::fmt::Write for TextOut<W> {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.out.write_all(text.as_bytes()).map_err(|error| {
            self.error = Some(error);
            std::fmt::Error
        })
    }
}

/// Signing with `--keys` (feature `dnssec`).
#[cfg(feature = "dnssec")]
mod signed {
    use std::fs::File;
    use std::io::{BufWriter, Write};
    use std::path::Path;
    use std::time::SystemTime;

    use multiprimary::dnssec::{Denial, KeySet, SignOptions, parse_time};
    use multiprimary::{Host, Template};

    use super::{Args, BUFFER, TextOut, host_path, write_axfr};

    /// Signs each host's projection with the keys in `dir` and writes it.
    pub(super) fn render(
        template: &Template,
        hosts: &[&Host],
        dir: &Path,
        args: &Args,
        file: &str,
    ) -> Result<(), String> {
        let keys = KeySet::read_dir(dir, template.zone().origin()).map_err(|e| e.to_string())?;
        let options = options(args)?;
        if args.signing.resign {
            let old = template
                .zone()
                .rrsets()
                .filter(|(_, r)| is_dnssec(r.record_type()))
                .map(|(_, r)| r.len())
                .sum::<usize>();
            if old > 0 {
                eprintln!(
                    "warning: {file}: the template's {old} DNSSEC records are dropped; each zone is signed anew"
                );
            }
        }
        let signed = template
            .sign_projections(hosts, &keys, &options)
            .map_err(|e| format!("{file}: {e}"))?;
        if args.wire {
            for (host, zone) in hosts.iter().zip(signed.zones()) {
                super::output(host, args, |out| write_axfr(zone, host, out))?;
            }
            return Ok(());
        }
        match &args.out {
            None => {
                // `Stdout`, not its lock: the zones may be written from another thread.
                let mut out = [TextOut::new(BufWriter::with_capacity(
                    BUFFER,
                    std::io::stdout(),
                ))];
                let written = signed.write(&mut out);
                let [
                    TextOut {
                        out: mut stdout,
                        error,
                    },
                ] = out;
                finish(written, error, stdout.flush()).map_err(|e| format!("stdout: {e}"))
            }
            Some(out_dir) => {
                let mut outputs = Vec::with_capacity(hosts.len());
                for host in hosts {
                    let path = host_path(out_dir, host, "zone");
                    let file =
                        File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                    outputs.push(TextOut::new(BufWriter::with_capacity(BUFFER, file)));
                }
                let written = signed.write(&mut outputs);
                let error = outputs.iter_mut().find_map(|o| o.error.take());
                let flushed = outputs.iter_mut().try_for_each(|o| o.out.flush());
                finish(written, error, flushed)
                    .map_err(|e| format!("{}: {e}", out_dir.display()))?;
                for host in hosts {
                    eprintln!("wrote {}", host_path(out_dir, host, "zone").display());
                }
                Ok(())
            }
        }
    }

    /// The first of a formatting failure (with the I/O error behind it) and a flush error.
    fn finish(
        written: std::fmt::Result,
        error: Option<std::io::Error>,
        flushed: std::io::Result<()>,
    ) -> std::io::Result<()> {
        match (written, error) {
            (Err(_), Some(error)) => Err(error),
            (Err(_), None) => Err(std::io::Error::other("formatting failed")),
            (Ok(()), _) => flushed,
        }
    }

    fn is_dnssec(t: multiprimary::hickory_proto::rr::RecordType) -> bool {
        use multiprimary::hickory_proto::rr::RecordType as T;
        matches!(
            t,
            T::DNSKEY | T::RRSIG | T::NSEC | T::NSEC3 | T::NSEC3PARAM | T::CDS | T::CDNSKEY
        )
    }

    /// The signing options of the command line.
    fn options(args: &Args) -> Result<SignOptions, String> {
        let signing = &args.signing;
        let default = SignOptions::at(SystemTime::now());
        let inception = match &signing.inception {
            None => default.inception(),
            Some(text) => time(text, default.inception(), "--inception")?,
        };
        let expiration = match &signing.expiration {
            None => inception.wrapping_add(14 * 86_400),
            Some(text) => time(text, inception, "--expiration")?,
        };
        let denial = if signing.nsec3 {
            Denial::Nsec3
        } else {
            Denial::Nsec
        };
        Ok(default
            .window(inception, expiration)
            .denial(denial)
            .cds(signing.cds)
            .replace(signing.resign))
    }

    /// `YYYYMMDDHHMMSS` (UTC) or `+DAYS` after `from`, as RRSIG time (seconds modulo 2^32).
    fn time(text: &str, from: u32, option: &str) -> Result<u32, String> {
        let bad = || format!("{option} {text}: expected YYYYMMDDHHMMSS (UTC) or +DAYS");
        match text.strip_prefix('+') {
            Some(days) => days
                .parse::<u32>()
                .ok()
                .and_then(|days| days.checked_mul(86_400))
                .map(|seconds| from.wrapping_add(seconds))
                .ok_or_else(bad),
            None if text.len() == 14 => parse_time(text).ok_or_else(bad),
            None => Err(bad()),
        }
    }
}

/// Without the `dnssec` feature, `--keys` is refused.
#[cfg(not(feature = "dnssec"))]
mod signed {
    use std::path::Path;

    use multiprimary::{Host, Template};

    use super::Args;

    pub(super) fn render(
        _: &Template,
        _: &[&Host],
        _: &Path,
        _: &Args,
        _: &str,
    ) -> Result<(), String> {
        Err(
            "--keys needs the dnssec feature: cargo run --features dnssec --example render -- ..."
                .into(),
        )
    }
}
