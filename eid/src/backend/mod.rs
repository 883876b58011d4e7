//! The signature and digest primitives behind [`crate::public_key`], OCSP and the anchors,
//! with two implementations of one interface:
//!
//! - `aws_lc` (every native build): AWS-LC, chosen by measurement (docs/eid.md, "Timings").
//! - `rust_crypto` (WebAssembly, where AWS-LC's C does not build): RustCrypto's `p256`,
//!   `p384`, `p521` and `sha1`. It serves the browser booth (docs/booth.md), which validates
//!   the voter's own certificate and checks its own signature before sending it; RSA keys are
//!   refused there (`eid.unsupported_algorithm`): an RSA e-ID (Mobile-ID, Smart-ID) signs
//!   through its own service, never from a key file in a browser. Native tests check it
//!   against `aws_lc` on the same keys and signatures.
//!
//! What is checked (which hash with which key, the RSA-PSS parameters, sizes) is decided
//! once, in [`crate::public_key`]; a backend only runs a [`Scheme`].

#[cfg(not(target_family = "wasm"))]
mod aws_lc;
#[cfg(any(test, target_family = "wasm"))]
mod rust_crypto;

#[cfg(not(target_family = "wasm"))]
pub(crate) use aws_lc::{rsa_modulus_bits, sha1, verify};
#[cfg(target_family = "wasm")]
pub(crate) use rust_crypto::{rsa_modulus_bits, sha1, verify};

/// A hash of the SHA-2 family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// A signature scheme, the key's algorithm aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// ECDSA, the signature DER-encoded (X.509 certificates and CRLs).
    EcdsaDer(Hash),
    /// ECDSA, the signature fixed-size r‖s with the curve's own hash (voter signatures:
    /// SHA-256 for P-256, SHA-384 for P-384, SHA-512 for P-521).
    EcdsaFixed,
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1(Hash),
    /// RSASSA-PSS, MGF1 with the same hash, a salt as long as the hash.
    RsaPss(Hash),
}
