//! Threshold keys: key-ceremony building blocks, share transport and threshold decryption.

pub mod decryption;
pub mod dkg;
pub mod share_transport;
