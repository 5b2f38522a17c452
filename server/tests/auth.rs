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

/// Wrong passwords sent all at once are each counted: no more than five are ever
/// checked, and the account is locked after them.
#[tokio::test]
async fn wrong_passwords_sent_at_once_are_each_counted() {
    let server = start().await;
    let tries = (0..12).map(|_| {
        let base = server.base.clone();
        tokio::spawn(async move { try_login(&base, &client(), "wangmin", "Wrong-pass-1").await.text().await.unwrap() })
    });
    for answer in futures::future::join_all(tries).await {
        let answer = answer.unwrap();
        assert!(answer.contains("账号或密码错误") || answer.contains("账号已锁定"), "{answer}");
    }
    let checked: Vec<String> =
        app::db::rows(&server.db, "SELECT VALUE event FROM audit WHERE account = 'wangmin' AND event IN ['login_failed', 'account_locked']", json!({}), 0)
            .await
            .unwrap();
    assert_eq!(checked.len(), 5, "{checked:?}");
    assert_eq!(checked.iter().filter(|e| *e == "account_locked").count(), 1, "{checked:?}");
    let right = try_login(&server.base, &client(), "wangmin", DEMO_PASSWORD).await;
    assert!(session_cookie(&right).is_none(), "locked after five");
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
    // Without `Sec-Fetch-Site`, another origin is refused and the app's own accepted.
    let send =
        |origin: &'static str| client.post(format!("{}/api/sync", server.base)).header("origin", origin).json(&json!({ "client": "tab", "ops": [] })).send();
    assert_eq!(send("https://evil.example").await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(send("null").await.unwrap().status(), StatusCode::FORBIDDEN);
    let own: &'static str = Box::leak(server.base.clone().into_boxed_str());
    assert_eq!(send(own).await.unwrap().status(), StatusCode::OK);
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

/// Without the demo, the binary starts only with its keys, and the first account comes
/// from a command, with a one-time password that leads every page to the profile.
#[tokio::test]
async fn a_production_start_needs_its_keys_and_makes_the_first_account_by_command() {
    let refused = std::process::Command::new(server_binary())
        .env("XIANFENG_DB", "mem://")
        .env("XIANFENG_ADDR", format!("127.0.0.1:{}", free_port()))
        .env_remove("XIANFENG_DEMO")
        .env_remove("XIANFENG_PII_KEY")
        .output()
        .expect("run the server");
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("XIANFENG_PII_KEY") && said.contains("XIANFENG_DEMO=1"), "{said}");

    let dir = tempfile::tempdir().unwrap();
    let db = format!("surrealkv://{}", dir.path().join("prod.db").display());
    let key = "5eed".repeat(16);
    let made = std::process::Command::new(server_binary())
        .args(["admin", "create-account", "chenjie", "陈杰"])
        .env("XIANFENG_DB", &db)
        .env("XIANFENG_PII_KEY", &key)
        .env_remove("XIANFENG_DEMO")
        .output()
        .expect("run the admin command");
    let printed = String::from_utf8_lossy(&made.stdout);
    assert!(made.status.success(), "{printed}{}", String::from_utf8_lossy(&made.stderr));
    let password = printed.lines().find_map(|l| l.split("One-time password: ").nth(1)).expect("the password printed").trim().to_string();

    let port = free_port();
    let _server = launch(&db, port, &[("XIANFENG_DEMO", "0".into()), ("XIANFENG_PII_KEY", key)]).await;
    let base = format!("http://127.0.0.1:{port}");
    assert!(session_cookie(&try_login(&base, &client(), "lizhiguang", DEMO_PASSWORD).await).is_none(), "no demo accounts");
    let person = client();
    assert!(session_cookie(&try_login(&base, &person, "chenjie", &password).await).is_some());
    let page = person.get(format!("{base}/projects")).header("accept", "text/html").send().await.unwrap();
    assert!(page.status().is_redirection(), "{}", page.status());
    assert_eq!(page.headers()["location"], "/profile");
}

/// Ten sign-in attempts a minute from one address; a forged `X-Forwarded-For` (no proxy
/// is trusted) buys no more.
#[tokio::test]
async fn sign_in_is_throttled_per_address() {
    let server = start_throttled().await;
    for attempt in 0..10 {
        let response = client()
            .post(format!("{}/api/login", server.base))
            .header("x-forwarded-for", format!("198.51.100.{attempt}"))
            .form(&[("username", "nobody"), ("password", "Wrong-pass-1")])
            .send()
            .await
            .unwrap();
        assert_ne!(response.status(), StatusCode::TOO_MANY_REQUESTS, "attempt {attempt}");
    }
    let eleventh = try_login(&server.base, &client(), "lizhiguang", DEMO_PASSWORD).await;
    assert_eq!(eleventh.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(eleventh.headers().contains_key("retry-after"));
    assert!(session_cookie(&eleventh).is_none());
}

/// A name that does not exist is answered as a wrong password is, count and lock alike,
/// and the audit log keeps neither what was typed.
#[tokio::test]
async fn an_unknown_name_is_answered_as_a_wrong_password() {
    let server = start().await;
    let answer = |name: &'static str| {
        let base = server.base.clone();
        async move { try_login(&base, &client(), name, "Wrong-pass-1").await.text().await.unwrap() }
    };
    let (known, unknown) = (answer("wangmin").await, answer("Secret-typed-in-the-wrong-box-1").await);
    assert!(known.contains("再输错 4 次"), "{known}");
    assert_eq!(known.replace("wangmin", ""), unknown.replace("Secret-typed-in-the-wrong-box-1", ""));
    for _ in 0..4 {
        answer("Secret-typed-in-the-wrong-box-1").await;
    }
    assert!(answer("Secret-typed-in-the-wrong-box-1").await.contains("账号已锁定"));
    let details: Vec<String> = app::db::rows(&server.db, "SELECT VALUE detail FROM audit", json!({}), 0).await.unwrap();
    assert!(details.iter().all(|d| !d.contains("Secret-typed")), "{details:?}");
}

/// A server function's refusal is answered with a 4xx of its own, a failure with a 5xx:
/// Leptos answers 500 for every `Err`, which made a wrong password look like an outage.
#[tokio::test]
async fn a_refused_sign_in_is_answered_as_the_askers_mistake_not_a_server_error() {
    let server = start().await;
    let refused = try_login(&server.base, &client(), "wangmin", "Wrong-pass-1").await;
    assert_eq!(refused.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("账号或密码错误"));
    // Signed out, a page's data is refused as unauthenticated.
    let anonymous =
        client().post(format!("{}/api/list_catalog", server.base)).header("content-type", "application/x-www-form-urlencoded").send().await.unwrap();
    assert_eq!(anonymous.status(), reqwest::StatusCode::UNAUTHORIZED);
}
