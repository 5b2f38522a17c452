//! Residents' personal information (个人信息保护法). A sign-up's name and phone number are
//! sealed the moment an operation reaches the server, before it is checked, applied or
//! logged: each becomes ciphertext (XChaCha20-Poly1305 under the configured key) and a
//! mask (`李*`, `138****1234`); the phone also becomes a keyed hash (HMAC-SHA256), which
//! finds duplicates and counts sign-ups without the number. So the operation log, like
//! the records, never holds a name or a number in the clear.

use app::domain::ops::{OpKind, Operation};
use app::domain::volunteers::{check_name, mask_name, mask_phone, normalise_phone, SIGNUP_TABLE};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Fields only sealing may write: whatever a client sends under these names is dropped.
const SEALED_FIELDS: [&str; 6] = ["name_cipher", "name_mask", "phone_cipher", "phone_hash", "phone_mask", "phone_invalid"];

pub struct Pii {
    cipher: XChaCha20Poly1305,
    mac_key: [u8; 32],
}

impl Pii {
    /// From `XIANFENG_PII_KEY` (64 hex digits). Without it a fixed development key is used,
    /// with a warning: only the demo and the tests start so (`Config` refuses otherwise).
    pub fn from_env() -> Pii {
        let configured = std::env::var("XIANFENG_PII_KEY").ok().and_then(|hex| key_from_hex(hex.trim()));
        let key = configured.unwrap_or_else(|| {
            tracing::warn!("XIANFENG_PII_KEY is not set (64 hex digits): residents' names and phones are sealed with the development key");
            <[u8; 32]>::from(Sha256::digest(b"xianfeng development key"))
        });
        Pii::new(key)
    }

    pub fn new(key: [u8; 32]) -> Pii {
        // Two keys from one: the cipher's and the hash's, so neither reveals the other.
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut mac = hmac_with(&key);
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        Pii { cipher: XChaCha20Poly1305::new(&derive(b"seal").into()), mac_key: derive(b"hash") }
    }

    /// `v1.<base64url(nonce ‖ ciphertext)>`.
    pub fn seal(&self, text: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        // XChaCha20-Poly1305 fails only past 256 GiB of text: fields are a few bytes.
        let sealed = self.cipher.encrypt(XNonce::from_slice(&nonce), text.as_bytes()).unwrap_or_default();
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("v1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The text again, or `None` for an erased or foreign value.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(sealed.strip_prefix("v1.")?).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, body) = bytes.split_at(24);
        String::from_utf8(self.cipher.decrypt(XNonce::from_slice(nonce), body).ok()?).ok()
    }

    /// A keyed hash for `purpose` (hex, 128 bits): equal inputs, equal hashes; without the
    /// key, nothing to learn from it.
    pub fn keyed_hash(&self, purpose: &str, text: &str) -> String {
        hex::encode(&self.mac(purpose, text).finalize().into_bytes()[..16])
    }

    fn mac(&self, purpose: &str, text: &str) -> Hmac<Sha256> {
        let mut mac = hmac_with(&self.mac_key);
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(text.as_bytes());
        mac
    }

    /// The secret part of a sign-up's private link.
    pub fn link_token(&self, signup: &str) -> String {
        self.keyed_hash("link", signup)
    }

    pub fn link_ok(&self, signup: &str, token: &str) -> bool {
        // The token is the MAC's first 16 bytes in hex, compared in constant time by `hmac`.
        match hex::decode(token) {
            Ok(tag) if tag.len() == 16 => self.mac("link", signup).verify_truncated_left(&tag).is_ok(),
            _ => false,
        }
    }

    /// Seals the plain `name` and `phone` of sign-up operations in place. A phone that is
    /// not a mobile number is dropped and flagged, so the rule names it.
    pub fn seal_ops(&self, ops: &mut [Operation]) {
        // A sign-up's resident, and a partner's contact person.
        for op in ops.iter_mut().filter(|op| op.table == SIGNUP_TABLE || op.table == "partner") {
            let (OpKind::Create { fields } | OpKind::Set { fields }) = &mut op.kind else { continue };
            for name in SEALED_FIELDS {
                fields.remove(name);
            }
            if let Some(Value::String(typed)) = fields.remove("name") {
                if let Ok(name) = check_name(&typed) {
                    fields.insert("name_cipher".into(), Value::String(self.seal(&name)));
                    fields.insert("name_mask".into(), Value::String(mask_name(&name)));
                }
            }
            if let Some(Value::String(typed)) = fields.remove("phone") {
                if typed.trim().is_empty() {
                    continue;
                }
                match normalise_phone(&typed) {
                    Ok(phone) => {
                        fields.insert("phone_cipher".into(), Value::String(self.seal(&phone)));
                        fields.insert("phone_hash".into(), Value::String(self.keyed_hash("phone", &phone)));
                        fields.insert("phone_mask".into(), Value::String(mask_phone(&phone)));
                    }
                    Err(_) => {
                        fields.insert("phone_invalid".into(), Value::Bool(true));
                    }
                }
            }
        }
    }
}

/// A key given as 64 hex digits (`XIANFENG_PII_KEY`).
pub fn key_from_hex(hex: &str) -> Option<[u8; 32]> {
    if hex.len() != 64 {
        return None;
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(key)
}

/// HMAC-SHA256 keyed with `key`. HMAC takes a key of any length, so this cannot fail.
#[allow(clippy::expect_used, reason = "HMAC accepts keys of every length")]
fn hmac_with(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length")
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::hlc::Stamp;
    use serde_json::json;

    fn pii() -> Pii {
        Pii::new([7u8; 32])
    }

    #[test]
    fn sealed_text_opens_only_with_its_key() {
        let sealed = pii().seal("13812341234");
        assert!(!sealed.contains("1381234"));
        assert_eq!(pii().open(&sealed).as_deref(), Some("13812341234"));
        assert_eq!(Pii::new([8u8; 32]).open(&sealed), None);
        assert_eq!(pii().open(""), None);
        // A fresh nonce each time: equal numbers do not look equal.
        assert_ne!(pii().seal("x"), pii().seal("x"));
    }

    #[test]
    fn hashes_are_keyed_and_links_check() {
        assert_eq!(pii().keyed_hash("phone", "1"), pii().keyed_hash("phone", "1"));
        assert_ne!(pii().keyed_hash("phone", "1"), Pii::new([8u8; 32]).keyed_hash("phone", "1"));
        let token = pii().link_token("s1");
        assert!(pii().link_ok("s1", &token));
        assert!(!pii().link_ok("s2", &token));
        assert!(!pii().link_ok("s1", ""));
    }

    #[test]
    fn sign_ups_are_sealed_before_anything_sees_them() {
        let op = |fields: serde_json::Value| Operation {
            id: uuid::Uuid::now_v7(),
            table: "signup".into(),
            key: "s1".into(),
            kind: OpKind::Create { fields: serde_json::from_value(fields).unwrap() },
            clock: Stamp { ms: 1, counter: 0, node: "t".into() },
            base: Default::default(),
            n: None,
        };
        let mut ops = vec![
            op(json!({"activity": "a1", "name": "李明", "phone": "138 1234 1234", "phone_hash": "forged"})),
            op(json!({"activity": "a1", "name": "王芳", "phone": "12345"})),
        ];
        pii().seal_ops(&mut ops);
        let text = serde_json::to_string(&ops).unwrap();
        assert!(!text.contains("李明") && !text.contains("13812341234") && !text.contains("forged"), "{text}");
        let OpKind::Create { fields } = &ops[0].kind else { panic!() };
        assert_eq!(fields["name_mask"], json!("李*"));
        assert_eq!(fields["phone_mask"], json!("138****1234"));
        assert_eq!(fields["phone_hash"], json!(pii().keyed_hash("phone", "13812341234")));
        let OpKind::Create { fields } = &ops[1].kind else { panic!() };
        assert_eq!(fields["phone_invalid"], json!(true));
        assert!(!fields.contains_key("phone"));
    }
}
