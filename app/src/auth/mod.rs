//! Sign-in, sessions and the signed-in person (`auth`).

mod pages;
#[cfg(feature = "ssr")]
pub mod store;

pub use pages::LoginPage;

use crate::domain::org::{Actor, Role};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The signed-in person as pages see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionUser {
    pub account: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub branch: Option<String>,
    pub branch_name: Option<String>,
    /// Signed in with a one-time password (`xianfeng admin create-account`): every page
    /// leads to the profile until it is changed.
    #[serde(default)]
    pub must_change_password: bool,
}

impl SessionUser {
    /// No one: a resident without an account, who may do nothing a page offers staff.
    pub fn nobody() -> SessionUser {
        SessionUser {
            account: String::new(),
            username: String::new(),
            display_name: String::new(),
            role: Role::Resident,
            branch: None,
            branch_name: None,
            must_change_password: false,
        }
    }

    pub fn actor(&self) -> Actor {
        Actor { account: self.account.clone(), role: self.role, branch: self.branch.clone() }
    }
}

/// What the app keeps in context about sign-in: the current person, and the actions
/// that change it (so the person is fetched again after either).
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<SessionUser>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
}

pub fn provide_session() {
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let user = Resource::new(move || (login.version().get(), logout.version().get()), |_| current_user());
    provide_context(Session { user, login, logout });
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The person signed in, or `None`.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<SessionUser>, AppError> {
    store::user_from_request().await
}

/// Signs in; sets the session cookie and sends the browser home.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    let locale = crate::i18n::request_locale();
    let username = username.trim().to_string();
    if username.is_empty() || password.is_empty() {
        return Err(AppError::Message(crate::i18n::t(locale, crate::i18n::Msg::LoginNeedsBoth).into()));
    }
    let db = store::db()?;
    let token = store::sign_in(&db, &username, &password, locale).await?;
    store::set_session_cookie(&token);
    leptos_axum::redirect("/home");
    Ok(())
}

/// Ends this session and goes back to the sign-in page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let db = store::db()?;
    if let Some(token) = store::request_token().await {
        store::end_session(&db, &token).await?;
    }
    store::clear_session_cookie();
    leptos_axum::redirect("/login");
    Ok(())
}
