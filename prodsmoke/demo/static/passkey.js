// Sign in with a passkey (WebAuthn, usernameless): ask the server for a challenge, let the
// authenticator sign it, send the assertion back to be verified.
(() => {
  const button = document.getElementById("passkey-login");
  const error = document.getElementById("passkey-error");
  if (!button) return;
  const bytes = (text) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0));
  };
  const text = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer)))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const fail = (why) => { error.textContent = "Passkey sign-in failed" + (why ? ": " + why : ""); error.hidden = false; };
  button.addEventListener("click", async () => {
    error.hidden = true;
    try {
      const asked = await fetch("/api/v1/auth/passkey/options", {
        method: "POST", headers: {"content-type": "application/json"}, body: "{}",
      });
      const options = await asked.json();
      const credential = await navigator.credentials.get({publicKey: {
        challenge: bytes(options.challenge), rpId: options.rpId, timeout: options.timeout,
        userVerification: options.userVerification, allowCredentials: [],
      }});
      const response = credential.response;
      const sent = await fetch("/api/v1/auth/passkey/verify", {
        method: "POST", headers: {"content-type": "application/json"},
        body: JSON.stringify({
          id: credential.id, rawId: text(credential.rawId), type: credential.type,
          clientExtensionResults: {},
          response: {
            clientDataJSON: text(response.clientDataJSON),
            authenticatorData: text(response.authenticatorData),
            signature: text(response.signature),
            userHandle: response.userHandle ? text(response.userHandle) : null,
          },
        }),
      });
      if (!sent.ok) return fail("the server did not accept it");
      window.location.assign((await sent.json()).redirect);
    } catch (e) {
      fail(e && e.name);
    }
  });
})();
