//! `/gantt/bench`: the chart fed a generated plan (`window.__plan`, set by
//! `end2end/bench/gantt.mjs`), for the browser benchmark against other Gantt charts.
//! It records, in `window.__ganttBench`, the milliseconds from handing over the data to
//! the first painted frame, and the median time to schedule the plan in wasm. Nothing is
//! saved: gestures only preview. Public, as it shows no one's data.

use super::chart::{GanttChart, Gesture, Zoom};
use crate::domain::gantt::Plan;
#[cfg(feature = "hydrate")]
use crate::domain::gantt::{PlanLink, PlanTask};
#[cfg(feature = "hydrate")]
use crate::domain::time::parse_date;
use chrono::NaiveDate;
use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use serde::Deserialize;

#[cfg(feature = "hydrate")]
#[derive(Deserialize)]
struct BenchTask {
    id: String,
    name: String,
    start: String,
    duration: i64,
    #[serde(default)]
    progress: i64,
}

#[cfg(feature = "hydrate")]
#[derive(Deserialize)]
struct BenchLink {
    from: String,
    to: String,
}

#[cfg(feature = "hydrate")]
#[derive(Deserialize)]
struct BenchPlan {
    tasks: Vec<BenchTask>,
    links: Vec<BenchLink>,
}

#[cfg(feature = "hydrate")]
fn to_plan(bench: BenchPlan) -> Plan {
    let tasks = bench
        .tasks
        .into_iter()
        .enumerate()
        .filter_map(|(i, t)| {
            let start = parse_date(&t.start)?;
            Some(PlanTask { progress: t.progress.clamp(0, 100), sort: i as i64, ..PlanTask::new(&t.id, &t.name, start, t.duration.max(1)) })
        })
        .collect();
    let links = bench.links.into_iter().enumerate().map(|(i, l)| PlanLink { key: format!("l{i}"), from: l.from, to: l.to, lag: 0 }).collect();
    Plan { tasks, links, ..Default::default() }
}

#[component]
pub fn GanttBenchPage() -> impl IntoView {
    let plan = RwSignal::new(Plan::default());
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default();
    let zoom = RwSignal::new(Zoom::Week);
    let selected = RwSignal::new(None::<String>);
    let linking = RwSignal::new(None::<String>);
    let memo = Memo::new(move |_| plan.get());
    let on_gesture = Callback::new(|_: Gesture| {});
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        // `?zoom=day|month` draws at another scale (week by default).
        let search = leptos::prelude::window().location().search().unwrap_or_default();
        if search.contains("zoom=day") {
            zoom.set(Zoom::Day);
        } else if search.contains("zoom=month") {
            zoom.set(Zoom::Month);
        }
        browser::run(plan, today)
    });
    view! {
        <main class="page gantt-page">
            // In Chinese, like the plans: the CJK font is loaded before the clock starts,
            // as it is on every real page (the harnesses of the other charts do the same).
            <h1>"甘特图性能测试"</h1>
            <GanttChart plan=memo today zoom selected editable=true on_gesture linking/>
        </main>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::*;
    use leptos::wasm_bindgen::JsValue;

    fn now() -> f64 {
        leptos::web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
    }

    /// Once the page has loaded and painted, reads the plan, hands it to the chart, and
    /// times the first frame painted after (the other charts' harnesses start the same way).
    pub fn run(plan: RwSignal<Plan>, today: NaiveDate) {
        let ready = leptos::prelude::document().ready_state() == "complete";
        if !ready {
            set_timeout(move || run(plan, today), std::time::Duration::from_millis(20));
            return;
        }
        request_animation_frame(move || request_animation_frame(move || start(plan, today)));
    }

    fn start(plan: RwSignal<Plan>, today: NaiveDate) {
        let window = leptos::prelude::window();
        let Ok(value) = js_sys::Reflect::get(&window, &JsValue::from_str("__plan")) else { return };
        let Some(text) = js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string()) else { return };
        let Ok(bench) = serde_json::from_str::<BenchPlan>(&text) else { return };
        let data = to_plan(bench);
        let start = now();
        plan.set(data);
        let set = now() - start;
        request_animation_frame(move || {
            let first = now() - start;
            request_animation_frame(move || {
                let draw = now() - start;
                // Both passes and the critical path, as the chart runs them on each change.
                let mut runs: Vec<f64> = (0..15)
                    .map(|_| {
                        let t0 = now();
                        let _ = plan.with_untracked(|p| p.lay_out(today));
                        now() - t0
                    })
                    .collect();
                runs.sort_by(f64::total_cmp);
                let result = js_sys::Object::new();
                let _ = js_sys::Reflect::set(&result, &"drawMs".into(), &draw.into());
                // Where the time went: handing over (synchronous), to the first frame.
                let _ = js_sys::Reflect::set(&result, &"setMs".into(), &set.into());
                let _ = js_sys::Reflect::set(&result, &"firstFrameMs".into(), &first.into());
                let _ = js_sys::Reflect::set(&result, &"scheduleMedianMs".into(), &runs[runs.len() / 2].into());
                let _ = js_sys::Reflect::set(&result, &"tasks".into(), &(plan.with_untracked(|p| p.tasks.len()) as f64).into());
                let _ = js_sys::Reflect::set(&leptos::prelude::window(), &"__ganttBench".into(), &result);
            });
        });
    }
}
