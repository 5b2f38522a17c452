use super::use_session;
use crate::i18n::{t, use_locale, Msg};
use crate::ui::LanguageSwitch;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

/// The sign-in page. Works before the wasm arrives too: the form posts to the server
/// function, which redirects.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let login = session.login;
    let error = move || {
        login.value().get().and_then(|result| result.err()).map(|error| error.message(locale.get()))
    };
    let signed_in = move || matches!(session.user.get(), Some(Ok(Some(_))));

    view! {
        <Title text=move || t(locale.get(), Msg::SignIn)/>
        <Transition>{move || signed_in().then(|| view! { <Redirect path="/"/> })}</Transition>
        <main id="main" class="login-page">
            <section class="login-card" aria-labelledby="login-title">
                <div class="brand-mark" aria-hidden="true">"先"</div>
                <h1 id="login-title">{move || t(locale.get(), Msg::AppName)}</h1>
                <p class="tagline">{move || t(locale.get(), Msg::Tagline)}</p>
                <p class="street">{move || t(locale.get(), Msg::StreetName)}</p>
                <ActionForm action=login attr:class="form" attr:novalidate=true>
                    <label for="username">{move || t(locale.get(), Msg::Username)}</label>
                    <input id="username" name="username" autocomplete="username" autocapitalize="none"
                        spellcheck="false" required/>
                    <label for="password">{move || t(locale.get(), Msg::Password)}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                    <p class="form-error" role="alert" aria-live="assertive">{error}</p>
                    <button type="submit" class="primary" disabled=move || login.pending().get()>
                        {move || t(locale.get(), if login.pending().get() { Msg::SigningIn } else { Msg::SignIn })}
                    </button>
                </ActionForm>
                <LanguageSwitch/>
            </section>
        </main>
    }
}
