//! Serde helpers for the wire's hex fields (`#[serde(with = "as_hex::…")]`): bytes are
//! written as lower-case hex and read strictly: a string that is not hex, or of the wrong
//! length, is a deserialization error that names what was expected, never a panic. Reading
//! accepts upper-case digits too, as the collector always has.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serializer};

use crate::hashes::BallotHash;
use crate::package::ContextHash;

fn decode<E: serde::de::Error>(text: &str) -> Result<Vec<u8>, E> {
    hex::decode(text).map_err(|e| E::custom(format!("not hex ({e})")))
}

fn decode_array<const N: usize, E: serde::de::Error>(text: &str) -> Result<[u8; N], E> {
    let bytes = decode::<E>(text)?;
    let found = bytes.len();
    bytes.try_into().map_err(|_| {
        E::custom(format!(
            "expected {N} bytes ({} hex digits), found {found} bytes",
            2 * N
        ))
    })
}

/// `Vec<u8>` as hex of any length.
pub mod bytes {
    use super::*;

    /// Writes hex.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    /// Reads hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        decode(&String::deserialize(d)?)
    }
}

/// `[u8; N]` as exactly `2N` hex digits.
pub mod array {
    use super::*;

    /// Writes hex.
    pub fn serialize<S: Serializer, const N: usize>(
        bytes: &[u8; N],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(bytes))
    }

    /// Reads exactly `N` bytes of hex.
    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u8; N], D::Error> {
        decode_array(&String::deserialize(d)?)
    }
}

/// A [`ContextHash`] as 64 hex digits.
pub mod context {
    use super::*;

    /// Writes hex.
    pub fn serialize<S: Serializer>(hash: &ContextHash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(hash.0))
    }

    /// Reads 64 hex digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ContextHash, D::Error> {
        decode_array(&String::deserialize(d)?).map(ContextHash)
    }
}

/// A [`BallotHash`] as 64 hex digits.
pub mod hash {
    use super::*;

    /// Writes hex.
    pub fn serialize<S: Serializer>(hash: &BallotHash, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(hash.0))
    }

    /// Reads 64 hex digits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BallotHash, D::Error> {
        decode_array(&String::deserialize(d)?).map(BallotHash)
    }
}

/// A list of 32-byte hashes (a Merkle proof), each as 64 hex digits.
pub mod hashes {
    use super::*;

    /// Writes a list of hex strings.
    pub fn serialize<S: Serializer>(hashes: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(hashes.iter().map(hex::encode))
    }

    /// Reads a list of 64-digit hex strings.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        Vec::<String>::deserialize(d)?
            .into_iter()
            .map(|h| decode_array(&h))
            .collect()
    }
}

/// A map name → bytes (the package's files), each value as hex.
pub mod files {
    use serde::de::Error as _;

    use super::*;

    /// Writes an object of hex strings.
    pub fn serialize<S: Serializer>(
        files: &BTreeMap<String, Vec<u8>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_map(files.iter().map(|(name, bytes)| (name, hex::encode(bytes))))
    }

    /// Reads an object of hex strings.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Vec<u8>>, D::Error> {
        BTreeMap::<String, String>::deserialize(d)?
            .into_iter()
            .map(|(name, text)| {
                let bytes = decode(&text)
                    .map_err(|e: D::Error| D::Error::custom(format!("the file {name}: {e}")))?;
                Ok((name, bytes))
            })
            .collect()
    }
}
