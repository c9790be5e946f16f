// BetterPrompts demo homepage: send the prompt to the enhance API and show the result.
// Failures are shown on the page and never logged to the console: only the console-error
// fault may put errors on the console (smoke checks count them).
(() => {
  const input = document.getElementById("prompt-input");
  const button = document.getElementById("enhance-button");
  const output = document.getElementById("enhanced-output");
  const problem = document.getElementById("enhance-error");

  const fail = (text) => {
    output.textContent = "";
    problem.textContent = text;
    problem.hidden = false;
  };

  button.addEventListener("click", async () => {
    output.textContent = "";
    problem.textContent = "";
    problem.hidden = true;
    button.disabled = true;
    try {
      const response = await fetch("/api/v1/enhance", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ prompt: input.value }),
        credentials: "same-origin",
      });
      if (!response.ok) {
        fail(`Enhancement failed (HTTP ${response.status})`);
        return;
      }
      const data = await response.json();
      output.textContent = data.enhanced;
    } catch (error) {
      fail(`Enhancement failed (${error && error.message ? error.message : "network error"})`);
    } finally {
      button.disabled = false;
    }
  });
})();
