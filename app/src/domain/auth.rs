//! Sign-in rules that both sides need: the password policy, lockout and idle timeout
//! (the figures 等保2.0 assessors expect).

use serde::{Deserialize, Serialize};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Wrong passwords in a row before the account is locked.
pub const MAX_FAILED_LOGINS: u32 = 5;
pub const LOCK_MINUTES: i64 = 15;
/// A session unused for this long is over.
pub const IDLE_MINUTES: i64 = 30;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum PasswordError {
    #[error("password too short")]
    TooShort,
    #[error("password too long")]
    TooLong,
    #[error("password needs three kinds of characters")]
    TooSimple,
    #[error("new password equals the current one")]
    Unchanged,
}

/// A password needs 8+ characters from at least three of: lower case, upper case,
/// digits, other characters.
pub fn check_password_policy(password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong);
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|&&present| present).count() < 3 {
        return Err(PasswordError::TooSimple);
    }
    Ok(())
}

/// Checks a requested password change before it is sent or applied.
pub fn check_password_change(current: &str, new: &str) -> Result<(), PasswordError> {
    check_password_policy(new)?;
    if current == new {
        return Err(PasswordError::Unchanged);
    }
    Ok(())
}

/// After a wrong password: the new failure count, and whether the account is now locked.
pub fn after_failed_login(failures_before: u32) -> (u32, bool) {
    let failures = failures_before.saturating_add(1);
    (failures, failures >= MAX_FAILED_LOGINS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(password: &str, expected: Result<(), PasswordError>) {
        assert_eq!(check_password_policy(password), expected, "{password:?}");
    }

    #[test]
    fn password_policy() {
        check("Abc12345", Ok(()));
        check("abc-12345", Ok(()));
        check("先锋Abc-123", Ok(()));
        check("Ab1-", Err(PasswordError::TooShort));
        check("abcdefgh", Err(PasswordError::TooSimple));
        check("abcd1234", Err(PasswordError::TooSimple));
        check("ABCD1234", Err(PasswordError::TooSimple));
        check(&"Aa1-".repeat(40), Err(PasswordError::TooLong));
    }

    #[test]
    fn a_change_must_differ() {
        assert_eq!(check_password_change("Abc12345", "Abc12345"), Err(PasswordError::Unchanged));
        assert_eq!(check_password_change("Abc12345", "Xyz-98765"), Ok(()));
        assert_eq!(check_password_change("Abc12345", "short"), Err(PasswordError::TooShort));
    }

    #[test]
    fn fifth_failure_locks() {
        let mut failures = 0;
        for attempt in 1..=MAX_FAILED_LOGINS {
            let (now, locked) = after_failed_login(failures);
            failures = now;
            assert_eq!(locked, attempt == MAX_FAILED_LOGINS, "attempt {attempt}");
        }
    }
}
