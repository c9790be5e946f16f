// Installed by prodsmoke.e2e.page_guard in every frame, before the page's own scripts.
(() => {
  // A frame's first same-origin navigation reuses its initial about:blank window: install once.
  if (window.__prodsmokeGuard) return;
  Object.defineProperty(window, "__prodsmokeGuard", {value: true});
  const MARK = __MARK__;
  const report = (kind, url) => {
    let where = String(url);
    try { where = String(new URL(where, location.href)); } catch (e) { /* keep it as given */ }
    console.debug(MARK + JSON.stringify({kind, url: where}));
  };
  const lock = (name, value) =>
    Object.defineProperty(window, name, {value, configurable: false, writable: false});
  if (typeof window.SharedWorker !== "undefined") {
    lock("SharedWorker", function SharedWorker(url) {
      report("SHAREDWORKER", url);
      const stand_in = new EventTarget();
      stand_in.port = new MessageChannel().port1;  // a real port whose other end nobody holds
      stand_in.onerror = null;
      return stand_in;
    });
  }
  if (navigator.serviceWorker) {
    const register = navigator.serviceWorker.register.bind(navigator.serviceWorker);
    navigator.serviceWorker.register = (url, options) => {
      report("SERVICEWORKER", url);
      return register(url, options);
    };
  }
  for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection", "WebTransport"]) {
    if (typeof window[name] === "undefined") continue;
    lock(name, function () {
      const kind = name === "WebTransport" ? "WEBTRANSPORT" : "RTCPEERCONNECTION";
      report(kind, name === "WebTransport" ? arguments[0] : location.href);
      throw new DOMException(name + " __REFUSED__", "NotAllowedError");
    });
  }
})();
