//! The mentor team (`mentors`): `/mentors` with the pairing graph, the list, the
//! mentoring log and the forms. The rules are `domain::mentors`.

mod pages;
mod queries;

pub use pages::MentorsPage;
pub use queries::*;
