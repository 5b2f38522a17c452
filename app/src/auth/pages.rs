use super::use_session;
use crate::error::AppError;
use crate::i18n::{t, use_locale, Msg, Tr};
use crate::ui::LanguageSwitch;
use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// The sign-in page. Works before the wasm arrives too: the form posts to the server
/// function, which redirects.
#[component]
pub fn LoginPage() -> impl IntoView {
    let session = use_session();
    let locale = use_locale();
    let login = session.login;
    // Without wasm the form posts natively and a refusal comes back in the URL.
    let query = use_query_map();
    let url_error = move || query.read().get("__err").map(|e| ServerFnUrlError::<AppError>::decode_err(&e).message(locale.get()));
    let error = move || login.value().get().and_then(|result| result.err()).map(|error| error.message(locale.get())).or_else(url_error);
    let logout = session.logout;
    let who = move || session.user.get().and_then(Result::ok).flatten().map(|u| (u.display_name, u.username));
    let signed_in = move || who().is_some();
    // Signed in on this page just now: on to the person's home page (without wasm the
    // server's answer redirects).
    let just_signed_in = move || matches!(login.value().get(), Some(Ok(())));

    view! {
        <Title text=t(locale.get_untracked(), Msg::SignIn)/>
        <main id="main" class="login-page">
            <section class="login-card" aria-labelledby="login-title">
                <div class="brand-mark" aria-hidden="true">"先"</div>
                <h1 id="login-title"><Tr m=Msg::AppName/></h1>
                <p class="tagline"><Tr m=Msg::Tagline/></p>
                <p class="street"><Tr m=Msg::StreetName/></p>
                // A tablet shared at the office: whoever is signed in is named, and the next
                // person switches (signs out, then the form) instead of landing in their pages.
                // Show, not a match: a refused sign-in refetches the person, and the form
                // (with what was typed) must stay as it is.
                <Transition>
                    <Show when=signed_in fallback=move || view! {
                        <ActionForm action=login attr:class="form" attr:novalidate=true>
                            <label for="username"><Tr m=Msg::Username/></label>
                            <input id="username" name="username" autocomplete="username" autocapitalize="none"
                                spellcheck="false" required/>
                            <label for="password"><Tr m=Msg::Password/></label>
                            <input id="password" name="password" type="password" autocomplete="current-password" required/>
                            <p class="form-error" role="alert" aria-live="assertive">{error}</p>
                            <button type="submit" class="primary" disabled=move || login.pending().get()>
                                {move || t(locale.get(), if login.pending().get() { Msg::SigningIn } else { Msg::SignIn })}
                            </button>
                        </ActionForm>
                    }>
                        {move || just_signed_in().then(|| view! { <Redirect path="/home"/> })}
                        <div class="signed-in" role="status">
                            <p><Tr m=Msg::AlreadySignedIn/><strong>{move || who().map(|(name, _)| name)}</strong>" ("{move || who().map(|(_, username)| username)}")"</p>
                            <a class="button primary" href="/home"><Tr m=Msg::GoOnAs/></a>
                            <ActionForm action=logout attr:class="switch">
                                <button type="submit" class="secondary" on:click=|_| crate::ui::forget_cached_pages()><Tr m=Msg::SwitchAccount/></button>
                            </ActionForm>
                        </div>
                    </Show>
                </Transition>
                <LanguageSwitch/>
            </section>
        </main>
    }
}
