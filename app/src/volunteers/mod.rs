//! `volunteers`, the staff side of the volunteer commune (志愿公社): a branch's activities
//! and its teams' hours by month (`/volunteers`), and an activity's roster
//! (`/volunteers/:activity`) where staff check people in and out on a tablet, offline if
//! need be, add walk-ins, and reveal a phone number (each reveal audited).

mod pages;
mod photos;
mod queries;

pub use pages::{RosterPage, VolunteersPage};
pub use queries::{build, Opener};
