// Shared by the harness pages of the other Gantt charts (frappe.html, dhtmlx.html).

/** The next animation frame. */
window.frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/** Runs `run` once the page has loaded and painted, as ours starts: only the chart is timed. */
window.whenSettled = (run) => {
  const go = () => requestAnimationFrame(() => requestAnimationFrame(run));
  if (document.readyState === 'complete') go(); else window.addEventListener('load', go, { once: true });
};
