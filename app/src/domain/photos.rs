//! Brand photos: what an upload may be, and the sizes it is served in.
//!
//! A photo is named by the SHA-256 of the bytes the device uploads, so an upload sent
//! twice (a retry, a second tablet) is one photo, and a brand's `photos` field can refer
//! to it in an operation made before the upload finished. The server keeps only what it
//! re-encoded: the original, with its EXIF and any location in it, is never stored.

use serde::{Deserialize, Serialize};

/// The largest upload: a phone's full-size photo with room to spare.
pub const MAX_BYTES: usize = 12 * 1024 * 1024;
/// Pixel limits, checked from the header before anything is decoded (a small file can
/// claim a huge canvas).
pub const MAX_SIDE: u32 = 10_000;
pub const MAX_PIXELS: u64 = 40_000_000;
/// Smaller than this is an icon, not a photo of a street.
pub const MIN_SIDE: u32 = 200;
/// The widths a photo is served in: a phone's column, a phone at 2×, a tablet or desktop.
pub const WIDTHS: [u32; 3] = [480, 960, 1440];
/// How many photos one brand page shows.
pub const MAX_PER_BRAND: usize = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum PhotoProblem {
    /// The bytes are not a JPEG, PNG or WebP, whatever the file was called.
    #[error("not an image")]
    NotImage,
    #[error("file too large")]
    TooLarge,
    #[error("too many pixels")]
    TooManyPixels,
    #[error("too small")]
    TooSmall,
    /// The header said image, the rest could not be decoded.
    #[error("damaged image")]
    Damaged,
    /// The bytes sent are not the ones the name promised.
    #[error("content hash mismatch")]
    HashMismatch,
    /// A brand refers to a photo that was never uploaded.
    #[error("photo not uploaded")]
    Missing,
    #[error("too many photos")]
    TooMany,
}

/// The formats accepted, told by their first bytes and never by a name or a header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
}

pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(Format::Webp)
    } else {
        None
    }
}

pub fn check_size(len: usize) -> Result<(), PhotoProblem> {
    if len > MAX_BYTES {
        Err(PhotoProblem::TooLarge)
    } else {
        Ok(())
    }
}

pub fn check_dimensions(width: u32, height: u32) -> Result<(), PhotoProblem> {
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        Err(PhotoProblem::TooManyPixels)
    } else if width < MIN_SIDE || height < MIN_SIDE {
        Err(PhotoProblem::TooSmall)
    } else {
        Ok(())
    }
}

/// The widths this photo is kept in: never wider than it is, and always one.
pub fn variant_widths(width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < width).collect();
    if widths.len() < WIDTHS.len() {
        widths.push(width.min(WIDTHS[WIDTHS.len() - 1]));
    }
    widths
}

/// The height of a variant `width` wide, keeping the photo's shape.
pub fn variant_height(width: u32, height: u32, to_width: u32) -> u32 {
    ((u64::from(height) * u64::from(to_width) + u64::from(width) / 2) / u64::from(width)).max(1) as u32
}

/// A photo's name: 64 lowercase hexadecimal digits.
pub fn is_hash(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub fn url(hash: &str, width: u32) -> String {
    format!("/p/{hash}/{width}.jpg")
}

/// `srcset` for an `<img>`: the browser picks the variant that fits the screen.
pub fn srcset(hash: &str, widths: &[u32]) -> String {
    widths.iter().map(|&w| format!("{} {w}w", url(hash, w))).collect::<Vec<_>>().join(", ")
}

/// A brand's photos: distinct names, at most [`MAX_PER_BRAND`].
pub fn valid_list(value: &serde_json::Value) -> bool {
    let Some(list) = value.as_array() else { return false };
    let mut seen = std::collections::BTreeSet::new();
    list.len() <= MAX_PER_BRAND && list.iter().all(|v| v.as_str().is_some_and(|h| is_hash(h) && seen.insert(h)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sniffing_reads_the_bytes_not_the_name() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]), Some(Format::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some(Format::Png));
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(sniff(b"<svg xmlns='http://www.w3.org/2000/svg'/>"), None);
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(sniff(&[]), None);
    }

    #[test]
    fn limits() {
        assert_eq!(check_size(MAX_BYTES), Ok(()));
        assert_eq!(check_size(MAX_BYTES + 1), Err(PhotoProblem::TooLarge));
        assert_eq!(check_dimensions(4000, 3000), Ok(()));
        assert_eq!(check_dimensions(10_001, 200), Err(PhotoProblem::TooManyPixels));
        assert_eq!(check_dimensions(8000, 8000), Err(PhotoProblem::TooManyPixels));
        assert_eq!(check_dimensions(199, 800), Err(PhotoProblem::TooSmall));
    }

    #[test]
    fn variants_never_enlarge() {
        assert_eq!(variant_widths(4000), vec![480, 960, 1440]);
        assert_eq!(variant_widths(1440), vec![480, 960, 1440]);
        assert_eq!(variant_widths(1000), vec![480, 960, 1000]);
        assert_eq!(variant_widths(300), vec![300]);
        assert_eq!(variant_height(4000, 3000, 480), 360);
        assert_eq!(variant_height(3000, 4000, 480), 640);
    }

    #[test]
    fn photo_lists() {
        let a = "a".repeat(64);
        let b = "0123456789abcdef".repeat(4);
        assert!(valid_list(&json!([a, b])));
        assert!(valid_list(&json!([])));
        assert!(!valid_list(&json!([a, a])), "the same photo twice");
        assert!(!valid_list(&json!(["A".repeat(64)])), "upper case is another name");
        assert!(!valid_list(&json!(["../etc/passwd"])));
        assert!(!valid_list(&json!(vec![b.clone(); 1].into_iter().chain((0..6).map(|i| format!("{i:064}"))).collect::<Vec<_>>())));
        assert!(!valid_list(&json!(a)));
        assert_eq!(srcset(&b, &[480, 960]), format!("/p/{b}/480.jpg 480w, /p/{b}/960.jpg 960w"));
    }
}
