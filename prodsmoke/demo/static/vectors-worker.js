// Dedicated worker for the dedicated-worker write vector: one fetch POST from a worker context.
fetch("/api/v1/sink/dedicated-worker", { method: "POST", body: "dedicated-worker" })
  .then(() => postMessage("sent"), () => postMessage("failed"));
