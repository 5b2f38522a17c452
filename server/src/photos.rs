//! Brand photos: uploaded by their content hash, checked, re-encoded without EXIF,
//! resized, and kept in the database, so that every instance serves every photo.
//!
//! `PUT /api/photos/{sha256}` takes the file's bytes; `GET /p/{sha256}/{width}.jpg` serves
//! a variant, cached for a year (a name never changes what it names). The rules (types,
//! limits, widths) are in `app::domain::photos`.

use crate::signed_in::SignedIn;
use crate::state::AppState;
use app::auth::store::audit;
use app::domain::org::Role;
use app::domain::photos::{self, PhotoProblem};
use app::i18n::{photo_problem, Locale};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use image::{DynamicImage, ImageDecoder, ImageReader};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::Cursor;
use std::sync::{Arc, Mutex, OnceLock};

/// What is kept of an upload: its upright size and its variants, each a JPEG.
pub struct Processed {
    pub width: u32,
    pub height: u32,
    pub variants: Vec<(u32, Vec<u8>)>,
}

/// Checks the bytes and makes the variants. CPU-bound: call it off the async threads.
pub fn process(bytes: &[u8]) -> Result<Processed, PhotoProblem> {
    photos::check_size(bytes.len())?;
    let format = match photos::sniff(bytes).ok_or(PhotoProblem::NotImage)? {
        photos::Format::Jpeg => image::ImageFormat::Jpeg,
        photos::Format::Png => image::ImageFormat::Png,
        photos::Format::Webp => image::ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(photos::MAX_SIDE);
    limits.max_image_height = Some(photos::MAX_SIDE);
    limits.max_alloc = Some(photos::MAX_PIXELS * 4 + (64 << 20));
    reader.limits(limits);
    // A canvas over the limits is refused by the decoder as it reads the header.
    let too_big = |error: image::ImageError| match error {
        image::ImageError::Limits(_) => PhotoProblem::TooManyPixels,
        _ => PhotoProblem::Damaged,
    };
    let mut decoder = reader.into_decoder().map_err(too_big)?;
    // The header's claim is checked before a single pixel is decoded.
    let (width, height) = decoder.dimensions();
    photos::check_dimensions(width, height)?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut picture = DynamicImage::from_decoder(decoder).map_err(too_big)?;
    // Phones store a photo sideways and say so in EXIF; the EXIF is dropped, so turn it now.
    picture.apply_orientation(orientation);
    variants(picture)
}

/// The phone-sized JPEG variants of an upright picture, none wider than it.
pub fn variants(picture: DynamicImage) -> Result<Processed, PhotoProblem> {
    let picture = DynamicImage::ImageRgb8(flatten(picture));
    let (width, height) = (picture.width(), picture.height());
    let mut variants = Vec::new();
    for to_width in photos::variant_widths(width) {
        let sized = if to_width == width {
            picture.clone()
        } else {
            picture.resize_exact(to_width, photos::variant_height(width, height, to_width), image::imageops::FilterType::Triangle)
        };
        let mut jpeg = Vec::new();
        // A fresh encoding carries no EXIF, so no location, camera or time leaves the server.
        sized.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 78)).map_err(|_| PhotoProblem::Damaged)?;
        variants.push((to_width, jpeg));
    }
    Ok(Processed { width, height, variants })
}

/// Transparent parts of a PNG or WebP over white, as on the page.
fn flatten(picture: DynamicImage) -> image::RgbImage {
    if !picture.color().has_alpha() {
        return picture.into_rgb8();
    }
    let rgba = picture.into_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |c: u8| ((u16::from(c) * u16::from(a) + 255 * (255 - u16::from(a))) / 255) as u8;
        image::Rgb([over(r), over(g), over(b)])
    })
}

pub fn hash_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Is this photo kept already?
pub async fn exists(db: &crate::db::Db, hash: &str) -> Result<bool, surrealdb::Error> {
    let found: Option<i64> = app::db::row(db, "SELECT VALUE width FROM ONLY type::record('photo', $hash)", json!({ "hash": hash })).await?;
    Ok(found.is_some())
}

/// The photos among `hashes` that were never uploaded (the write path refuses to refer to them).
pub async fn missing(db: &crate::db::Db, hashes: &[String]) -> Result<Vec<String>, surrealdb::Error> {
    let ids: Vec<String> = hashes.iter().filter(|h| photos::is_hash(h)).cloned().collect();
    let found: Vec<String> = app::db::rows(db, "SELECT VALUE meta::id(id) FROM $ids.map(|$h| type::record('photo', $h))", json!({ "ids": ids }), 0).await?;
    Ok(hashes.iter().filter(|h| !found.contains(h)).cloned().collect())
}

/// Keeps a processed photo and its variants in one transaction. Idempotent by hash.
pub async fn store(db: &crate::db::Db, hash: &str, photo: &Processed, by: &str) -> Result<(), surrealdb::Error> {
    let widths: Vec<u32> = photo.variants.iter().map(|(w, _)| *w).collect();
    let mut sql = String::from("BEGIN TRANSACTION;\n");
    for (i, (width, _)) in photo.variants.iter().enumerate() {
        sql.push_str(&format!("UPSERT type::record('photo_variant', [$hash, {width}]) CONTENT {{ data: $data{i} }};\n"));
    }
    sql.push_str("UPSERT type::record('photo', $hash) CONTENT { width: $width, height: $height, widths: $widths, uploaded_by: $by, uploaded_at: $at };\nCOMMIT TRANSACTION;");
    let mut query =
        db.query(sql).bind(json!({ "hash": hash, "width": photo.width, "height": photo.height, "widths": widths, "by": by, "at": app::db::now_ms() }));
    for (i, (_, data)) in photo.variants.iter().enumerate() {
        query = query.bind((format!("data{i}"), surrealdb::types::Bytes::from(data.clone())));
    }
    query.await?.check()?;
    Ok(())
}

/// Uploads are decoded one at a time per instance: two cores, and pages to serve.
fn one_at_a_time() -> &'static tokio::sync::Semaphore {
    static GATE: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    GATE.get_or_init(|| tokio::sync::Semaphore::new(1))
}

fn refused(status: StatusCode, problem: PhotoProblem) -> Response {
    // `{"problem": "not_image", "message": "…"}`: the code for the device to translate.
    let mut body = json!(problem);
    body["message"] = json!(photo_problem(Locale::ZhCn, problem));
    (status, axum::Json(body)).into_response()
}

/// `PUT /api/photos/{sha256}`: staff who edit a brand page upload a photo by its hash.
/// Before an upload's body is read: only signed-in staff who may upload get that far
/// (12 MB is not read for a stranger).
pub async fn staff_only(State(state): State<AppState>, request: axum::http::Request<axum::body::Body>, next: axum::middleware::Next) -> Response {
    match SignedIn::from_headers(&state, request.headers()).await {
        Err(refused) => refused,
        Ok(signed_in) if !may_upload(&signed_in) => forbidden(),
        Ok(_) => next.run(request).await,
    }
}

/// Staff who edit brand pages upload their photos.
fn may_upload(signed_in: &SignedIn) -> bool {
    matches!(signed_in.user.role, Role::StreetStaff | Role::BranchSecretary | Role::CommunityStaff)
}

fn forbidden() -> Response {
    (StatusCode::FORBIDDEN, "您没有权限上传品牌照片").into_response()
}

pub async fn upload(State(state): State<AppState>, signed_in: SignedIn, Path(hash): Path<String>, body: Result<Bytes, BytesRejection>) -> Response {
    if !may_upload(&signed_in) {
        return forbidden();
    }
    let user = signed_in.user;
    if !photos::is_hash(&hash) {
        return (StatusCode::NOT_FOUND, "no such photo").into_response();
    }
    // Larger than the body limit: the same answer as a large file that got through.
    let Ok(body) = body else { return refused(StatusCode::PAYLOAD_TOO_LARGE, PhotoProblem::TooLarge) };
    match exists(&state.db, &hash).await {
        Ok(true) => return (StatusCode::OK, axum::Json(json!({ "hash": hash }))).into_response(),
        Ok(false) => {}
        Err(error) => return unavailable(error),
    }
    if let Err(problem) = photos::check_size(body.len()) {
        return refused(StatusCode::PAYLOAD_TOO_LARGE, problem);
    }
    if hash_of(&body) != hash {
        return refused(StatusCode::UNPROCESSABLE_ENTITY, PhotoProblem::HashMismatch);
    }
    let Ok(_turn) = one_at_a_time().acquire().await else { return StatusCode::SERVICE_UNAVAILABLE.into_response() };
    let processed = match tokio::task::spawn_blocking(move || process(&body)).await {
        Ok(Ok(processed)) => processed,
        Ok(Err(problem)) => return refused(StatusCode::UNPROCESSABLE_ENTITY, problem),
        Err(_) => return refused(StatusCode::UNPROCESSABLE_ENTITY, PhotoProblem::Damaged),
    };
    let (width, height) = (processed.width, processed.height);
    if let Err(error) = store(&state.db, &hash, &processed, &user.account).await {
        return unavailable(error);
    }
    audit(&state.db, Some(&user.account), "photo_upload", &hash).await;
    (StatusCode::CREATED, axum::Json(json!({ "hash": hash, "width": width, "height": height }))).into_response()
}

fn unavailable(error: surrealdb::Error) -> Response {
    tracing::warn!(%error, "photo storage unavailable");
    (StatusCode::SERVICE_UNAVAILABLE, "暂时无法处理，请稍后再试").into_response()
}

/// Variants by (photo, width).
type Variants = HashMap<(String, u32), Bytes>;

/// Variants served lately, so a busy brand page does not read the database per image.
#[derive(Default)]
pub struct VariantCache {
    kept: Mutex<(usize, Variants)>,
}

const CACHE_BYTES: usize = 48 << 20;

impl VariantCache {
    fn get(&self, hash: &str, width: u32) -> Option<Bytes> {
        self.kept.lock().ok()?.1.get(&(hash.to_string(), width)).cloned()
    }

    fn keep(&self, hash: &str, width: u32, data: Bytes) {
        let Ok(mut kept) = self.kept.lock() else { return };
        // Simple and bounded: when full, start again (photos are few and cheap to read).
        if kept.0 + data.len() > CACHE_BYTES {
            *kept = (0, HashMap::new());
        }
        kept.0 += data.len();
        kept.1.insert((hash.to_string(), width), data);
    }
}

/// `GET /p/{sha256}/{width}.jpg`.
pub async fn serve(State(state): State<AppState>, Path((hash, file)): Path<(String, String)>) -> Response {
    let width = file.strip_suffix(".jpg").and_then(|w| w.parse::<u32>().ok());
    let (Some(width), true) = (width, photos::is_hash(&hash)) else { return StatusCode::NOT_FOUND.into_response() };
    let cache = state.photos.clone();
    let data = match cache.get(&hash, width) {
        Some(data) => data,
        None => match read_variant(&state.db, &hash, width).await {
            Ok(Some(data)) => {
                cache.keep(&hash, width, data.clone());
                data
            }
            Ok(None) => return StatusCode::NOT_FOUND.into_response(),
            Err(error) => return unavailable(error),
        },
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable")),
        ],
        data,
    )
        .into_response()
}

async fn read_variant(db: &crate::db::Db, hash: &str, width: u32) -> Result<Option<Bytes>, surrealdb::Error> {
    let mut response =
        db.query("SELECT VALUE data FROM ONLY type::record('photo_variant', [$hash, $width])").bind(json!({ "hash": hash, "width": width })).await?.check()?;
    let value: surrealdb::types::Value = response.take(0)?;
    Ok(match value {
        surrealdb::types::Value::Bytes(data) => Some(data.into_inner()),
        _ => None,
    })
}

/// Shared by the instance's handlers.
pub type Cache = Arc<VariantCache>;
