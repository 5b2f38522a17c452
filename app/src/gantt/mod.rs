//! Plans (`gantt`): a project's Gantt chart at `/gantt/:project`, the street's programme
//! at `/gantt`. The rules are `domain::gantt` and `domain::schedule`.

mod bench;
mod calendar;
pub mod chart;
mod pages;
mod queries;
#[cfg(feature = "ssr")]
pub mod store;

pub use bench::GanttBenchPage;
pub use calendar::CalendarPage;
pub use pages::{GanttPage, ProgrammePage};
pub use queries::*;
