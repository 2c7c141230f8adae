//! Signing (feature `dnssec`): every RRSIG checked with hickory-proto's verifier, the
//! NSEC and NSEC3 chains rebuilt independently (`support/dnssec.rs`), the refusals, and
//! the window.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/dnssec.rs"]
mod dnssec;

use multiprimary::dnssec::{Denial, Key, KeySet, SignError, SignOptions, sign};
use multiprimary::hickory_proto::dnssec::Algorithm;
use multiprimary::hickory_proto::dnssec::rdata::DNSSECRData;
use multiprimary::hickory_proto::rr::{Name, RData, RecordType};
use multiprimary::text::{ParseOptions, parse};
use multiprimary::{Template, Zone};

fn name(text: &str) -> Name {
    text.parse().unwrap()
}

/// A zone with what signing must treat apart: a signed and an unsigned delegation with
/// glue, a DNAME with data below it, a wildcard, an empty non-terminal, an RRset of
/// several records, names with capitals (signed in lower case), names inside data.
const ZONE: &str = "\
$TTL 3600
@        IN SOA  ns1 Hostmaster.Example.COM. 2026120401 7200 3600 1209600 300
@        IN NS   ns1
@        IN NS   ns2.other.example.
@        IN MX   10 Mail
@        IN TXT  \"v=spf1 -all\"
ns1      IN A    192.0.2.53
Mail     IN A    192.0.2.25
Mail     IN AAAA 2001:db8::25
www      IN CNAME @
*.wild   IN TXT  \"any\"
a.b.deep IN A    192.0.2.7
many     IN A    192.0.2.3
many     IN A    192.0.2.1
many     IN A    192.0.2.2
sub      IN NS   ns.sub
sub      IN DS   12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
ns.sub   IN A    192.0.2.60
plain    IN NS   ns.plain
ns.plain IN A    192.0.2.61
alias    IN DNAME other.example.
x.alias  IN A    192.0.2.99
";

fn zone() -> Zone {
    parse(ZONE, &ParseOptions::new().origin(name("example.com."))).unwrap()
}

fn csk() -> KeySet {
    let origin = name("example.com.");
    let key = Key::generate(origin.clone(), Algorithm::ED25519, 257).unwrap();
    KeySet::new(origin, vec![key]).unwrap()
}

fn ksk_and_zsk() -> KeySet {
    let origin = name("example.com.");
    let ksk = Key::generate(origin.clone(), Algorithm::ED25519, 257).unwrap();
    let zsk = Key::generate(origin.clone(), Algorithm::ED25519, 256).unwrap();
    KeySet::new(origin, vec![ksk, zsk]).unwrap()
}

fn window() -> SignOptions {
    SignOptions::new().window(1_796_338_800, 1_796_338_800 + 14 * 86_400)
}

#[test]
fn a_csk_signs_every_authoritative_rrset_with_an_nsec_chain() {
    let (zone, keys, options) = (zone(), csk(), window());
    let signed = sign(&zone, &keys, &options).unwrap();
    dnssec::check(&zone, &signed, &keys, &options).unwrap();
    // The checker's view, spelled out for the names that matter.
    let sigs = |n: &str| dnssec::records(&signed, &name(n), RecordType::RRSIG).len();
    assert_eq!(sigs("ns.sub.example.com."), 0, "glue is not signed");
    assert_eq!(sigs("ns.plain.example.com."), 0, "glue is not signed");
    assert_eq!(
        sigs("x.alias.example.com."),
        0,
        "data below a DNAME is not signed"
    );
    assert_eq!(
        sigs("sub.example.com."),
        2,
        "a delegation: DS and NSEC only"
    );
    assert_eq!(
        sigs("plain.example.com."),
        1,
        "a delegation without DS: NSEC only"
    );
    assert_eq!(sigs("alias.example.com."), 2, "DNAME and NSEC");
}

#[test]
fn a_ksk_signs_the_dnskey_rrset_and_a_zsk_the_rest() {
    let (zone, keys, options) = (zone(), ksk_and_zsk(), window().cds(true));
    let signed = sign(&zone, &keys, &options).unwrap();
    dnssec::check(&zone, &signed, &keys, &options).unwrap();
    let [ksk, zsk] = keys.keys() else { panic!() };
    let origin = name("example.com.");
    let by = |t: RecordType| -> Vec<u16> {
        dnssec::records(&signed, &origin, RecordType::RRSIG)
            .into_iter()
            .filter_map(|r| match r.data {
                RData::DNSSEC(DNSSECRData::RRSIG(s)) if s.input().type_covered == t => {
                    Some(s.input().key_tag)
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(by(RecordType::DNSKEY), [ksk.tag()]);
    assert_eq!(by(RecordType::CDS), [ksk.tag()]);
    assert_eq!(by(RecordType::CDNSKEY), [ksk.tag()]);
    assert_eq!(by(RecordType::SOA), [zsk.tag()]);
    // CDS is the KSK's DS (RFC 7344 §3.1), CDNSKEY its DNSKEY.
    let cds = dnssec::records(&signed, &origin, RecordType::CDS);
    let [cds] = cds.as_slice() else {
        panic!("{cds:?}")
    };
    let RData::DNSSEC(DNSSECRData::CDS(cds)) = &cds.data else {
        panic!()
    };
    let ds = ksk.ds().unwrap();
    assert_eq!(
        (cds.key_tag(), cds.digest_type(), cds.digest()),
        (ds.key_tag(), ds.digest_type(), ds.digest())
    );
    assert_eq!(
        dnssec::records(&signed, &origin, RecordType::CDNSKEY).len(),
        1
    );
}

#[test]
fn nsec3_covers_every_name_and_empty_non_terminal() {
    let (zone, keys, options) = (zone(), ksk_and_zsk(), window().denial(Denial::Nsec3));
    let signed = sign(&zone, &keys, &options).unwrap();
    dnssec::check(&zone, &signed, &keys, &options).unwrap();
    // deep, b.deep and wild (above *.wild) are empty non-terminals; ns.sub, ns.plain and
    // x.alias are not in the chain.
    let nsec3 = signed
        .rrsets()
        .filter(|(_, r)| r.record_type() == RecordType::NSEC3)
        .count();
    let authoritative = zone
        .names()
        .filter(|n| dnssec::role(&zone, n) != dnssec::Role::Occluded)
        .count();
    assert_eq!(nsec3, authoritative + 3);
    assert!(
        signed
            .rrsets()
            .all(|(_, r)| r.record_type() != RecordType::NSEC)
    );
}

#[test]
fn signing_is_deterministic_with_ed25519_and_a_fixed_window() {
    let (zone, keys) = (zone(), csk());
    for options in [window(), window().denial(Denial::Nsec3)] {
        let once = sign(&zone, &keys, &options).unwrap();
        let again = sign(&zone, &keys, &options).unwrap();
        assert_eq!(once.to_string(), again.to_string());
    }
}

#[test]
fn the_default_window_opens_an_hour_before_the_utc_day_and_lasts_14_days() {
    let day = 1_796_342_400u64; // 2026-12-04 00:00:00 UTC
    for seconds in [day, day + 1, day + 86_399] {
        let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds);
        let options = SignOptions::at(at);
        assert_eq!(u64::from(options.inception()), day - 3600, "{seconds}");
        assert_eq!(options.expiration() - options.inception(), 14 * 86_400);
    }
}

#[test]
fn refusals_say_what_is_wrong() {
    let keys = csk();
    let options = window();
    // Already signed: refused, or re-signed when asked, never signed twice.
    let signed = sign(&zone(), &keys, &options).unwrap();
    let error = sign(&signed, &keys, &options).unwrap_err();
    assert!(matches!(error, SignError::AlreadySigned { .. }), "{error}");
    assert!(
        error.to_string().contains("already holds DNSSEC records"),
        "{error}"
    );
    let again = sign(&signed, &keys, &options.clone().replace(true)).unwrap();
    assert_eq!(again.to_string(), signed.to_string());

    let other = KeySet::new(
        name("example.net."),
        vec![Key::generate(name("example.net."), Algorithm::ED25519, 257).unwrap()],
    )
    .unwrap();
    let error = sign(&zone(), &other, &options).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the keys are for example.net., not for the zone example.com."
    );

    let backwards = SignOptions::new().window(1_796_338_800, 1_796_338_800);
    let error = sign(&zone(), &keys, &backwards).unwrap_err();
    assert!(matches!(error, SignError::Window { .. }), "{error}");

    let no_soa = parse(
        "www 60 IN A 192.0.2.1\n",
        &ParseOptions::new().origin(name("example.com.")),
    )
    .unwrap();
    let error = sign(&no_soa, &keys, &options).unwrap_err();
    assert!(matches!(error, SignError::NoSoa { .. }), "{error}");

    let template = parse(
        "@ 60 IN SOA ns h 1 1 1 1 1\n@ 60 IN NS ns\nns 60 IN A 192.0.2.1\nwww 60 IN A LOCAL-IP\n",
        &ParseOptions::new()
            .origin(name("example.com."))
            .template(true),
    )
    .unwrap();
    let error = sign(&template, &keys, &options).unwrap_err();
    assert!(matches!(error, SignError::Template), "{error}");
    // Its projection signs.
    let template = Template::new(template);
    let (fleet, _) = template.fleet(&[]).unwrap();
    let projection = template.project(&fleet.hosts()[0]).unwrap();
    let signed = sign(&projection, &keys, &options).unwrap();
    dnssec::check(&projection, &signed, &keys, &options).unwrap();
}

#[test]
fn the_checks_catch_a_changed_record_a_lost_signature_and_a_broken_chain() {
    use multiprimary::hickory_proto::rr::Record;
    use multiprimary::hickory_proto::rr::rdata::A;
    let (zone, keys, options) = (zone(), csk(), window());
    let signed = sign(&zone, &keys, &options).unwrap();
    let many = name("many.example.com.");

    // The data changed after signing: the RRSIG no longer verifies.
    let mut changed = signed.clone();
    changed.remove_record(&Record::from_rdata(
        many.clone(),
        3600,
        RData::A(A::new(192, 0, 2, 3)),
    ));
    changed
        .insert(&Record::from_rdata(
            many.clone(),
            3600,
            RData::A(A::new(192, 0, 2, 4)),
        ))
        .unwrap();
    let error = dnssec::signatures(&changed, &changed, &keys, &options).unwrap_err();
    assert!(error.contains("does not verify"), "{error}");

    // A signature gone.
    let mut unsigned_rrset = signed.clone();
    unsigned_rrset.remove(&many, RecordType::RRSIG);
    let error = dnssec::signatures(&zone, &unsigned_rrset, &keys, &options).unwrap_err();
    assert!(error.contains("RRSIGs by keys []"), "{error}");

    // A name missing from the chain.
    let mut broken = signed.clone();
    broken.remove(&many, RecordType::NSEC);
    assert!(dnssec::nsec_chain(&zone, &broken).is_err());
}

/// RFC 4648 base32hex, lower case, as NSEC3 owner labels are written.
#[cfg(feature = "proptest")]
fn data_encoding_base32hex(data: &[u8]) -> String {
    const DIGITS: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
    let mut out = String::new();
    let (mut bits, mut count) = (0u32, 0);
    for &byte in data {
        bits = (bits << 8) | u32::from(byte);
        count += 8;
        while count >= 5 {
            count -= 5;
            out.push(char::from(DIGITS[((bits >> count) & 31) as usize]));
        }
    }
    if count > 0 {
        out.push(char::from(DIGITS[((bits << (5 - count)) & 31) as usize]));
    }
    out
}

/// Generated zones of every record type, with cuts, glue and DNAMEs: every signature
/// verifies and the chains are whole.
#[cfg(feature = "proptest")]
mod generated {
    use super::*;
    use multiprimary::strategy::{self, valid_zone};
    use proptest::prelude::*;

    /// The (owner, type) of each RRset in which two signed copies differ.
    fn differences(a: &Zone, b: &Zone) -> std::collections::BTreeSet<(String, RecordType)> {
        let mut out = std::collections::BTreeSet::new();
        for (x, y) in [(a, b), (b, a)] {
            for (name, rrset) in x.rrsets() {
                if y.rrset(name, rrset.record_type()) != Some(rrset) {
                    out.insert((name.to_lowercase().to_string(), rrset.record_type()));
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Item 3 of the issue: each host's signed copy is what signing its projection alone
        /// gives, every signature in it verifies, and two hosts' copies differ only in the
        /// self-referencing RRsets, the SOA, the NSEC or NSEC3 records of the self names,
        /// and the RRSIGs over those.
        #[test]
        fn signed_projections_differ_only_where_the_scheme_says((zone, fleet) in strategy::template(), nsec3 in any::<bool>()) {
            let template = Template::new(zone);
            let origin = template.zone().origin().clone();
            let keys = KeySet::new(origin.clone(), vec![Key::generate(origin.clone(), Algorithm::ED25519, 257).unwrap()]).unwrap();
            let denial = if nsec3 { Denial::Nsec3 } else { Denial::Nsec };
            let options = window().denial(denial).replace(true);
            let hosts: Vec<_> = fleet.hosts().iter().collect();
            let projections = match template.sign_projections(&hosts, &keys, &options) {
                Ok(projections) => projections,
                // A generated ZONEMD of a scheme no one can compute: refused, rightly.
                Err(SignError::Zonemd { scheme, hash }) => {
                    prop_assert!(scheme != 1 || !matches!(hash, 1 | 2));
                    return Ok(());
                }
                Err(error) => return Err(TestCaseError::fail(error.to_string())),
            };
            let signed = projections.zones();
            prop_assert_eq!(signed.len(), hosts.len());
            // Written in one pass, each as its own text.
            let mut texts = vec![String::new(); signed.len()];
            projections.write(&mut texts).unwrap();
            for (text, zone) in texts.iter().zip(signed) {
                prop_assert_eq!(text, &zone.to_string());
            }
            // What may differ: self names (any type there, RRSIG and NSEC included), the
            // apex SOA and RRSIG, and the NSEC3 records (and RRSIGs) of the self names.
            let mut allowed: std::collections::BTreeSet<(String, RecordType)> = Default::default();
            for self_name in template.self_names() {
                let lower = self_name.to_lowercase();
                for t in [RecordType::A, RecordType::AAAA, RecordType::RRSIG, RecordType::NSEC] {
                    allowed.insert((lower.to_string(), t));
                }
                let hash = multiprimary::hickory_proto::dnssec::Nsec3HashAlgorithm::SHA1.hash(&[], self_name, 0).unwrap();
                let label = data_encoding_base32hex(hash.as_ref());
                let hashed = format!("{label}.{origin}");
                allowed.insert((hashed.clone(), RecordType::NSEC3));
                allowed.insert((hashed, RecordType::RRSIG));
            }
            allowed.insert((origin.to_lowercase().to_string(), RecordType::SOA));
            allowed.insert((origin.to_lowercase().to_string(), RecordType::RRSIG));
            // A ZONEMD digests the whole copy (RFC 8976).
            allowed.insert((origin.to_lowercase().to_string(), RecordType::Unknown(63)));
            for (host, copy) in hosts.iter().zip(signed) {
                let alone = template.project(host).unwrap();
                let by_itself = sign(&alone, &keys, &options).unwrap();
                prop_assert_eq!(copy.to_string(), by_itself.to_string(), "{}", host);
                let unsigned = dnssec::unsigned_of(&alone, copy);
                if let Err(problem) = dnssec::check(&unsigned, copy, &keys, &options) {
                    prop_assert!(false, "{}: {}", host, problem);
                }
                // Different valid signatures are no drift.
                prop_assert_eq!(template.drift_signed(&signed[0], copy), vec![], "{}", host);
                let differ = differences(&signed[0], copy);
                let outside: Vec<_> = differ.difference(&allowed).collect();
                prop_assert!(outside.is_empty(), "{}: {:?}", host, outside);
            }
        }

        #[test]
        fn every_generated_zone_signs_and_verifies(zone in valid_zone(), nsec3 in any::<bool>(), two_keys in any::<bool>()) {
            let origin = zone.origin().clone();
            let mut keys = vec![Key::generate(origin.clone(), Algorithm::ED25519, 257).unwrap()];
            if two_keys {
                keys.push(Key::generate(origin.clone(), Algorithm::ED25519, 256).unwrap());
            }
            let keys = KeySet::new(origin, keys).unwrap();
            let denial = if nsec3 { Denial::Nsec3 } else { Denial::Nsec };
            let options = window().denial(denial).replace(true);
            let signed = match sign(&zone, &keys, &options) {
                Ok(signed) => signed,
                Err(SignError::Zonemd { scheme, hash }) => {
                    prop_assert!(scheme != 1 || !matches!(hash, 1 | 2));
                    return Ok(());
                }
                Err(error) => return Err(TestCaseError::fail(error.to_string())),
            };
            // The generator may put DNSSEC types in: signing drops them first.
            let unsigned = dnssec::unsigned_of(&zone, &signed);
            if let Err(problem) = dnssec::check(&unsigned, &signed, &keys, &options) {
                prop_assert!(false, "{problem}\n{signed}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// `render --keys`
// ---------------------------------------------------------------------------------------

#[path = "support/example.rs"]
mod example;

/// Runs `render` (built with the `dnssec` feature) in the package directory.
fn render(args: &[&str]) -> std::process::Output {
    std::process::Command::new(example::path_with_features("render", &["dnssec"]))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

const SEED_TEMPLATE: &str = "examples/data/example.com.template";
/// A KSK and a ZSK for example.com. made by `dnssec-keygen` (and a key of example.net.,
/// which `--keys` leaves alone); see `tests/data/README.md`.
const KEYS: &str = "tests/data/keys/ed25519";

#[test]
fn render_signs_each_hosts_zone_with_the_keys_in_a_directory() {
    let origin = name("example.com.");
    let keys = KeySet::read_dir(std::path::Path::new(KEYS), &origin).unwrap();
    assert_eq!(keys.keys().len(), 2);
    let inception = "20261201000000";
    for (extra, denial) in [(None, Denial::Nsec), (Some("--nsec3"), Denial::Nsec3)] {
        let mut args = vec![
            SEED_TEMPLATE,
            "bill",
            "--keys",
            KEYS,
            "--inception",
            inception,
            "--expiration",
            "+14",
        ];
        args.extend(extra);
        let output = render(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).unwrap();
        let signed = parse(&text, &ParseOptions::new().origin(origin.clone())).unwrap();
        let options = SignOptions::new()
            .window(1_796_083_200, 1_796_083_200 + 14 * 86_400)
            .denial(denial);
        // The zone bill serves, signed: what the library makes of its projection.
        let template = Template::new(
            parse(
                &std::fs::read_to_string(SEED_TEMPLATE).unwrap(),
                &ParseOptions::new().template(true),
            )
            .unwrap(),
        );
        let (fleet, _) = template.fleet(&[]).unwrap();
        let projection = template.project(fleet.host("bill").unwrap()).unwrap();
        dnssec::check(&projection, &signed, &keys, &options).unwrap();
        assert_eq!(
            text,
            sign(&projection, &keys, &options).unwrap().to_string()
        );
    }
}

#[test]
fn render_refuses_bad_signing_options_with_one_line() {
    for (args, start) in [
        (
            vec![SEED_TEMPLATE, "bob", "--keys", KEYS, "--inception", "2026"],
            "error: --inception 2026: expected YYYYMMDDHHMMSS",
        ),
        (
            vec![SEED_TEMPLATE, "bob", "--keys", KEYS, "--expiration", "+x"],
            "error: --expiration +x: expected",
        ),
        (
            vec![SEED_TEMPLATE, "bob", "--nsec3"],
            "error: --nsec3, --cds, --resign, --inception and --expiration need --keys DIR",
        ),
        (
            vec![SEED_TEMPLATE, "bob", "--keys", "tests/data/keys/none"],
            "error: tests/data/keys/none",
        ),
        (
            vec![
                SEED_TEMPLATE,
                "bob",
                "--keys",
                KEYS,
                "--inception",
                "20261201000000",
                "--expiration",
                "20261101000000",
            ],
            "error: examples/data/example.com.template: the signature window ends",
        ),
    ] {
        let output = render(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.starts_with(start), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn a_zonemd_is_computed_again_after_signing_and_signed() {
    // A ZONEMD with a stale digest (zeros), as a template would carry one.
    let zeros = "00".repeat(48);
    let text = format!("{ZONE}@ IN ZONEMD 1 1 1 {zeros}\n");
    let zone = parse(&text, &ParseOptions::new().origin(name("example.com."))).unwrap();
    let (keys, options) = (csk(), window());
    let signed = sign(&zone, &keys, &options).unwrap();
    let zonemd = |zone: &Zone| -> Vec<u8> {
        let rrset = zone
            .rrset(&name("example.com."), RecordType::Unknown(63))
            .unwrap();
        let (_, data) = rrset.iter().next().unwrap();
        data.to_vec()
    };
    // Every RRSIG verifies, the new ZONEMD's among them; nothing else changed.
    let mut expected = zone.clone();
    expected.remove(&name("example.com."), RecordType::Unknown(63));
    for record in signed
        .records()
        .filter(|r| r.record_type() == RecordType::Unknown(63))
    {
        expected.insert(&record).unwrap();
    }
    dnssec::check(&expected, &signed, &keys, &options).unwrap();
    let digest = zonemd(&signed);
    assert_eq!(
        &digest[..4],
        &2_026_120_401u32.to_be_bytes(),
        "the SOA serial"
    );
    assert_eq!(&digest[4..6], &[1, 1], "SIMPLE, SHA-384");
    assert_eq!(digest.len(), 6 + 48);
    assert_ne!(&digest[6..], &[0u8; 48][..], "the digest was computed");
    // The digest is over the whole zone: another record, another digest.
    let more = parse(
        &format!("{text}extra IN TXT \"x\"\n"),
        &ParseOptions::new().origin(name("example.com.")),
    )
    .unwrap();
    assert_ne!(zonemd(&sign(&more, &keys, &options).unwrap()), digest);
    // A scheme this crate cannot compute is refused rather than left stale.
    let unknown = parse(
        &format!("{ZONE}@ IN ZONEMD 2026120401 240 1 {zeros}\n"),
        &ParseOptions::new().origin(name("example.com.")),
    )
    .unwrap();
    let error = sign(&unknown, &keys, &options).unwrap_err();
    assert!(
        matches!(
            error,
            SignError::Zonemd {
                scheme: 240,
                hash: 1
            }
        ),
        "{error}"
    );
}

#[test]
fn drift_between_signed_copies_is_a_missing_or_bad_signature_not_a_different_one() {
    use multiprimary::DriftKind;
    use multiprimary::hickory_proto::rr::Record;
    let template = Template::new(
        parse(
            &std::fs::read_to_string(SEED_TEMPLATE).unwrap(),
            &ParseOptions::new().template(true),
        )
        .unwrap(),
    );
    let (fleet, _) = template.fleet(&[]).unwrap();
    let origin = name("example.com.");
    for algorithm in [Algorithm::ED25519, Algorithm::ECDSAP256SHA256] {
        let keys = KeySet::new(
            origin.clone(),
            vec![Key::generate(origin.clone(), algorithm, 257).unwrap()],
        )
        .unwrap();
        let hosts: Vec<_> = fleet.hosts().iter().collect();
        let signed = template.sign_projections(&hosts, &keys, &window()).unwrap();
        let [bob, bill] = signed.zones() else {
            panic!()
        };
        assert_eq!(template.drift_signed(bob, bill), []);
        // Unsigned templates drift only where drift says (the RRSIGs differ by host).
        assert!(!template.drift(bob, bill).is_empty());

        let rrsig_over = |zone: &Zone, owner: &str, covered: &str| -> Record {
            dnssec::records(zone, &name(owner), RecordType::RRSIG)
                .into_iter()
                .find(|r| r.data.to_string().starts_with(&format!("{covered} ")))
                .unwrap()
        };
        // A signature byte changed: a bad signature.
        let mut bad = bill.clone();
        let good = rrsig_over(bill, "bob.example.com.", "A");
        let RData::DNSSEC(DNSSECRData::RRSIG(rrsig)) = &good.data else {
            panic!()
        };
        let mut signature = rrsig.sig().to_vec();
        signature[0] ^= 1;
        let forged = multiprimary::hickory_proto::dnssec::rdata::RRSIG::from_sig(
            rrsig.input().clone(),
            signature,
        );
        assert!(bad.remove_record(&good));
        bad.insert(&Record::from_rdata(
            good.name.clone(),
            good.ttl,
            RData::DNSSEC(DNSSECRData::RRSIG(forged)),
        ))
        .unwrap();
        let drift = template.drift_signed(bob, &bad);
        assert_eq!(drift.len(), 1, "{drift:?}");
        assert_eq!(
            (
                drift[0].owner.to_string(),
                drift[0].record_type,
                drift[0].kind
            ),
            (
                "bob.example.com.".into(),
                RecordType::A,
                DriftKind::BadSignature
            )
        );
        assert_eq!(drift[0].to_string(), "bob.example.com. A: bad signature");

        // Glue changed after signing: different, and its signature no longer holds.
        let mut changed = bill.clone();
        let glue = Record::from_rdata(
            name("bill.example.com."),
            60,
            RData::A("5.6.7.8".parse().unwrap()),
        );
        assert!(changed.remove_record(&glue));
        changed
            .insert(&Record::from_rdata(
                name("bill.example.com."),
                60,
                RData::A("5.6.7.9".parse().unwrap()),
            ))
            .unwrap();
        let kinds: Vec<_> = template
            .drift_signed(bob, &changed)
            .into_iter()
            .map(|d| d.kind)
            .collect();
        assert_eq!(kinds, [DriftKind::Different, DriftKind::BadSignature]);

        // A signature gone: unsigned.
        let mut gone = bill.clone();
        assert!(gone.remove_record(&rrsig_over(bill, "example.com.", "NS")));
        let drift = template.drift_signed(bob, &gone);
        assert_eq!(drift.len(), 1, "{drift:?}");
        assert_eq!(
            (drift[0].record_type, drift[0].kind),
            (RecordType::NS, DriftKind::Unsigned)
        );
    }
}
