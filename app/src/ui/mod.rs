//! Shared layout and components.

mod format;
mod layout;

pub use format::format_datetime;
pub use layout::{forget_cached_pages, use_user, HomePage, LanguageSwitch, NotFoundPage, Shell, StatusLine};
