// The write-vector page: try every way a page can send a write, each to its own sink path.
// Every attempt swallows its own failure: under a guard most of them are blocked, and the page
// must still finish and report. The top page's own form goes last (see the end).
(() => {
  const sink = (vector) => `/api/v1/sink/${vector}`;
  const body = (vector) => JSON.stringify({ vector });
  const results = [];

  const attempt = (vector, action) => {
    let outcome = "fired";
    try {
      const result = action();
      if (result && typeof result.catch === "function") result.catch(() => {});
    } catch (error) {
      outcome = `threw: ${error && error.name ? error.name : "error"}`;
    }
    results.push([vector, outcome]);
  };

  for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
    const name = method.toLowerCase();
    attempt(`fetch-${name}`, () => fetch(sink(`fetch-${name}`), { method, body: body(name) }));
    attempt(`xhr-${name}`, () => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, sink(`xhr-${name}`));
      xhr.addEventListener("error", () => {});
      xhr.send(body(name));
    });
  }
  attempt("keepalive-fetch", () =>
    fetch(sink("keepalive-fetch"), { method: "POST", keepalive: true, body: body("keepalive") }));
  attempt("send-beacon", () => navigator.sendBeacon(sink("send-beacon"), body("send-beacon")));
  attempt("a-ping", () => document.getElementById("ping-link").click());
  attempt("form-iframe", () => {
    const frame = document.createElement("iframe");
    frame.src = "/vectors/frame";
    frame.title = "form-iframe";
    frame.width = "1";
    frame.height = "1";
    document.getElementById("frame-slot").appendChild(frame);
  });
  attempt("form-popup", () => window.open("/vectors/popup", "vectors-popup", "popup"));
  attempt("dedicated-worker", () => new Worker("/vectors/worker.js"));
  attempt("shared-worker", () => new SharedWorker("/vectors/shared-worker.js").port.start());
  attempt("service-worker", () =>
    navigator.serviceWorker.register("/vectors/sw.js", { scope: "/vectors/" }));
  attempt("websocket", () => {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(`${scheme}//${location.host}/ws?vector=websocket`);
    socket.addEventListener("open", () => socket.send(body("websocket")));
    socket.addEventListener("error", () => {});
  });
  attempt("download", () => document.getElementById("download-link").click());
  attempt("foreign-host", () => {
    const origin = document.getElementById("vectors").dataset.foreignOrigin;
    const image = new Image();
    image.addEventListener("error", () => {});  // the sink answers 204, not an image
    image.src = `${origin}${sink("foreign-host")}`;
  });

  const list = document.getElementById("vector-list");
  for (const [vector, outcome] of results) {
    const item = document.createElement("li");
    item.dataset.vector = vector;
    item.textContent = `${vector}: ${outcome}`;
    list.appendChild(item);
  }
  document.getElementById("vectors-status").textContent =
    `Fired ${results.length} vectors; the page's own form (form-top) follows in a second.`;
  window.__vectorsFired = true;

  // Last, so it cannot cut the others short: submitting navigates the top page (the sink
  // answers 204, so in practice the page stays).
  setTimeout(() => {
    document.getElementById("form-top").submit();
    // A marker for whoever drives this page: everything has been tried by now.
    setTimeout(() => {
      const done = document.createElement("p");
      done.id = "vectors-done";
      done.textContent = "All vectors tried.";
      document.getElementById("vectors").appendChild(done);
    }, 300);
  }, 1000);
})();
