// Demo fault slow-click (INP): every click on the enhance button runs a long task first, so the
// page cannot paint the click's outcome for about __MS__ milliseconds.
(() => {
  const ms = __MS__;
  document.getElementById("enhance-button").addEventListener("click", () => {
    const end = performance.now() + ms;
    while (performance.now() < end) { /* busy: nothing can paint meanwhile */ }
  });
})();
