//! e-ID timings for docs/eid.md: `cargo bench -p ivote-eid --bench eid`.
//!
//! - `validate+verify/CA/voter`: a voter certificate validated with a CRL, then a signature
//!   verified: the collector's cost for a certificate it has not seen before;
//! - `cached/CA/voter`: `check_status` with the CRL plus the signature, for a certificate
//!   already validated (a cache hit);
//! - `mint/CA/voter`: minting 100 demo voters (the demo PKI's rate);
//! - `eid-shape/validate+verify/SHAPE` and `eid-shape/verify/SHAPE`: the real e-ID shapes
//!   (`DemoShape`): a new certificate (no CRL) plus its signature, and the voter signature
//!   alone (RSA-6144 for Smart-ID);
//! - `eid-ocsp/good`: judging SK's real good OCSP answer for the test ID card (a cached
//!   answer's cost: a delegated responder's certificate and RSA signature).

// A benchmark fails loudly on a broken fixture: expect is right here.
#![allow(clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ivote_eid::insecure_demo_pki::{DemoCa, DemoShape};
use ivote_eid::{Crl, KeyAlgorithm, OcspPolicy, TrustAnchors};

const NOW: i64 = 1_700_000_000;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
const ALGORITHMS: [KeyAlgorithm; 3] = [
    KeyAlgorithm::Ed25519,
    KeyAlgorithm::EcdsaP256,
    KeyAlgorithm::EcdsaP384,
];

/// `n` distinct personal codes (certificates check only the voter id's framing).
fn codes(n: u32) -> Vec<String> {
    (0..n).map(|i| format!("3800108{i:04}")).collect()
}

fn demo_ca(alg: KeyAlgorithm) -> DemoCa {
    DemoCa::new("Bench CA", alg, NOW - YEAR, NOW + 10 * YEAR).expect("CA")
}

fn validate_and_verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("eid");
    for ca_alg in ALGORITHMS {
        let ca = demo_ca(ca_alg);
        let anchors = TrustAnchors::from_pem(ca.cert_pem().as_bytes()).expect("anchors");
        let crl_der = ca.crl(&[1, 2, 3], NOW - DAY, NOW + DAY).expect("crl").der;
        let crl = Crl::from_der(&crl_der, &anchors).expect("crl");
        for alg in ALGORITHMS {
            let v = ca
                .issue_many(&codes(1), alg, NOW - DAY, NOW + YEAR)
                .expect("voter")
                .remove(0);
            let sig = v.key().expect("key").sign(b"ballot").expect("sign");
            let id = format!("{}/{}", ca_alg.name(), alg.name());
            group.bench_function(BenchmarkId::new("validate+verify", &id), |b| {
                b.iter(|| {
                    let cert = anchors
                        .validate(v.cert_der(), NOW, Some(&crl))
                        .expect("valid");
                    cert.verify_signature(b"ballot", &sig).expect("signature");
                })
            });
            let cert = anchors
                .validate(v.cert_der(), NOW, Some(&crl))
                .expect("valid");
            group.bench_function(BenchmarkId::new("cached", &id), |b| {
                b.iter(|| {
                    cert.check_status(NOW, Some(&crl)).expect("status");
                    cert.verify_signature(b"ballot", &sig).expect("signature");
                })
            });
        }
    }
    group.finish();
}

fn mint(c: &mut Criterion) {
    let mut group = c.benchmark_group("eid-mint");
    group.sample_size(10);
    group.throughput(Throughput::Elements(100));
    for alg in ALGORITHMS {
        let ca = demo_ca(alg);
        let codes = codes(100);
        group.bench_function(BenchmarkId::new("mint", alg.name()), |b| {
            b.iter(|| {
                ca.issue_many(&codes, alg, NOW - DAY, NOW + YEAR)
                    .expect("voters")
            })
        });
    }
    group.finish();
}

fn shapes(c: &mut Criterion) {
    let mut group = c.benchmark_group("eid-shape");
    for shape in DemoShape::ALL {
        let ca = shape.ca(NOW - YEAR, NOW + 10 * YEAR).expect("CA");
        let anchors = TrustAnchors::from_pem(ca.cert_pem().as_bytes()).expect("anchors");
        let v = ca
            .issue(&shape.spec("38001085718", NOW - DAY, NOW + YEAR))
            .expect("voter");
        let sig = v.key().expect("key").sign(b"ballot").expect("sign");
        let id = format!("{shape:?}");
        group.bench_function(BenchmarkId::new("validate+verify", &id), |b| {
            b.iter(|| {
                let cert = anchors.validate(v.cert_der(), NOW, None).expect("valid");
                cert.verify_signature(b"ballot", &sig).expect("signature");
            })
        });
        let cert = anchors.validate(v.cert_der(), NOW, None).expect("valid");
        group.bench_function(BenchmarkId::new("verify", &id), |b| {
            b.iter(|| cert.verify_signature(b"ballot", &sig).expect("signature"))
        });
    }
    group.finish();
}

fn ocsp(c: &mut Criterion) {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/estonia-eid/");
    let read = |name: &str| std::fs::read(format!("{fixtures}{name}")).expect("fixture");
    let anchors = TrustAnchors::from_pem(&read("TEST_of_ESTEID2018.pem")).expect("anchors");
    let card = read("voter-JOEORG-JAAK-KRISTJAN-38001085718-auth-TEST-of-ESTEID2018.pem");
    let card = x509_parser::pem::parse_x509_pem(&card)
        .expect("PEM")
        .1
        .contents;
    const PRODUCED_AT: i64 = 1_631_903_124;
    let cert = anchors.validate(&card, PRODUCED_AT, None).expect("card");
    let response = read("ocsp_response.der");
    let policy = OcspPolicy {
        at_time: PRODUCED_AT,
        max_age: 900,
        max_skew: 60,
        nonce: None,
    };
    let mut group = c.benchmark_group("eid-ocsp");
    group.bench_function("good", |b| {
        b.iter(|| {
            cert.check_ocsp(&response, &anchors, &[], &policy)
                .expect("good")
        })
    });
    group.finish();
}

criterion_group!(benches, validate_and_verify, mint, shapes, ocsp);
criterion_main!(benches);
