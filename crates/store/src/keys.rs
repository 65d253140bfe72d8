//! API key material: making a key, hashing it for storage, comparing hashes.
//!
//! A key is `fk_` followed by 64 hex digits, 32 bytes from the operating system's
//! random source. Only its SHA-256, as lowercase hex, is stored: a key has far too
//! much entropy to be guessed from its hash, so no slow password hash is needed.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::StoreError;

/// What every key made here starts with, so a leaked key is recognisable.
pub const KEY_PREFIX: &str = "fk_";

/// A new random key, in plaintext.
pub fn generate() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|err| StoreError::Other(format!("the OS random source failed: {err}")))?;
    Ok(format!("{KEY_PREFIX}{}", hex::encode(bytes)))
}

/// The stored form of a key: the lowercase hex SHA-256 of its text.
pub fn hash(plaintext: &str) -> String {
    hex::encode(Sha256::digest(plaintext.as_bytes()))
}

/// Compares two byte strings in time that depends on their lengths only, so a
/// caller cannot learn from the timing how much of a hash matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_long_and_different() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert!(a.starts_with(KEY_PREFIX));
        assert_eq!(a.len(), KEY_PREFIX.len() + 64);
        assert_ne!(a, b);
    }

    #[test]
    fn hash_is_sha256_hex() {
        // The SHA-256 of "abc" from FIPS 180-2.
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn constant_time_eq_compares_contents_and_lengths() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"", b""));
    }
}
