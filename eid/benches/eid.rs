//! e-ID timings for docs/eid.md: `cargo bench -p ivote-eid --bench eid`.
//!
//! - `validate+verify/CA/voter`: a voter certificate validated with a CRL, then a signature
//!   verified: the collector's cost for a certificate it has not seen before;
//! - `cached/CA/voter`: `check_status` with the CRL plus the signature, for a certificate
//!   already validated (a cache hit);
//! - `mint/CA/voter`: minting 100 demo voters (the demo PKI's rate).

// A benchmark fails loudly on a broken fixture: expect is right here.
#![allow(clippy::expect_used)]

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ivote_eid::insecure_demo_pki::DemoCa;
use ivote_eid::{Crl, KeyAlgorithm, TrustAnchors};

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

criterion_group!(benches, validate_and_verify, mint);
criterion_main!(benches);
