//! The codes the voter leaves with.
//!
//! * **Verification code** (for the second device): ballot id (32 bytes) ‖ encryption seed
//!   (32 bytes) ‖ check (4 bytes), the check being the first 4 bytes of
//!   `SHA-256("ivote-v1/verification-code" ‖ ballot id ‖ seed)`, written in RFC 4648 base32
//!   without padding: 109 characters of `A–Z 2–7`, shown in groups of 5 joined by `-`, and as a
//!   QR code of the ungrouped text (QR alphanumeric mode). The seed opens every selection of
//!   the ballot (crypto-spec §7.6), whatever the number of candidates, so the code has this
//!   one size. A typo fails the check (`verify.bad_code`). The code holds the secret that
//!   reveals the vote: it is only shown to the voter, and zeroized after use.
//! * **Tracking code**: the first 40 bits of the ballot hash in base32, `XXXX-XXXX`, to find
//!   one's ballot in the published log.

use data_encoding::BASE32_NOPAD;
use ivote_crypto::contest::EncryptionSeed;
use ivote_protocol::hashes::BallotHash;
use ivote_protocol::layout::labelled_hash;
use zeroize::Zeroizing;

use crate::error::AppError;

/// The label of the verification code's check.
pub const CODE_CHECK_LABEL: &[u8] = b"ivote-v1/verification-code";
/// Bytes of the check.
const CHECK_LEN: usize = 4;
/// Bytes of a code: ballot id, seed, check.
const CODE_LEN: usize = 32 + 32 + CHECK_LEN;

/// What the second device needs: which ballot, and the seed that opens it.
#[derive(Debug, Clone)]
pub struct VerificationCode {
    /// The ballot hash.
    pub ballot_id: BallotHash,
    /// The seed of every selection's encryption nonce.
    pub seed: EncryptionSeed,
}

fn check(ballot_id: &BallotHash, seed: &EncryptionSeed) -> [u8; CHECK_LEN] {
    let input = Zeroizing::new([&ballot_id.0[..], seed.as_bytes()].concat());
    let h = labelled_hash(CODE_CHECK_LABEL, &input);
    let mut out = [0u8; CHECK_LEN];
    out.copy_from_slice(h.get(..CHECK_LEN).unwrap_or(&[0; CHECK_LEN]));
    out
}

impl VerificationCode {
    /// The code as one string of 109 base32 characters (what the QR code holds).
    pub fn to_compact(&self) -> Zeroizing<String> {
        let mut bytes = Zeroizing::new(Vec::with_capacity(CODE_LEN));
        bytes.extend_from_slice(&self.ballot_id.0);
        bytes.extend_from_slice(self.seed.as_bytes());
        bytes.extend_from_slice(&check(&self.ballot_id, &self.seed));
        Zeroizing::new(BASE32_NOPAD.encode(&bytes))
    }

    /// The code as the voter reads it: groups of 5 characters joined by `-`.
    pub fn to_text(&self) -> Zeroizing<String> {
        let compact = self.to_compact();
        let groups: Vec<&str> = compact
            .as_bytes()
            .chunks(5)
            .filter_map(|c| std::str::from_utf8(c).ok())
            .collect();
        Zeroizing::new(groups.join("-"))
    }

    /// Reads a code typed or scanned: `-`, spaces and line breaks are ignored, lower case is
    /// accepted. Refuses with `verify.bad_code` if it is not a code or its check fails.
    pub fn parse(text: &str) -> Result<VerificationCode, AppError> {
        let cleaned: Zeroizing<String> = Zeroizing::new(
            text.chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let bad = |why: &str| {
            AppError::refused(
                "verify.bad_code",
                format!(
                    "this is not the verification code the app showed ({why}); check that it \
                     was typed or scanned completely and without mistakes"
                ),
            )
        };
        let bytes = Zeroizing::new(
            BASE32_NOPAD
                .decode(cleaned.as_bytes())
                .map_err(|_| bad("it has characters a code does not have, or a wrong length"))?,
        );
        if bytes.len() != CODE_LEN {
            return Err(bad("it has a wrong length"));
        }
        let mut id = [0u8; 32];
        let mut seed = [0u8; 32];
        id.copy_from_slice(bytes.get(..32).unwrap_or(&[0; 32]));
        seed.copy_from_slice(bytes.get(32..64).unwrap_or(&[0; 32]));
        let code = VerificationCode {
            ballot_id: BallotHash(id),
            seed: EncryptionSeed::from_bytes(seed),
        };
        zeroize::Zeroize::zeroize(&mut seed);
        if bytes.get(64..) != Some(&check(&code.ballot_id, &code.seed)[..]) {
            return Err(bad("its check characters do not match"));
        }
        Ok(code)
    }

    /// The QR code of [`VerificationCode::to_compact`] (error correction level M), for
    /// either drawing.
    fn qr(&self) -> Result<qrcode::QrCode, AppError> {
        let compact = self.to_compact();
        qrcode::QrCode::with_error_correction_level(compact.as_bytes(), qrcode::EcLevel::M)
            .map_err(|e| AppError::could_not_run("app.qr", format!("cannot draw the QR code: {e}")))
    }

    /// The QR code of [`VerificationCode::to_compact`], drawn with Unicode half blocks (two
    /// rows of modules per line of text), dark modules as blocks, with a quiet zone.
    pub fn to_qr(&self) -> Result<Zeroizing<String>, AppError> {
        let qr = self.qr()?;
        Ok(Zeroizing::new(
            qr.render::<qrcode::render::unicode::Dense1x2>()
                .quiet_zone(true)
                .build(),
        ))
    }

    /// The QR code of [`VerificationCode::to_compact`] as an SVG image (the browser booth),
    /// with a quiet zone.
    pub fn to_qr_svg(&self) -> Result<Zeroizing<String>, AppError> {
        let qr = self.qr()?;
        Ok(Zeroizing::new(
            qr.render::<qrcode::render::svg::Color<'_>>()
                .min_dimensions(240, 240)
                .quiet_zone(true)
                .build(),
        ))
    }
}

/// The short ballot tracking code: the first 5 bytes of the ballot hash in base32,
/// `XXXX-XXXX`.
pub fn tracking_code(ballot_id: &BallotHash) -> String {
    let text = BASE32_NOPAD.encode(ballot_id.0.get(..5).unwrap_or(&[]));
    let (a, b) = text.split_at(text.len() / 2);
    format!("{a}-{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> VerificationCode {
        VerificationCode {
            ballot_id: BallotHash([0xAB; 32]),
            seed: EncryptionSeed::from_bytes([7; 32]),
        }
    }

    #[test]
    fn round_trips_and_detects_typos() {
        let c = code();
        let text = c.to_text();
        assert_eq!(c.to_compact().len(), 109);
        assert_eq!(text.len(), 109 + 21);
        let back = VerificationCode::parse(&text.to_lowercase()).unwrap();
        assert_eq!(back.ballot_id, c.ballot_id);
        assert_eq!(back.seed.as_bytes(), c.seed.as_bytes());
        // Every single-character change is caught.
        let compact = c.to_compact();
        for i in 0..compact.len() {
            let mut typo = compact.as_bytes().to_vec();
            typo[i] = if typo[i] == b'A' { b'B' } else { b'A' };
            let e = VerificationCode::parse(std::str::from_utf8(&typo).unwrap()).unwrap_err();
            assert_eq!(e.code, "verify.bad_code", "position {i}");
        }
        for bad in ["", "hello", &compact[..100], "1111"] {
            assert_eq!(
                VerificationCode::parse(bad).unwrap_err().code,
                "verify.bad_code"
            );
        }
    }

    #[test]
    fn tracking_code_is_two_groups_of_four() {
        let t = tracking_code(&BallotHash([0; 32]));
        assert_eq!(t, "AAAA-AAAA");
        assert_eq!(tracking_code(&BallotHash([0xFF; 32])), "7777-7777");
    }

    #[test]
    fn qr_holds_the_code() {
        let qr = code().to_qr().unwrap();
        // Version 5 (37 modules) at level M for 109 alphanumeric characters, plus the
        // quiet zone of 4 on each side: 45 columns, 23 lines of half blocks.
        let lines: Vec<&str> = qr.lines().collect();
        assert_eq!(lines.len(), 23, "{}", *qr);
        assert!(lines.iter().all(|l| l.chars().count() == 45));
    }

    #[test]
    fn qr_svg_has_the_same_modules() {
        let svg = code().to_qr_svg().unwrap();
        assert!(svg.starts_with("<?xml"), "{}", *svg);
        // 45 × 45 modules (with the quiet zone) at the smallest scale that gives 240 pixels.
        assert!(
            svg.contains("width=\"270\" height=\"270\""),
            "{}",
            &svg[..200]
        );
    }
}
