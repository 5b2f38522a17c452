//! `/gantt/calendar`: the street's working calendar — the public holidays and the weekend
//! days worked instead (调休) that street staff enter for each year. Every plan is
//! scheduled on it. Changes are operations on `calendar_day` (keyed by the date); a day
//! set back to `normal` counts as an ordinary weekday or weekend again.

use crate::domain::gantt::CALENDAR_TABLE;
use crate::domain::ops::{OpKind, Operation};
use crate::domain::org::Role;
use crate::domain::time::parse_date;
use crate::error::AppError;
use crate::error::ErrorView;
use crate::i18n::{t, use_locale, Msg, Tr};
use crate::sync::{stamp, submit, use_sync};
use crate::ui::{use_user, Shell, StatusLine};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: String,
    /// `holiday`, `workday` (a make-up working day) or `normal`.
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[server(endpoint = "list_calendar")]
pub async fn list_calendar() -> Result<Vec<CalendarDay>, AppError> {
    crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let days: Vec<CalendarDay> =
        crate::db::rows(&db, "SELECT record::id(id) AS date, kind, name FROM calendar_day ORDER BY date", json!({}), 0).await.map_err(AppError::internal)?;
    Ok(days.into_iter().filter(|d| d.kind != "normal").collect())
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let locale = use_locale();
    let sync = use_sync();
    let days = Resource::new(move || sync.announced.get(), |_| list_calendar());
    // Typed above the list that redraws.
    let date = RwSignal::new(String::new());
    let kind = RwSignal::new("holiday".to_string());
    let name = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    view! {
        <Shell>
            <Title text=t(locale.get_untracked(), Msg::WorkCalendar)/>
            <section class="page">
                <p class="crumbs"><a href="/gantt"><Tr m=Msg::GanttProgramme/></a></p>
                <h1><Tr m=Msg::WorkCalendar/></h1>
                <p class="lead"><Tr m=Msg::WorkCalendarLead/></p>
                <CalendarForm date kind name status/>
                <Transition fallback=move || view! { <p class="loading"><Tr m=Msg::Loading/></p> }>
                    {move || days.get().map(|result| match result {
                        Ok(list) => view! { <CalendarList list status/> }.into_any(),
                        Err(error) => view! { <ErrorView error retry=move |_| days.refetch()/> }.into_any(),
                    })}
                </Transition>
            </section>
        </Shell>
    }
}

/// Sets a day's kind (creating it the first time it is named).
fn save_day(date: String, kind: String, name: String, exists: bool, status: RwSignal<Option<Result<String, String>>>, locale: crate::i18n::Locale) {
    let fields = [("kind".to_string(), json!(kind)), ("name".to_string(), json!(name))].into();
    let op_kind = if exists { OpKind::Set { fields } } else { OpKind::Create { fields } };
    let op = Operation::new(CALENDAR_TABLE, &date, op_kind, stamp());
    leptos::task::spawn_local(async move {
        status.set(Some(submit(op, locale).await.map(|done| done.message(locale))));
    });
}

#[component]
fn CalendarForm(date: RwSignal<String>, kind: RwSignal<String>, name: RwSignal<String>, status: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    let locale = use_locale();
    let user = use_user();
    if user.role != Role::StreetStaff {
        return ().into_any();
    }
    let submit_form = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale = locale.get_untracked();
        let Some(day) = parse_date(&date.get_untracked()) else {
            status.set(Some(Err(crate::i18n::reason_message(locale, &crate::domain::ops::Reason::InvalidValue { field: "date".into() }))));
            return;
        };
        leptos::task::spawn_local(async move {
            // A day already in the calendar is changed; a new one is created.
            let exists = crate::sync::local_record(CALENDAR_TABLE, &day.to_string()).await.is_some()
                || list_calendar().await.map(|l| l.iter().any(|d| d.date == day.to_string())).unwrap_or(false);
            save_day(day.to_string(), kind.get_untracked(), name.get_untracked().trim().to_string(), exists, status, locale);
        });
    };
    view! {
        <form class="panel inline-form calendar-form" novalidate on:submit=submit_form>
            <label><Tr m=Msg::DayDate/><input type="date" name="day" prop:value=date on:input=move |ev| date.set(event_target_value(&ev))/></label>
            <label><Tr m=Msg::DayKind/>
                <select name="kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                    <option value="holiday" selected=move || kind.get() == "holiday"><Tr m=Msg::Holiday/></option>
                    <option value="workday" selected=move || kind.get() == "workday"><Tr m=Msg::MakeupDay/></option>
                </select>
            </label>
            <label><Tr m=Msg::DayName/><input maxlength="20" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <button type="submit" class="primary"><Tr m=Msg::Save/></button>
        </form>
    }
    .into_any()
}

#[component]
fn CalendarList(list: Vec<CalendarDay>, status: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    let locale = use_locale();
    let street = use_user().role == Role::StreetStaff;
    view! {
        <StatusLine status/>
        <div class="table-scroll">
            <table class="pairing-table calendar-table">
                <thead><tr>
                    <th scope="col"><Tr m=Msg::DayDate/></th>
                    <th scope="col"><Tr m=Msg::DayKind/></th>
                    <th scope="col"><Tr m=Msg::DayName/></th>
                    <th scope="col"></th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|day| {
                        let CalendarDay { date, kind, name } = day;
                        let (d, n) = (date.clone(), name.clone());
                        let reset = move |_| save_day(d.clone(), "normal".into(), n.clone(), true, status, locale.get_untracked());
                        let label = if kind == "holiday" { Msg::Holiday } else { Msg::MakeupDay };
                        view! {
                            <tr>
                                <th scope="row"><time datetime=date.clone()>{date.clone()}</time></th>
                                <td><span class=format!("badge day-{kind}")><Tr m=label/></span></td>
                                <td>{name}</td>
                                <td>{street.then(|| view! { <button type="button" class="secondary small" on:click=reset><Tr m=Msg::BackToNormal/></button> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
