// Shared worker for the shared-worker write vector: one fetch POST per connecting page.
onconnect = (event) => {
  const port = event.ports[0];
  fetch("/api/v1/sink/shared-worker", { method: "POST", body: "shared-worker" })
    .then(() => port.postMessage("sent"), () => port.postMessage("failed"));
};
