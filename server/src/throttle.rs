//! Throttling traffic per address (`governor`): sign-in, photo uploads, residents' forms
//! and private-link actions. Limits that protect data (sign-ups per phone, check-in code
//! tries, wrong passwords) are counted in the database instead, where every instance
//! sees them; these only keep one address from flooding one instance.
//!
//! The address is the connection's, unless it comes from a proxy named in
//! `XIANFENG_TRUSTED_PROXIES`: only then is `X-Forwarded-For` believed.

use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

/// What is throttled, each with its own budget per address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// 10 sign-in attempts a minute.
    SignIn,
    /// 30 photo uploads a minute.
    Upload,
    /// A resident's sign-up or a partner's application: `SIGNUPS_PER_IP` in
    /// `IP_WINDOW_MINUTES` (a crowd on the event's Wi-Fi shares one address).
    PublicForm,
    /// Cancel, sign up again, check in, check out, erase: 30 a minute.
    LinkAction,
}

pub struct Throttle {
    sign_in: DefaultKeyedRateLimiter<IpAddr>,
    upload: DefaultKeyedRateLimiter<IpAddr>,
    public_form: DefaultKeyedRateLimiter<IpAddr>,
    link_action: DefaultKeyedRateLimiter<IpAddr>,
    trusted_proxies: Vec<IpAddr>,
}

/// Sign-in attempts one address may make a minute.
pub const SIGN_INS_PER_MINUTE: u32 = 10;

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN))
}

impl Throttle {
    /// `XIANFENG_TRUSTED_PROXIES`: the proxies' addresses, comma-separated (none by
    /// default). `XIANFENG_THROTTLE=loose`: budgets no one reaches, for the browser tests,
    /// which do everything from one address.
    pub fn from_env() -> Throttle {
        if std::env::var("XIANFENG_THROTTLE").as_deref() == Ok("loose") {
            tracing::warn!("XIANFENG_THROTTLE=loose: requests per address are not limited");
            return Throttle::loose();
        }
        let trusted = std::env::var("XIANFENG_TRUSTED_PROXIES").unwrap_or_default();
        Throttle::new(trusted.split(',').filter_map(|a| a.trim().parse().ok()).collect(), SIGN_INS_PER_MINUTE)
    }

    /// Budgets no test reaches, for tests that do many things from one address.
    pub fn loose() -> Throttle {
        let plenty = per_minute(100_000);
        Throttle {
            sign_in: RateLimiter::keyed(plenty),
            upload: RateLimiter::keyed(plenty),
            public_form: RateLimiter::keyed(plenty),
            link_action: RateLimiter::keyed(plenty),
            trusted_proxies: vec![],
        }
    }

    pub fn new(trusted_proxies: Vec<IpAddr>, sign_ins_per_minute: u32) -> Throttle {
        use app::domain::volunteers::{IP_WINDOW_MINUTES, SIGNUPS_PER_IP};
        let forms = NonZeroU32::new(SIGNUPS_PER_IP).unwrap_or(NonZeroU32::MIN);
        let refill = Duration::from_secs(IP_WINDOW_MINUTES as u64 * 60) / forms.get();
        let public_form = Quota::with_period(refill).unwrap_or_else(|| per_minute(1)).allow_burst(forms);
        Throttle {
            sign_in: RateLimiter::keyed(per_minute(sign_ins_per_minute.max(1))),
            upload: RateLimiter::keyed(per_minute(30)),
            public_form: RateLimiter::keyed(public_form),
            link_action: RateLimiter::keyed(per_minute(30)),
            trusted_proxies,
        }
    }

    /// Takes one from the address's budget; false when it has none left.
    pub fn allow(&self, limit: Limit, address: IpAddr) -> bool {
        let limiter = match limit {
            Limit::SignIn => &self.sign_in,
            Limit::Upload => &self.upload,
            Limit::PublicForm => &self.public_form,
            Limit::LinkAction => &self.link_action,
        };
        limiter.check_key(&address).is_ok()
    }

    /// The address a request came from: the connection's, or, when that is a trusted
    /// proxy, the last address in `X-Forwarded-For` that is not one of the proxies.
    pub fn client_address(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
        let connection = peer.map(|p| p.ip()).unwrap_or(IpAddr::from([0, 0, 0, 0]));
        if !self.trusted_proxies.contains(&connection) {
            return connection;
        }
        let forwarded: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse().ok())
            .collect();
        forwarded.into_iter().rev().find(|a| !self.trusted_proxies.contains(a)).unwrap_or(connection)
    }

    /// Forgets addresses whose budgets are full again, so the tables stay small.
    pub fn forget_idle(&self) {
        for limiter in [&self.sign_in, &self.upload, &self.public_form, &self.link_action] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Middleware for a route: answers 429 (with `Retry-After`) once the address has used
/// its budget of `limit`; only writes (POST, PUT) are counted.
pub async fn guard(limit: Limit, throttle: &Throttle, request: Request<axum::body::Body>, next: Next) -> Response {
    let counted = matches!(*request.method(), axum::http::Method::POST | axum::http::Method::PUT);
    if counted {
        let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        let address = throttle.client_address(request.headers(), peer);
        if !throttle.allow(limit, address) {
            tracing::info!(?limit, %address, "throttled");
            let locale = app::i18n::Locale::from_headers(request.headers());
            let text = if locale == app::i18n::Locale::ZhCn { "操作太频繁，请一分钟后再试" } else { "Too many requests: try again in a minute" };
            let mut response = (StatusCode::TOO_MANY_REQUESTS, text).into_response();
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
            return response;
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", value.parse().unwrap());
        headers
    }

    #[test]
    fn a_forwarded_address_counts_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let throttle = Throttle::new(vec![proxy], SIGN_INS_PER_MINUTE);
        let from = |ip: &str| Some(SocketAddr::new(ip.parse().unwrap(), 4000));
        // Anyone else's header is ignored: a new value per post resets nothing.
        assert_eq!(throttle.client_address(&forwarded("1.2.3.4"), from("203.0.113.9")), "203.0.113.9".parse::<IpAddr>().unwrap());
        // Through the proxy: the last address it did not add itself.
        assert_eq!(throttle.client_address(&forwarded("6.6.6.6, 1.2.3.4"), from("10.0.0.2")), "1.2.3.4".parse::<IpAddr>().unwrap());
        assert_eq!(throttle.client_address(&HeaderMap::new(), from("10.0.0.2")), proxy);
        assert_eq!(Throttle::new(vec![], SIGN_INS_PER_MINUTE).client_address(&forwarded("1.2.3.4"), from("10.0.0.2")), proxy);
    }

    #[test]
    fn ten_sign_ins_a_minute_from_one_address() {
        let throttle = Throttle::new(vec![], SIGN_INS_PER_MINUTE);
        let address: IpAddr = "203.0.113.9".parse().unwrap();
        for attempt in 0..10 {
            assert!(throttle.allow(Limit::SignIn, address), "attempt {attempt}");
        }
        assert!(!throttle.allow(Limit::SignIn, address));
        assert!(throttle.allow(Limit::SignIn, "203.0.113.10".parse().unwrap()), "another address has its own budget");
        assert!(throttle.allow(Limit::Upload, address), "and so has another kind");
    }
}
