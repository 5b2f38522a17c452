//! Shared layout and components.

mod format;
mod layout;

pub use format::format_datetime;
pub use layout::{HomePage, LanguageSwitch, NotFoundPage, Shell};
