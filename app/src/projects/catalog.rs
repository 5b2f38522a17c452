//! `/catalog`: the reference catalog (《党建工作项目化项目参考目录库》). Branches browse it
//! and start a declaration from an entry; street staff keep it.

use super::pages::PrincipleChecks;
use super::queries::{list_catalog, CatalogEntry};
use crate::domain::ops::{OpKind, Operation};
use crate::domain::org::Role;
use crate::domain::projects::{Category, Indicator};
use crate::error::ErrorView;
use crate::i18n::{category_name, principle_name, t, use_locale, Msg, Tr};
use crate::sync::{stamp, submit};
use crate::ui::{use_user, Shell, StatusLine};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde_json::json;
use std::collections::BTreeMap;

#[component]
pub fn CatalogPage() -> impl IntoView {
    let locale = use_locale();
    let query = use_query_map();
    let version = RwSignal::new(0u32);
    let entries = Resource::new(move || version.get(), |_| list_catalog());
    let chosen = move || query.read().get("category").and_then(|c| Category::from_code(&c));
    view! {
        <Title text=t(locale.get_untracked(), Msg::Catalog)/>
        <Shell>
            <section class="page">
                <h1><Tr m=Msg::Catalog/></h1>
                <nav class="chips" aria-label=move || t(locale.get(), Msg::Category)>
                    <a href="/catalog" aria-current=move || chosen().is_none().then_some("page")><Tr m=Msg::All/></a>
                    {Category::ALL.into_iter().map(|c| view! {
                        <a href=format!("/catalog?category={}", c.code()) aria-current=move || (chosen() == Some(c)).then_some("page")>
                            {move || category_name(locale.get(), c)}
                        </a>
                    }).collect_view()}
                </nav>
                <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                    {move || entries.get().map(|result| match result {
                        Ok(list) => {
                            let shown: Vec<CatalogEntry> = list.into_iter().filter(|e| chosen().is_none_or(|c| c == e.category)).collect();
                            view! {
                                <ul class="cards" role="list">
                                    {shown.into_iter().map(|entry| view! { <CatalogCard entry version/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorView error retry=move |_| entries.refetch()/> }.into_any(),
                    })}
                </Transition>
                {move || (use_user().role == Role::StreetStaff).then(|| view! { <EntryForm entry=None version/> })}
            </section>
        </Shell>
    }
}

#[component]
fn CatalogCard(entry: CatalogEntry, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let user = use_user();
    let editing = RwSignal::new(false);
    let category = entry.category;
    let stored = StoredValue::new(entry.clone());
    view! {
        <li class="card">
            <div class="card-link">
                <span class="card-title">{entry.title.clone()}</span>
                <span class="badge">{move || category_name(locale.get(), category)}</span>
            </div>
            <p class="tags">{entry.principles.iter().map(|p| { let p = *p; view! { <span class="badge">{move || principle_name(locale.get(), p)}</span> } }).collect_view()}</p>
            <p>{entry.description.clone()}</p>
            <p class="muted">{entry.indicators.iter().map(|i| format!("{} {}%", i.name, i.weight)).collect::<Vec<_>>().join("；")}</p>
            <div class="moves">
                {user.role.is_branch_staff().then(|| view! {
                    <a class="button primary" href=format!("/projects/new?catalog={}", entry.key)><Tr m=Msg::DeclareFromEntry/></a>
                })}
                {(user.role == Role::StreetStaff).then(|| view! {
                    <button type="button" class="secondary" on:click=move |_| editing.update(|e| *e = !*e)>
                        {move || t(locale.get(), if editing.get() { Msg::Cancel } else { Msg::Edit })}
                    </button>
                })}
            </div>
            <Show when=move || editing.get()>
                <EntryForm entry=Some(stored.get_value()) version/>
            </Show>
        </li>
    }
}

/// Adds an entry (`entry` is `None`) or edits one; street staff only (the server checks).
#[component]
fn EntryForm(entry: Option<CatalogEntry>, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let existing = entry.is_some();
    let key = StoredValue::new(entry.as_ref().map(|e| e.key.clone()).unwrap_or_default());
    let title = RwSignal::new(entry.as_ref().map(|e| e.title.clone()).unwrap_or_default());
    let category = RwSignal::new(entry.as_ref().map(|e| e.category).unwrap_or(Category::Livelihood).code().to_string());
    let principles = RwSignal::new(entry.as_ref().map(|e| e.principles.clone()).unwrap_or_default());
    let description = RwSignal::new(entry.as_ref().map(|e| e.description.clone()).unwrap_or_default());
    let indicators = RwSignal::new(
        entry.as_ref().map(|e| e.indicators.iter().map(|i| format!("{} {}", i.name, i.weight)).collect::<Vec<_>>().join("\n")).unwrap_or_default(),
    );
    let status = RwSignal::new(None::<Result<String, String>>);
    let id = if existing { format!("entry-{}", key.get_value()) } else { "entry-new".to_string() };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale_now = locale.get_untracked();
        let mut list = Vec::new();
        for line in indicators.get_untracked().lines().map(str::trim).filter(|l| !l.is_empty()) {
            match line.rsplit_once([' ', '\t']).and_then(|(n, w)| Some((n.trim().to_string(), w.trim().trim_end_matches('%').parse::<u32>().ok()?))) {
                Some((name, weight)) => list.push(Indicator { name, weight }),
                None => {
                    status.set(Some(Err(t(locale_now, Msg::IndicatorFormat).into())));
                    return;
                }
            }
        }
        let fields: BTreeMap<String, serde_json::Value> = BTreeMap::from([
            ("title".to_string(), json!(title.get_untracked().trim())),
            ("category".to_string(), json!(category.get_untracked())),
            ("principles".to_string(), json!(principles.get_untracked().iter().map(|p| p.code()).collect::<Vec<_>>())),
            ("description".to_string(), json!(description.get_untracked().trim())),
            ("indicators".to_string(), json!(list)),
        ]);
        let op = if existing {
            Operation::new("catalog_entry", &key.get_value(), OpKind::Set { fields }, stamp())
        } else {
            Operation::new("catalog_entry", &uuid::Uuid::now_v7().simple().to_string(), OpKind::Create { fields }, stamp())
        };
        leptos::task::spawn_local(async move {
            match submit(op, locale_now).await {
                Ok(_) => {
                    status.set(Some(Ok(t(locale_now, Msg::Saved).into())));
                    if !existing {
                        title.set(String::new());
                        description.set(String::new());
                    }
                    version.update(|v| *v += 1);
                }
                Err(message) => status.set(Some(Err(message))),
            }
        });
    };
    view! {
        <form class="form panel entry-form" on:submit=save>
            {(!existing).then(|| view! { <h2><Tr m=Msg::AddEntry/></h2> })}
            <label for=format!("{id}-title")><Tr m=Msg::EntryTitle/></label>
            <input id=format!("{id}-title") maxlength="60" bind:value=title/>
            <label for=format!("{id}-category")><Tr m=Msg::Category/></label>
            <select id=format!("{id}-category") bind:value=category>
                {Category::ALL.into_iter().map(|c| view! { <option value=c.code()>{move || category_name(locale.get(), c)}</option> }).collect_view()}
            </select>
            <fieldset>
                <legend><Tr m=Msg::Principles/></legend>
                <PrincipleChecks principles/>
            </fieldset>
            <label for=format!("{id}-description")><Tr m=Msg::Description/></label>
            <textarea id=format!("{id}-description") rows="3" bind:value=description></textarea>
            <label for=format!("{id}-indicators")><Tr m=Msg::Indicators/></label>
            <textarea id=format!("{id}-indicators") rows="3" bind:value=indicators></textarea>
            <p class="hint"><Tr m=Msg::IndicatorHint/></p>
            <button type="submit" class="primary"><Tr m=Msg::Save/></button>
            <StatusLine status/>
        </form>
    }
}
