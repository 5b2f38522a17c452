//! Plans (`gantt`): a project's Gantt chart at `/gantt/:project`, the street's programme
//! at `/gantt`. The rules are `domain::gantt` and `domain::schedule`.

#[cfg(feature = "ssr")]
pub mod store;
