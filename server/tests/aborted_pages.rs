//! A browser that goes away mid-page (network lost, tab closed, a warm-up cut short, or on
//! purpose) must not panic the server: the render ends as if it had been read
//! (`server::page_renders`). Its own test binary, because it counts every panic in it.

mod common;

use rand::Rng;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// The staff pages with the most reactive work inside their `<Suspense/>`.
const PAGES: [&str; 4] = ["/mentors", "/projects", "/gantt/p016", "/volunteers"];
const ABORTS_PER_PAGE: usize = 150;

/// Sends a page request and cuts the connection (a reset, as a vanished phone does)
/// `after` later.
async fn abort_request(address: &str, path: &str, cookie: &str, after: Duration) {
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let request = format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nCookie: {cookie}\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("send the request");
    tokio::time::sleep(after).await;
    // Lingering zero seconds: the close is a reset at once, never a wait.
    #[allow(deprecated)]
    stream.set_linger(Some(Duration::ZERO)).expect("linger");
    drop(stream);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_page_abandoned_mid_render_panics_nothing() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        previous(info);
    }));
    let server = common::start().await;
    let client = common::client();
    let response = common::try_login(&server.base, &client, "lizhiguang", common::DEMO_PASSWORD).await;
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok())
        .find(|c| c.starts_with("xf_session="))
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let address = server.base.trim_start_matches("http://").to_string();
    for path in PAGES {
        // Cut connections at random moments across one whole render of this page.
        let started = Instant::now();
        let page = client.get(format!("{}{path}", server.base)).send().await.expect("the page");
        assert_eq!(page.status(), 200, "{path}");
        page.text().await.expect("the whole page");
        let render = started.elapsed().max(Duration::from_millis(5));
        let cuts: Vec<Duration> = (0..ABORTS_PER_PAGE).map(|_| render.mul_f64(rand::thread_rng().gen_range(0.0..1.2))).collect();
        let tasks: Vec<_> = cuts
            .chunks(ABORTS_PER_PAGE / 4)
            .map(|chunk| {
                let (address, cookie, chunk) = (address.clone(), cookie.clone(), chunk.to_vec());
                tokio::spawn(async move {
                    for after in chunk {
                        abort_request(&address, path, &cookie, after).await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a client");
        }
    }
    // Renders still running for the vanished clients finish; then every page still answers.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for path in PAGES {
        let page = client.get(format!("{}{path}", server.base)).send().await.expect("the page");
        assert_eq!(page.status(), 200, "{path} after the aborts");
    }
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "the server panicked while clients went away mid-page");
}
