//! Brand photos over real HTTP: uploaded by content hash, every bad file refused with its
//! reason and nothing kept, EXIF (with its location) gone, turned upright, resized, served
//! by another instance on the same database, and shown on the brand page.

mod common;
use app::domain::ops::{OpKind, OpStatus, Operation, Reason};
use app::domain::photos::{PhotoProblem, MAX_BYTES, WIDTHS};
use common::*;
use reqwest::Client;
use serde_json::{json, Value};
use server::photos::hash_of;
use std::collections::BTreeMap;

/// A JPEG `width`×`height`, its left half red and right half blue.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, _| if x < width / 2 { image::Rgb([220, 20, 20]) } else { image::Rgb([20, 20, 220]) });
    let mut bytes = Vec::new();
    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)).unwrap();
    bytes
}

/// EXIF as a phone writes it: turned 90° (orientation 6), a description and a GPS position.
fn exif(secret: &str) -> Vec<u8> {
    let mut tiff: Vec<u8> = b"MM\x00\x2a\x00\x00\x00\x08".to_vec();
    let text_at = 8 + 2 + 3 * 12 + 4;
    let text_len = secret.len() as u32 + 1;
    let gps_at = (text_at + text_len as usize + 1) & !1;
    tiff.extend_from_slice(&3u16.to_be_bytes());
    // ImageDescription (ASCII), Orientation (SHORT) = 6, GPSInfo (LONG) → the GPS IFD.
    tiff.extend_from_slice(&[0x01, 0x0e, 0x00, 0x02]);
    tiff.extend_from_slice(&text_len.to_be_bytes());
    tiff.extend_from_slice(&(text_at as u32).to_be_bytes());
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0]);
    tiff.extend_from_slice(&[0x88, 0x25, 0x00, 0x04, 0, 0, 0, 1]);
    tiff.extend_from_slice(&(gps_at as u32).to_be_bytes());
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    tiff.extend_from_slice(secret.as_bytes());
    tiff.push(0);
    tiff.resize(gps_at, 0);
    // GPSLatitudeRef "N".
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&[0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    segment.extend_from_slice(b"Exif\0\0");
    segment.extend_from_slice(&tiff);
    segment
}

/// A phone's photo: `jpeg` with `exif` right after the start-of-image marker.
fn phone_photo(width: u32, height: u32, secret: &str) -> Vec<u8> {
    let plain = jpeg(width, height);
    let mut bytes = plain[..2].to_vec();
    bytes.extend_from_slice(&exif(secret));
    bytes.extend_from_slice(&plain[2..]);
    bytes
}

async fn put(client: &Client, base: &str, hash: &str, body: Vec<u8>) -> (u16, Value) {
    let response = client.put(format!("{base}/api/photos/{hash}")).body(body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn set_photos(branch: &str, photos: &[&str]) -> Operation {
    let mut fields = BTreeMap::new();
    fields.insert("photos".to_string(), json!(photos));
    Operation::new("brand", branch, OpKind::Set { fields }, stamp(now_ms(), "tablet-photos"))
}

#[tokio::test]
async fn a_phone_photo_loses_its_location_stands_upright_and_is_served_in_phone_sizes() {
    let server = start().await;
    let staff = login(&server.base, "lixiurong").await;
    let photos_before = count(&server.db, "photo").await;

    let photo = phone_photo(1600, 1200, "GPS-SECRET-31.2304N");
    // The decoder sees the EXIF (or the test proves nothing).
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(&photo)).unwrap();
    assert_eq!(image::ImageDecoder::orientation(&mut decoder).unwrap(), image::metadata::Orientation::Rotate90);
    let hash = hash_of(&photo);
    let (status, body) = put(&staff, &server.base, &hash, photo.clone()).await;
    assert_eq!(status, 201, "{body}");
    // Turned upright: 1200 wide, 1600 high.
    assert_eq!((body["width"].as_u64(), body["height"].as_u64()), (Some(1200), Some(1600)), "{body}");
    // Sent again (a retry, another tablet): the same photo, nothing more kept.
    let (status, _) = put(&staff, &server.base, &hash, photo.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(count(&server.db, "photo").await, photos_before + 1);

    for width in [WIDTHS[0], WIDTHS[1], 1200] {
        let response = client().get(format!("{}/p/{hash}/{width}.jpg", server.base)).send().await.unwrap();
        assert_eq!(response.status(), 200, "variant {width}");
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert!(response.headers()["cache-control"].to_str().unwrap().contains("immutable"));
        let bytes = response.bytes().await.unwrap();
        assert!(!bytes.windows(6).any(|w| w == b"SECRET") && !bytes.windows(4).any(|w| w == b"Exif"), "EXIF left in the {width} variant");
        let served = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert_eq!((served.width(), served.height()), (width, width * 4 / 3));
        // Upright: the red half of the sideways original is now on top.
        let top = served.get_pixel(width / 2, served.height() / 8);
        let bottom = served.get_pixel(width / 2, served.height() * 7 / 8);
        assert!(top[0] > 150 && top[2] < 100 && bottom[2] > 150 && bottom[0] < 100, "not upright: top {top:?}, bottom {bottom:?}");
    }
    // Never enlarged: no 1440 variant of a 1200-wide photo.
    assert_eq!(client().get(format!("{}/p/{hash}/1440.jpg", server.base)).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn every_bad_upload_is_refused_with_its_reason_and_nothing_is_kept() {
    let server = start().await;
    let staff = login(&server.base, "lixiurong").await;
    let kept = count(&server.db, "photo").await;
    let variants = count(&server.db, "photo_variant").await;

    // Not an image, whatever it claims to be.
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    let (status, body) = put(&staff, &server.base, &hash_of(&pdf), pdf).await;
    assert_eq!((status, body["problem"].as_str()), (422, Some("not_image")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("不是图片"), "{body}");
    // A JPEG header on garbage.
    let mut broken = jpeg(400, 300);
    broken.truncate(40);
    let (status, body) = put(&staff, &server.base, &hash_of(&broken), broken).await;
    assert_eq!((status, body["problem"].as_str()), (422, Some("damaged")), "{body}");
    // Too many pixels: refused from the header, before decoding 2 million of them.
    let wide = image::GrayImage::from_pixel(10_001, 200, image::Luma([128]));
    let mut png = Vec::new();
    wide.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).unwrap();
    let (status, body) = put(&staff, &server.base, &hash_of(&png), png).await;
    assert_eq!((status, body["problem"].as_str()), (422, Some("too_many_pixels")), "{body}");
    // Too small to be a photo.
    let icon = jpeg(120, 120);
    let (status, body) = put(&staff, &server.base, &hash_of(&icon), icon).await;
    assert_eq!((status, body["problem"].as_str()), (422, Some("too_small")), "{body}");
    // Too large: over the limit by one byte, and far over it.
    for size in [MAX_BYTES + 1, MAX_BYTES * 2] {
        let mut big = jpeg(400, 300);
        big.resize(size, 0);
        let (status, body) = put(&staff, &server.base, &hash_of(&big), big).await;
        assert_eq!((status, body["problem"].as_str()), (413, Some("too_large")), "{size} bytes: {body}");
    }
    // Bytes that are not the ones the name promised.
    let photo = jpeg(800, 600);
    let (status, body) = put(&staff, &server.base, &"0".repeat(64), photo.clone()).await;
    assert_eq!((status, body["problem"].as_str()), (422, Some("hash_mismatch")), "{body}");
    assert_eq!(count(&server.db, "photo").await, kept, "a refused upload was kept");
    assert_eq!(count(&server.db, "photo_variant").await, variants);

    // Only staff who edit a brand page upload.
    let (status, _) = put(&client(), &server.base, &hash_of(&photo), photo.clone()).await;
    assert_eq!(status, 401);
    let mentor = login(&server.base, "liujianguo").await;
    let (status, _) = put(&mentor, &server.base, &hash_of(&photo), photo.clone()).await;
    assert_eq!(status, 403);
    assert_eq!(count(&server.db, "photo").await, kept);
}

#[tokio::test]
async fn a_brand_shows_only_uploaded_photos_and_another_instance_serves_them() {
    let server = start().await;
    let staff = login(&server.base, "lixiurong").await;
    let photo = jpeg(2000, 1500);
    let hash = hash_of(&photo);

    // Referring to a photo before it is uploaded: refused, named, nothing changed.
    let before = brand_photos(&server.db, "wenxing").await;
    assert!(!before.is_empty(), "the demo brand has photos");
    let answer = push_ok(&server.base, &staff, vec![set_photos("wenxing", &[&hash])]).await;
    assert_eq!(answer.results[0].status, OpStatus::Rejected, "{:?}", answer.results[0]);
    assert_eq!(answer.results[0].reason, Some(Reason::Photo { problem: PhotoProblem::Missing }));
    assert_eq!(brand_photos(&server.db, "wenxing").await, before);

    // Uploaded, then made the cover.
    assert_eq!(put(&staff, &server.base, &hash, photo).await.0, 201);
    let mut list = before.clone();
    list.insert(0, hash.clone());
    let refs: Vec<&str> = list.iter().map(String::as_str).collect();
    let answer = push_ok(&server.base, &staff, vec![set_photos("wenxing", &refs)]).await;
    assert_eq!(answer.results[0].status, OpStatus::Accepted, "{:?}", answer.results[0]);
    assert_eq!(brand_photos(&server.db, "wenxing").await, list);
    // Another branch's page is not this staff's to change.
    let answer = push_ok(&server.base, &staff, vec![set_photos("wenyuan", &[&hash])]).await;
    assert_eq!(answer.results[0].status, OpStatus::Rejected);

    // The page shows it first, in sizes for the screen, and shares it as its card.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let page = client().get(format!("{}/b/wenxing", server.base)).send().await.unwrap().text().await.unwrap();
    let cover = page.find("<img class=\"cover\"").expect("a cover photo");
    assert!(
        page[cover..].starts_with(&format!(
            "<img class=\"cover\" src=\"/p/{hash}/480.jpg\" srcset=\"/p/{hash}/480.jpg 480w, /p/{hash}/960.jpg 960w, /p/{hash}/1440.jpg 1440w\""
        )),
        "{}",
        &page[cover..cover + 300]
    );
    assert!(page.contains("width=\"2000\" height=\"1500\""), "no size in the markup");
    assert!(page.contains(&format!("<meta property=\"og:image\" content=\"{}/p/{hash}/960.jpg\">", server_public_url(&page))), "og:image");
    assert!(page.contains("loading=\"lazy\""), "the gallery's photos load when scrolled to");

    // A second instance on the same database serves the photo it never saw uploaded.
    let second = second_instance(&server).await;
    let response = client().get(format!("{second}/p/{hash}/960.jpg")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(image::load_from_memory(&response.bytes().await.unwrap()).unwrap().width(), 960);
    // A name that was never uploaded, or is no name at all.
    assert_eq!(client().get(format!("{second}/p/{}/480.jpg", "a".repeat(64))).send().await.unwrap().status(), 404);
    assert_eq!(client().get(format!("{second}/p/..%2F..%2Fetc/480.jpg")).send().await.unwrap().status(), 404);
}

async fn brand_photos(db: &server::db::Db, branch: &str) -> Vec<String> {
    let row: Option<Value> = app::db::row(db, "SELECT photos FROM ONLY type::record('brand', $b)", json!({ "b": branch })).await.unwrap();
    serde_json::from_value(row.unwrap()["photos"].clone()).unwrap()
}

/// The public address the page was drawn with (its `og:url` up to the path).
fn server_public_url(page: &str) -> String {
    let at = page.find("property=\"og:url\" content=\"").unwrap() + 27;
    let url = &page[at..page[at..].find('"').unwrap() + at];
    url.trim_end_matches("/b/wenxing").to_string()
}

async fn second_instance(first: &TestServer) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = leptos::prelude::LeptosOptions::builder().output_name("xianfeng").site_root("target/site").site_pkg_dir("pkg").site_addr(addr).build();
    let app = server::router(server::state::AppState::new(options, first.db.clone(), "second"));
    tokio::spawn(server::serve(listener, app, std::future::pending()));
    format!("http://{addr}")
}

#[tokio::test]
async fn photos_no_brand_shows_are_removed_a_month_after_upload() {
    let server = start().await;
    let staff = login(&server.base, "lixiurong").await;
    let shown = brand_photos(&server.db, "wenxing").await;
    let (unused, recent) = (jpeg(640, 480), jpeg(660, 480));
    for photo in [&unused, &recent] {
        assert_eq!(put(&staff, &server.base, &hash_of(photo), photo.clone()).await.0, 201);
    }
    // Everything uploaded two months ago except the recent upload.
    let old = app::db::now_ms() - 60 * 86_400_000;
    server
        .db
        .query("UPDATE photo SET uploaded_at = $old WHERE meta::id(id) != $recent")
        .bind(json!({ "old": old, "recent": hash_of(&recent) }))
        .await
        .unwrap()
        .check()
        .unwrap();
    let variants = count(&server.db, "photo_variant").await;
    server::db::housekeeping(&server.db).await.unwrap();

    // The unused old one is gone with its variants; shown ones and the recent one stay.
    assert!(!server::photos::exists(&server.db, &hash_of(&unused)).await.unwrap());
    assert_eq!(count(&server.db, "photo_variant").await, variants - 2, "the 480 and 640 variants");
    assert!(server::photos::exists(&server.db, &hash_of(&recent)).await.unwrap());
    for hash in &shown {
        assert!(server::photos::exists(&server.db, hash).await.unwrap(), "a photo a brand shows was removed");
        assert_eq!(client().get(format!("{}/p/{hash}/480.jpg", server.base)).send().await.unwrap().status(), 200);
    }
    assert_eq!(client().get(format!("{}/p/{}/480.jpg", server.base, hash_of(&unused))).send().await.unwrap().status(), 404);
}

/// A stranger's upload is refused before its body is read: a body that never finishes
/// still gets its answer at once.
#[tokio::test]
async fn an_upload_without_a_session_is_refused_before_its_body_is_read() {
    let server = start().await;
    let first = futures::stream::once(async { Ok::<_, std::io::Error>(vec![0u8; 64 * 1024]) });
    let never = futures::stream::pending::<Result<Vec<u8>, std::io::Error>>();
    let body = reqwest::Body::wrap_stream(futures::StreamExt::chain(first, never));
    let hash = "ab".repeat(32);
    let sent = client().put(format!("{}/api/photos/{hash}", server.base)).header("content-type", "image/jpeg").body(body).send();
    let answer = tokio::time::timeout(std::time::Duration::from_secs(3), sent).await.expect("answered without the rest of the body").unwrap();
    assert_eq!(answer.status(), reqwest::StatusCode::UNAUTHORIZED);
}
