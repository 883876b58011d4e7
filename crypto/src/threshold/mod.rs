//! Threshold keys: key-ceremony building blocks and threshold decryption.

pub mod decryption;
pub mod dkg;
