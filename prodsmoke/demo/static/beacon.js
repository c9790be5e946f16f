// Injected by the beacon fault: analytics writes a real page might make on load. A guarded
// client blocks or aborts them; every failure is swallowed so the page still renders cleanly.
(() => {
  const payload = JSON.stringify({ event: "page_view", path: location.pathname });
  fetch("/api/v1/analytics", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: payload,
  }).catch(() => {});
  try {
    navigator.sendBeacon("/api/v1/analytics", payload);
  } catch (error) {
    // sendBeacon throws only on bad arguments; nothing to do.
  }
  try {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    socket.addEventListener("open", () => {
      socket.send(payload);
      socket.close();
    });
    socket.addEventListener("error", () => {});
  } catch (error) {
    // A client that forbids WebSockets may throw here; the page does not depend on it.
  }
})();
