//! Every error the text parser, validation, the fleet, the keys (feature `dnssec`) and the
//! server's config (feature `server`) can produce, with an input that
//! produces it and the exact message, written to `docs/errors.md`. The table is generated
//! here, so it cannot drift: when a message changes, this test fails until the table is
//! regenerated with `MULTIPRIMARY_BLESS=1 cargo test --all-features --test errors` (review the diff).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers may panic

use std::collections::BTreeSet;
use std::fmt::Write;
use std::str::FromStr;

use multiprimary::hickory_proto::rr::Name;
use multiprimary::text::{Limits, ParseOptions, parse};
use multiprimary::{Template, Zone};

const TABLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/errors.md");
const SOURCE_ERRORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/error.rs");
const SOURCE_FLEET: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/fleet.rs");
#[cfg(feature = "dnssec")]
const SOURCE_KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/dnssec/error.rs");
#[cfg(feature = "dnssec")]
const SOURCE_SIGN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/dnssec/sign.rs");
/// The heading of the key errors' section; without the feature `dnssec` it and what
/// follows are kept from the file as they are.
const KEYS_HEADING: &str = "\n## Keys (`dnssec::Key`, `dnssec::KeySet`)\n";
/// The heading of the server config's section, the last; without the feature `server`
/// it is kept from the file as it is.
#[cfg(feature = "dnssec")]
const SERVER_HEADING: &str = "\n## The server's config (`server::Config`)\n";

const HEAD: &str = "$ORIGIN example.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";

/// The variant names of `enum NAME` in a source file.
fn variants(source: &str, name: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(source).unwrap();
    let start = text.find(&format!("pub enum {name} {{")).unwrap();
    let body = &text[start..];
    let end = body.find("\n}\n").unwrap();
    body[..end]
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("    ")?;
            let first = rest.chars().next()?;
            (first.is_ascii_uppercase()).then(|| {
                rest.split([' ', ',', '{', '('])
                    .next()
                    .unwrap_or("")
                    .to_owned()
            })
        })
        .collect()
}

/// The variant name of an error kind, from its Debug form.
fn variant<T: std::fmt::Debug>(kind: &T) -> String {
    format!("{kind:?}")
        .split([' ', '{', '('])
        .next()
        .unwrap()
        .to_owned()
}

fn shown(input: &str) -> String {
    let one_line = input.replace('\n', " ↵ ");
    let short: String = one_line.chars().take(110).collect();
    let short = if one_line.chars().count() > 110 {
        format!("{short}…")
    } else {
        short
    };
    short.replace('|', "\\|").replace('`', "'")
}

struct Row {
    variant: String,
    input: String,
    message: String,
}

fn row(rows: &mut Vec<Row>, variant: String, input: &str, message: String) {
    rows.push(Row {
        variant,
        input: shown(input),
        message: message.replace('|', "\\|").replace('`', "'"),
    });
}

fn parse_rows(dir: &std::path::Path) -> Vec<Row> {
    let mut rows = Vec::new();
    let origin = || {
        ParseOptions::new()
            .file_name("db.example")
            .origin(Name::from_str("example.").unwrap())
    };
    let mut case = |input: &str, options: ParseOptions| {
        let error = parse(input, &options).expect_err(input);
        row(&mut rows, variant(error.kind()), input, error.to_string());
    };
    case("www 60 IN A 1.2.3.400\n", origin());
    case("www 60 IN MX 10\n", origin());
    case("www 60 IN A 192.0.2.1 extra\n", origin());
    case("www 60 IN TXT ( \"a\"\n", origin());
    case("www 60 IN TXT \"open\n", origin());
    case("www 60 IN TXT a\\25x\n", origin());
    case(&format!("{} 60 IN A 192.0.2.1\n", "a".repeat(64)), origin());
    case(
        &format!("{}. 60 IN A 192.0.2.1\n", vec!["a".repeat(63); 4].join(".")),
        origin(),
    );
    case("a..b 60 IN A 192.0.2.1\n", origin());
    case(
        "www 60 IN A 192.0.2.1\n",
        ParseOptions::new().file_name("db.example"),
    );
    case("  60 IN A 192.0.2.1\n", origin());
    case("www IN A 192.0.2.1\n", origin());
    case("www 1x IN A 192.0.2.1\n", origin());
    case("www 60 IN AX 192.0.2.1\n", origin());
    case("www 60 IN ANY 192.0.2.1\n", origin());
    case("www 60 IN A 192.0.2.1\nmail 60 CH A 192.0.2.2\n", origin());
    let big: Vec<String> = (0..300)
        .map(|_| format!("\"{}\"", "x".repeat(255)))
        .collect();
    case(&format!("www 60 IN TXT {}\n", big.join(" ")), origin());
    case("www 60 IN TYPE65534 \\# 4 0A0000\n", origin());
    case("www 60 IN A \\# 3 0A0000\n", origin());
    case("$GENERATE 1-10 host$ A 192.0.2.$\n", origin());
    case("$INCLUDE other.zone\n", origin());
    std::fs::write(dir.join("loop.zone"), "$INCLUDE loop.zone\n").unwrap();
    case("$INCLUDE ../outside.zone\n", origin().include_dir(dir));
    case("$INCLUDE missing.zone\n", origin().include_dir(dir));
    case("$INCLUDE loop.zone\n", origin().include_dir(dir));
    let mut limits = Limits::default();
    limits.max_line = 16;
    case(
        "www 60 IN TXT \"a long line of text\"\n",
        origin().limits(limits),
    );
    let mut limits = Limits::default();
    limits.max_records = 1;
    case(
        "a 60 IN A 192.0.2.1\nb 60 IN A 192.0.2.2\n",
        origin().limits(limits),
    );
    let mut limits = Limits::default();
    limits.max_text = 8;
    case("www 60 IN A 192.0.2.1\n", origin().limits(limits));
    case("www 60 IN A LOCAL-IP\n", origin());
    rows
}

fn problem_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let mut case = |text: &str| {
        let zone: Zone = parse(text, &ParseOptions::new().file_name("db.example")).expect(text);
        let problems = zone.validate();
        assert!(!problems.is_empty(), "{text}");
        for problem in problems {
            // As the examples print it.
            row(
                &mut rows,
                variant(problem.kind()),
                text,
                format!("{}: {problem}", problem.severity()),
            );
        }
    };
    case("$ORIGIN example.\n$TTL 60\n@ NS ns\nns A 192.0.2.1\n");
    case(&format!("{HEAD}@ SOA ns h 2 2 3 4 5\n"));
    case(&format!("{HEAD}sub SOA ns h 1 2 3 4 5\nsub NS ns\n"));
    case("$ORIGIN example.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n");
    case(&format!("{HEAD}www CNAME ns\nwww TXT \"x\"\n"));
    case(&format!(
        "{HEAD}www CNAME ns\nwww CNAME mail\nmail A 192.0.2.2\n"
    ));
    case(&format!("{HEAD}dn DNAME a.test.\ndn DNAME b.test.\n"));
    case(&format!("{HEAD}www.other. A 192.0.2.2\n"));
    case(&format!("{HEAD}www 60 A 192.0.2.2\nwww 30 A 192.0.2.3\n"));
    case(&format!("{HEAD}www A 192.0.2.2\nwww A 192.0.2.2\n"));
    case(&format!("{HEAD}@ MX 10 mail\n"));
    case(&format!(
        "{HEAD}@ MX 10 mail\nmail CNAME ns\n_sip._tcp SRV 0 0 5060 mail\n"
    ));
    case(&format!(
        "{HEAD}sub NS ns.sub\nns.sub A 192.0.2.9\nx.sub TXT \"hidden\"\n"
    ));
    case(&format!("{HEAD}dn DNAME a.test.\nx.dn A 192.0.2.9\n"));
    rows
}

fn fleet_rows() -> Vec<Row> {
    let mut rows = Vec::new();
    let mut case = |text: &str| {
        let options = ParseOptions::new().template(true).file_name("db.example");
        let zone = parse(text, &options).expect(text);
        match Template::new(zone).fleet(&[]) {
            Err(error) => {
                for (problem, location) in error.located() {
                    let location = location.expect("a template from text locates its problems");
                    row(
                        &mut rows,
                        variant(problem),
                        text,
                        format!("{location}: {problem}"),
                    );
                }
            }
            Ok((_, warnings)) => {
                assert!(!warnings.is_empty(), "{text}");
                for warning in warnings {
                    row(&mut rows, variant(&warning), text, warning.to_string());
                }
            }
        }
    };
    let soa = "$ORIGIN example.\n$TTL 60\n@ SOA a h 1 2 3 4 5\n@ A LOCAL-IP\n";
    case("$ORIGIN example.\n$TTL 60\n@ SOA a h 1 2 3 4 5\n");
    case(&format!("{soa}@ NS a\n@ NS b.other.\na A 192.0.2.1\n"));
    case(&format!(
        "{soa}@ NS a\n@ NS b\na A 192.0.2.1\nb A 192.0.2.1\n"
    ));
    case(&format!(
        "{soa}@ NS a\n@ NS b\na A 192.0.2.1\nb A 192.0.2.200\n"
    ));
    case(
        "$ORIGIN example.\n$TTL 300\n@ SOA a h 1 2 3 4 5\n@ A LOCAL-IP\n@ NS a\n@ NS b\na A 192.0.2.1\nb A 198.51.100.1\n",
    );
    case(
        "$ORIGIN example.\n$TTL 60\n@ SOA a h 1 2 3 4 3600\n@ A LOCAL-IP\n@ NS a\n@ NS b\na A 192.0.2.1\nb A 198.51.100.1\n",
    );
    case(&format!(
        "{soa}@ AAAA LOCAL-IP\n@ NS a\n@ NS b\na A 192.0.2.1\na AAAA 2001:db8::1\nb A 198.51.100.1\n"
    ));
    // A host listed twice comes only from the caller's list.
    let zone = parse(
        &format!("{soa}@ NS a\na A 192.0.2.1\n"),
        &ParseOptions::new().template(true),
    )
    .unwrap();
    let host = multiprimary::Host::new(
        Name::from_str("x.other.").unwrap(),
        ["192.0.2.9".parse().unwrap()],
    );
    let error = Template::new(zone)
        .fleet(&[host.clone(), host])
        .unwrap_err();
    for problem in error.problems() {
        row(
            &mut rows,
            variant(problem),
            "the caller's hosts: x.other. (192.0.2.9) twice",
            problem.to_string(),
        );
    }
    rows
}

/// The signing errors, from small zones and a key made here.
#[cfg(feature = "dnssec")]
fn sign_rows() -> Vec<Row> {
    use multiprimary::dnssec::{Key, KeySet, SignOptions, sign};
    use multiprimary::hickory_proto::dnssec::Algorithm;
    let origin: multiprimary::hickory_proto::rr::Name = "example.com.".parse().unwrap();
    let keys = KeySet::new(
        origin.clone(),
        vec![Key::generate(origin.clone(), Algorithm::ED25519, 257).unwrap()],
    )
    .unwrap();
    let zone_of = |text: &str, template: bool| {
        parse(
            text,
            &ParseOptions::new()
                .origin(origin.clone())
                .template(template),
        )
        .unwrap()
    };
    let base = "@ 60 IN SOA ns hostmaster 1 60 60 60 60\n@ 60 IN NS ns\nns 60 IN A 192.0.2.1\n";
    let options = SignOptions::new().window(1_796_338_800, 1_796_338_800 + 14 * 86_400);
    let mut rows = Vec::new();
    let mut case = |input: String, error: multiprimary::dnssec::SignError| {
        row(&mut rows, variant(&error), &input, error.to_string());
    };
    let net: multiprimary::hickory_proto::rr::Name = "example.net.".parse().unwrap();
    let other = KeySet::new(
        net.clone(),
        vec![Key::generate(net, Algorithm::ED25519, 257).unwrap()],
    )
    .unwrap();
    case(
        format!("sign of {base} with keys of example.net."),
        sign(&zone_of(base, false), &other, &options).unwrap_err(),
    );
    let signed_text = format!("{base}@ 60 IN NSEC ns A NS SOA RRSIG NSEC\n");
    case(
        format!("sign of {signed_text}"),
        sign(&zone_of(&signed_text, false), &keys, &options).unwrap_err(),
    );
    let no_soa = "www 60 IN A 192.0.2.1\n";
    case(
        format!("sign of {no_soa}"),
        sign(&zone_of(no_soa, false), &keys, &options).unwrap_err(),
    );
    let template = format!("{base}www 60 IN A LOCAL-IP\n");
    case(
        format!("sign of the template {template}"),
        sign(&zone_of(&template, true), &keys, &options).unwrap_err(),
    );
    case(
        format!("sign of {base} with inception 20261203230000, expiration 20261201000000"),
        sign(
            &zone_of(base, false),
            &keys,
            &SignOptions::new().window(1_796_338_800, 1_796_083_200),
        )
        .unwrap_err(),
    );
    let zonemd = format!("{base}@ 60 IN ZONEMD 1 240 1 {}\n", "00".repeat(48));
    case(
        format!("sign of {zonemd}"),
        sign(&zone_of(&zonemd, false), &keys, &options).unwrap_err(),
    );
    let template =
        multiprimary::Template::new(zone_of(&format!("{base}www 60 IN A LOCAL-IP\n"), true));
    let stranger = multiprimary::Host::new(
        "evil.example.net.".parse().unwrap(),
        ["192.0.2.9".parse().unwrap()],
    );
    case(
        "sign_projections of that template for evil.example.net., not one of its hosts".into(),
        template
            .sign_projections(&[&stranger], &keys, &options)
            .unwrap_err(),
    );
    rows
}

/// The key errors, from the fixtures `dnssec-keygen` wrote (`tests/data/keys/`) and
/// copies of them changed here. Paths show the scratch directory as `keys/`.
#[cfg(feature = "dnssec")]
fn key_rows(dir: &std::path::Path) -> Vec<Row> {
    use multiprimary::dnssec::{Key, KeyError, KeySet};
    use multiprimary::hickory_proto::dnssec::Algorithm;
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/keys");
    let shown_dir = format!("{}/", dir.display());
    let mut rows = Vec::new();
    let mut case = |input: &str, error: KeyError| {
        let message = error.to_string().replace(&shown_dir, "keys/");
        row(&mut rows, variant(&error), input, message);
    };
    let ksk = "Kexample.com.+015+09276";
    let key_text = std::fs::read_to_string(fixtures.join(format!("ed25519/{ksk}.key"))).unwrap();
    let private_text =
        std::fs::read_to_string(fixtures.join(format!("ed25519/{ksk}.private"))).unwrap();
    let pair = |key: &str, private: Option<&str>| {
        let path = dir.join(format!("{ksk}.key"));
        std::fs::write(&path, key).unwrap();
        let private_path = dir.join(format!("{ksk}.private"));
        let _ = std::fs::remove_file(&private_path);
        if let Some(private) = private {
            std::fs::write(&private_path, private).unwrap();
        }
        path
    };
    let record = "example.com. IN DNSKEY 257 3 15 x8oEnNeaL6bmcXklsq3UMzHLS5a/4yAP8URugEL3Zfo=";
    let read = |key: &str, private: Option<&str>| Key::read(&pair(key, private)).unwrap_err();
    case(
        "Key::read of keys/Kexample.com.+015+00001.key, which does not exist",
        Key::read(&dir.join("Kexample.com.+015+00001.key")).unwrap_err(),
    );
    for (from, to) in [
        ("x8oEnNeaL6bmcXklsq3UMzHLS5a", "x8oE!NeaL6bmcXklsq3UMzHLS5a"),
        ("IN DNSKEY", "IN DS"),
        ("257 3 15", "257 4 15"),
        ("257 3 15", "385 3 15"),
    ] {
        let changed = record.replace(from, to);
        case(
            &format!("{ksk}.key: {changed}"),
            read(&key_text.replace(record, &changed), Some(&private_text)),
        );
    }
    case(
        &format!("{ksk}.key with the line 'PrivateKey: AAAA' in its .private"),
        read(
            &key_text,
            Some(&private_text.replace("1pcBG8349isAZ8/lu17fPvQZghHxD+jUzGAeI60mhw8=", "AAAA")),
        ),
    );
    case(
        &format!("{ksk}.key without its .private"),
        read(&key_text, None),
    );
    case(
        &format!("{ksk}.key with its PrivateKey line removed from the .private"),
        read(
            &key_text,
            Some(&private_text.replace(
                "PrivateKey: 1pcBG8349isAZ8/lu17fPvQZghHxD+jUzGAeI60mhw8=\n",
                "",
            )),
        ),
    );
    let changed = record.replace("example.com.", "example.org.");
    case(
        &format!("{ksk}.key: {changed}"),
        read(&key_text.replace(record, &changed), Some(&private_text)),
    );
    let changed = record.replace(" 15 ", " 14 ");
    case(&format!("other.key: {changed}"), {
        let path = dir.join("other.key");
        std::fs::write(&path, &changed).unwrap();
        Key::read(&path).unwrap_err()
    });
    let zsk_private =
        std::fs::read_to_string(fixtures.join("ed25519/Kexample.com.+015+61921.private")).unwrap();
    case(
        &format!("{ksk}.key with the .private of Kexample.com.+015+61921"),
        read(&key_text, Some(&zsk_private)),
    );
    let rsa = "Kexample.com.+008+02886";
    let rsa_key = std::fs::read_to_string(fixtures.join(format!("rsasha256/{rsa}.key"))).unwrap();
    let rsa_private: String =
        std::fs::read_to_string(fixtures.join(format!("rsasha256/{rsa}.private")))
            .unwrap()
            .lines()
            .map(|line| match line.strip_prefix("Prime1: 5ZUF") {
                Some(rest) => format!("Prime1: AZUF{rest}\n"),
                None => format!("{line}\n"),
            })
            .collect();
    std::fs::write(dir.join(format!("{rsa}.key")), rsa_key).unwrap();
    std::fs::write(dir.join(format!("{rsa}.private")), rsa_private).unwrap();
    case(
        &format!("{rsa}.key with Prime1 changed in its .private"),
        Key::read(&dir.join(format!("{rsa}.key"))).unwrap_err(),
    );
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    case(
        "KeySet::read_dir of an empty keys/empty for example.com.",
        KeySet::read_dir(&empty, &Name::from_str("example.com.").unwrap()).unwrap_err(),
    );
    let key = Key::read(&fixtures.join(format!("ed25519/{ksk}.key"))).unwrap();
    let written = dir.join("written");
    std::fs::create_dir_all(&written).unwrap();
    key.write(&written).unwrap();
    case(
        &format!("Key::write of {ksk} a second time into keys/written"),
        key.write(&written).unwrap_err(),
    );
    case(
        "Key::generate with Algorithm::RSASHA256",
        Key::generate(
            Name::from_str("example.com.").unwrap(),
            Algorithm::RSASHA256,
            257,
        )
        .unwrap_err(),
    );
    rows
}

/// Config files `serve --config` refuses, each with what is wrong with it.
#[cfg(feature = "server")]
fn server_rows() -> Vec<Row> {
    use multiprimary::server::Config;
    let zone = "[[zone]]\nfile = \"a.zone\"\n";
    let listen = "listen = [\"127.0.0.1:5300\"]\n";
    let cases: Vec<(&str, String)> = vec![
        ("syntax", "listen = [\"127.0.0.1:5300\"\n".to_owned()),
        (
            "unknown key",
            format!("{listen}[[zone]]\nfile = \"a.zone\"\nhots = \"bob\"\n"),
        ),
        ("wrong kind", format!("{listen}threads = \"two\"\n{zone}")),
        ("missing key", format!("{listen}[[zone]]\nhost = \"bob\"\n")),
        ("no listen", zone.to_owned()),
        ("empty listen", format!("listen = []\n{zone}")),
        ("no zone", listen.to_owned()),
        ("address", format!("listen = [\"127.0.0.1:99999\"]\n{zone}")),
        (
            "address",
            format!("{listen}metrics = \"localhost:9153\"\n{zone}"),
        ),
        ("threads", format!("{listen}threads = 0\n{zone}")),
        (
            "network",
            format!("{listen}{zone}allow-transfer = [\"10.0.0.0/33\"]\n"),
        ),
        ("name", format!("{listen}{zone}origin = \"a..b.\"\n")),
        (
            "health without host",
            format!("{listen}{zone}health-tcp = \"127.0.0.1:80\"\n"),
        ),
        (
            "health",
            format!(
                "{listen}[[zone]]\nfile = \"a\"\nhost = \"bob\"\nhealth-tcp = \"127.0.0.1:80\"\nhealth-down = 0\n"
            ),
        ),
        (
            "same origin",
            format!(
                "{listen}{zone}origin = \"x.test.\"\n[[zone]]\nfile = \"b\"\norigin = \"x.test.\"\n"
            ),
        ),
    ];
    let mut rows = Vec::new();
    for (kind, text) in cases {
        let error = Config::from_toml(&text, std::path::Path::new("serve.toml")).expect_err(&text);
        row(&mut rows, kind.to_owned(), &text, error.to_string());
    }
    rows
}

fn table(sections: &[(&str, &str, Vec<Row>)]) -> String {
    let mut out = String::from(
        "# Errors and warnings\n\nEvery error and warning the text parser, validation, the fleet, the keys and the server's config can report, with an\ninput that produces it and the exact message. Generated by `tests/errors.rs`; do not edit\nby hand (`MULTIPRIMARY_BLESS=1 cargo test --all-features --test errors` regenerates it). Inputs show\nline breaks as ↵ and are shortened where long.\n",
    );
    for (title, intro, rows) in sections {
        out.push_str(&table_section(&format!("\n## {title}\n"), intro, rows));
    }
    out
}

/// One section: `heading` (with its line breaks), `intro`, the rows.
fn table_section(heading: &str, intro: &str, rows: &[Row]) -> String {
    let mut out =
        format!("{heading}\n{intro}\n\n| kind | input | message |\n| --- | --- | --- |\n");
    for row in rows {
        writeln!(
            out,
            "| `{}` | `{}` | {} |",
            row.variant, row.input, row.message
        )
        .unwrap();
    }
    out
}

#[test]
fn the_error_table_lists_every_error_with_its_exact_message() {
    let dir = std::env::temp_dir().join(format!("multiprimary-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let parse_rows = parse_rows(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    let problem_rows = problem_rows();
    let fleet_rows = fleet_rows();
    #[cfg(feature = "dnssec")]
    let key_rows = {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("errors-keys");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        key_rows(&dir)
    };
    #[cfg(feature = "dnssec")]
    let sign_rows = sign_rows();
    // Every variant appears, so a new one cannot be left out of the table.
    let covered = |rows: &[Row]| {
        rows.iter()
            .map(|r| r.variant.clone())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(
        covered(&parse_rows),
        variants(SOURCE_ERRORS, "ParseErrorKind")
    );
    assert_eq!(
        covered(&problem_rows),
        variants(SOURCE_ERRORS, "ProblemKind")
    );
    let mut fleet_variants = variants(SOURCE_FLEET, "FleetProblem");
    fleet_variants.extend(variants(SOURCE_FLEET, "FleetWarning"));
    assert_eq!(covered(&fleet_rows), fleet_variants);
    #[cfg(feature = "dnssec")]
    {
        // `Crypto` is ring failing (no randomness): no input produces it.
        let mut key_variants = variants(SOURCE_KEYS, "KeyError");
        assert!(key_variants.remove("Crypto"));
        assert_eq!(covered(&key_rows), key_variants);
        // `HashCollision` takes two names with one SHA-1 hash, and `Key` a key that fails
        // to sign (a `KeyError`, listed above): no small input makes either.
        let mut sign_variants = variants(SOURCE_SIGN, "SignError");
        assert!(sign_variants.remove("HashCollision"));
        assert!(sign_variants.remove("Key"));
        assert_eq!(covered(&sign_rows), sign_variants);
    }
    let mut text = table(&[
        (
            "Parsing zone text (`text::parse`)",
            "A `ParseError`: `FILE:LINE:COLUMN: message`.",
            parse_rows,
        ),
        (
            "Validation (`Zone::validate`)",
            "A `Problem`, as the examples print it: severity, where the record was read (file, line, column; for a zone built in code, nothing), owner, type, message and, where a rule concerns two records, where the other was read. `Zone::check` fails on errors.",
            problem_rows,
        ),
        (
            "The fleet (`Template::fleet`)",
            "A `FleetProblem` stops the fleet from forming (shown with where its record was read, from `FleetError::located`); a `FleetWarning` is returned beside it.",
            fleet_rows,
        ),
    ]);
    #[cfg(feature = "dnssec")]
    text.push_str(&table_section(
        KEYS_HEADING,
        "A `KeyError`, from `Key::read`, `KeySet::read_dir`, `Key::write` and `Key::generate`: the file (and line) first where there is one. The inputs are the committed `tests/data/keys/` fixtures, changed as shown.",
        &key_rows,
    ));
    #[cfg(feature = "dnssec")]
    text.push_str(&table_section(
        "\n## Signing (`dnssec::sign`, `Template::sign_projections`)\n",
        "A `SignError`: what stops a zone from being signed. `render --keys` prints it after the template's file name.",
        &sign_rows,
    ));
    #[cfg(feature = "server")]
    text.push_str(&table_section(
        SERVER_HEADING,
        "A `ConfigError` from `Config::read` or `Config::from_toml`: `FILE:LINE:COLUMN: message` (line and column of the value at fault; a missing key or zone is at 1:1). `serve --config` prints it after `error: ` and exits 1.",
        &server_rows(),
    ));
    #[cfg(all(feature = "dnssec", not(feature = "server")))]
    {
        let existing = std::fs::read_to_string(TABLE).unwrap_or_default();
        if let Some(at) = existing.find(SERVER_HEADING) {
            text.push_str(&existing[at..]);
        }
    }
    // Without the feature the key errors cannot be made: their section is kept as it is.
    #[cfg(not(feature = "dnssec"))]
    {
        let existing = std::fs::read_to_string(TABLE).unwrap_or_default();
        if let Some(at) = existing.find(KEYS_HEADING) {
            text.push_str(&existing[at..]);
        }
    }
    if std::env::var_os("MULTIPRIMARY_BLESS").is_some() {
        std::fs::write(TABLE, &text).unwrap();
    }
    let written = std::fs::read_to_string(TABLE).unwrap_or_default();
    assert!(
        written == text,
        "docs/errors.md is out of date: run MULTIPRIMARY_BLESS=1 cargo test --all-features --test errors and review the diff"
    );
}
