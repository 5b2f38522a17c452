//! The time now, on either side: the browser's clock in wasm, the system's on the server.
//! What the time means (Beijing dates and times) is `domain::time`.

use chrono::{Datelike, NaiveDate};

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    return chrono::Utc::now().timestamp_millis();
}

/// Today in Beijing.
pub fn today() -> NaiveDate {
    crate::domain::time::date_from_ms(now_ms())
}

/// This year in Beijing.
pub fn this_year() -> i64 {
    today().year() as i64
}
