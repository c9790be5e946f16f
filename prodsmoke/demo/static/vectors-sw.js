// Service worker for the service-worker write vector: POSTs while installing and activating,
// where no page (and no page-level request interception) is involved.
const post = (phase) =>
  fetch("/api/v1/sink/service-worker", { method: "POST", body: phase }).catch(() => {});

self.addEventListener("install", (event) => {
  event.waitUntil(post("install"));
  self.skipWaiting();
});
self.addEventListener("activate", (event) => {
  event.waitUntil(post("activate"));
});
