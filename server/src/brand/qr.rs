//! QR codes for posters: `/qr/b/<branch>.svg` and `/qr/a/<activity>.svg`, pointing at the
//! public address (`XIANFENG_PUBLIC_URL`). SVG, so an A4 print stays sharp.

use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// A QR code of `url` as inline SVG (a resident's private link, drawn on their own page).
pub fn svg_of(url: &str, size: u32) -> Option<String> {
    let qr = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    Some(qr.render::<svg::Color>().min_dimensions(size, size).quiet_zone(true).build())
}

pub async fn code(State(state): State<AppState>, Path((kind, file)): Path<(String, String)>) -> Response {
    let Some(key) = file.strip_suffix(".svg").filter(|k| app::domain::records::valid_key(k)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let prefix = match kind.as_str() {
        "b" => "b",
        "a" => "a",
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let url = format!("{}/{prefix}/{key}", state.brand.base_url);
    // Medium error correction: survives a crease or a smudge on a poster.
    let Ok(qr) = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let image = qr.render::<svg::Color>().min_dimensions(320, 320).quiet_zone(true).build();
    let mut response = image.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("image/svg+xml"));
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
