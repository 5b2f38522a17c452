//! Party-building projects (`projects`): the board, a project's page, declaring one,
//! the street's dashboard and the reference catalog.

mod catalog;
mod pages;
mod queries;

pub use catalog::CatalogPage;
pub use pages::{BoardPage, DashboardPage, DeclarePage, ProjectPage};
pub use queries::*;
