//! `/home`: each role's first screen.

use crate::ui::{use_user, Shell};
use leptos::prelude::*;
use leptos_router::components::Redirect;

/// `/`: each role's first screen. Branch staff go to their branch; everyone else sees
/// the street's branches.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Shell>
            {move || {
                let user = use_user();
                match (user.role.is_branch_staff(), user.branch.clone()) {
                    (true, Some(branch)) => view! { <Redirect path=format!("/branches/{branch}")/> }.into_any(),
                    _ => view! { <crate::branches::BranchesOverview/> }.into_any(),
                }
            }}
        </Shell>
    }
}
