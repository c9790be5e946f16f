// Installed by prodsmoke.e2e.vitals in every frame, before the page's own scripts; active in a
// page's top-level http(s) document only. It keeps that document's Web Vitals from the
// browser's own PerformanceObserver entries and reports them through a marked console message:
// as soon as the document exists, at its load event, and when it is left or hidden (so nothing
// is lost when a journey navigates away).
(() => {
  if (window !== window.top || !/^https?:$/.test(location.protocol)) return;
  if (window.__prodsmokeVitals) return;
  const MARK = __MARK__;
  const debug = console.debug.bind(console);  // the page may replace console.debug later
  const id = Math.random().toString(36).slice(2) + performance.timeOrigin.toString(36);
  let fcp = null, lcp = null, cls = 0, session = 0, first = 0, last = 0;
  const interactions = new Map();  // interactionId -> its longest event (INP counts the worst)
  const observers = [];
  let loaded = false;

  const watch = (type, each, options) => {
    try {
      const observer = new PerformanceObserver((list) => list.getEntries().forEach(each));
      observer.observe({type, buffered: true, ...options});
      observers.push([observer, each]);
    } catch (e) { /* an entry type this browser does not know: that value stays unreported */ }
  };
  watch("paint", (e) => { if (e.name === "first-contentful-paint") fcp = e.startTime; });
  // The browser stops emitting candidates after the first input: the last one is the LCP.
  watch("largest-contentful-paint", (e) => { lcp = e.startTime; });
  // CLS as Google defines it: the largest burst ("session window") of shifts without recent
  // input, shifts less than 1 s apart, a window at most 5 s long.
  watch("layout-shift", (e) => {
    if (e.hadRecentInput) return;
    if (session && e.startTime - last < 1000 && e.startTime - first < 5000) {
      session += e.value;
    } else {
      session = e.value;
      first = e.startTime;
    }
    last = e.startTime;
    cls = Math.max(cls, session);
  });
  const interaction = (e) => {
    const key = e.interactionId || (e.entryType === "first-input" ? "first" : 0);
    if (!key) return;
    interactions.set(key, Math.max(interactions.get(key) || 0, e.duration));
  };
  // The first input is always reported, however short; later ones from 16 ms (the least the
  // browser allows). An interaction that navigates away before the next paint has no entry.
  watch("event", interaction, {durationThreshold: 16});
  watch("first-input", interaction);

  const inp = () => {
    // INP: the worst interaction, ignoring one in every 50 (the 98th percentile); null when
    // the journey did not interact with this document.
    const worst = [...interactions.values()].sort((a, b) => b - a);
    return worst.length ? worst[Math.min(worst.length - 1, Math.floor(worst.length / 50))] : null;
  };
  const snapshot = () => {
    observers.forEach(([observer, each]) => observer.takeRecords().forEach(each));
    const nav = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    const bytes = (nav ? nav.transferSize : 0) + resources.reduce((n, r) => n + r.transferSize, 0);
    return {
      id,
      origin: location.origin,
      path: location.pathname,
      ttfb_ms: nav && nav.responseStart > 0 ? Math.max(0, nav.responseStart - nav.startTime) : null,
      fcp_ms: fcp,
      lcp_ms: lcp,
      cls,
      inp_ms: inp(),
      requests: (nav ? 1 : 0) + resources.length,
      transfer_bytes: bytes,
      loaded,
    };
  };
  const report = () => debug(MARK + JSON.stringify(snapshot()));
  // At once, before the page's own scripts: a document the journey does not wait for still
  // reports its first byte.
  report();
  // Chromium runs `pagehide` once the next document has committed, when nothing the old one
  // logs reaches prodsmoke any more; `beforeunload` comes as the navigation starts. (An input
  // that starts a navigation is never in INP: its entry would come with the next paint.)
  addEventListener("beforeunload", report, {capture: true});
  addEventListener("load", () => setTimeout(() => { loaded = true; report(); }, 0),
                   {capture: true, once: true});
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") report();
  }, {capture: true});
  // Resource Timing keeps 250 entries by default; a heavy page has more.
  try { performance.setResourceTimingBufferSize(10000); } catch (e) { /* keep the default */ }
  // prodsmoke reads a loaded document once more when the journey ends (a loading one, busy
  // parsing, would keep the journey waiting: its reports stand).
  Object.defineProperty(window, "__prodsmokeVitals", {value: Object.freeze({read: snapshot})});
})();
