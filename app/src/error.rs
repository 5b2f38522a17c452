//! The one error type of server functions. Internal causes are logged on the server and
//! never sent; the client gets a variant it can translate.

use crate::i18n::{t, Locale, Msg};
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Already translated for the person who asked.
    #[error("{0}")]
    Message(String),
    #[error("not signed in")]
    Unauthenticated,
    #[error("not permitted")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("internal error")]
    Internal,
    #[error("request failed: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl AppError {
    /// What to show a person.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            AppError::Message(text) => text.clone(),
            AppError::Unauthenticated => t(locale, Msg::SessionExpired).into(),
            AppError::Forbidden => crate::i18n::reason_message(locale, &crate::domain::ops::Reason::Forbidden),
            AppError::NotFound => t(locale, Msg::NotFound).into(),
            AppError::Internal => t(locale, Msg::ServerError).into(),
            // Mostly a page's data that could not be read: nothing was being submitted.
            AppError::Transport(_) => t(locale, Msg::ServerUnreachable).into(),
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status a server function's `Err` is answered with (Leptos answers 500 for
    /// every one): a refusal is the asker's, a failure the server's.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            AppError::Message(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Transport(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// Logs an internal failure and hides it from the client.
    pub fn internal(cause: impl std::fmt::Display) -> AppError {
        tracing::error!(%cause, "internal error");
        AppError::Internal
    }
}

/// How every page shows an error: the message in the person's language and, when trying
/// again may help (the server or the network failed, not a refusal), a button that does.
#[leptos::component]
pub fn ErrorView(error: AppError, #[prop(optional, into)] retry: Option<leptos::prelude::Callback<()>>) -> impl leptos::prelude::IntoView {
    use leptos::prelude::*;
    let locale = crate::i18n::use_locale();
    let passing = matches!(error, AppError::Internal | AppError::Transport(_));
    let message = move || error.message(locale.get());
    view! {
        <div class="error-view" role="alert">
            <p class="form-error">{message}</p>
            {retry.filter(|_| passing).map(|retry| view! {
                <button type="button" class="secondary" on:click=move |_| retry.run(())><crate::i18n::Tr m=Msg::Retry/></button>
            })}
        </div>
    }
}
