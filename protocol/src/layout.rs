//! Labelled, length-prefixed byte layouts: what gets hashed or authenticated, never JSON.
//!
//! A layout starts with its label, and every variable-length field is preceded by its
//! length as a u32 big-endian, so two different field lists never give the same bytes.
//! Integers are u32 big-endian.

use sha2::{Digest, Sha256};

/// A layout being built.
#[derive(Debug, Clone)]
pub struct Layout(Vec<u8>);

impl Layout {
    /// Starts a layout with its label (length-prefixed like any other field).
    pub fn new(label: &[u8]) -> Layout {
        let mut l = Layout(Vec::new());
        l.bytes(label);
        l
    }

    /// Appends `u32(len) ‖ bytes`.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Layout {
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        self.0.extend_from_slice(&len.to_be_bytes());
        self.0.extend_from_slice(bytes);
        self
    }

    /// Appends a u32, big-endian.
    pub fn u32(&mut self, v: u32) -> &mut Layout {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }

    /// Appends fixed-length bytes (a point, a hash) without a length prefix.
    pub fn fixed(&mut self, bytes: &[u8]) -> &mut Layout {
        self.0.extend_from_slice(bytes);
        self
    }

    /// SHA-256 of the layout.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(&self.0).into()
    }

    /// The bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_length_prefixed() {
        let mut a = Layout::new(b"L");
        a.bytes(b"ab").bytes(b"c").u32(7).fixed(&[1, 2]);
        assert_eq!(
            a.clone().into_bytes(),
            [
                &[0, 0, 0, 1][..],
                b"L",
                &[0, 0, 0, 2],
                b"ab",
                &[0, 0, 0, 1],
                b"c",
                &[0, 0, 0, 7],
                &[1, 2]
            ]
            .concat()
        );
        let mut b = Layout::new(b"L");
        b.bytes(b"a").bytes(b"bc").u32(7).fixed(&[1, 2]);
        assert_ne!(a.sha256(), b.sha256());
    }
}
