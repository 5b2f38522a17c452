//! Sign-in, lockout, sessions, migrations and demo data, over real HTTP.

mod common;
use common::*;
use reqwest::StatusCode;
use serde_json::json;

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find(|c| c.starts_with("xf_session=") && !c.starts_with("xf_session=;"))
        .map(str::to_string)
}

#[tokio::test]
async fn signing_in_sets_a_safe_cookie_and_a_stored_session() {
    let server = start().await;
    let client = client();
    let response = try_login(&server.base, &client, "lizhiguang", DEMO_PASSWORD).await;
    let cookie = session_cookie(&response).expect("session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain HTTP must not mark the cookie Secure: {cookie}");
    assert_eq!(count(&server.db, "session").await, 1);
    // The token itself is not what the database keeps.
    let token = cookie.trim_start_matches("xf_session=").split(';').next().unwrap();
    let stored: Vec<String> = app::db::rows(&server.db, "SELECT VALUE record::id(id) FROM session", json!({}), 0).await.unwrap();
    assert_ne!(stored[0], token);

    let page = client.get(format!("{}/branches", server.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("文兴社区") && html.contains("石家寨村"), "the branch list is rendered on the server");
}

#[tokio::test]
async fn behind_https_the_cookie_is_secure() {
    let server = start().await;
    let response = client()
        .post(format!("{}/api/login", server.base))
        .header("x-forwarded-proto", "https")
        .form(&[("username", "lizhiguang"), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(session_cookie(&response).expect("cookie").contains("Secure"));
}

#[tokio::test]
async fn pages_need_a_session() {
    let server = start().await;
    let response = client().get(format!("{}/branches", server.base)).header("accept", "text/html").send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()["location"], "/login");
    let login = client().get(format!("{}/login", server.base)).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(html.contains("lang=\"zh-CN\"") && html.contains("登录") && html.contains("水泊寺街道党工委"));
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account() {
    let server = start().await;
    let client = client();
    for attempt in 1..=5 {
        let response = try_login(&server.base, &client, "wangmin", "Wrong-pass-1").await;
        assert!(session_cookie(&response).is_none(), "attempt {attempt}");
        let body = response.text().await.unwrap();
        if attempt < 5 {
            assert!(body.contains(&format!("再输错 {} 次", 5 - attempt)), "{body}");
        } else {
            assert!(body.contains("账号已锁定"), "{body}");
        }
    }
    let right = try_login(&server.base, &client, "wangmin", DEMO_PASSWORD).await;
    assert!(session_cookie(&right).is_none(), "locked accounts do not sign in");
    assert!(right.text().await.unwrap().contains("15 分钟后再试"));
    let events: Vec<String> = app::db::rows(&server.db, "SELECT VALUE event FROM audit WHERE account = 'wangmin'", json!({}), 0).await.unwrap();
    assert!(events.contains(&"account_locked".to_string()), "{events:?}");

    // When the lock has passed, the right password works again.
    server.db.query("UPDATE account:wangmin SET locked_until = 1").await.unwrap().check().unwrap();
    assert!(session_cookie(&try_login(&server.base, &client, "wangmin", DEMO_PASSWORD).await).is_some());
}

#[tokio::test]
async fn an_idle_session_expires() {
    let server = start().await;
    let client = login(&server.base, "wangmin").await;
    let (status, _) = push(&server.base, &client, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    let long_ago = chrono::Utc::now().timestamp_millis() - 31 * 60 * 1000;
    server.db.query("UPDATE session SET last_seen = $t").bind(json!({ "t": long_ago })).await.unwrap().check().unwrap();
    let (status, body) = push(&server.base, &client, vec![]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["message"], "登录已超时，请重新登录");
    assert_eq!(count(&server.db, "session").await, 0);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let server = start().await;
    let client = login(&server.base, "wangmin").await;
    let response = client.post(format!("{}/api/logout", server.base)).send().await.unwrap();
    assert!(response.status().is_redirection() || response.status().is_success());
    assert_eq!(count(&server.db, "session").await, 0);
    let (status, _) = push(&server.base, &client, vec![]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn migrations_and_demo_data_apply_once() {
    let server = start().await;
    assert_eq!(server::db::migrations::migrate(&server.db).await.unwrap(), 0);
    assert!(!server::db::demo::load_if_empty(&server.db).await.unwrap());
    assert_eq!(count(&server.db, "migration").await, server::db::migrations::MIGRATIONS.len());
    assert_eq!(count(&server.db, "branch").await, 11);
    assert_eq!(count(&server.db, "account").await, server::db::demo::ACCOUNTS.len());
}

#[tokio::test]
async fn the_schema_refuses_bad_rows_even_from_inside() {
    let server = start().await;
    let bad = [
        "CREATE branch:x SET name = 'X社区', kind = 'castle'",
        "CREATE account:x SET username = 'x1', display_name = 'X', role = 'king', password_hash = '$argon2id$x'",
        "CREATE account:y SET username = 'lizhiguang', display_name = 'Y', role = 'mentor', password_hash = '$argon2id$y'",
    ];
    for sql in bad {
        assert!(server.db.query(sql).await.unwrap().check().is_err(), "{sql}");
    }
}

#[tokio::test]
async fn health_and_readiness() {
    let server = start().await;
    let client = client();
    let health = client.get(format!("{}/healthz", server.base)).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(client.get(format!("{}/readyz", server.base)).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn cross_site_writes_are_refused() {
    let server = start().await;
    let client = login(&server.base, "lixiurong").await;
    let response = client
        .post(format!("{}/api/sync", server.base))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({ "client": "evil", "ops": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn housekeeping_removes_dead_sessions_and_old_audit_events() {
    let server = start().await;
    let _live = login(&server.base, "wangmin").await;
    let old = chrono::Utc::now().timestamp_millis() - 200 * 86_400_000;
    server.db
        .query("CREATE session:dead SET account = 'wangmin', created = $t, last_seen = $t, expires = $t; CREATE audit SET at = $t, account = '', event = 'login', detail = 'x';")
        .bind(json!({ "t": old }))
        .await
        .unwrap()
        .check()
        .unwrap();
    server::db::housekeeping(&server.db).await.unwrap();
    assert_eq!(count(&server.db, "session").await, 1);
    let oldest: Vec<i64> = app::db::rows(&server.db, "SELECT VALUE at FROM audit ORDER BY at LIMIT 1", json!({}), 0).await.unwrap();
    assert!(oldest[0] > old);
}
