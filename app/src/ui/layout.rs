use crate::auth::{use_session, SessionUser};
use crate::domain::org::Role;
use crate::error::AppError;
use crate::error::ErrorView;
use crate::i18n::{role_name, switch_locale, t, use_locale, Msg, Tr};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The frame of every signed-in page: header, navigation by role, and the page itself.
/// A visitor without a session is sent to the sign-in page.
#[component]
pub fn Shell(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let children = StoredValue::new(children);
    // Read from the router now, not inside the suspense: on the server a suspended page
    // can resume after the browser left it, when the router's context is gone.
    let path = leptos_router::hooks::use_location().pathname;
    view! {
        <Transition fallback=move || view! { <p class="loading">{t(locale.get_untracked(), Msg::Loading)}</p> }>
            {move || session.user.get().map(|result| match result {
                // A one-time password is changed before anything else.
                Ok(Some(user)) if user.must_change_password && path.try_get_untracked().as_deref() != Some("/profile") => {
                    view! { <Redirect path="/profile"/> }.into_any()
                }
                Ok(Some(user)) => {
                    provide_context(user.clone());
                    crate::sync::start(&user.account);
                    keep_menu_for_offline(&user);
                    view! {
                        <a class="skip-link" href="#main"><Tr m=Msg::SkipToContent/></a>
                        <Header user logout=session.logout path/>
                        <crate::sync::SyncBar/>
                        <main id="main" tabindex="-1">{children.read_value()()}</main>
                    }.into_any()
                }
                Ok(None) | Err(AppError::Unauthenticated) => view! { <Redirect path="/login"/> }.into_any(),
                Err(error) => view! { <ErrorView error retry=move |_| session.user.refetch()/> }.into_any(),
            })}
        </Transition>
    }
}

/// The menu of a person's role: where each item goes, what it says, and whether it is
/// current only on its exact path.
pub fn menu(user: &SessionUser) -> Vec<(String, Msg, bool)> {
    let role = user.role;
    let mut items = vec![match (&user.branch, role.is_branch_staff()) {
        (Some(branch), true) => (format!("/branches/{branch}"), Msg::NavMyBranch, true),
        _ => ("/home".to_string(), Msg::NavHome, true),
    }];
    if role != Role::BranchSecretary && role != Role::CommunityStaff {
        items.push(("/branches".into(), Msg::NavBranches, true));
    }
    items.extend([
        ("/projects".into(), Msg::NavProjects, false),
        ("/catalog".into(), Msg::NavCatalog, false),
        ("/gantt".into(), Msg::NavGantt, false),
        ("/mentors".into(), Msg::NavMentors, false),
    ]);
    if role == Role::StreetStaff || role.is_branch_staff() {
        items.push(("/volunteers".into(), Msg::NavVolunteers, false));
    }
    if role == Role::StreetStaff || role == Role::LiaisonLeader || role == Role::Mentor {
        items.push(("/dashboard".into(), Msg::NavDashboard, false));
    }
    items.push(("/profile".into(), Msg::NavProfile, false));
    items
}

/// Once a page load, the service worker is asked to keep every page of the menu, so that
/// offline each opens with the data it had (see `pwa.js`), not only the pages opened by
/// a full load.
fn keep_menu_for_offline(user: &SessionUser) {
    #[cfg(feature = "hydrate")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static ASKED: AtomicBool = AtomicBool::new(false);
        if !ASKED.swap(true, Ordering::Relaxed) {
            crate::sync::warm(&menu(user).into_iter().map(|(href, _, _)| href).collect::<Vec<_>>());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = user;
}

/// Is `href` the page at `path` (or, unless `exact`, a page under it)?
fn is_current(path: &str, href: &str, exact: bool) -> bool {
    path == href || (!exact && path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/')))
}

/// The signed-in person, inside `Shell`. On the server a suspended page can resume after
/// the browser left it, when the context is gone: it then renders for nobody (the answer
/// goes nowhere, and every server function checks the session itself) instead of a panic.
pub fn use_user() -> SessionUser {
    use_context::<SessionUser>().unwrap_or_else(SessionUser::nobody)
}

#[component]
fn Header(user: SessionUser, logout: ServerAction<crate::auth::Logout>, path: Memo<String>) -> impl IntoView {
    // `logout` comes from `Shell`, taken before the suspense: on the server the context
    // can be gone by the time a suspended page resumes after the browser left it.
    let locale = use_locale();
    let items = menu(&user);
    let role = user.role;
    let who = user.display_name.clone();
    let unit = user.branch_name.clone();
    let menu_open = NodeRef::<leptos::html::Input>::new();
    view! {
        <header class="app-header">
            <a class="brand" href="/home">
                <span class="brand-mark" aria-hidden="true">"先"</span>
                <span class="brand-name"><Tr m=Msg::AppName/></span>
            </a>
            // Below 768 px the menu folds behind a button: a checkbox and its label, so it
            // opens before the wasm arrives (and without it). A page drawn anew starts shut.
            <input type="checkbox" id="menu-toggle" class="menu-toggle" aria-controls="main-nav" node_ref=menu_open/>
            <label for="menu-toggle" class="menu-button"><Tr m=Msg::Menu/></label>
            // A tapped item shuts the menu: the router may keep this header for the next page.
            <nav id="main-nav" aria-label=move || t(locale.get(), Msg::MainNav)
                on:click=move |_| if let Some(toggle) = menu_open.get_untracked() { toggle.set_checked(false) }>
                // Plain links (the router takes their clicks), marked current from the path
                // read when the page began: a router link would look for its router then.
                {items.into_iter().map(|(href, m, exact)| {
                    let target = href.clone();
                    let current = move || path.try_get().is_some_and(|here| is_current(&here, &target, exact)).then_some("page");
                    view! { <a href=href aria-current=current>{move || t(locale.get(), m)}</a> }
                }).collect_view()}
            </nav>
            <div class="who">
                <span class="who-name">{who}</span>
                <span class="who-role">{move || role_name(locale.get(), role)}{unit.clone().map(|u| format!(" · {u}"))}</span>
            </div>
            <LanguageSwitch/>
            <ActionForm action=logout attr:class="logout">
                <button type="submit" class="link" on:click=|_| forget_cached_pages()><Tr m=Msg::SignOut/></button>
            </ActionForm>
        </header>
    }
}

/// Pages the service worker keeps show the person's data: they go when the person signs
/// out. (Queued changes stay: they belong to the person and are sent at their next sign-in.)
pub fn forget_cached_pages() {
    crate::sync::call_page_hook("xfForgetPages");
}

/// A button that switches between Chinese and English.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let locale = use_locale();
    view! {
        <button type="button" class="lang-switch" lang=move || locale.get().other().tag()
            title=move || t(locale.get(), Msg::SwitchLanguageLabel)
            on:click=move |_| switch_locale(locale)>
            <Tr m=Msg::SwitchLanguage/>
        </button>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let locale = use_locale();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t(locale.get_untracked(), Msg::NotFound)/>
        <main id="main" class="narrow">
            <h1><Tr m=Msg::NotFound/></h1>
            <p><a href="/home"><Tr m=Msg::NavHome/></a></p>
        </main>
    }
}

/// The outcome of a form: a success note or an error, announced to screen readers.
#[component]
pub fn StatusLine(status: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    view! {
        {move || match status.get() {
            Some(Ok(text)) => view! { <p class="form-ok" role="status">{text}</p> }.into_any(),
            Some(Err(text)) => view! { <p class="form-error" role="alert">{text}</p> }.into_any(),
            None => view! { <p class="form-error" role="alert"></p> }.into_any(),
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::is_current;

    #[test]
    fn a_menu_item_is_current_on_its_page_and_under_it_unless_exact() {
        assert!(is_current("/projects", "/projects", false));
        assert!(is_current("/projects/p003", "/projects", false));
        assert!(!is_current("/projectsx", "/projects", false));
        assert!(!is_current("/branches/wenxing", "/branches", true));
        assert!(is_current("/branches", "/branches", true));
    }
}
