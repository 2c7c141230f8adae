//! Key files: the pairs BIND's `dnssec-keygen` and `ldns-keygen` wrote (committed under
//! `tests/data/keys/`, provenance in `tests/data/README.md`) read, sign and give the DS
//! `dnssec-dsfromkey -2` printed for them; bad files are errors naming the file, never
//! panics; keys we write read back; the `keygen` example.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers may panic

#[path = "support/example.rs"]
mod example;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use multiprimary::dnssec::{Key, KeyError, KeySet, SignOptions, sign};
use multiprimary::hickory_proto::dnssec::rdata::{DNSSECRData, RRSIG};
use multiprimary::hickory_proto::dnssec::{Algorithm, PublicKey, Verifier};
use multiprimary::hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use multiprimary::text::{ParseOptions, parse};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/keys");

fn name(text: &str) -> Name {
    Name::from_ascii(text).unwrap()
}

/// Every committed `.key` file, sorted.
fn fixtures() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in fs::read_dir(DATA).unwrap() {
        for file in fs::read_dir(dir.unwrap().path()).unwrap() {
            let path = file.unwrap().path();
            if path.extension().is_some_and(|e| e == "key") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert_eq!(files.len(), 8, "{files:?}");
    files
}

fn fixture(dir: &str, file: &str) -> PathBuf {
    Path::new(DATA).join(dir).join(file)
}

/// A fresh, empty directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("keys-{test}"));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The DS line as `dnssec-dsfromkey -2` prints it.
fn ds_line(key: &Key) -> String {
    let ds = key.ds().unwrap();
    let digest: String = ds.digest().iter().map(|b| format!("{b:02X}")).collect();
    format!(
        "{} IN DS {} {} {} {digest}",
        key.zone(),
        ds.key_tag(),
        u8::from(ds.algorithm()),
        u8::from(ds.digest_type())
    )
}

/// The zone, algorithm and tag of a file name `K<zone>+<alg>+<tag>.key`.
fn file_name_parts(path: &Path) -> (String, u8, u16) {
    let stem = path.file_name().unwrap().to_str().unwrap();
    let stem = stem
        .strip_suffix(".key")
        .unwrap()
        .strip_prefix('K')
        .unwrap();
    let parts: Vec<&str> = stem.rsplitn(3, '+').collect();
    (
        parts[2].to_owned(),
        parts[1].parse().unwrap(),
        parts[0].parse().unwrap(),
    )
}

/// The owner, flags and algorithm of the DNSKEY line of a `.key` file, read here.
fn record_fields(path: &Path) -> (String, u16, u8) {
    let text = fs::read_to_string(path).unwrap();
    let line = text
        .lines()
        .find(|line| !line.starts_with(';') && !line.trim().is_empty())
        .unwrap();
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| *w == "DNSKEY").unwrap();
    assert_eq!(words[at + 2], "3");
    (
        words[0].to_owned(),
        words[at + 1].parse().unwrap(),
        words[at + 3].parse().unwrap(),
    )
}

#[test]
fn every_fixture_reads_with_the_tag_flags_and_algorithm_of_its_file_name_and_record() {
    for path in fixtures() {
        let key = Key::read(&path).unwrap_or_else(|e| panic!("{e}"));
        let (zone, algorithm, tag) = file_name_parts(&path);
        let (owner, flags, record_algorithm) = record_fields(&path);
        assert_eq!(key.zone().to_string(), zone, "{}", path.display());
        assert_eq!(owner, zone, "{}", path.display());
        assert_eq!(key.tag(), tag, "{}", path.display());
        assert_eq!(u8::from(key.algorithm()), algorithm, "{}", path.display());
        assert_eq!(record_algorithm, algorithm, "{}", path.display());
        assert_eq!(key.flags(), flags, "{}", path.display());
        assert_eq!(key.is_key_signing(), flags == 257, "{}", path.display());
        // dnssec-keygen says in a comment which kind of key it wrote.
        let text = fs::read_to_string(&path).unwrap();
        if text.contains("This is a key-signing key") {
            assert_eq!(key.flags(), 257);
        } else if text.contains("This is a zone-signing key") {
            assert_eq!(key.flags(), 256);
        }
        // The private key stays out of Debug.
        let private = fs::read_to_string(path.with_extension("private")).unwrap();
        let secret = private
            .lines()
            .find_map(|l| {
                l.strip_prefix("PrivateKey: ")
                    .or(l.strip_prefix("Prime1: "))
            })
            .unwrap();
        assert!(!format!("{key:?}").contains(secret));
    }
}

#[test]
fn ds_equals_what_dnssec_dsfromkey_printed() {
    for path in fixtures() {
        let key = Key::read(&path).unwrap();
        let expected = fs::read_to_string(path.with_extension("dsfromkey")).unwrap();
        assert_eq!(ds_line(&key), expected.trim(), "{}", path.display());
    }
    // ldns-keygen wrote its own DS (SHA-256, lowercase hex, tabs) beside its key.
    let path = fixture("ldns", "Kexample.com.+015+08458.key");
    let key = Key::read(&path).unwrap();
    let ldns = fs::read_to_string(path.with_extension("ds")).unwrap();
    let ldns: Vec<String> = ldns
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    let ours: Vec<String> = ds_line(&key)
        .split_whitespace()
        .map(str::to_ascii_uppercase)
        .collect();
    assert_eq!(ours, ldns);
}

/// The apex SOA of `zone` signed with `key` alone, and the RRSIG over it.
fn signed_soa(key: Key) -> (Name, Vec<Record>, RRSIG) {
    let origin = key.zone().clone();
    let text =
        "@ 300 IN SOA ns hostmaster 1 3600 600 86400 300\n@ 300 IN NS ns\nns 300 IN A 192.0.2.1\n";
    let zone = parse(text, &ParseOptions::new().origin(origin.clone())).unwrap();
    let keys = KeySet::new(origin.clone(), vec![key]).unwrap();
    let signed = sign(&zone, &keys, &SignOptions::new()).unwrap();
    let soa: Vec<Record> = signed
        .rrset(&origin, RecordType::SOA)
        .unwrap()
        .records(&origin, DNSClass::IN)
        .map(|r| r.to_record())
        .collect();
    let rrsig = signed
        .rrset(&origin, RecordType::RRSIG)
        .unwrap()
        .rdatas()
        .find_map(|rdata| match rdata {
            RData::DNSSEC(DNSSECRData::RRSIG(sig))
                if sig.input().type_covered == RecordType::SOA =>
            {
                Some(sig)
            }
            _ => None,
        })
        .unwrap();
    (origin, soa, rrsig)
}

#[test]
fn a_signature_made_with_each_fixture_verifies_with_hickory() {
    let files = fixtures();
    for (index, path) in files.iter().enumerate() {
        let key = Key::read(path).unwrap();
        let dnskey = key.dnskey().clone();
        let tag = key.tag();
        let (origin, soa, rrsig) = signed_soa(key);
        assert_eq!(rrsig.input().key_tag, tag);
        dnskey
            .verify_rrsig(&origin, DNSClass::IN, &rrsig, soa.iter())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // Another key of the same algorithm does not verify it: the check can fail.
        let other = files
            .iter()
            .enumerate()
            .find(|&(i, p)| i != index && file_name_parts(p).1 == file_name_parts(path).1)
            .map(|(_, p)| Key::read(p).unwrap())
            .unwrap();
        assert!(
            other
                .dnskey()
                .verify_rrsig(&origin, DNSClass::IN, &rrsig, soa.iter())
                .is_err(),
            "{}",
            path.display()
        );
    }
}

#[test]
fn read_dir_finds_the_ksk_and_zsk_and_ignores_other_zones() {
    let origin = name("example.com.");
    for (dir, algorithm) in [("ed25519", 15), ("ecdsap256sha256", 13), ("rsasha256", 8)] {
        let path = Path::new(DATA).join(dir);
        let keys = KeySet::read_dir(&path, &origin).unwrap();
        let mut expected: Vec<(String, u16)> = fs::read_dir(&path)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|f| f.starts_with("Kexample.com.+") && f.ends_with(".key"))
            .map(|f| {
                let (_, _, tag) = file_name_parts(Path::new(&f));
                (f, tag)
            })
            .collect();
        expected.sort();
        let tags: Vec<u16> = keys.keys().iter().map(Key::tag).collect();
        assert_eq!(
            tags,
            expected.iter().map(|e| e.1).collect::<Vec<_>>(),
            "{dir}"
        );
        assert_eq!(keys.keys().len(), 2, "{dir}");
        assert!(
            keys.keys()
                .iter()
                .all(|k| u8::from(k.algorithm()) == algorithm)
        );
        let ksk: Vec<u16> = keys.key_signing().map(Key::tag).collect();
        let zsk: Vec<u16> = keys.zone_signing().map(Key::tag).collect();
        assert_eq!((ksk.len(), zsk.len()), (1, 1), "{dir}");
        assert_eq!(
            keys.keys()
                .iter()
                .find(|k| k.tag() == ksk[0])
                .unwrap()
                .flags(),
            257
        );
        assert_eq!(
            keys.keys()
                .iter()
                .find(|k| k.tag() == zsk[0])
                .unwrap()
                .flags(),
            256
        );
    }
    // The directory with example.net.'s key too; the name is matched without case.
    let dir = Path::new(DATA).join("ed25519");
    let net = KeySet::read_dir(&dir, &name("EXAMPLE.NET.")).unwrap();
    assert_eq!(net.keys().iter().map(Key::tag).collect::<Vec<_>>(), [49439]);
    assert_eq!(*net.origin(), name("example.net."));
    // A lone KSK is a CSK: it signs in both roles.
    let ldns = KeySet::read_dir(&Path::new(DATA).join("ldns"), &origin).unwrap();
    assert_eq!(ldns.key_signing().count(), 1);
    assert_eq!(ldns.zone_signing().count(), 1);
    // No key of the zone.
    let error = KeySet::read_dir(&dir, &name("example.org.")).unwrap_err();
    assert_eq!(
        error,
        KeyError::NoKeys {
            dir: Some(dir.clone()),
            zone: Box::new(name("example.org.")),
        }
    );
    assert!(error.to_string().contains(&dir.display().to_string()));
    // `com.` is not `example.com.`.
    assert!(matches!(
        KeySet::read_dir(&dir, &name("com.")),
        Err(KeyError::NoKeys { .. })
    ));
}

/// Copies the pair `base` (`.key`, `.private`) of fixture directory `from` into `dir`,
/// with `edit_key` and `edit_private` applied to their texts; returns the `.key` path.
fn copy_pair(
    dir: &Path,
    from: &str,
    base: &str,
    edit_key: impl Fn(&str) -> String,
    edit_private: impl Fn(&str) -> String,
) -> PathBuf {
    let key = fs::read_to_string(fixture(from, &format!("{base}.key"))).unwrap();
    let private = fs::read_to_string(fixture(from, &format!("{base}.private"))).unwrap();
    let key_path = dir.join(format!("{base}.key"));
    fs::write(&key_path, edit_key(&key)).unwrap();
    fs::write(dir.join(format!("{base}.private")), edit_private(&private)).unwrap();
    key_path
}

const ED_KSK: &str = "Kexample.com.+015+09276";
const ED_ZSK: &str = "Kexample.com.+015+61921";

fn same(text: &str) -> String {
    text.to_owned()
}

/// The `Malformed` error's line and what, after checking it names `file`.
fn malformed(error: KeyError, file: &Path) -> (usize, String) {
    assert!(
        error.to_string().contains(&file.display().to_string()),
        "{error}"
    );
    match error {
        KeyError::Malformed {
            file: named,
            line,
            what,
        } => {
            assert_eq!(named, file);
            (line, what)
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn a_key_of_another_zone_is_an_error_naming_the_file() {
    let dir = scratch("other-zone");
    let path = copy_pair(
        &dir,
        "ed25519",
        ED_KSK,
        |t| t.replace("example.com. IN DNSKEY", "example.org. IN DNSKEY"),
        same,
    );
    let expected = KeyError::OtherZone {
        file: Some(path.clone()),
        key: Box::new(name("example.org.")),
        zone: Box::new(name("example.com.")),
    };
    assert_eq!(Key::read(&path).unwrap_err(), expected);
    assert_eq!(
        KeySet::read_dir(&dir, &name("example.com.")).unwrap_err(),
        expected
    );
    // A key read from a file with another name is still for its owner's zone.
    let renamed = dir.join("mykey.key");
    fs::copy(&path, &renamed).unwrap();
    fs::copy(path.with_extension("private"), dir.join("mykey.private")).unwrap();
    let key = Key::read(&renamed).unwrap();
    assert_eq!(*key.zone(), name("example.org."));
    // But not a key set of example.com.: the name is not matched, the record is.
    let error = KeySet::new(name("example.com."), vec![key]).unwrap_err();
    assert!(matches!(error, KeyError::OtherZone { .. }), "{error:?}");
}

#[test]
fn a_missing_private_file_is_an_error_naming_both_files() {
    let dir = scratch("missing-private");
    let path = dir.join(format!("{ED_KSK}.key"));
    fs::copy(fixture("ed25519", &format!("{ED_KSK}.key")), &path).unwrap();
    let error = Key::read(&path).unwrap_err();
    assert_eq!(
        error,
        KeyError::MissingPrivate {
            key: path.clone(),
            private: dir.join(format!("{ED_KSK}.private")),
        }
    );
    assert!(error.to_string().contains(&path.display().to_string()));
}

#[test]
fn malformed_key_files_are_errors_naming_file_line_and_what_was_expected() {
    let dir = scratch("malformed");
    // The record is on line 5 of the fixture, after four comment lines.
    let cases: [(&str, &str, &str); 7] = [
        (
            "x8oEnNeaL6bmcXklsq3UMzHLS5a/4yAP8URugEL3Zfo=",
            "x8oE!!!!",
            "base64",
        ),
        ("IN DNSKEY", "IN DS", "a DNSKEY record, found `DS`"),
        ("DNSKEY 257 3", "DNSKEY 257 4", "protocol 3"),
        ("DNSKEY 257 3", "DNSKEY 385 3", "flags 256"),
        ("DNSKEY 257 3", "DNSKEY x 3", "flags 256"),
        ("example.com. IN", "example.com IN", "absolute owner name"),
        ("example.com. IN", "example.com. CH", "class IN"),
    ];
    for (from, to, what) in cases {
        let path = copy_pair(&dir, "ed25519", ED_KSK, |t| t.replace(from, to), same);
        let (line, message) = malformed(Key::read(&path).unwrap_err(), &path);
        assert_eq!(line, 5, "{to}: {message}");
        assert!(message.contains(what), "{to}: {message}");
    }
    // A record cut short.
    let path = copy_pair(
        &dir,
        "ed25519",
        ED_KSK,
        |t| t.replace(" 3 15 x8oEnNeaL6bmcXklsq3UMzHLS5a/4yAP8URugEL3Zfo=", ""),
        same,
    );
    let (line, message) = malformed(Key::read(&path).unwrap_err(), &path);
    assert_eq!(line, 5);
    assert!(message.contains("protocol 3, found the end"), "{message}");
    // Only comments.
    let path = copy_pair(
        &dir,
        "ed25519",
        ED_KSK,
        |t| {
            t.lines()
                .filter(|l| l.starts_with(';'))
                .collect::<Vec<_>>()
                .join("\n")
        },
        same,
    );
    let (_, message) = malformed(Key::read(&path).unwrap_err(), &path);
    assert!(message.contains("a DNSKEY record"), "{message}");
    // Two records.
    let path = copy_pair(
        &dir,
        "ed25519",
        ED_KSK,
        |t| format!("{t}{}", t.lines().last().unwrap()),
        same,
    );
    let (line, message) = malformed(Key::read(&path).unwrap_err(), &path);
    assert_eq!(line, 6);
    assert!(message.contains("one DNSKEY record"), "{message}");
    // The file name's tag differs from the record's.
    let renamed = dir.join("Kexample.com.+015+00001.key");
    let path = copy_pair(&dir, "ed25519", ED_KSK, same, same);
    fs::copy(&path, &renamed).unwrap();
    fs::copy(
        path.with_extension("private"),
        renamed.with_extension("private"),
    )
    .unwrap();
    let (line, message) = malformed(Key::read(&renamed).unwrap_err(), &renamed);
    assert_eq!(line, 5);
    assert!(message.contains("tag 1 as the file name says"), "{message}");
}

#[test]
fn malformed_private_files_are_errors_naming_file_line_and_what_was_expected() {
    let dir = scratch("malformed-private");
    let cases: [(&str, &str, usize, &str); 5] = [
        (
            "Private-key-format: v1.3",
            "Private-key-format: v2.0",
            1,
            "v1.2",
        ),
        (
            "Algorithm: 15 (ED25519)",
            "Algorithm: 13 (ECDSAP256SHA256)",
            2,
            "algorithm 15 as in",
        ),
        (
            "Algorithm: 15 (ED25519)",
            "Algorithm: fifteen",
            2,
            "with a number N",
        ),
        (
            "PrivateKey: 1pcB",
            "PrivateKey: !pcB",
            3,
            "`PrivateKey:` followed by base64",
        ),
        (
            "PrivateKey: 1pcB",
            "PrivateKey 1pcB",
            3,
            "a `Field: value` line",
        ),
    ];
    for (from, to, expected_line, what) in cases {
        let path = copy_pair(&dir, "ed25519", ED_KSK, same, |t| t.replace(from, to));
        let private = path.with_extension("private");
        let (line, message) = malformed(Key::read(&path).unwrap_err(), &private);
        assert_eq!(line, expected_line, "{to}: {message}");
        assert!(message.contains(what), "{to}: {message}");
    }
    // A seed of the wrong length.
    let path = copy_pair(&dir, "ed25519", ED_KSK, same, |t| {
        t.replace(
            "PrivateKey: 1pcBG8349isAZ8/lu17fPvQZghHxD+jUzGAeI60mhw8=",
            "PrivateKey: AAAA",
        )
    });
    let (line, message) = malformed(
        Key::read(&path).unwrap_err(),
        &path.with_extension("private"),
    );
    assert_eq!(line, 3);
    assert!(message.contains("of 32 octets, found 3"), "{message}");
    // Missing fields.
    let path = copy_pair(&dir, "ed25519", ED_KSK, same, |t| {
        t.lines()
            .filter(|l| !l.starts_with("PrivateKey:"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_eq!(
        Key::read(&path).unwrap_err(),
        KeyError::MissingField {
            file: path.with_extension("private"),
            field: "PrivateKey",
        }
    );
    let path = copy_pair(&dir, "rsasha256", "Kexample.com.+008+02886", same, |t| {
        t.lines()
            .filter(|l| !l.starts_with("Coefficient:"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    assert_eq!(
        Key::read(&path).unwrap_err(),
        KeyError::MissingField {
            file: path.with_extension("private"),
            field: "Coefficient",
        }
    );
}

#[test]
fn unsupported_algorithms_are_errors_naming_file_and_number() {
    let dir = scratch("unsupported");
    for algorithm in [1u8, 3, 5, 7, 10, 14, 16] {
        let path = dir.join(format!("alg{algorithm}.key"));
        fs::write(
            &path,
            format!("example.com. IN DNSKEY 257 3 {algorithm} AwEAAatoLaGrV/yXzJin3nu7OJj4FvxBTQ7o3ZVJ\n"),
        )
        .unwrap();
        let error = Key::read(&path).unwrap_err();
        assert_eq!(
            error,
            KeyError::Unsupported {
                file: Some(path.clone()),
                algorithm,
            }
        );
        let message = error.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(
            message.contains(&format!("algorithm {algorithm} ")),
            "{message}"
        );
    }
    // Mnemonics stand for the numbers (RFC 4034 Appendix A.1).
    let path = dir.join("mnemonic.key");
    fs::write(&path, "example.com. IN DNSKEY 257 3 ECDSAP384SHA384 AAAA\n").unwrap();
    assert!(matches!(
        Key::read(&path),
        Err(KeyError::Unsupported { algorithm: 14, .. })
    ));
}

#[test]
fn private_and_public_keys_that_do_not_belong_together_are_an_error() {
    let dir = scratch("mismatch");
    for (from, public, private) in [
        ("ed25519", ED_KSK, ED_ZSK),
        (
            "ecdsap256sha256",
            "Kexample.com.+013+14331",
            "Kexample.com.+013+53338",
        ),
        (
            "rsasha256",
            "Kexample.com.+008+02886",
            "Kexample.com.+008+03992",
        ),
    ] {
        let path = dir.join(format!("{public}.key"));
        fs::copy(fixture(from, &format!("{public}.key")), &path).unwrap();
        fs::copy(
            fixture(from, &format!("{private}.private")),
            path.with_extension("private"),
        )
        .unwrap();
        let error = Key::read(&path).unwrap_err();
        assert_eq!(
            error,
            KeyError::Mismatch {
                key: path.clone(),
                private: path.with_extension("private"),
            },
            "{from}"
        );
    }
    // An RSA component changed: ring rejects the key.
    for field in ["Prime1", "Exponent1", "Coefficient"] {
        let path = copy_pair(&dir, "rsasha256", "Kexample.com.+008+02886", same, |t| {
            t.lines()
                .map(|l| match l.strip_prefix(&format!("{field}: ")) {
                    // Another valid base64 value of the same length.
                    Some(value) => format!(
                        "{field}: {}",
                        value.replacen(|c: char| c.is_ascii_alphabetic(), "A", 3)
                    ),
                    None => l.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        });
        let error = Key::read(&path).unwrap_err();
        assert!(
            matches!(&error, KeyError::Invalid { file, .. } if *file == path.with_extension("private")),
            "{field}: {error:?}"
        );
    }
}

/// Each way a line can go wrong.
fn garbles(line: &str) -> Vec<String> {
    let half = line
        .char_indices()
        .nth(line.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    vec![
        String::new(),
        "garbage".to_owned(),
        line[..half].to_owned(),
        line.chars().rev().collect(),
        line.replace(|c: char| c.is_ascii_alphanumeric(), "!"),
        line.replace(' ', ""),
        format!("{line} ("),
        format!("{line} )"),
        format!("{line}\u{fffd}\0"),
        line.replace(':', ""),
        line.replace(|c: char| c.is_ascii_digit(), "9"),
    ]
}

#[test]
fn read_never_panics_on_truncated_or_garbled_files() {
    let dir = scratch("garbled");
    let mut outcomes = (0, 0);
    for path in fixtures() {
        let base = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let from = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        for extension in ["key", "private"] {
            let original = fs::read_to_string(path.with_extension(extension)).unwrap();
            let lines: Vec<&str> = original.lines().collect();
            let mut variants = Vec::new();
            for cut in 0..lines.len() {
                variants.push(lines[..cut].join("\n"));
            }
            for (index, line) in lines.iter().enumerate() {
                for garbled in garbles(line) {
                    let mut copy: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
                    copy[index] = garbled;
                    variants.push(copy.join("\n"));
                }
            }
            for text in variants {
                let edit = |t: &str| {
                    if extension == "key" {
                        text.clone()
                    } else {
                        t.to_owned()
                    }
                };
                let edit_private = |t: &str| {
                    if extension == "private" {
                        text.clone()
                    } else {
                        t.to_owned()
                    }
                };
                let key_path = copy_pair(&dir, &from, &base, edit, edit_private);
                match Key::read(&key_path) {
                    Ok(key) => {
                        outcomes.0 += 1;
                        assert_eq!(key.tag(), file_name_parts(&key_path).2);
                    }
                    Err(error) => {
                        outcomes.1 += 1;
                        let message = error.to_string();
                        assert!(message.contains(&base), "{message}\n{text}");
                    }
                }
            }
        }
    }
    // Garbled timing lines and comments still read; most changes do not.
    assert!(outcomes.0 > 0 && outcomes.1 > outcomes.0, "{outcomes:?}");
}

#[test]
fn written_keys_read_back_and_the_private_file_is_the_owners_alone() {
    let dir = scratch("write");
    let zone = name("example.com.");
    let mut keys = vec![
        Key::generate(zone.clone(), Algorithm::ED25519, 257).unwrap(),
        Key::generate(zone.clone(), Algorithm::ECDSAP256SHA256, 256).unwrap(),
    ];
    for path in fixtures() {
        keys.push(Key::read(&path).unwrap());
    }
    for (index, key) in keys.iter().enumerate() {
        let out = dir.join(index.to_string());
        fs::create_dir(&out).unwrap();
        let (public, private) = key.write(&out).unwrap();
        let expected = format!(
            "K{}+{:03}+{:05}",
            key.zone(),
            u8::from(key.algorithm()),
            key.tag()
        );
        assert_eq!(public, out.join(format!("{expected}.key")));
        assert_eq!(private, out.join(format!("{expected}.private")));
        let mode = fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", private.display());
        let back = Key::read(&public).unwrap();
        assert_eq!(back.dnskey(), key.dnskey());
        assert_eq!((back.zone(), back.tag()), (key.zone(), key.tag()));
        assert_eq!(ds_line(&back), ds_line(key));
        let text = fs::read_to_string(&private).unwrap();
        assert!(
            text.starts_with("Private-key-format: v1.3\nAlgorithm: "),
            "{text}"
        );
        for field in ["Created: ", "Publish: ", "Activate: "] {
            let stamp = text.lines().find_map(|l| l.strip_prefix(field)).unwrap();
            assert!(stamp.len() == 14 && stamp.starts_with("20"), "{stamp}");
        }
        // A signature by the key read back verifies with the key written.
        let dnskey = key.dnskey().clone();
        let (origin, soa, rrsig) = signed_soa(back);
        dnskey
            .verify_rrsig(&origin, DNSClass::IN, &rrsig, soa.iter())
            .unwrap();
    }
    // The material written is the material the tools wrote.
    for path in fixtures() {
        let out = dir.join(format!(
            "again-{}",
            path.file_stem().unwrap().to_str().unwrap()
        ));
        fs::create_dir(&out).unwrap();
        let (_, private) = Key::read(&path).unwrap().write(&out).unwrap();
        let material = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| {
                    !l.starts_with("Created")
                        && !l.starts_with("Publish")
                        && !l.starts_with("Activate")
                        && !l.starts_with("Private-key-format")
                })
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(
            material(&fs::read_to_string(&private).unwrap()),
            material(&fs::read_to_string(path.with_extension("private")).unwrap()),
            "{}",
            path.display()
        );
    }
}

#[test]
fn write_never_overwrites_a_key() {
    let dir = scratch("no-overwrite");
    let key = Key::generate(name("example.com."), Algorithm::ED25519, 257).unwrap();
    let (public, private) = key.write(&dir).unwrap();
    let before = fs::read_to_string(&private).unwrap();
    assert_eq!(
        key.write(&dir).unwrap_err(),
        KeyError::Exists {
            file: public.clone()
        }
    );
    assert_eq!(fs::read_to_string(&private).unwrap(), before);
    // Only the .private there: refused, and no .key left behind.
    fs::remove_file(&public).unwrap();
    assert_eq!(
        key.write(&dir).unwrap_err(),
        KeyError::Exists {
            file: private.clone()
        }
    );
    assert!(!public.exists());
    // Only the .key there: refused, and no .private left behind.
    fs::rename(&private, dir.join("saved")).unwrap();
    fs::write(&public, "placeholder").unwrap();
    assert_eq!(
        key.write(&dir).unwrap_err(),
        KeyError::Exists {
            file: public.clone()
        }
    );
    assert!(!private.exists());
    assert_eq!(fs::read_to_string(&public).unwrap(), "placeholder");
}

#[test]
fn generate_makes_ed25519_and_ecdsa_keys_and_explains_rsa() {
    let zone = name("example.com.");
    let ed = Key::generate(zone.clone(), Algorithm::ED25519, 256).unwrap();
    assert_eq!(ed.dnskey().public_key().public_bytes().len(), 32);
    assert!(!ed.is_key_signing());
    let ec = Key::generate(zone.clone(), Algorithm::ECDSAP256SHA256, 257).unwrap();
    assert_eq!(ec.dnskey().public_key().public_bytes().len(), 64);
    assert!(ec.is_key_signing());
    let error = Key::generate(zone.clone(), Algorithm::RSASHA256, 257).unwrap_err();
    assert_eq!(error, KeyError::CannotGenerate { algorithm: 8 });
    assert!(error.to_string().contains("dnssec-keygen -a RSASHA256"));
    assert_eq!(
        Key::generate(zone, Algorithm::ECDSAP384SHA384, 257).unwrap_err(),
        KeyError::Unsupported {
            file: None,
            algorithm: 14
        }
    );
}

#[test]
fn keygen_writes_a_pair_and_prints_its_ds() {
    let program = example::path_with_features("keygen", &["dnssec"]);
    for (arguments, algorithm, flags) in [
        (&[][..], 15, 257),
        (
            &["--algorithm", "ECDSAP256SHA256", "--flags", "256"][..],
            13,
            256,
        ),
        (&["--algorithm", "15"][..], 15, 257),
    ] {
        let dir = scratch(&format!("keygen-{algorithm}-{flags}"));
        let output = Command::new(&program)
            .arg("example.com")
            .args(arguments)
            .arg("--dir")
            .arg(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(output.status.success(), "{stderr}");
        let files: Vec<PathBuf> = stderr.lines().map(PathBuf::from).collect();
        assert_eq!(files.len(), 2, "{stderr}");
        let (public, private) = (&files[0], &files[1]);
        assert_eq!(public.parent().unwrap(), dir);
        let (zone, file_algorithm, tag) = file_name_parts(public);
        assert_eq!((zone.as_str(), file_algorithm), ("example.com.", algorithm));
        assert_eq!(*private, public.with_extension("private"));
        assert_eq!(
            fs::metadata(private).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let (owner, record_flags, record_algorithm) = record_fields(public);
        assert_eq!(
            (owner.as_str(), record_flags, record_algorithm),
            ("example.com.", flags, algorithm)
        );
        let key = Key::read(public).unwrap();
        assert_eq!(key.tag(), tag);
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert_eq!(stdout, format!("{}\n", ds_line(&key)));
        assert!(stdout.starts_with(&format!("example.com. IN DS {tag} {algorithm} 2 ")));
    }
}

#[test]
fn keygen_usage_errors_exit_2_with_one_line() {
    let program = example::path_with_features("keygen", &["dnssec"]);
    let dir = scratch("keygen-usage");
    for arguments in [
        &[][..],
        &["example.com", "--algorithm", "RSASHA256"][..],
        &["example.com", "--flags", "385"][..],
        &["example.com", "--dir"][..],
        &["example.com", "--color"][..],
        &["example.com", "extra"][..],
        &["a..b"][..],
    ] {
        let output = Command::new(&program)
            .args(arguments)
            .current_dir(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(output.stdout.is_empty());
    }
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
    // A directory that does not exist: the key cannot be written.
    let output = Command::new(&program)
        .args(["example.com", "--dir"])
        .arg(dir.join("absent"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8(output.stderr)
            .unwrap()
            .starts_with("error: ")
    );
}
