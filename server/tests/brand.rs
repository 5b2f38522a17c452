//! The residents' brand pages over real HTTP, as a phone without JavaScript sees them:
//! small, one request each, photos sized; a merchant joining from its page and the
//! branch approving it.

mod common;
use app::domain::ops::{OpStatus, Operation};
use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn a_merchant_applies_and_the_branch_reviews() {
    let server = start().await;
    let phone = client();
    let page = phone.get(format!("{}/b/wenxing/join", server.base)).send().await.unwrap().text().await.unwrap();
    let at = page.find("name=\"op\" value=\"").unwrap() + 17;
    let op = page[at..at + 36].to_string();
    let form = |phone_number: &str| {
        vec![
            ("op", op.clone()),
            ("org", "福满楼饭店".to_string()),
            ("kind", "merchant".into()),
            ("offer", "每月为老人送餐".into()),
            ("name", "孙老板".into()),
            ("phone", phone_number.to_string()),
            ("consent", "1".into()),
            ("website", String::new()),
        ]
    };
    let bad = phone.post(format!("{}/b/wenxing/join", server.base)).form(&form("123")).send().await.unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("value=\"福满楼饭店\""));
    let sent = phone.post(format!("{}/b/wenxing/join", server.base)).form(&form("13711112222")).send().await.unwrap();
    assert_eq!(sent.status(), 303);
    let rows: Vec<Value> = app::db::rows(&server.db, "SELECT record::id(id) AS key, * FROM partner", json!({}), 0).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["status"], json!("applied"));
    assert!(!serde_json::to_string(&rows).unwrap().contains("13711112222") && !serde_json::to_string(&rows).unwrap().contains("孙老板"));
    // Not on the brand page until approved; another branch may not approve it.
    assert!(!phone.get(format!("{}/b/wenxing", server.base)).send().await.unwrap().text().await.unwrap().contains("福满楼饭店"));
    let key = rows[0]["key"].as_str().unwrap().to_string();
    let approve = || Operation::set("partner", &key, [("status".to_string(), json!("approved"))].into(), stamp(now_ms(), "tab"));
    let stranger = login(&server.base, "guojing").await;
    assert_eq!(push_ok(&server.base, &stranger, vec![approve()]).await.results[0].status, OpStatus::Rejected);
    let staff = login(&server.base, "zhangxiaoyan").await;
    assert_eq!(push_ok(&server.base, &staff, vec![approve()]).await.results[0].status, OpStatus::Accepted);
    let mut shown = false;
    for _ in 0..50 {
        if phone.get(format!("{}/b/wenxing", server.base)).send().await.unwrap().text().await.unwrap().contains("福满楼饭店") {
            shown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(shown, "the approved partner is on the brand page within a second");
}

#[tokio::test]
async fn brand_pages_are_small_need_no_script_and_size_their_photos() {
    let server = start().await;
    for path in ["/", "/b/wenxing", "/b/wenyuan", "/a/act_today", "/b/wenxing/join"] {
        // Compressed as a phone receives it (this client does not decompress).
        let response = client().get(format!("{}{path}", server.base)).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"), "{path}");
        let size = response.bytes().await.unwrap().len();
        assert!(size <= 50 * 1024, "{path} is {size} bytes gzipped, over 50 KB");
        let page = client().get(format!("{}{path}", server.base)).send().await.unwrap().text().await.unwrap();
        assert!(!page.contains("<script") && !page.contains("rel=\"stylesheet\""), "{path} needs more than one request");
        // Every photo has its size in the markup and a choice of widths; only the cover loads at once.
        for img in page.split("<img ").skip(1) {
            let tag = &img[..img.find('>').unwrap()];
            assert!(tag.contains("width=\"") && tag.contains("height=\"") && tag.contains("srcset=\"") && tag.contains("alt=\""), "{path}: {tag}");
            assert!(tag.contains("loading=\"lazy\"") || tag.contains("class=\"cover\""), "{path}: {tag}");
        }
    }
}
