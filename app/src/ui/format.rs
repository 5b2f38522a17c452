use chrono::{DateTime, FixedOffset};

/// Asia/Shanghai has kept +08:00 without daylight saving since 1991, so a fixed offset
/// serves and no time-zone database goes into the wasm.
const SHANGHAI_SECONDS: i32 = 8 * 3600;

/// `2026-11-25 16:45` in Beijing time, for a time in Unix milliseconds.
pub fn format_datetime(ms: i64) -> String {
    let Some(offset) = FixedOffset::east_opt(SHANGHAI_SECONDS) else { return String::new() };
    DateTime::from_timestamp_millis(ms)
        .map(|utc| utc.with_timezone(&offset).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_beijing_time() {
        // 2026-11-25T16:45:00Z is 2026-11-26 00:45 in Beijing.
        assert_eq!(format_datetime(1_795_625_100_000), "2026-11-26 00:45");
    }
}
