//! The byte layouts of the voting-phase objects (ballot, submission, record, tree head,
//! receipt): building blocks shared by their encoders and decoders.
//!
//! Every field is fixed-length (32-byte hashes, big-endian integers) or length-prefixed
//! (a big-endian `u32` byte count, then the bytes). Decoders check every length against a
//! bound before allocating, and reject trailing bytes, so each object has exactly one
//! encoding and its hash is well defined. Never hash serde output: hash these layouts.
//! The layouts are listed in `docs/ballot-format.md`.

use thiserror::Error;

/// A byte string that is not a well-formed layout of the object it claims to be.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("malformed {what}: {detail}")]
pub struct LayoutError {
    /// The object being decoded (`"ballot"`, `"receipt"`...).
    pub what: &'static str,
    /// What is wrong, with the offset where it helps.
    pub detail: String,
}

impl LayoutError {
    /// The stable code: `"layout.malformed"`.
    pub fn code(&self) -> &'static str {
        "layout.malformed"
    }
}

/// Appends fields to a layout.
#[derive(Debug, Default)]
pub struct Writer {
    out: Vec<u8>,
}

impl Writer {
    /// An empty layout.
    pub fn new() -> Self {
        Writer::default()
    }

    /// A layout that starts with its label, length-prefixed like any other field (the
    /// convention of the ceremony context hash and the secret files' associated data).
    pub fn labelled(label: &[u8]) -> Self {
        let mut w = Writer::new();
        w.bytes(label);
        w
    }

    /// SHA-256 of the layout so far.
    pub fn sha256(&self) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(&self.out).into()
    }

    /// The layout, consuming the writer.
    pub fn into_bytes(self) -> Vec<u8> {
        self.out
    }

    /// Appends bytes as they are (a label, a fixed-length hash).
    pub fn fixed(&mut self, bytes: &[u8]) -> &mut Self {
        self.out.extend_from_slice(bytes);
        self
    }

    /// Appends a big-endian `u32`.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.fixed(&v.to_be_bytes())
    }

    /// Appends a big-endian `u64`.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.fixed(&v.to_be_bytes())
    }

    /// Appends a big-endian two's-complement `i64`.
    pub fn i64(&mut self, v: i64) -> &mut Self {
        self.fixed(&v.to_be_bytes())
    }

    /// Appends a length-prefixed byte string. Every caller's fields are bounded far below
    /// 4 GiB by their decoders; a longer one saturates the prefix and cannot decode.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
        self.u32(len).fixed(bytes)
    }

    /// The layout.
    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.out)
    }
}

/// Reads a layout field by field; every read checks the remaining length. A thin wrapper
/// over the crypto crate's reader that reports [`LayoutError`]s.
#[derive(Debug)]
pub struct Reader<'a> {
    what: &'static str,
    inner: ivote_crypto::encoding::Reader<'a>,
    total: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading `bytes`, which encode one `what`.
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader {
            what,
            inner: ivote_crypto::encoding::Reader::new(bytes, what),
            total: bytes.len(),
        }
    }

    /// An error about the object being read.
    pub fn error(&self, detail: impl Into<String>) -> LayoutError {
        LayoutError {
            what: self.what,
            detail: detail.into(),
        }
    }

    fn offset(&self) -> usize {
        self.total - self.inner.remaining()
    }

    fn map(&self, e: ivote_crypto::CryptoError) -> LayoutError {
        match e {
            ivote_crypto::CryptoError::BadLayout { detail, .. } => self.error(detail),
            other => self.error(other.to_string()),
        }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], LayoutError> {
        self.inner.take(n).map_err(|e| self.map(e))
    }

    /// The next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], LayoutError> {
        let offset = self.offset();
        self.take(N)?
            .try_into()
            .map_err(|_| self.error(format!("bad field length at offset {offset}")))
    }

    /// A big-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, LayoutError> {
        self.array().map(u32::from_be_bytes)
    }

    /// A big-endian `u64`.
    pub fn u64(&mut self) -> Result<u64, LayoutError> {
        self.array().map(u64::from_be_bytes)
    }

    /// A big-endian `i64`.
    pub fn i64(&mut self) -> Result<i64, LayoutError> {
        self.array().map(i64::from_be_bytes)
    }

    /// A length-prefixed byte string of at most `max` bytes; `field` names it in errors.
    pub fn bytes(&mut self, field: &str, max: usize) -> Result<&'a [u8], LayoutError> {
        let offset = self.offset();
        let len = self.u32()? as usize;
        if len > max {
            return Err(self.error(format!(
                "{field} at offset {offset} is {len} bytes long; at most {max} are allowed"
            )));
        }
        self.take(len)
    }

    /// A length-prefixed UTF-8 string of at most `max` bytes.
    pub fn string(&mut self, field: &str, max: usize) -> Result<&'a str, LayoutError> {
        let bytes = self.bytes(field, max)?;
        std::str::from_utf8(bytes).map_err(|_| self.error(format!("{field} is not UTF-8")))
    }

    /// Ends reading: trailing bytes are an error.
    pub fn finish(self) -> Result<(), LayoutError> {
        let what = self.what;
        self.inner.finish().map_err(|e| LayoutError {
            what,
            detail: e.to_string(),
        })
    }
}

/// SHA-256 of `label ‖ layout`: how every object's hash is formed.
pub fn labelled_hash(label: &[u8], layout: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(label);
    h.update(layout);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest;

    #[test]
    fn labelled_layouts_prefix_every_field() {
        let mut a = Writer::labelled(b"L");
        a.bytes(b"ab").bytes(b"c").u32(7).fixed(&[1, 2]);
        let expected = [
            &[0, 0, 0, 1][..],
            b"L",
            &[0, 0, 0, 2],
            b"ab",
            &[0, 0, 0, 1],
            b"c",
            &[0, 0, 0, 7],
            &[1, 2],
        ]
        .concat();
        assert_eq!(
            a.sha256(),
            <[u8; 32]>::from(sha2::Sha256::digest(&expected))
        );
        assert_eq!(a.into_bytes(), expected);
        // The same bytes split differently into fields give another layout.
        let mut b = Writer::labelled(b"L");
        b.bytes(b"a").bytes(b"bc").u32(7).fixed(&[1, 2]);
        assert_ne!(b.into_bytes(), expected);
    }

    #[test]
    fn round_trip_and_rejections() {
        let bytes = Writer::new()
            .u32(7)
            .u64(u64::MAX)
            .i64(-5)
            .bytes(b"abc")
            .fixed(&[9; 3])
            .finish();
        let mut r = Reader::new(&bytes, "test");
        assert_eq!(r.u32().unwrap(), 7);
        assert_eq!(r.u64().unwrap(), u64::MAX);
        assert_eq!(r.i64().unwrap(), -5);
        assert_eq!(r.string("s", 3).unwrap(), "abc");
        assert_eq!(r.array::<3>().unwrap(), [9; 3]);
        r.finish().unwrap();

        // Over the bound, truncated, trailing.
        let mut r = Reader::new(&bytes[20..], "test");
        assert!(r.bytes("s", 2).is_err());
        let mut r = Reader::new(&bytes[..22], "test");
        r.take(20).unwrap();
        assert!(r.bytes("s", 3).is_err());
        let mut r = Reader::new(&bytes, "test");
        r.take(10).unwrap();
        let err = r.finish().unwrap_err();
        assert_eq!(err.code(), "layout.malformed");
        assert!(err.to_string().contains("trailing"));
    }
}
