//! Shared layout and components.

mod layout;

pub use layout::{forget_cached_pages, use_user, LanguageSwitch, NotFoundPage, Shell, StatusLine};
