//! Beijing time, the street's: China keeps +08:00 all year (no summer time since 1991), so
//! one fixed offset serves and no time-zone database goes into the wasm. Times are kept
//! as Unix milliseconds; activities are entered and shown as local `YYYY-MM-DDTHH:MM`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta};

pub const UTC_OFFSET_HOURS: i64 = 8;

/// A date as stored and typed: `2026-03-01`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// An activity's local start or end, `YYYY-MM-DDTHH:MM`.
pub fn parse_local(text: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").ok()
}

/// Milliseconds since the epoch → Beijing time.
pub fn local_from_ms(ms: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(ms).unwrap_or_default().naive_utc() + TimeDelta::hours(UTC_OFFSET_HOURS)
}

/// Beijing time → milliseconds since the epoch.
pub fn ms_from_local(local: NaiveDateTime) -> i64 {
    (local - TimeDelta::hours(UTC_OFFSET_HOURS)).and_utc().timestamp_millis()
}

/// The Beijing date of a moment.
pub fn date_from_ms(ms: i64) -> NaiveDate {
    local_from_ms(ms).date()
}

/// `2026-11-25 16:45` in Beijing time, for a time in Unix milliseconds.
pub fn format_datetime(ms: i64) -> String {
    local_from_ms(ms).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_beijing_time() {
        // 2026-11-25T16:45:00Z is 2026-11-26 00:45 in Beijing.
        assert_eq!(format_datetime(1_795_625_100_000), "2026-11-26 00:45");
        assert_eq!(date_from_ms(1_795_625_100_000).to_string(), "2026-11-26");
    }

    #[test]
    fn local_times_go_there_and_back() {
        let local = parse_local("2026-12-03T09:30").expect("a local time");
        assert_eq!(local_from_ms(ms_from_local(local)), local);
        assert_eq!(parse_local("2026-12-03 09:30"), None);
    }
}
