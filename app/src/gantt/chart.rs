//! The Gantt chart: an SVG the server renders first and the browser takes over. Rows are
//! drawn only where the view is (a 10,000-task plan costs what a screenful costs); the
//! task column and the date header stay put while the chart scrolls under them, in one
//! scroller, so the table and the bars can never fall out of line.
//!
//! Touch and mouse: drag a bar to move it, drag its end to resize, drag from its round
//! handle to another bar to link them, long-press for a menu. A drag starts only once it
//! is clearly sideways; a vertical swipe is the browser's scroll (`touch-action: pan-y`),
//! which goes on to the page once the chart is at its top or bottom. A link dragged near
//! the chart's edge scrolls it, so it reaches a task more than a screen away.
//! While dragging, the plan is scheduled again at every step so the pushed successors
//! show where they will go; a move the rules refuse snaps back with the reason.

use crate::domain::gantt::{opening_day, shift, GanttProblem, Laid, Plan};
use crate::i18n::{gantt_problem, t, use_locale, Locale, Msg};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use leptos::prelude::*;
use std::collections::HashMap;

/// Height of a row and of the date header, in pixels: a row is a finger's target.
pub const ROW: f64 = 44.0;
pub const HEAD: f64 = 44.0;
/// Rows drawn beyond the view on each side, so a quick scroll shows no gap.
const OVERSCAN: usize = 12;
/// Sideways pixels before a press becomes a drag.
const DRAG_START: f64 = 8.0;
/// Room for the widest month's name in the header ("2026年12月", "Sep 2026").
const MONTH_LABEL: f64 = 76.0;
/// Height of the bar inside its row.
const BAR: f64 = 20.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zoom {
    Day,
    Week,
    Month,
}

impl Zoom {
    pub fn px_per_day(self) -> f64 {
        match self {
            Zoom::Day => 28.0,
            Zoom::Week => 9.0,
            Zoom::Month => 3.0,
        }
    }
}

/// Calendar days to pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub origin: NaiveDate,
    pub px: f64,
    pub days: i64,
}

impl Scale {
    pub fn for_plan(plan: &Plan, laid: &[Laid], today: NaiveDate, zoom: Zoom) -> Scale {
        let starts = laid.iter().map(|l| l.start).chain(plan.tasks.iter().filter_map(|t| t.baseline_start));
        let ends = laid.iter().map(|l| l.finish).chain(plan.tasks.iter().filter_map(|t| t.baseline_finish)).chain(plan.ends_on);
        let first = starts.min().unwrap_or(today);
        let last = ends.max().unwrap_or(today).max(first + Duration::days(60));
        let origin = first - Duration::days(first.weekday().num_days_from_monday() as i64 + 7);
        Scale { origin, px: zoom.px_per_day(), days: (last - origin).num_days() + 28 }
    }

    pub fn x(&self, day: NaiveDate) -> f64 {
        (day - self.origin).num_days() as f64 * self.px
    }

    pub fn width(&self) -> f64 {
        self.days as f64 * self.px
    }
}

/// What a press on the chart is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Move,
    Resize,
    Link,
    /// A finger sliding the chart sideways on its background (the chart leaves only
    /// vertical panning to the browser, so a sideways move on a bar can be a drag).
    Pan,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Drag {
    pub task: String,
    pub mode: Mode,
    pub pointer: i32,
    pub x0: f64,
    pub y0: f64,
    pub x: f64,
    pub y: f64,
    /// Past the threshold: the bar follows the pointer.
    pub active: bool,
    /// Working days moved or added.
    pub days: i64,
    /// Which press this is (a long-press timer belongs to one).
    pub generation: u64,
    /// The scroller's horizontal offset when a pan began.
    pub scroll_left: f64,
}

/// The plan as shown: with a drag in progress laid over it.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    /// The plan with the drag applied; `None` when it is the plan as stored.
    pub changed: Option<Plan>,
    /// The layout, task by task in the plan's order.
    pub laid: Vec<Laid>,
    /// The rule a drag in progress would break.
    pub problem: Option<GanttProblem>,
    /// Tasks the drag moves (the task itself and the successors it pushes).
    pub moved: Vec<String>,
}

impl Shown {
    /// The plan drawn: the dragged one, or the one stored.
    pub fn plan<'a>(&'a self, stored: &'a Plan) -> &'a Plan {
        self.changed.as_ref().unwrap_or(stored)
    }
}

/// Applies a drag to a plan: a move shifts the start by working days, a resize the length.
pub fn dragged(plan: &Plan, drag: &Drag) -> Option<Plan> {
    if !drag.active || drag.days == 0 || matches!(drag.mode, Mode::Link | Mode::Pan) {
        return None;
    }
    let mut changed = plan.clone();
    let task = changed.tasks.iter_mut().find(|t| t.key == drag.task)?;
    match drag.mode {
        Mode::Move => task.start = shift(&plan.calendar, task.start, drag.days),
        Mode::Resize if !task.milestone => task.duration = (task.duration + drag.days).max(1),
        _ => return None,
    }
    Some(changed)
}

/// The plan and its layout as the chart draws them, with a drag's preview.
pub fn shown(plan: &Plan, drag: Option<&Drag>, today: NaiveDate) -> Shown {
    shown_over(plan, &plan.lay_out(today), drag, today)
}

/// As `shown`, with the plan's own layout already at hand (the chart keeps it, so a
/// drag step schedules the plan once, not twice).
pub fn shown_over(plan: &Plan, base: &Result<Vec<Laid>, GanttProblem>, drag: Option<&Drag>, today: NaiveDate) -> Shown {
    let base_laid = || base.clone().unwrap_or_default();
    let Some(changed) = drag.and_then(|d| dragged(plan, d)) else {
        return Shown { changed: None, laid: base_laid(), problem: base.clone().err(), moved: vec![] };
    };
    let key = drag.map(|d| d.task.clone()).unwrap_or_default();
    match changed.check(&[key.as_str()], today) {
        Ok(laid) => {
            let before = base.as_deref().unwrap_or_default();
            let moved = laid.iter().zip(before).filter(|(a, b)| a.start != b.start || a.finish != b.finish).map(|(a, _)| a.key.clone()).collect();
            Shown { changed: Some(changed), laid, problem: None, moved }
        }
        // Drawn where it was, with the reason; let go, it snaps back.
        Err(problem) => Shown { changed: None, laid: base_laid(), problem: Some(problem), moved: vec![key] },
    }
}

/// The table order of a plan, as indices into its tasks, with what each row needs that
/// spans the plan: its depth, whether it has subtasks; and each link's two rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Order {
    /// (task index, depth), row by row.
    pub rows: Vec<(usize, usize)>,
    /// By task index: does it have subtasks?
    pub summary: Vec<bool>,
    /// By task index: its row.
    pub row_of: Vec<usize>,
    /// By link index: (row of `from`, row of `to`, task index of `from`, of `to`).
    pub links: Vec<(usize, usize, usize, usize)>,
}

pub fn order_of(plan: &Plan) -> Order {
    let at: HashMap<&str, usize> = plan.tasks.iter().enumerate().map(|(i, t)| (t.key.as_str(), i)).collect();
    let rows: Vec<(usize, usize)> = plan.ordered().into_iter().filter_map(|(depth, t)| Some((*at.get(t.key.as_str())?, depth))).collect();
    let mut row_of = vec![0; plan.tasks.len()];
    for (row, (task, _)) in rows.iter().enumerate() {
        row_of[*task] = row;
    }
    let mut summary = vec![false; plan.tasks.len()];
    for task in &plan.tasks {
        if let Some(&parent) = task.parent.as_deref().and_then(|p| at.get(p)) {
            summary[parent] = true;
        }
    }
    let links = plan
        .links
        .iter()
        .filter_map(|l| {
            let (a, b) = (*at.get(l.from.as_str())?, *at.get(l.to.as_str())?);
            Some((row_of[a], row_of[b], a, b))
        })
        .collect();
    Order { rows, summary, row_of, links }
}

/// A bar as drawn: positions in tenths of a pixel (so rows compare and hash exactly).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct BarRow {
    index: usize,
    key: String,
    name: String,
    depth: usize,
    start: NaiveDate,
    finish: NaiveDate,
    x0: i64,
    x1: i64,
    px: i64,
    progress: i64,
    baseline: Option<(i64, i64)>,
    flags: u16,
}

const CRITICAL: u16 = 1;
const MILESTONE: u16 = 2;
const OVERDUE: u16 = 4;
const BEHIND: u16 = 8;
const LATE: u16 = 16;
const SELECTED: u16 = 32;
const PUSHED: u16 = 64;
const REFUSED: u16 = 128;
const SUMMARY: u16 = 256;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Arrow {
    path: String,
    critical: bool,
}

/// What the chart tells the page: a finished gesture to save, or a tap.
#[derive(Clone, Debug, PartialEq)]
pub enum Gesture {
    Select(String),
    /// Moved (start, working days) or resized (duration, working days).
    Changed {
        task: String,
        mode: Mode,
        days: i64,
    },
    Link {
        from: String,
        to: String,
    },
    Menu {
        task: String,
        x: f64,
        y: f64,
    },
    Refused(String),
}

/// Month names and day numbers along the top, in the person's language.
/// Labels along the time axis: (x, text).
type Ticks = Vec<(f64, String)>;

fn header_ticks(scale: &Scale, zoom: Zoom, locale: Locale) -> (Ticks, Ticks) {
    let mut months = Vec::new();
    let mut minor = Vec::new();
    for n in 0..scale.days {
        let day = scale.origin + Duration::days(n);
        let x = n as f64 * scale.px;
        // The first month is named at the left edge unless the next begins right after.
        if day.day() == 1 || (n == 0 && (day.day() as f64) < 20.0 && scale.px * (31 - day.day()) as f64 > 80.0) {
            months.push((x, month_label(day, locale)));
        }
        match zoom {
            Zoom::Day => minor.push((x, day.day().to_string())),
            Zoom::Week if day.weekday() == Weekday::Mon => minor.push((x, format!("{}/{}", day.month(), day.day()))),
            _ => {}
        }
    }
    (months, minor)
}

fn month_label(day: NaiveDate, locale: Locale) -> String {
    match locale {
        Locale::ZhCn => format!("{}年{}月", day.year(), day.month()),
        Locale::En => day.format("%b %Y").to_string(),
    }
}

/// The month at the left edge of the view, pinned there in full (its own label has
/// scrolled under the task column): where it goes and what it says, and how much of the
/// header its background covers (up to where the next month begins). No text when the
/// next month's own label is too near for a whole one.
fn pinned_month(scale: &Scale, left: f64, locale: Locale) -> (f64, f64, Option<String>) {
    let left = left.clamp(0.0, scale.width());
    let day = scale.origin + Duration::days((left / scale.px).floor() as i64);
    let next = NaiveDate::from_ymd_opt(day.year() + i32::from(day.month() == 12), day.month() % 12 + 1, 1).unwrap_or(day);
    let (cover, whole) = edge_label(left, scale.x(next), MONTH_LABEL);
    (left, cover, whole.then(|| month_label(day, locale)))
}

/// How much of the row of day numbers to cover at the left edge of the view, `left`: up
/// to the first tick that begins in view, so the one cut by the edge does not show half.
fn minor_cover(scale: &Scale, zoom: Zoom, left: f64) -> f64 {
    let first = (left / scale.px).floor().max(0.0) as i64;
    let tick = (first..first + 8).map(|n| scale.origin + Duration::days(n)).find(|d| {
        scale.x(*d) >= left
            && match zoom {
                Zoom::Day => true,
                Zoom::Week => d.weekday() == Weekday::Mon,
                Zoom::Month => false,
            }
    });
    tick.map(|d| scale.x(d) - left).unwrap_or(0.0)
}

/// An axis label pinned at the left edge of a scrolled view, `left`, for the span that
/// ends at `next` (where the next label begins): how wide its background is (it hides
/// the span's own label, cut by the edge) and whether a whole label of `width` fits.
pub fn edge_label(left: f64, next: f64, width: f64) -> (f64, bool) {
    let room = next - left;
    (room.clamp(0.0, width), room >= width)
}

#[component]
pub fn GanttChart(
    /// The plan as stored (the device's copy).
    plan: Memo<Plan>,
    today: NaiveDate,
    zoom: RwSignal<Zoom>,
    selected: RwSignal<Option<String>>,
    editable: bool,
    /// Set when a gesture ends; the page saves it.
    on_gesture: Callback<Gesture>,
    /// A task picked from the menu to link from: the next tap on a bar links to it.
    linking: RwSignal<Option<String>>,
) -> impl IntoView {
    let locale = use_locale();
    let drag = RwSignal::new(None::<Drag>);
    // A live update or a late answer never redraws the chart under a finger: the plan
    // shown is held while a gesture is under way and catches up when it ends.
    let dragging = Memo::new(move |_| drag.with(Option::is_some));
    let stored = plan;
    let plan = Memo::new(move |held: Option<&Plan>| match held {
        Some(held) if dragging.get() => held.clone(),
        _ => stored.get(),
    });
    let generation = StoredValue::new(0u64);
    let scroll_top = RwSignal::new(0.0f64);
    let scroll_left = RwSignal::new(0.0f64);
    let scroller_ref = NodeRef::<leptos::html::Div>::new();
    // A link dragged near an edge scrolls the chart, a frame at a time, while this is set.
    let edge_panning = StoredValue::new(false);
    // Raised at each step of it, so the rubber band follows the scrolling under a still finger.
    let edge_step = RwSignal::new(0u32);
    let bars_ref = NodeRef::<leptos::svg::Svg>::new();
    let view_height = RwSignal::new(640.0f64);
    let base = Memo::new(move |_| plan.with(|p| p.lay_out(today)));
    let preview = Memo::new(move |_| plan.with(|p| base.with(|b| drag.with(|d| shown_over(p, b, d.as_ref(), today)))));
    // Table order follows the stored plan (a drag moves bars, never rows).
    let order = Memo::new(move |_| plan.with(order_of));
    let row_count = Memo::new(move |_| order.with(|o| o.rows.len()));
    // The scale follows the stored plan, not the drag, so the chart does not jump.
    let scale = Memo::new(move |_| plan.with(|p| base.with(|b| Scale::for_plan(p, b.as_deref().unwrap_or_default(), today, zoom.get()))));
    // The rows drawn: the view and a block either side, moved a block at a time, so most
    // scroll frames change nothing on the page and the browser just scrolls.
    let visible = Memo::new(move |_| {
        let count = row_count.get();
        let first = ((scroll_top.get() - HEAD) / ROW).floor().max(0.0) as usize;
        let start = first / OVERSCAN * OVERSCAN;
        let shown_rows = (view_height.get() / ROW).ceil() as usize + 1;
        (start.saturating_sub(OVERSCAN).min(count), (start + shown_rows + 2 * OVERSCAN).min(count))
    });
    let table_width = 240.0;
    let total_height = move || HEAD + row_count.get() as f64 * ROW;

    let on_scroll = move |ev: leptos::ev::Event| {
        let target: leptos::web_sys::Element = event_target(&ev);
        scroll_top.set(target.scroll_top() as f64);
        scroll_left.set(target.scroll_left() as f64);
        view_height.set(target.client_height() as f64);
    };
    // Opened (and at every zoom) the chart shows today, or the end of the plan nearest to
    // it, a third of the way across the bars: a plan months under way opens where it is.
    // The device's own copy of the plan may arrive after the first drawing and widen the
    // chart; it is placed again then, unless the person has scrolled it meanwhile.
    let placed_at = StoredValue::new(None::<i32>);
    Effect::new(move |previous: Option<Zoom>| {
        let zoom_now = zoom.get();
        let x = scale.with(|s| base.with_untracked(|b| s.x(opening_day(today, b.as_deref().unwrap_or_default()))));
        let Some(element) = scroller_ref.get() else { return zoom_now };
        let untouched = placed_at.get_value().is_none_or(|at| at == element.scroll_left());
        if untouched || previous.is_some_and(|z| z != zoom_now) {
            // After the browser has laid out the chart at its new width.
            request_animation_frame(move || {
                let element: &leptos::web_sys::Element = &element;
                let bars = f64::from(element.client_width()) - table_column(element);
                element.set_scroll_left((x - bars / 3.0).max(0.0).round() as i32);
                placed_at.set_value(Some(element.scroll_left()));
            });
        }
        zoom_now
    });

    // ---- gestures
    let pointer_down = move |ev: leptos::ev::PointerEvent| {
        if !editable {
            return;
        }
        let Some((task, mode)) = hit(&ev) else {
            // The background: a finger pans the chart sideways.
            if ev.pointer_type() == "touch" {
                let scroll_left = scroller(&ev).map(|s| s.scroll_left() as f64).unwrap_or(0.0);
                let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
                drag.set(Some(Drag {
                    task: String::new(),
                    mode: Mode::Pan,
                    pointer: ev.pointer_id(),
                    x0: x,
                    y0: y,
                    x,
                    y,
                    active: false,
                    days: 0,
                    generation: 0,
                    scroll_left,
                }));
            }
            return;
        };
        if let Some(from) = linking.get_untracked() {
            linking.set(None);
            on_gesture.run(if from == task { Gesture::Select(task) } else { Gesture::Link { from, to: task } });
            return;
        }
        capture(&ev);
        let next = generation.get_value() + 1;
        generation.set_value(next);
        let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
        drag.set(Some(Drag {
            task: task.clone(),
            mode,
            pointer: ev.pointer_id(),
            x0: x,
            y0: y,
            x,
            y,
            active: false,
            days: 0,
            generation: next,
            scroll_left: 0.0,
        }));
        // Long-press: held still, a menu opens instead.
        set_timeout(
            move || {
                let held = drag.with_untracked(|d| d.as_ref().is_some_and(|d| d.generation == next && !d.active));
                if held {
                    drag.set(None);
                    on_gesture.run(Gesture::Menu { task, x, y });
                }
            },
            std::time::Duration::from_millis(550),
        );
    };
    let pointer_move = move |ev: leptos::ev::PointerEvent| {
        let Some(mut current) = drag.get_untracked() else { return };
        if current.pointer != ev.pointer_id() {
            return;
        }
        let (x, y) = (ev.client_x() as f64, ev.client_y() as f64);
        let (dx, dy) = (x - current.x0, y - current.y0);
        if current.mode == Mode::Pan {
            if let Some(scroller) = scroller(&ev) {
                scroller.set_scroll_left((current.scroll_left - dx) as i32);
            }
            return;
        }
        if !current.active {
            // Sideways enough, and more sideways than down: a drag. Otherwise wait.
            let sideways = dx.abs() > DRAG_START && dx.abs() > dy.abs();
            let linking_drag = current.mode == Mode::Link && (dx.abs() > DRAG_START || dy.abs() > DRAG_START);
            if !(sideways || linking_drag) {
                if dy.abs() > DRAG_START {
                    // A vertical swipe: never a drag.
                    drag.set(None);
                }
                return;
            }
            current.active = true;
        }
        ev.prevent_default();
        current.x = x;
        current.y = y;
        let px = scale.get_untracked().px;
        let calendar_days = (dx / px).round() as i64;
        current.days = working_days(&plan.get_untracked(), &current.task, calendar_days);
        let linking_now = current.mode == Mode::Link;
        if drag.get_untracked().as_ref() != Some(&current) {
            drag.set(Some(current));
        }
        if linking_now && !edge_panning.get_value() {
            if let Some(scroller) = scroller(&ev) {
                edge_pan(scroller, drag, edge_panning, edge_step);
            }
        }
    };
    let pointer_up = move |ev: leptos::ev::PointerEvent| {
        let Some(done) = drag.get_untracked() else { return };
        if done.pointer != ev.pointer_id() {
            return;
        }
        let outcome = preview.get_untracked();
        drag.set(None);
        if done.mode == Mode::Pan {
            return;
        }
        if !done.active {
            on_gesture.run(Gesture::Select(done.task));
            return;
        }
        match done.mode {
            Mode::Link => {
                if let Some(to) = task_at(ev.client_x(), ev.client_y()).filter(|to| *to != done.task) {
                    on_gesture.run(Gesture::Link { from: done.task, to });
                }
            }
            _ if done.days == 0 => {}
            _ => match outcome.problem {
                Some(problem) => on_gesture.run(Gesture::Refused(gantt_problem(locale.get_untracked(), &problem))),
                None => on_gesture.run(Gesture::Changed { task: done.task, mode: done.mode, days: done.days }),
            },
        }
    };
    let pointer_cancel = move |_: leptos::ev::PointerEvent| drag.set(None);
    // A touch on a handle is a drag from the start: no scrolling for it. And once a bar
    // follows the finger, the page must not scroll under it.
    let touch_start = move |ev: leptos::ev::TouchEvent| {
        if editable && on_handle(&ev) {
            ev.prevent_default();
        }
    };
    let touch_move = move |ev: leptos::ev::TouchEvent| {
        if drag.with_untracked(|d| d.as_ref().is_some_and(|d| d.active && d.mode != Mode::Pan)) {
            ev.prevent_default();
        }
    };
    let key_down = move |ev: leptos::ev::KeyboardEvent| {
        let Some(task) = selected.get_untracked().filter(|_| editable) else { return };
        let step = match ev.key().as_str() {
            "ArrowRight" => 1,
            "ArrowLeft" => -1,
            _ => return,
        };
        ev.prevent_default();
        let mode = if ev.shift_key() { Mode::Resize } else { Mode::Move };
        let preview =
            Drag { task: task.clone(), mode, pointer: -1, x0: 0.0, y0: 0.0, x: 0.0, y: 0.0, active: true, days: step, generation: 0, scroll_left: 0.0 };
        match shown(&plan.get_untracked(), Some(&preview), today).problem {
            Some(problem) => on_gesture.run(Gesture::Refused(gantt_problem(locale.get_untracked(), &problem))),
            None => on_gesture.run(Gesture::Changed { task, mode, days: step }),
        }
    };

    // ---- drawing
    // Everything a row needs, worked out once per change of the plan, the drag or the
    // selection; scrolling only picks the rows in view, and rows already on the page are
    // kept (keyed by their whole content).
    let visible_bars = move || {
        let (from, to) = visible.get();
        let scale = scale.get();
        let chosen = selected.get();
        let tenths = |x: f64| (x * 10.0).round() as i64;
        plan.with(|stored| {
            preview.with(|s| {
                let drawn = s.plan(stored);
                order.with(|o| {
                    o.rows
                        .get(from..to)
                        .unwrap_or_default()
                        .iter()
                        .enumerate()
                        .filter_map(|(offset, &(i, depth))| {
                            let task = drawn.tasks.get(i)?;
                            let l = s.laid.get(i)?;
                            let moved = s.moved.contains(&task.key);
                            let mut flags = 0u16;
                            for (on, flag) in [
                                (l.critical, CRITICAL),
                                (task.milestone, MILESTONE),
                                (l.overdue, OVERDUE),
                                (l.behind, BEHIND),
                                (l.slack < 0, LATE),
                                (chosen.as_deref() == Some(task.key.as_str()), SELECTED),
                                (moved && s.problem.is_none(), PUSHED),
                                (moved && s.problem.is_some(), REFUSED),
                                (o.summary.get(i).copied().unwrap_or(false), SUMMARY),
                            ] {
                                if on {
                                    flags |= flag;
                                }
                            }
                            Some(BarRow {
                                index: from + offset,
                                key: task.key.clone(),
                                name: task.name.clone(),
                                depth,
                                start: l.start,
                                finish: l.finish,
                                x0: tenths(scale.x(l.start)),
                                x1: tenths(scale.x(l.finish) + scale.px),
                                px: tenths(scale.px),
                                progress: task.progress.clamp(0, 100),
                                baseline: task.baseline_start.zip(task.baseline_finish).map(|(b0, b1)| (tenths(scale.x(b0)), tenths(scale.x(b1) + scale.px))),
                                flags,
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
        })
    };
    // Worked out once for the bars and the table beside them.
    let visible_rows = Memo::new(move |_| visible_bars());
    let visible_arrows = move || {
        let (from, to) = visible.get();
        let scale = scale.get();
        preview.with(|s| {
            order.with(|o| {
                o.links
                    .iter()
                    // Drawn when either end is in the rows drawn.
                    .filter(|(a, b, _, _)| (*a).max(*b) >= from && (*a).min(*b) < to)
                    .filter_map(|&(a, b, ta, tb)| {
                        let (la, lb) = (s.laid.get(ta)?, s.laid.get(tb)?);
                        let x1 = scale.x(la.finish) + scale.px;
                        let y1 = a as f64 * ROW + ROW / 2.0;
                        let x2 = scale.x(lb.start);
                        let y2 = b as f64 * ROW + ROW / 2.0;
                        let elbow = x1 + 6.0;
                        let path = if x2 - 10.0 >= elbow {
                            format!("M{x1},{y1} H{elbow} V{y2} H{x2}")
                        } else {
                            // The successor starts before the predecessor's end: go round.
                            let mid = y2 - (ROW / 2.0) * if y2 > y1 { 1.0 } else { -1.0 };
                            format!("M{x1},{y1} H{elbow} V{mid} H{} V{y2} H{x2}", x2 - 10.0)
                        };
                        Some(Arrow { path, critical: la.critical && lb.critical })
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let bar_view = move |row: BarRow| {
        let y = row.index as f64 * ROW;
        let (x0, x1, px) = (row.x0 as f64 / 10.0, row.x1 as f64 / 10.0, row.px as f64 / 10.0);
        let has = |flag: u16| row.flags & flag != 0;
        let mut class = String::from("gantt-bar");
        for (flag, name) in [
            (CRITICAL, " critical"),
            (MILESTONE, " milestone"),
            (OVERDUE, " overdue"),
            (BEHIND, " behind"),
            (LATE, " late"),
            (SELECTED, " selected"),
            (PUSHED, " pushed"),
            (REFUSED, " refused"),
            (SUMMARY, " summary"),
        ] {
            if has(flag) {
                class.push_str(name);
            }
        }
        let label = format!("{} {}–{}", row.name, short_date(row.start), short_date(row.finish));
        let ghost = row.baseline.map(|(b0, b1)| {
            let (b0, b1) = (b0 as f64 / 10.0, b1 as f64 / 10.0);
            view! { <rect class="gantt-baseline" x=b0 y=y + (ROW + BAR) / 2.0 + 2.0 width=(b1 - b0).max(2.0) height=4 rx=2/> }
        });
        let body = if has(MILESTONE) {
            let cx = x0 + px / 2.0;
            let cy = y + ROW / 2.0;
            view! {
                <polygon class="gantt-diamond" points=format!("{},{} {},{} {},{} {},{}", cx, cy - 9.0, cx + 9.0, cy, cx, cy + 9.0, cx - 9.0, cy)/>
                <rect class="gantt-hit" x=cx - 22.0 y=y width=44 height=ROW data-mode="move"/>
            }
            .into_any()
        } else {
            let width = (x1 - x0).max(3.0);
            let done = width * row.progress as f64 / 100.0;
            view! {
                <rect class="gantt-body" x=x0 y=y + (ROW - BAR) / 2.0 - 2.0 width=width height=BAR rx=4/>
                <rect class="gantt-progress" x=x0 y=y + (ROW - BAR) / 2.0 - 2.0 width=done height=BAR rx=4/>
                // Taller than the bar: a finger finds it.
                <rect class="gantt-hit" x=x0 y=y width=width.max(44.0) height=ROW data-mode="move"/>
            }
            .into_any()
        };
        // Handles on the selected bar only, each 44 px across.
        let handles = (has(SELECTED) && editable).then(|| {
            // Mostly past the bar's end, so a short bar is still moved by its middle.
            let inset = ((x1 - x0) / 4.0).min(10.0);
            let resize = (!has(MILESTONE)).then(|| {
                view! {
                    <rect class="gantt-handle resize" x=x1 - inset y=y width=44 height=ROW data-mode="resize">
                        <title>{t(locale.get_untracked(), Msg::GanttResize)}</title>
                    </rect>
                }
            });
            view! {
                {resize}
                <g class="gantt-handle link" data-mode="link">
                    <circle class="gantt-link-dot" cx=x1 + 66.0 cy=y + ROW / 2.0 r=7/>
                    <circle class="gantt-hit" cx=x1 + 66.0 cy=y + ROW / 2.0 r=22 data-mode="link">
                        <title>{t(locale.get_untracked(), Msg::GanttLinkHandle)}</title>
                    </circle>
                </g>
            }
        });
        view! {
            <g class=class data-task=row.key.clone() role="listitem" aria-label=label>
                {ghost}
                {body}
                {handles}
            </g>
        }
    };
    let table_row = move |row: BarRow| {
        let key = row.key.clone();
        let is_selected = row.flags & SELECTED != 0;
        view! {
            <button
                type="button"
                class=if is_selected { "gantt-row selected" } else { "gantt-row" }
                class:critical=row.flags & CRITICAL != 0
                style=format!("top:{}px;padding-left:{}px", row.index as f64 * ROW, 8 + row.depth * 14)
                aria-pressed=is_selected.to_string()
                data-row=key.clone()
                on:click=move |_| on_gesture.run(Gesture::Select(key.clone()))
            >
                <span class="gantt-name">{row.name.clone()}</span>
                <span class="gantt-dates">{format!("{}–{}", short_date(row.start), short_date(row.finish))}</span>
            </button>
        }
    };
    let rubber_band = move || {
        drag.with(|d| {
            let d = d.as_ref().filter(|d| d.active && d.mode == Mode::Link)?;
            let task = plan.with(|p| p.tasks.iter().position(|t| t.key == d.task))?;
            let (i, l) = (order.with(|o| o.row_of.get(task).copied())?, preview.with(|s| s.laid.get(task).cloned())?);
            let scale = scale.get();
            let x1 = scale.x(l.finish) + scale.px + 66.0;
            let y1 = i as f64 * ROW + ROW / 2.0;
            // To the finger, wherever the chart or the page has scrolled since the press.
            edge_step.track();
            let (left, top) = bars_ref.get().map(|svg| screen_origin(&svg)).unwrap_or_default();
            Some(view! { <line class="gantt-rubber" x1=x1 y1=y1 x2=d.x - left y2=d.y - top/> })
        })
    };
    let calendar = Memo::new(move |_| plan.with(|p| p.calendar.clone()));
    let days_off = move || {
        let scale = scale.get();
        if zoom.get() == Zoom::Month {
            return Vec::new();
        }
        let height = row_count.get() as f64 * ROW;
        calendar.with(|c| {
            (0..scale.days)
                .map(|n| scale.origin + Duration::days(n))
                .filter(|d| !c.is_working(*d))
                .map(|d| view! { <rect class="gantt-day-off" x=scale.x(d) y=0 width=scale.px height=height/> })
                .collect::<Vec<_>>()
        })
    };
    let header = move || {
        let scale = scale.get();
        let (months, minor) = header_ticks(&scale, zoom.get(), locale.get());
        view! {
            {months.into_iter().map(|(x, label)| view! {
                <line class="gantt-month-line" x1=x y1=0 x2=x y2=HEAD/>
                <text class="gantt-month" x=x + 4.0 y=16>{label}</text>
            }).collect_view()}
            {minor.into_iter().map(|(x, label)| view! { <text class="gantt-tick" x=x + 2.0 y=36>{label}</text> }).collect_view()}
        }
    };
    // Drawn over the header's own labels, so it changes one label as the chart scrolls.
    let pinned = move || {
        let (x, cover, label) = scale.with(|s| pinned_month(s, scroll_left.get(), locale.get()));
        let minor = scale.with(|s| minor_cover(s, zoom.get(), x));
        view! {
            <g class="gantt-month-pin">
                <rect x=x y=0 width=cover height=24/>
                <rect x=x y=24 width=minor height=HEAD - 25.0/>
                {label.map(|label| view! { <text class="gantt-month" x=x + 4.0 y=16>{label}</text> })}
            </g>
        }
    };
    let today_x = move || scale.get().x(today) + scale.get().px / 2.0;
    let width = move || scale.get().width();
    let body_height = move || row_count.get() as f64 * ROW;

    view! {
        <div
            class="gantt-scroll"
            node_ref=scroller_ref
            tabindex="0"
            role="region"
            aria-label=move || t(locale.get(), Msg::GanttChart)
            on:scroll=on_scroll
            on:keydown=key_down
            data-rows=move || row_count.get()
        >
            <div class="gantt-grid" style=move || format!("grid-template-columns:{table_width}px {}px;height:{}px", width(), total_height())>
                <div class="gantt-corner"><Tr2 m=Msg::GanttTask/></div>
                <svg class="gantt-head" width=width height=HEAD aria-hidden="true">{header}{pinned}</svg>
                <div class="gantt-table" style=move || format!("height:{}px", body_height())>
                    <For each=move || visible_rows.get() key=|row| row.clone() children=table_row/>
                </div>
                <svg
                    class="gantt-bars"
                    node_ref=bars_ref
                    width=width
                    height=body_height
                    role="list"
                    aria-label=move || t(locale.get(), Msg::GanttBars)
                    on:pointerdown=pointer_down
                    on:pointermove=pointer_move
                    on:pointerup=pointer_up
                    on:pointercancel=pointer_cancel
                    on:touchstart=touch_start
                    on:touchmove=touch_move
                >
                    <defs>
                        <marker id="gantt-arrowhead" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto">
                            <path d="M0,0 L8,4 L0,8 z"/>
                        </marker>
                    </defs>
                    {days_off}
                    <For each=visible_arrows key=|arrow| arrow.clone() let:arrow>
                        <path class=if arrow.critical { "gantt-arrow critical" } else { "gantt-arrow" } d=arrow.path marker-end="url(#gantt-arrowhead)"/>
                    </For>
                    <For each=move || visible_rows.get() key=|row| row.clone() children=bar_view/>
                    {rubber_band}
                    <line class="gantt-today" x1=today_x y1=0 x2=today_x y2=body_height/>
                </svg>
            </div>
        </div>
    }
}

/// A translated label as a view (the chart's own, to keep imports short).
#[component]
fn Tr2(m: Msg) -> impl IntoView {
    let locale = use_locale();
    move || t(locale.get(), m)
}

pub fn short_date(day: NaiveDate) -> String {
    format!("{}/{}", day.month(), day.day())
}

/// Calendar days dragged, as working days from the task's start (the bar snaps to
/// working days: a drop on a day off stays on the working day before it).
fn working_days(plan: &Plan, task: &str, calendar_days: i64) -> i64 {
    let Some(start) = plan.tasks.iter().find(|t| t.key == task).map(|t| t.start) else { return 0 };
    let target = start + Duration::days(calendar_days);
    let (low, high) = if target >= start { (start, target) } else { (target, start) };
    let mut count = 0;
    let mut day = low;
    while day < high {
        day += Duration::days(1);
        if plan.calendar.is_working(day) {
            count += 1;
        }
    }
    if target >= start {
        count
    } else {
        -count
    }
}

// ---- the browser's side of the gestures

/// The task and handle under a press: `data-mode` on the element, `data-task` on its bar.
fn hit(ev: &leptos::ev::PointerEvent) -> Option<(String, Mode)> {
    use leptos::wasm_bindgen::JsCast;
    let target: leptos::web_sys::Element = ev.target()?.dyn_into().ok()?;
    let mode = match target.closest("[data-mode]").ok()??.get_attribute("data-mode")?.as_str() {
        "resize" => Mode::Resize,
        "link" => Mode::Link,
        _ => Mode::Move,
    };
    let task = target.closest("[data-task]").ok()??.get_attribute("data-task")?;
    Some((task, mode))
}

/// Does a touch begin on a resize or link handle?
fn on_handle(ev: &leptos::ev::TouchEvent) -> bool {
    use leptos::wasm_bindgen::JsCast;
    let Some(target) = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok()) else { return false };
    matches!(target.closest("[data-mode='link'], [data-mode='resize']"), Ok(Some(_)))
}

/// The chart's scroller, from an event on the chart.
fn scroller(ev: &leptos::ev::PointerEvent) -> Option<leptos::web_sys::Element> {
    use leptos::wasm_bindgen::JsCast;
    let chart: leptos::web_sys::Element = ev.current_target()?.dyn_into().ok()?;
    chart.closest(".gantt-scroll").ok()?
}

/// The width of the task column that stays at the chart's left (narrower on a phone).
fn table_column(scroller: &leptos::web_sys::Element) -> f64 {
    scroller.query_selector(".gantt-corner").ok().flatten().map(|c| f64::from(c.client_width())).unwrap_or(0.0)
}

/// While a link is dragged near an edge of the chart's view, scrolls the chart a step a
/// frame (faster nearer the edge: `edge_scroll`), and the page once the chart can go no
/// further that way while its edge is off the screen; until the finger leaves the edge,
/// nothing moves any more, or the drag ends. The rows scrolled in are drawn as usual.
fn edge_pan(scroller: leptos::web_sys::Element, drag: RwSignal<Option<Drag>>, running: StoredValue<bool>, step: RwSignal<u32>) {
    let pointer = drag.with_untracked(|d| d.as_ref().filter(|d| d.active && d.mode == Mode::Link).map(|d| (d.x, d.y)));
    let moved = pointer.is_some_and(|(x, y)| edge_scroll_step(&scroller, x, y));
    running.set_value(moved);
    if moved {
        step.update(|n| *n = n.wrapping_add(1));
        request_animation_frame(move || edge_pan(scroller, drag, running, step));
    }
}

/// One frame of `edge_pan` for a pointer at `x`, `y` on the screen; whether anything
/// moved. The edges are those of the chart's bars in view: below the date header, right
/// of the task column, and the window's where the page cuts the chart off.
#[cfg(feature = "hydrate")]
fn edge_scroll_step(scroller: &leptos::web_sys::Element, x: f64, y: f64) -> bool {
    use crate::domain::gantt::edge_scroll;
    let Some(window) = leptos::web_sys::window() else { return false };
    let size = |v: Result<leptos::wasm_bindgen::JsValue, _>| v.ok().and_then(|v| v.as_f64()).unwrap_or(0.0);
    let (width, height) = (size(window.inner_width()), size(window.inner_height()));
    let rect = web_sys::Element::get_bounding_client_rect(scroller);
    let left = rect.left() + f64::from(scroller.client_left());
    let top = rect.top() + f64::from(scroller.client_top());
    let (bottom, right) = (top + f64::from(scroller.client_height()), left + f64::from(scroller.client_width()));
    let across = edge_scroll(x, (left + table_column(scroller)).max(0.0), right.min(width));
    let down = edge_scroll(y, (top + HEAD).max(0.0), bottom.min(height));
    // Whole pixels, never rounded to nothing.
    let whole = |v: f64| if v == 0.0 { 0 } else { (v.abs().ceil() * v.signum()) as i32 };
    let (was_left, was_top) = (scroller.scroll_left(), scroller.scroll_top());
    scroller.set_scroll_left(was_left + whole(across));
    scroller.set_scroll_top(was_top + whole(down));
    let mut moved = scroller.scroll_left() != was_left || scroller.scroll_top() != was_top;
    let off_screen = (down > 0.0 && bottom > height) || (down < 0.0 && top + HEAD < 0.0);
    if scroller.scroll_top() == was_top && off_screen {
        let before = window.scroll_y().unwrap_or(0.0);
        window.scroll_by_with_x_and_y(0.0, f64::from(whole(down)));
        moved |= window.scroll_y().unwrap_or(0.0) != before;
    }
    moved
}

#[cfg(not(feature = "hydrate"))]
fn edge_scroll_step(_: &leptos::web_sys::Element, _: f64, _: f64) -> bool {
    false
}

/// Where an element's top left corner is on the screen.
#[cfg(feature = "hydrate")]
fn screen_origin(element: &leptos::web_sys::Element) -> (f64, f64) {
    let rect = web_sys::Element::get_bounding_client_rect(element);
    (rect.left(), rect.top())
}

#[cfg(not(feature = "hydrate"))]
fn screen_origin(_: &leptos::web_sys::Element) -> (f64, f64) {
    (0.0, 0.0)
}

/// Keeps the pointer's events on the chart while it drags, even off the bar.
fn capture(ev: &leptos::ev::PointerEvent) {
    use leptos::wasm_bindgen::JsCast;
    if let Some(chart) = ev.current_target().and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok()) {
        let _ = chart.set_pointer_capture(ev.pointer_id());
    }
}

/// The task whose bar is at a point of the screen (where a link was dropped).
fn task_at(x: i32, y: i32) -> Option<String> {
    let document = leptos::prelude::document();
    let element = document.element_from_point(x as f32, y as f32)?;
    element.closest("[data-task]").ok()??.get_attribute("data-task")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::gantt::{PlanLink, PlanTask};
    use crate::domain::time::parse_date;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    fn task(key: &str, start: &str, duration: i64) -> PlanTask {
        PlanTask::new(key, key, date(start), duration)
    }

    fn drag(task: &str, mode: Mode, days: i64) -> Drag {
        Drag { task: task.into(), mode, pointer: 1, x0: 0.0, y0: 0.0, x: 0.0, y: 0.0, active: true, days, generation: 1, scroll_left: 0.0 }
    }

    #[test]
    fn a_preview_pushes_successors_as_far_as_needed_and_the_result_matches() {
        let plan = Plan {
            tasks: vec![task("a", "2026-09-14", 2), task("b", "2026-09-16", 2), task("c", "2026-09-28", 1)],
            links: vec![
                PlanLink { key: "l".into(), from: "a".into(), to: "b".into(), lag: 0 },
                PlanLink { key: "m".into(), from: "b".into(), to: "c".into(), lag: 0 },
            ],
            ..Default::default()
        };
        let today = date("2026-09-01");
        let preview = shown(&plan, Some(&drag("a", Mode::Move, 3)), today);
        assert_eq!(preview.problem, None);
        // a moves 3 working days; b follows; c had room and stays.
        assert_eq!(preview.moved, vec!["a".to_string(), "b".to_string()]);
        let b = preview.laid.iter().find(|l| l.key == "b").unwrap();
        assert_eq!(b.start, date("2026-09-21"));
        // Saving the move gives the same layout as the preview showed.
        let mut saved = plan.clone();
        saved.tasks[0].start = date("2026-09-17");
        assert_eq!(saved.lay_out(today).unwrap(), preview.laid);
        // Earlier moves none of the others.
        let earlier = shown(&plan, Some(&drag("a", Mode::Move, -2)), today);
        assert_eq!(earlier.moved, vec!["a".to_string()]);
    }

    #[test]
    fn a_drag_that_breaks_a_milestone_is_refused_and_drawn_where_it_was() {
        let mut milestone = task("m", "2026-09-18", 0);
        milestone.milestone = true;
        let plan = Plan {
            tasks: vec![task("a", "2026-09-14", 2), milestone],
            links: vec![PlanLink { key: "l".into(), from: "a".into(), to: "m".into(), lag: 0 }],
            ..Default::default()
        };
        let preview = shown(&plan, Some(&drag("a", Mode::Resize, 5)), date("2026-09-01"));
        assert!(matches!(preview.problem, Some(GanttProblem::MilestoneMoved { .. })));
        assert_eq!(preview.changed, None);
    }

    #[test]
    fn the_month_at_the_left_edge_is_named_whole_or_not_at_all() {
        // Week zoom from Monday 23 February 2026: March begins 6 days (54 px) in.
        let scale = Scale { origin: date("2026-02-23"), px: 9.0, days: 200 };
        // At the start, February has no room for its whole name: covered, not named.
        assert_eq!(pinned_month(&scale, 0.0, Locale::ZhCn), (0.0, 54.0, None));
        // In the middle of March, March is named at the edge.
        let mid_march = scale.x(date("2026-03-15"));
        assert_eq!(pinned_month(&scale, mid_march, Locale::ZhCn), (mid_march, MONTH_LABEL, Some("2026年3月".to_string())));
        assert_eq!(pinned_month(&scale, mid_march, Locale::En).2.as_deref(), Some("Mar 2026"));
        // Two days before April, April's own label is next to the edge: nothing pinned.
        let late_march = scale.x(date("2026-03-30"));
        assert_eq!(pinned_month(&scale, late_march, Locale::ZhCn), (late_march, 18.0, None));
        // December rolls over into January of the next year.
        let scale = Scale { origin: date("2026-11-30"), px: 28.0, days: 60 };
        assert_eq!(pinned_month(&scale, scale.x(date("2026-12-10")), Locale::ZhCn).2.as_deref(), Some("2026年12月"));
    }

    #[test]
    fn a_day_number_cut_by_the_left_edge_is_covered_up_to_the_next() {
        // From Monday 23 February 2026.
        let week = Scale { origin: date("2026-02-23"), px: 9.0, days: 200 };
        // On a Monday's tick: nothing to cover.
        assert_eq!(minor_cover(&week, Zoom::Week, 63.0), 0.0);
        // Two days after it: up to the next Monday.
        assert_eq!(minor_cover(&week, Zoom::Week, 81.0), 45.0);
        let day = Scale { px: 28.0, ..week };
        assert_eq!(minor_cover(&day, Zoom::Day, 30.0), 26.0);
        // Months have no day numbers.
        assert_eq!(minor_cover(&Scale { px: 3.0, ..week }, Zoom::Month, 40.0), 0.0);
    }

    #[test]
    fn drags_snap_to_working_days() {
        let plan = Plan { tasks: vec![task("a", "2026-09-18", 1)], ..Default::default() };
        // Friday + 3 calendar days = Monday: one working day.
        assert_eq!(working_days(&plan, "a", 3), 1);
        // Friday − 4 = Monday of the same week; a drop on Saturday stays on Friday.
        assert_eq!(working_days(&plan, "a", -4), -4);
        assert_eq!(working_days(&plan, "a", 1), 0);
    }
}
