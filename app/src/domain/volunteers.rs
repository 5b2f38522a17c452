//! The volunteer commune (志愿公社): activities with places and a waiting list, sign-ups by
//! residents without an account, check-in by a six-digit code, and service hours.
//!
//! Who holds a place is never stored: it follows from the sign-ups that stand, in the
//! order they were made, and the activity's capacity. So a cancellation moves the waiting
//! list up, and a capacity cut moves the latest sign-ups onto it, without writing to
//! anyone else's record.

use super::time::{ms_from_local, parse_local};
use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

pub const ACTIVITY_TABLE: &str = "activity";
pub const SIGNUP_TABLE: &str = "signup";

/// Check-in opens this long before the start.
pub const CHECK_IN_OPENS_BEFORE_MINUTES: i64 = 30;
/// Wrong codes a sign-up may type before check-in by code is closed to it.
pub const MAX_CODE_TRIES: u32 = 5;
/// Sign-ups one phone may make in `PHONE_WINDOW_MINUTES`.
pub const SIGNUPS_PER_PHONE: u32 = 5;
pub const PHONE_WINDOW_MINUTES: i64 = 60;
/// Sign-ups one IP address may make in `IP_WINDOW_MINUTES`: a crowd on the event's Wi-Fi
/// signs up together, a script does not stop at a hundred.
pub const SIGNUPS_PER_IP: u32 = 100;
pub const IP_WINDOW_MINUTES: i64 = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum VolunteerProblem {
    #[error("phone number malformed")]
    PhoneMalformed,
    #[error("name missing")]
    NameMissing,
    #[error("name too long")]
    NameTooLong,
    /// Markup (`<`, `>`) in a field a resident typed.
    #[error("markup in a field")]
    Markup { field: String },
    #[error("consent missing")]
    ConsentMissing,
    /// Every place is taken and the resident did not ask to wait.
    #[error("activity full")]
    Full { capacity: u32 },
    #[error("activity started")]
    Started,
    #[error("activity cancelled")]
    Cancelled,
    #[error("sign-up cancelled")]
    NotSignedUp,
    /// On the waiting list: no check-in until a place frees.
    #[error("waiting")]
    Waiting,
    /// Not six digits: refused without counting as a try (a slip of the finger, not a guess).
    #[error("a check-in code is six digits")]
    CodeNotSixDigits,
    #[error("wrong code")]
    WrongCode { tries_left: u32 },
    #[error("too many wrong codes")]
    TooManyTries,
    /// Too many wrong codes for the whole activity this minute (`CODE_TRIES_PER_ACTIVITY_MINUTE`).
    #[error("too many wrong codes for this activity")]
    ActivityCodeTriesUsed,
    #[error("check-in not open yet")]
    CheckInNotOpen { opens: String },
    #[error("activity over")]
    Ended,
    #[error("checked in already")]
    AlreadyCheckedIn,
    #[error("not checked in")]
    NotCheckedIn,
    #[error("check-out before check-in")]
    CheckOutBeforeCheckIn,
    /// Before the activity starts a check-out is an adjustment: it needs a reason.
    #[error("check-out before the start")]
    CheckOutBeforeStart,
    #[error("check-out in the future")]
    CheckOutInFuture,
    #[error("an hours change needs a reason")]
    ReasonMissing,
    #[error("too many sign-ups")]
    TooManySignUps,
    #[error("ends before it starts")]
    EndsBeforeStart,
    /// This phone number is signed up for the activity already.
    #[error("signed up already")]
    AlreadySignedUp,
}

/// A mainland mobile number as people type it (spaces, dashes, a `+86` prefix), reduced
/// to its 11 digits.
pub fn normalise_phone(typed: &str) -> Result<String, VolunteerProblem> {
    let digits: String = typed.chars().filter(|c| !matches!(c, ' ' | '-' | '\u{3000}')).collect();
    let digits = digits.strip_prefix("+86").or_else(|| digits.strip_prefix("0086")).unwrap_or(&digits);
    let bytes = digits.as_bytes();
    let valid = bytes.len() == 11 && bytes.iter().all(u8::is_ascii_digit) && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]);
    if valid {
        Ok(digits.to_string())
    } else {
        Err(VolunteerProblem::PhoneMalformed)
    }
}

/// `138****1234`: how a phone number is shown to everyone.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// `李*`, `欧阳**`… the family name's first character, the rest starred: how a name is
/// shown in public.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.trim().chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

/// A name as a resident typed it: 1 to 20 characters, no markup.
pub fn check_name(typed: &str) -> Result<String, VolunteerProblem> {
    let name = typed.trim();
    if name.is_empty() {
        return Err(VolunteerProblem::NameMissing);
    }
    check_plain("name", name)?;
    if name.chars().count() > 20 {
        return Err(VolunteerProblem::NameTooLong);
    }
    Ok(name.to_string())
}

/// Text a resident typed may not carry markup: it is refused with a message rather than
/// stored (everything is escaped when shown as well).
pub fn check_plain(field: &str, text: &str) -> Result<(), VolunteerProblem> {
    if text.contains(['<', '>']) || text.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(VolunteerProblem::Markup { field: field.to_string() });
    }
    Ok(())
}

/// When an activity runs, and whether it still does.
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub capacity: u32,
    pub cancelled: bool,
}

/// An activity as stored, read by pages and exports (`record::id(id) AS key, * OMIT id`).
/// What every activity has is required: a renamed field fails the read, not the page.
#[derive(Clone, Debug, Deserialize)]
pub struct ActivityRecord {
    pub key: String,
    pub branch: String,
    pub team: String,
    pub title: String,
    pub place: String,
    pub starts_at: String,
    pub ends_at: String,
    pub capacity: u32,
    #[serde(default)]
    pub cancelled: bool,
    #[serde(default)]
    pub bring: String,
    #[serde(default)]
    pub notice: String,
    /// Each field's clock (when staff last changed it).
    #[serde(default)]
    pub clocks: std::collections::BTreeMap<String, String>,
    /// The code people type to check in (left out of what residents' pages read).
    #[serde(default)]
    pub checkin_code: String,
}

/// A sign-up as stored, read by rosters, exports and the resident's private page. Its
/// name and phone are sealed (`name_cipher`, `phone_cipher`) and masked; a tablet's copy
/// holds only the masks.
#[derive(Clone, Debug, Deserialize)]
pub struct SignupRecord {
    pub key: String,
    pub activity: String,
    #[serde(default)]
    pub name_cipher: String,
    #[serde(default)]
    pub name_mask: String,
    #[serde(default)]
    pub phone_mask: String,
    /// The keyed hash of the phone: one volunteer across activities.
    #[serde(default)]
    pub phone_hash: String,
    #[serde(default = "stands")]
    pub active: bool,
    #[serde(default)]
    pub walk_in: bool,
    #[serde(default)]
    pub signed_at: i64,
    pub checked_in_at: Option<i64>,
    pub checked_out_at: Option<i64>,
    #[serde(default)]
    pub adjust_minutes: i64,
    #[serde(default)]
    pub adjust_reason: String,
    #[serde(default)]
    pub erased: bool,
}

impl SignupRecord {
    /// Its place in the queue.
    pub fn standing(&self) -> Standing {
        Standing { key: self.key.clone(), signed_at: self.signed_at, active: self.active, walk_in: self.walk_in }
    }
}

impl ActivityRecord {
    /// When it runs; `None` if its times do not read.
    pub fn activity(&self) -> Option<Activity> {
        Some(Activity { starts_at: parse_local(&self.starts_at)?, ends_at: parse_local(&self.ends_at)?, capacity: self.capacity, cancelled: self.cancelled })
    }
}

impl Activity {
    /// An activity from its fields as stored (or an operation's merged over them):
    /// `starts_at`, `ends_at`, `capacity`, `cancelled`; `None` if they do not read.
    pub fn from_fields(fields: &serde_json::Map<String, serde_json::Value>) -> Option<Activity> {
        #[derive(Deserialize)]
        struct Fields {
            starts_at: String,
            ends_at: String,
            capacity: u32,
            #[serde(default)]
            cancelled: bool,
        }
        let row: Fields = serde_json::from_value(serde_json::Value::Object(fields.clone())).ok()?;
        Some(Activity { starts_at: parse_local(&row.starts_at)?, ends_at: parse_local(&row.ends_at)?, capacity: row.capacity, cancelled: row.cancelled })
    }

    pub fn check(&self) -> Result<(), VolunteerProblem> {
        if self.ends_at <= self.starts_at {
            return Err(VolunteerProblem::EndsBeforeStart);
        }
        Ok(())
    }

    /// May a resident sign up (or sign up again) at `now`? `taken` is how many places are
    /// held; `wait` says they will wait for one.
    pub fn may_sign_up(&self, now: NaiveDateTime, taken: u32, wait: bool) -> Result<Place, VolunteerProblem> {
        if self.cancelled {
            return Err(VolunteerProblem::Cancelled);
        }
        if now >= self.starts_at {
            return Err(VolunteerProblem::Started);
        }
        if taken < self.capacity {
            Ok(Place::Confirmed)
        } else if wait {
            Ok(Place::Waiting)
        } else {
            Err(VolunteerProblem::Full { capacity: self.capacity })
        }
    }

    pub fn check_in_opens(&self) -> NaiveDateTime {
        self.starts_at - TimeDelta::minutes(CHECK_IN_OPENS_BEFORE_MINUTES)
    }

    /// Is check-in open at `at`: from shortly before the start to the end.
    /// A resident's private link works until `LINK_DAYS` after the activity ends; then
    /// their name and phone are erased as on request (the hours stay, without the person).
    pub fn link_expired(&self, at: NaiveDateTime) -> bool {
        at > self.ends_at + chrono::Duration::days(LINK_DAYS)
    }

    pub fn check_in_window(&self, at: NaiveDateTime) -> Result<(), VolunteerProblem> {
        if self.cancelled {
            return Err(VolunteerProblem::Cancelled);
        }
        if at < self.check_in_opens() {
            return Err(VolunteerProblem::CheckInNotOpen { opens: self.check_in_opens().format("%m-%d %H:%M").to_string() });
        }
        if at > self.ends_at {
            return Err(VolunteerProblem::Ended);
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    Confirmed,
    /// On the waiting list, at this position (1 = next).
    Waiting,
}

/// One sign-up as the places are worked out from.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Standing {
    pub key: String,
    /// When it was made (or made again after a cancellation): the queue's order.
    #[serde(default)]
    pub signed_at: i64,
    /// One not yet marked stands.
    #[serde(default = "stands")]
    pub active: bool,
    /// Added by staff on the day: holds no place in the queue.
    #[serde(default)]
    pub walk_in: bool,
}

fn stands() -> bool {
    true
}

impl Standing {
    /// A sign-up's place from its fields as stored or merged; one not yet marked stands,
    /// and fields that do not read count as never marked.
    pub fn from_fields(key: &str, fields: &serde_json::Map<String, serde_json::Value>) -> Standing {
        let mut fields = fields.clone();
        fields.insert("key".into(), serde_json::Value::String(key.to_string()));
        serde_json::from_value(serde_json::Value::Object(fields)).unwrap_or(Standing { key: key.to_string(), signed_at: 0, active: true, walk_in: false })
    }
}

/// Who holds a place and who waits, in sign-up order: the first `capacity` sign-ups that
/// stand are confirmed, the rest wait, numbered from 1. Cancelled ones and walk-ins get
/// nothing here.
pub fn places(capacity: u32, signups: &[Standing]) -> Vec<(String, Place, u32)> {
    let mut standing: Vec<&Standing> = signups.iter().filter(|s| s.active && !s.walk_in).collect();
    standing.sort_by(|a, b| a.signed_at.cmp(&b.signed_at).then(a.key.cmp(&b.key)));
    standing
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let i = i as u32;
            if i < capacity {
                (s.key.clone(), Place::Confirmed, 0)
            } else {
                (s.key.clone(), Place::Waiting, i - capacity + 1)
            }
        })
        .collect()
}

/// Checks a typed check-in code. `tries` is how many wrong codes this sign-up typed.
/// Days after an activity ends that a resident's private link keeps working.
pub const LINK_DAYS: i64 = 90;

/// Wrong check-in codes one activity takes a minute, from all its sign-ups together:
/// past it, residents check in with the staff on site (guessing across sign-ups stops).
pub const CODE_TRIES_PER_ACTIVITY_MINUTE: u32 = 20;

pub fn check_code(typed: &str, code: &str, tries: u32) -> Result<(), VolunteerProblem> {
    if tries >= MAX_CODE_TRIES {
        return Err(VolunteerProblem::TooManyTries);
    }
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != 6 || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VolunteerProblem::CodeNotSixDigits);
    }
    if !code.is_empty() && typed == code {
        Ok(())
    } else {
        Err(VolunteerProblem::WrongCode { tries_left: MAX_CODE_TRIES - tries - 1 })
    }
}

/// A check-out stamped by a device may run ahead of the server's clock by this much.
pub const CHECK_OUT_CLOCK_SLACK_MS: i64 = 120_000;

/// A check-out at `at` (ms since the epoch) after a check-in at `checked_in`, judged at
/// the server's `now`; answers the time to store. One rule for residents and staff:
/// from the activity's start to its end a check-out stands as made; a later one (someone
/// who forgot, a tablet that synced late) is stored as the end; anything else — before the
/// start, or staff recording a time past the end — is an adjustment that needs `reason`
/// (audited with the change). No check-out lies in the future.
pub fn check_out(activity: &Activity, checked_in: Option<i64>, at: i64, now: i64, reason: &str) -> Result<i64, VolunteerProblem> {
    let Some(checked_in) = checked_in else { return Err(VolunteerProblem::NotCheckedIn) };
    if at < checked_in {
        return Err(VolunteerProblem::CheckOutBeforeCheckIn);
    }
    if at > now + CHECK_OUT_CLOCK_SLACK_MS {
        return Err(VolunteerProblem::CheckOutInFuture);
    }
    let (start, end) = (ms_from_local(activity.starts_at), ms_from_local(activity.ends_at));
    let adjusted = !reason.trim().is_empty();
    if adjusted {
        check_adjustment(reason)?;
        return Ok(at);
    }
    if at < start {
        return Err(VolunteerProblem::CheckOutBeforeStart);
    }
    Ok(at.min(end))
}

/// Minutes served: from check-in to check-out; a forgotten check-out ends at the
/// activity's end (once it is over), and time before the activity opened for check-in
/// does not count. Hand-made changes add `adjust` minutes.
pub fn service_minutes(activity: &Activity, checked_in: Option<i64>, checked_out: Option<i64>, now: i64, adjust: i64) -> i64 {
    let Some(start) = checked_in else { return adjust.max(0) };
    let start = start.max(ms_from_local(activity.check_in_opens()));
    let end_of_activity = ms_from_local(activity.ends_at);
    let end = match checked_out {
        Some(out) => out,
        None if now >= end_of_activity => end_of_activity,
        None => return adjust.max(0),
    };
    ((end - start).max(0) / 60_000 + adjust).max(0)
}

/// A hand-made change to someone's hours needs a reason.
pub fn check_adjustment(reason: &str) -> Result<(), VolunteerProblem> {
    if reason.trim().chars().count() < 2 {
        return Err(VolunteerProblem::ReasonMissing);
    }
    check_plain("reason", reason)
}

/// Teams ranked by hours in one month: `(team, minutes)` summed and sorted, most first.
pub fn rank_teams(entries: &[(String, i64)]) -> Vec<(String, i64)> {
    let mut totals: std::collections::BTreeMap<&str, i64> = std::collections::BTreeMap::new();
    for (team, minutes) in entries {
        *totals.entry(team.as_str()).or_default() += minutes;
    }
    let mut ranked: Vec<(String, i64)> = totals.into_iter().map(|(t, m)| (t.to_string(), m)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked
}

/// One volunteer's line in the hours register.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolunteerHours {
    pub name: String,
    pub phone_mask: String,
    /// Activities with time served.
    pub activities: u32,
    pub minutes: i64,
}

/// The hours register: each sign-up's `(volunteer, name, phone mask, minutes)` summed per
/// volunteer (the phone's keyed hash; a walk-in without a phone is their own sign-up),
/// those who served no time left out, most hours first.
pub fn tally_volunteers(entries: &[(String, String, String, i64)]) -> Vec<VolunteerHours> {
    let mut register: Vec<(String, VolunteerHours)> = Vec::new();
    for (volunteer, name, phone_mask, minutes) in entries.iter().filter(|e| e.3 > 0) {
        match register.iter_mut().find(|(id, _)| id == volunteer) {
            Some((_, line)) => {
                line.activities += 1;
                line.minutes += minutes;
            }
            None => register.push((volunteer.clone(), VolunteerHours { name: name.clone(), phone_mask: phone_mask.clone(), activities: 1, minutes: *minutes })),
        }
    }
    let mut lines: Vec<VolunteerHours> = register.into_iter().map(|(_, line)| line).collect();
    lines.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.name.cmp(&b.name)));
    lines
}

/// Hours as people read them: `3.5`.
pub fn hours_text(minutes: i64) -> String {
    let tenths = (minutes * 10 + 30) / 60;
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// A spreadsheet cell that begins with `=`, `+`, `-` or `@` would be read as a formula:
/// such text must be written as a string cell, never as a formula.
pub fn is_formula_like(text: &str) -> bool {
    text.starts_with(['=', '+', '-', '@'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::local_from_ms;

    #[test]
    fn a_private_link_lasts_ninety_days_after_the_activity() {
        let activity =
            Activity { starts_at: parse_local("2026-03-01T09:00").unwrap(), ends_at: parse_local("2026-03-01T11:00").unwrap(), capacity: 10, cancelled: false };
        assert!(!activity.link_expired(parse_local("2026-05-30T11:00").unwrap()));
        assert!(activity.link_expired(parse_local("2026-05-30T11:01").unwrap()));
    }

    fn at(text: &str) -> NaiveDateTime {
        parse_local(text).unwrap()
    }

    fn activity(capacity: u32) -> Activity {
        Activity { starts_at: at("2026-07-12T09:00"), ends_at: at("2026-07-12T11:30"), capacity, cancelled: false }
    }

    fn standing(key: &str, signed_at: i64, active: bool) -> Standing {
        Standing { key: key.into(), signed_at, active, walk_in: false }
    }

    #[test]
    fn phones_are_read_as_people_type_them() {
        assert_eq!(normalise_phone("138 1234 5678"), Ok("13812345678".into()));
        assert_eq!(normalise_phone("+86 138-1234-5678"), Ok("13812345678".into()));
        for bad in ["", "1381234567", "23812345678", "12812345678", "1381234567a", "138123456789", "+1 138 1234 5678"] {
            assert_eq!(normalise_phone(bad), Err(VolunteerProblem::PhoneMalformed), "{bad}");
        }
    }

    #[test]
    fn phones_and_names_are_masked() {
        assert_eq!(mask_phone("13812341234"), "138****1234");
        assert_eq!(mask_name("李明"), "李*");
        assert_eq!(mask_name("李"), "李*");
        assert_eq!(mask_name("欧阳娜娜"), "欧***");
        assert!(!mask_name("王小二").contains("小"));
    }

    #[test]
    fn names_without_markup() {
        assert_eq!(check_name("  李明 "), Ok("李明".into()));
        assert_eq!(check_name(" "), Err(VolunteerProblem::NameMissing));
        assert_eq!(check_name(&"李".repeat(21)), Err(VolunteerProblem::NameTooLong));
        assert_eq!(check_name("<script>alert(1)</script>"), Err(VolunteerProblem::Markup { field: "name".into() }));
    }

    #[test]
    fn sign_up_before_the_start_with_a_place_or_on_the_waiting_list() {
        let a = activity(2);
        let before = at("2026-07-11T20:00");
        assert_eq!(a.may_sign_up(before, 0, false), Ok(Place::Confirmed));
        assert_eq!(a.may_sign_up(before, 1, false), Ok(Place::Confirmed));
        assert_eq!(a.may_sign_up(before, 2, false), Err(VolunteerProblem::Full { capacity: 2 }));
        assert_eq!(a.may_sign_up(before, 2, true), Ok(Place::Waiting));
        assert_eq!(a.may_sign_up(at("2026-07-12T09:00"), 0, true), Err(VolunteerProblem::Started));
        let cancelled = Activity { cancelled: true, ..a };
        assert_eq!(cancelled.may_sign_up(before, 0, true), Err(VolunteerProblem::Cancelled));
    }

    #[test]
    fn a_cancellation_moves_the_waiting_list_up() {
        let list = vec![standing("a", 1, true), standing("b", 2, true), standing("c", 3, true), standing("d", 4, true)];
        let before = places(2, &list);
        assert_eq!(before[2], ("c".into(), Place::Waiting, 1));
        assert_eq!(before[3], ("d".into(), Place::Waiting, 2));
        let mut after_cancel = list.clone();
        after_cancel[0].active = false;
        let after = places(2, &after_cancel);
        assert_eq!(after, vec![("b".into(), Place::Confirmed, 0), ("c".into(), Place::Confirmed, 0), ("d".into(), Place::Waiting, 1)]);
        // Signed up again, a cancelled sign-up joins the end of the queue.
        after_cancel[0] = standing("a", 5, true);
        assert_eq!(places(2, &after_cancel).last().unwrap(), &("a".into(), Place::Waiting, 2));
    }

    #[test]
    fn a_capacity_cut_moves_the_latest_onto_the_waiting_list() {
        let list = vec![standing("a", 1, true), standing("b", 2, true), standing("c", 3, true)];
        let cut = places(1, &list);
        assert_eq!(cut[0].1, Place::Confirmed);
        assert_eq!(cut[1], ("b".into(), Place::Waiting, 1));
        assert_eq!(cut[2], ("c".into(), Place::Waiting, 2));
        let walk_in = Standing { walk_in: true, ..standing("w", 0, true) };
        assert!(places(1, &[walk_in]).is_empty());
    }

    #[test]
    fn check_in_opens_half_an_hour_before_and_closes_at_the_end() {
        let a = activity(10);
        assert!(matches!(a.check_in_window(at("2026-07-12T08:29")), Err(VolunteerProblem::CheckInNotOpen { .. })));
        assert_eq!(a.check_in_window(at("2026-07-12T08:30")), Ok(()));
        assert_eq!(a.check_in_window(at("2026-07-12T11:30")), Ok(()));
        assert_eq!(a.check_in_window(at("2026-07-12T11:31")), Err(VolunteerProblem::Ended));
    }

    #[test]
    fn codes_allow_a_few_wrong_tries() {
        assert_eq!(check_code("123 456", "123456", 0), Ok(()));
        assert_eq!(check_code("123457", "123456", 0), Err(VolunteerProblem::WrongCode { tries_left: 4 }));
        assert_eq!(check_code("123457", "123456", 4), Err(VolunteerProblem::WrongCode { tries_left: 0 }));
        assert_eq!(check_code("12ab", "123456", 0), Err(VolunteerProblem::CodeNotSixDigits), "not a try: refused before counting");
        assert_eq!(check_code("12345", "123456", 4), Err(VolunteerProblem::CodeNotSixDigits));
        assert_eq!(check_code("12ab", "123456", 5), Err(VolunteerProblem::TooManyTries), "the lock holds whatever is typed");
        assert_eq!(check_code(" 123 456 ", "123456", 4), Ok(()));
        assert_eq!(check_code("123456", "123456", MAX_CODE_TRIES), Err(VolunteerProblem::TooManyTries));
        assert!(check_code("", "", 0).is_err());
    }

    #[test]
    fn hours_run_from_check_in_to_check_out_or_the_end() {
        let a = activity(10);
        let ms = |t: &str| ms_from_local(at(t));
        let later = ms("2026-07-13T00:00");
        assert_eq!(service_minutes(&a, Some(ms("2026-07-12T09:00")), Some(ms("2026-07-12T10:30")), later, 0), 90);
        // A forgotten check-out ends at the activity's end, once it is over.
        assert_eq!(service_minutes(&a, Some(ms("2026-07-12T09:00")), None, later, 0), 150);
        assert_eq!(service_minutes(&a, Some(ms("2026-07-12T09:00")), None, ms("2026-07-12T10:00"), 0), 0);
        // Arriving early does not count before check-in opens.
        assert_eq!(service_minutes(&a, Some(ms("2026-07-12T07:00")), Some(ms("2026-07-12T09:00")), later, 0), 30);
        assert_eq!(service_minutes(&a, Some(ms("2026-07-12T09:00")), Some(ms("2026-07-12T10:00")), later, 30), 90);
        assert_eq!(service_minutes(&a, None, None, later, 0), 0);
        assert_eq!(hours_text(90), "1.5");
        assert_eq!(hours_text(120), "2");
    }

    #[test]
    fn a_check_out_stands_within_the_activity_and_is_an_adjustment_outside_it() {
        let a = activity(10); // 09:00–11:30
        let ms = |t: &str| ms_from_local(at(t));
        let checked_in = Some(ms("2026-07-12T08:40"));
        let now = ms("2026-07-12T10:00");
        assert_eq!(check_out(&a, None, now, now, ""), Err(VolunteerProblem::NotCheckedIn));
        assert_eq!(check_out(&a, checked_in, ms("2026-07-12T08:30"), now, ""), Err(VolunteerProblem::CheckOutBeforeCheckIn));
        assert_eq!(check_out(&a, checked_in, now, now, ""), Ok(now), "during the activity: as made");
        // Right after checking in, before the start: not without a reason (no 0-hour visits).
        assert_eq!(check_out(&a, checked_in, ms("2026-07-12T08:45"), ms("2026-07-12T08:45"), ""), Err(VolunteerProblem::CheckOutBeforeStart));
        assert_eq!(check_out(&a, checked_in, ms("2026-07-12T08:45"), now, "临时有事提前离开"), Ok(ms("2026-07-12T08:45")));
        assert_eq!(check_out(&a, checked_in, ms("2026-07-12T08:45"), now, " "), Err(VolunteerProblem::CheckOutBeforeStart), "a blank reason is none");
        // Late (forgot, or a tablet synced the next day): stored as the end.
        let next_day = ms("2026-07-13T09:00");
        assert_eq!(check_out(&a, checked_in, ms("2026-07-12T20:00"), next_day, ""), Ok(ms("2026-07-12T11:30")));
        // Staff recording a real overrun say why, and it stands.
        assert_eq!(check_out(&a, checked_in, ms("2026-07-12T12:00"), next_day, "活动延长半小时"), Ok(ms("2026-07-12T12:00")));
        // Never in the future, reason or not: hours cannot be inflated by a date in 2100.
        let year_2100 = ms("2100-01-01T00:00");
        assert_eq!(check_out(&a, checked_in, year_2100, next_day, ""), Err(VolunteerProblem::CheckOutInFuture));
        assert_eq!(check_out(&a, checked_in, year_2100, next_day, "补录"), Err(VolunteerProblem::CheckOutInFuture));
        assert_eq!(check_out(&a, checked_in, now + CHECK_OUT_CLOCK_SLACK_MS, now, ""), Ok(now + CHECK_OUT_CLOCK_SLACK_MS), "a device clock a little ahead");
    }

    #[test]
    fn local_time_is_beijing_time() {
        let local = at("2026-07-12T09:00");
        assert_eq!(local_from_ms(ms_from_local(local)), local);
        assert_eq!(ms_from_local(local) % 86_400_000, 3_600_000);
    }

    #[test]
    fn the_register_sums_each_volunteer_and_leaves_out_no_time() {
        let entry = |id: &str, name: &str, minutes| (id.to_string(), name.to_string(), "138****1234".to_string(), minutes);
        let lines =
            tally_volunteers(&[entry("h1", "李明", 120), entry("h2", "王芳", 90), entry("h1", "李明", 60), entry("h3", "张伟", 0), entry("w1", "赵强", 200)]);
        let got: Vec<(&str, u32, i64)> = lines.iter().map(|l| (l.name.as_str(), l.activities, l.minutes)).collect();
        assert_eq!(got, vec![("赵强", 1, 200), ("李明", 2, 180), ("王芳", 1, 90)], "most hours first; no time, no line");
    }

    #[test]
    fn adjustments_need_a_reason_and_teams_rank_by_hours() {
        assert_eq!(check_adjustment(" "), Err(VolunteerProblem::ReasonMissing));
        assert_eq!(check_adjustment("补录纸质签到"), Ok(()));
        let ranked = rank_teams(&[("b".into(), 60), ("a".into(), 30), ("a".into(), 40), ("c".into(), 70)]);
        assert_eq!(ranked, vec![("a".into(), 70), ("c".into(), 70), ("b".into(), 60)]);
        assert!(is_formula_like("=1+1") && is_formula_like("@x") && !is_formula_like("李明"));
    }
}
