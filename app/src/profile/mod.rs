//! A person's own profile: their details and their password (`profile`).

use crate::domain::auth::check_password_change;
use crate::domain::ops::{OpKind, Operation};
use crate::error::AppError;
use crate::error::ErrorView;
use crate::i18n::{password_problem, role_name, t, use_locale, Msg, Tr};
use crate::sync::{stamp, submit};
use crate::ui::{Shell, StatusLine};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub account: String,
    pub username: String,
    pub display_name: String,
    pub phone: String,
    pub role: crate::domain::org::Role,
    pub branch_name: Option<String>,
}

/// The signed-in person's own details.
#[server]
pub async fn my_profile() -> Result<Profile, AppError> {
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let phone: Option<String> =
        crate::db::row(&db, "SELECT VALUE phone FROM ONLY type::record('account', $key)", json!({ "key": user.account })).await.map_err(AppError::internal)?;
    Ok(Profile {
        account: user.account,
        username: user.username,
        display_name: user.display_name,
        phone: phone.unwrap_or_default(),
        role: user.role,
        branch_name: user.branch_name,
    })
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    let locale = use_locale();
    let version = RwSignal::new(0u32);
    let profile = Resource::new(move || version.get(), |_| my_profile());
    // Taken now, not inside the page: on the server a suspended page can resume after the
    // browser left it, when the context is gone.
    let session = crate::auth::use_session();
    view! {
        <Title text=t(locale.get_untracked(), Msg::Profile)/>
        <Shell>
            <section class="page">
                <h1><Tr m=Msg::Profile/></h1>
                {move || session.user.get().and_then(|u| u.ok().flatten()).filter(|u| u.must_change_password).map(|_| view! {
                    <p class="form-error" role="alert"><Tr m=Msg::ChangeOneTimePassword/></p>
                })}
                <Transition fallback=move || view! { <p class="loading">{t(locale.get_untracked(), Msg::Loading)}</p> }>
                    {move || profile.get().map(|result| match result {
                        Ok(p) => view! {
                            <div class="columns">
                                <DetailsForm profile=p.clone() version/>
                                <PasswordForm account=p.account session/>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error retry=move |_| profile.refetch()/> }.into_any(),
                    })}
                </Transition>
            </section>
        </Shell>
    }
}

#[component]
fn DetailsForm(profile: Profile, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let name = RwSignal::new(profile.display_name.clone());
    let phone = RwSignal::new(profile.phone.clone());
    let status = RwSignal::new(None::<Result<String, String>>);
    let saving = RwSignal::new(false);
    let original = StoredValue::new(profile.clone());
    let role = profile.role;
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let before = original.get_value();
        let mut fields = BTreeMap::new();
        let (new_name, new_phone) = (name.get_untracked().trim().to_string(), phone.get_untracked().trim().to_string());
        if new_name != before.display_name {
            fields.insert("display_name".to_string(), json!(new_name));
        }
        if new_phone != before.phone {
            fields.insert("phone".to_string(), json!(new_phone));
        }
        if fields.is_empty() {
            return;
        }
        let op = Operation::new("account", &before.account, OpKind::Set { fields }, stamp());
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = submit(op, locale.get_untracked()).await;
            saving.set(false);
            status.set(Some(result.map(|_| t(locale.get_untracked(), Msg::Saved).to_string())));
            if status.get_untracked().is_some_and(|s| s.is_ok()) {
                version.update(|v| *v += 1);
            }
        });
    };
    view! {
        <section class="panel" aria-labelledby="account-title">
            <h2 id="account-title"><Tr m=Msg::Account/></h2>
            <dl class="facts">
                <div><dt><Tr m=Msg::Username/></dt><dd>{profile.username.clone()}</dd></div>
                <div><dt><Tr m=Msg::Role/></dt><dd>{move || role_name(locale.get(), role)}</dd></div>
                {profile.branch_name.clone().map(|b| view! { <div><dt><Tr m=Msg::Branch/></dt><dd>{b}</dd></div> })}
            </dl>
            <form class="form" on:submit=save>
                <label for="display-name"><Tr m=Msg::DisplayName/></label>
                <input id="display-name" maxlength="40" autocomplete="name" bind:value=name/>
                <label for="own-phone"><Tr m=Msg::Phone/></label>
                <input id="own-phone" type="tel" inputmode="tel" maxlength="20" autocomplete="tel" bind:value=phone/>
                <StatusLine status/>
                <button type="submit" class="primary" disabled=move || saving.get()>
                    {move || t(locale.get(), if saving.get() { Msg::Saving } else { Msg::Save })}
                </button>
            </form>
        </section>
    }
}

#[component]
fn PasswordForm(account: String, session: crate::auth::Session) -> impl IntoView {
    let locale = use_locale();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let saving = RwSignal::new(false);
    let account = StoredValue::new(account);
    let change = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale_now = locale.get_untracked();
        let (cur, next) = (current.get_untracked(), new.get_untracked());
        if next != confirm.get_untracked() {
            status.set(Some(Err(t(locale_now, Msg::PasswordsDiffer).into())));
            return;
        }
        if let Err(problem) = check_password_change(&cur, &next) {
            status.set(Some(Err(password_problem(locale_now, problem).into())));
            return;
        }
        let op = Operation::new("account", &account.get_value(), OpKind::ChangePassword { current: cur, new: next }, stamp());
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = submit(op, locale_now).await;
            saving.set(false);
            if result.is_ok() {
                current.set(String::new());
                new.set(String::new());
                confirm.set(String::new());
                // A one-time password changed: the other pages open again (read the
                // person afresh only then: it draws the page anew).
                if session.user.get_untracked().and_then(|u| u.ok().flatten()).is_some_and(|u| u.must_change_password) {
                    session.user.refetch();
                }
            }
            status.set(Some(result.map(|_| t(locale_now, Msg::PasswordChanged).to_string())));
        });
    };
    view! {
        <section class="panel" aria-labelledby="password-title">
            <h2 id="password-title"><Tr m=Msg::ChangePassword/></h2>
            <form class="form" on:submit=change>
                <input type="text" name="username" autocomplete="username" hidden/>
                <label for="current-password"><Tr m=Msg::CurrentPassword/></label>
                <input id="current-password" type="password" autocomplete="current-password" bind:value=current/>
                <label for="new-password"><Tr m=Msg::NewPassword/></label>
                <input id="new-password" type="password" autocomplete="new-password" aria-describedby="password-hint" bind:value=new/>
                <p id="password-hint" class="hint"><Tr m=Msg::PasswordHint/></p>
                <label for="confirm-password"><Tr m=Msg::ConfirmPassword/></label>
                <input id="confirm-password" type="password" autocomplete="new-password" bind:value=confirm/>
                <StatusLine status/>
                <button type="submit" class="primary" disabled=move || saving.get()>
                    {move || t(locale.get(), if saving.get() { Msg::Saving } else { Msg::ChangePassword })}
                </button>
            </form>
        </section>
    }
}
