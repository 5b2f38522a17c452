//! The street's grassroots branches and each branch's own page (`branches`).

mod pages;
mod queries;

pub use pages::{BranchPage, BranchesOverview, BranchesPage};
pub use queries::{get_branch, list_branches, BranchDetail, BranchSummary, Note, PersonLine};
