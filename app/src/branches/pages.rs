use super::queries::{get_branch, list_branches, BranchDetail, BranchSummary};
use crate::domain::ops::{OpKind, Operation};
use crate::domain::org::BranchKind;
use crate::domain::time::format_datetime;
use crate::error::ErrorView;
use crate::i18n::{branch_kind_name, role_name, t, use_locale, Msg, Tr};
use crate::sync::{stamp, submit};
use crate::ui::Shell;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde_json::json;
use std::collections::BTreeMap;

/// `/branches`: every branch of the street.
#[component]
pub fn BranchesPage() -> impl IntoView {
    view! { <Shell><BranchesOverview/></Shell> }
}

/// The street's first screen: its branches at a glance.
#[component]
pub fn BranchesOverview() -> impl IntoView {
    let locale = use_locale();
    let branches = Resource::new(|| (), |_| list_branches());
    view! {
        <Title text=t(locale.get_untracked(), Msg::Branches)/>
        <section class="page">
            <h1><Tr m=Msg::Branches/></h1>
            <p class="lead"><Tr m=Msg::BranchesSummary/></p>
            <Transition fallback=move || view! { <p class="loading">{t(locale.get_untracked(), Msg::Loading)}</p> }>
                {move || branches.get().map(|result| match result {
                    Ok(list) => view! { <BranchCounts list=list.clone()/><BranchGrid list/> }.into_any(),
                    Err(error) => view! { <ErrorView error retry=move |_| branches.refetch()/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn BranchCounts(list: Vec<BranchSummary>) -> impl IntoView {
    let count = |kind: BranchKind| list.iter().filter(|b| b.kind == kind).count();
    let figures = [
        (Msg::Total, list.len()),
        (Msg::Communities, count(BranchKind::Community)),
        (Msg::Villages, count(BranchKind::Village)),
        (Msg::Others, count(BranchKind::Other)),
    ];
    view! {
        <dl class="stats">
            {figures.into_iter().map(|(label, n)| view! {
                <div class="stat"><dt><Tr m=label/></dt><dd>{n}</dd></div>
            }).collect_view()}
        </dl>
    }
}

#[component]
fn BranchGrid(list: Vec<BranchSummary>) -> impl IntoView {
    let locale = use_locale();
    view! {
        <ul class="cards" role="list">
            {list.into_iter().map(|b| {
                let kind = b.kind;
                view! {
                    <li class="card">
                        <a href=format!("/branches/{}", b.key) class="card-link">
                            <span class="card-title">{b.name}</span>
                            <span class=format!("badge kind-{}", kind.code())>{move || branch_kind_name(locale.get(), kind)}</span>
                        </a>
                        <dl class="card-facts">
                            <div><dt><Tr m=Msg::ColSecretary/></dt><dd>{b.secretary.unwrap_or_else(|| "—".into())}</dd></div>
                            <div><dt><Tr m=Msg::ColPhone/></dt><dd>{if b.phone.is_empty() { "—".to_string() } else { b.phone }}</dd></div>
                            <div><dt><Tr m=Msg::ColStaff/></dt><dd>{b.staff}</dd></div>
                        </dl>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// `/branches/:key`: a branch's own page; its staff edit it here.
#[component]
pub fn BranchPage() -> impl IntoView {
    let locale = use_locale();
    let params = use_params_map();
    let key = move || params.read().get("key").unwrap_or_default();
    let version = RwSignal::new(0u32);
    let branch = Resource::new(move || (key(), version.get()), |(key, _)| get_branch(key));
    view! {
        <Shell>
            <Transition fallback=move || view! { <p class="loading">{t(locale.get_untracked(), Msg::Loading)}</p> }>
                {move || branch.get().map(|result| match result {
                    Ok(detail) => view! { <BranchView detail version/> }.into_any(),
                    Err(error) => view! {
                        <Title text=t(locale.get_untracked(), Msg::NotFound)/>
                        <section class="page"><ErrorView error retry=move |_| branch.refetch()/></section>
                    }.into_any(),
                })}
            </Transition>
        </Shell>
    }
}

#[component]
fn BranchView(detail: BranchDetail, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let kind = detail.kind;
    let title = detail.name.clone();
    let not_set = move || t(locale.get(), Msg::NotSet);
    let show = |value: String| if value.is_empty() { None } else { Some(value) };
    let (intro, address, phone) = (show(detail.intro.clone()), show(detail.address.clone()), show(detail.phone.clone()));
    let editing = RwSignal::new(false);
    let form_detail = StoredValue::new(detail.clone());
    view! {
        <Title text=title.clone()/>
        <section class="page">
            <p class="crumbs"><a href="/branches"><Tr m=Msg::BackToBranches/></a></p>
            <header class="page-head">
                <h1>{detail.name.clone()}</h1>
                <span class=format!("badge kind-{}", kind.code())>{move || branch_kind_name(locale.get(), kind)}</span>
            </header>
            <div class="columns">
                <section class="panel" aria-labelledby="about-title">
                    <div class="panel-head">
                        <h2 id="about-title"><Tr m=Msg::BasicInfo/></h2>
                        {detail.can_edit.then(|| view! {
                            <button type="button" class="secondary" on:click=move |_| editing.update(|e| *e = !*e)
                                aria-expanded=move || editing.get().to_string()>
                                {move || t(locale.get(), if editing.get() { Msg::Cancel } else { Msg::Edit })}
                            </button>
                        })}
                    </div>
                    <Show when=move || editing.get() fallback=move || view! {
                        <p class="intro">{intro.clone().unwrap_or_else(|| not_set().into())}</p>
                        <dl class="facts">
                            <div><dt><Tr m=Msg::Address/></dt><dd>{address.clone().unwrap_or_else(|| not_set().into())}</dd></div>
                            <div><dt><Tr m=Msg::Phone/></dt><dd>{phone.clone().unwrap_or_else(|| not_set().into())}</dd></div>
                        </dl>
                    }>
                        <BranchForm detail=form_detail.get_value() editing version/>
                    </Show>
                </section>
                <section class="panel" aria-labelledby="people-title">
                    <h2 id="people-title"><Tr m=Msg::People/></h2>
                    <ul class="people" role="list">
                        {detail.people.iter().map(|p| {
                            let role = p.role;
                            view! { <li><span class="person">{p.display_name.clone()}</span><span class="muted">{move || role_name(locale.get(), role)}</span></li> }
                        }).collect_view()}
                    </ul>
                </section>
            </div>
            <section class="panel" aria-labelledby="notes-title">
                <h2 id="notes-title"><Tr m=Msg::Notes/></h2>
                {detail.can_edit.then(|| view! { <NoteForm branch=detail.key.clone() version/> })}
                {if detail.notes.is_empty() {
                    view! { <p class="muted"><Tr m=Msg::NoNotes/></p> }.into_any()
                } else {
                    view! {
                        <ol class="notes">
                            {detail.notes.iter().map(|n| view! {
                                <li><p>{n.text.clone()}</p><p class="muted"><span>{n.author_name.clone()}</span>" · "<time>{format_datetime(n.at)}</time></p></li>
                            }).collect_view()}
                        </ol>
                    }.into_any()
                }}
            </section>
        </section>
    }
}

/// Edits the branch's plain fields; only the fields that changed are sent.
#[component]
fn BranchForm(detail: BranchDetail, editing: RwSignal<bool>, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let intro = RwSignal::new(detail.intro.clone());
    let address = RwSignal::new(detail.address.clone());
    let phone = RwSignal::new(detail.phone.clone());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let original = StoredValue::new(detail.clone());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let before = original.get_value();
        let mut fields = BTreeMap::new();
        for (name, old, new) in [
            ("intro", before.intro, intro.get_untracked()),
            ("address", before.address, address.get_untracked()),
            ("phone", before.phone, phone.get_untracked()),
        ] {
            let new = new.trim().to_string();
            if new != old {
                fields.insert(name.to_string(), json!(new));
            }
        }
        if fields.is_empty() {
            editing.set(false);
            return;
        }
        let op = Operation::new("branch", &before.key, OpKind::Set { fields }, stamp());
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = submit(op, locale.get_untracked()).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    editing.set(false);
                    version.update(|v| *v += 1);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <form class="form" on:submit=save>
            <label for="branch-intro"><Tr m=Msg::Intro/></label>
            <textarea id="branch-intro" rows="5" maxlength="2000" bind:value=intro></textarea>
            <label for="branch-address"><Tr m=Msg::Address/></label>
            <input id="branch-address" maxlength="200" bind:value=address/>
            <label for="branch-phone"><Tr m=Msg::Phone/></label>
            <input id="branch-phone" type="tel" inputmode="tel" maxlength="20" bind:value=phone/>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary" disabled=move || saving.get()>
                {move || t(locale.get(), if saving.get() { Msg::Saving } else { Msg::Save })}
            </button>
        </form>
    }
}

/// Appends a work note to the branch.
#[component]
fn NoteForm(branch: String, version: RwSignal<u32>) -> impl IntoView {
    let locale = use_locale();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let branch = StoredValue::new(branch);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let item = json!({ "text": text.get_untracked().trim() });
        let op = Operation::new("branch", &branch.get_value(), OpKind::Append { list: "notes".into(), item }, stamp());
        saving.set(true);
        leptos::task::spawn_local(async move {
            let result = submit(op, locale.get_untracked()).await;
            saving.set(false);
            match result {
                Ok(_) => {
                    error.set(None);
                    text.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(message) => error.set(Some(message)),
            }
        });
    };
    view! {
        <form class="form note-form" on:submit=add>
            <label for="note-text"><Tr m=Msg::NoteText/></label>
            <textarea id="note-text" rows="3" maxlength="1000" bind:value=text></textarea>
            <p class="form-error" role="alert">{move || error.get()}</p>
            <button type="submit" class="primary" disabled=move || saving.get()>
                {move || t(locale.get(), if saving.get() { Msg::Saving } else { Msg::AddNote })}
            </button>
        </form>
    }
}
