//! Scheduling a plan of 2,000 tasks and 2,000 dependencies natively: both passes and the
//! critical path (`app::domain::schedule`). The browser runs the same code as wasm.
//! `cargo bench --profile dev -p server --bench schedule` (also `--release`).

use app::domain::schedule::{schedule, Link, Task};
use std::time::{Duration, Instant};

const TASKS: usize = 2_000;
const RUNS: usize = 101;

fn main() {
    // A generated plan: chains of work with cross links, every link from an earlier task
    // to a later one (acyclic), a milestone every 100 tasks.
    let tasks: Vec<Task> = (0..TASKS)
        .map(|i| Task {
            id: format!("t{i}"),
            name: format!("任务{i}"),
            start: (i as i64 * 7) % 300,
            duration: if i % 100 == 99 { 0 } else { 1 + (i as i64 * 13) % 9 },
            fixed: None,
            parent: None,
        })
        .collect();
    let links: Vec<Link> = (0..TASKS)
        .map(|i| {
            let to = (i + 1 + (i * 31) % 40).min(TASKS - 1);
            let from = if to == i { i.saturating_sub(1) } else { i };
            Link { from: format!("t{from}"), to: format!("t{to}"), lag: (i % 3) as i64 }
        })
        .filter(|l| l.from != l.to)
        .collect();
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut critical = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let timings = schedule(&tasks, &links, 2_000).expect("an acyclic plan");
        times.push(start.elapsed());
        critical = timings.iter().filter(|t| t.critical).count();
    }
    times.sort();
    println!(
        "schedule {} tasks, {} links: median {:.2} ms, p95 {:.2} ms ({} critical tasks)",
        tasks.len(),
        links.len(),
        times[RUNS / 2].as_secs_f64() * 1e3,
        times[RUNS * 95 / 100].as_secs_f64() * 1e3,
        critical
    );
}
