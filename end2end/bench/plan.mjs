// The plan that every chart in bench/gantt.mjs draws: N tasks over about a year from
// Monday 2026-03-02, and about N finish-to-start links. Deterministic (a seeded PRNG, never
// Math.random) so that the three charts, and two runs of the benchmark, see the same plan.
//
// Every link goes from a lower-numbered task to a higher-numbered one that starts after it
// ends, so the plan is acyclic *and* already consistent: a scheduler that pushes successors
// leaves every date where it is, and all charts show the same bars.

/** mulberry32: a tiny, well-mixed 32-bit PRNG; returns floats in [0, 1). */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2026, 2, 2); // Monday 2026-03-02
const WORKING_DAYS_IN_A_YEAR = 261;

/** The calendar date of working day `n` (0 = 2026-03-02), skipping Saturdays and Sundays. */
function workingDay(n) {
  const weeks = Math.floor(n / 5);
  const weekday = n % 5; // FIRST_DAY is a Monday, so weekday 0..4 = Mon..Fri
  return new Date(FIRST_DAY + (weeks * 7 + weekday) * DAY_MS);
}

// UTC throughout, so the machine's time zone cannot shift a date by one.
const iso = (date) => date.toISOString().slice(0, 10);

/**
 * makePlan(n, seed) -> { n, seed, tasks, links }
 * tasks: { id: 't1'.., name: '任务 1'.., start, end (both 'YYYY-MM-DD', weekdays), duration
 *          (working days, 1..8), progress (0..100), parent: undefined }
 *   `end` is the last working day of the task: start plus duration working days minus one.
 * links: { from, to } task ids, finish-to-start, from < to in task number.
 */
export function makePlan(n, seed = 20260302) {
  const random = mulberry32(seed ^ n);
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)); // inclusive

  // Starts are drawn then sorted, so task numbers follow time as in a real plan and an
  // earlier-numbered task can precede a later one; the last task still ends inside the year.
  const starts = Array.from({ length: n }, () => int(0, WORKING_DAYS_IN_A_YEAR - 9)).sort((a, b) => a - b);
  const tasks = starts.map((first, i) => {
    const duration = int(1, 8);
    return {
      id: `t${i + 1}`,
      name: `任务 ${i + 1}`,
      start: iso(workingDay(first)),
      end: iso(workingDay(first + duration - 1)),
      duration,
      progress: int(0, 100),
      parent: undefined,
      // Working-day numbers, for choosing links below; not part of the plan handed out.
      _first: first,
      _last: first + duration - 1,
    };
  });

  // About n links: pick a target, then a source among the tasks that finish before the target
  // starts, within the previous ~6 weeks so the arrows stay short as in real plans.
  const links = [];
  const seen = new Set();
  // firstStartingFrom[d] = index of the first task whose start is >= working day d.
  const firstStartingFrom = new Int32Array(WORKING_DAYS_IN_A_YEAR + 1).fill(n);
  for (let i = n - 1; i >= 0; i--) firstStartingFrom[tasks[i]._first] = i;
  for (let d = WORKING_DAYS_IN_A_YEAR - 1; d >= 0; d--) {
    firstStartingFrom[d] = Math.min(firstStartingFrom[d], firstStartingFrom[d + 1]);
  }
  for (let attempts = 0; links.length < n && attempts < n * 20; attempts++) {
    const to = int(1, n - 1);
    const target = tasks[to];
    if (target._first < 2) continue; // nothing can finish before it starts
    const lo = firstStartingFrom[Math.max(0, target._first - 30)];
    const hi = firstStartingFrom[target._first - 1]; // tasks at index < hi start before the target
    if (hi <= lo) continue;
    const from = int(lo, hi - 1);
    if (tasks[from]._last >= target._first) continue; // would not be finish-to-start
    const key = `${from}>${to}`;
    if (seen.has(key)) continue;
    seen.add(key);
    links.push({ from: tasks[from].id, to: target.id });
  }

  for (const t of tasks) {
    delete t._first;
    delete t._last;
  }
  return { n, seed, tasks, links };
}

// `node bench/plan.mjs 2000` prints a summary and a few tasks, to eyeball the generator.
if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = makePlan(Number(process.argv[2] ?? 2000));
  const last = plan.tasks.reduce((m, t) => (t.end > m ? t.end : m), '');
  console.log(`${plan.tasks.length} tasks, ${plan.links.length} links, ${plan.tasks[0].start} .. ${last}`);
  console.log(plan.tasks.slice(0, 3), plan.links.slice(0, 3));
}
