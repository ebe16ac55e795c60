/*! openkyc.js v1 — opens an openkyc hosted verification link in a modal
 * iframe on a merchant's page and reports how the flow goes.
 *
 *   OpenKYC.open({url: "<hosted link url>", locale: "en", onEvent: function (e) {}})
 *   OpenKYC.close()
 *
 * Events: {type: "ready"}, {type: "step", name}, {type: "uploaded", kind},
 * {type: "submitted"}, {type: "completed", state}, {type: "closed"},
 * {type: "error", code}. They carry no personal data. Only messages from
 * the iframe, at the link's origin, are read. The merchant's origin must be
 * allowed in openkyc (PUT /v1/hosted/settings embed_origins) or the browser
 * refuses to show the page in the frame.
 */
(function (w, d) {
  "use strict";
  var TYPES = { ready: 1, step: 1, uploaded: 1, submitted: 1, completed: 1, error: 1 };
  var FIELDS = { step: "name", uploaded: "kind", completed: "state", error: "code" };
  var cur = null;

  function style(el, css) {
    Object.keys(css).forEach(function (k) { el.style[k] = css[k]; });
    return el;
  }

  function fit() {
    if (!cur) { return; }
    var phone = w.matchMedia("(max-width: 600px)").matches;
    style(cur.box, phone
      ? { width: "100%", height: "100%", maxWidth: "none", maxHeight: "none", borderRadius: "0" }
      : { width: "480px", height: "760px", maxWidth: "calc(100vw - 32px)", maxHeight: "calc(100vh - 32px)", borderRadius: "12px" });
  }

  function close(reason) {
    if (!cur) { return; }
    var c = cur;
    cur = null;
    w.removeEventListener("message", c.onMessage);
    w.removeEventListener("resize", fit);
    d.removeEventListener("keydown", c.onKey);
    if (c.overlay.parentNode) { c.overlay.parentNode.removeChild(c.overlay); }
    if (c.focus && c.focus.focus) { c.focus.focus(); }
    c.emit({ type: "closed", reason: reason || "closed" });
  }

  function open(opts) {
    if (!opts || typeof opts.url !== "string") { throw new Error("OpenKYC.open: url is required"); }
    var u = new URL(opts.url, w.location.href);
    if ((u.protocol !== "https:" && u.protocol !== "http:") || !/^\/verify\/[A-Za-z0-9_-]{43}$/.test(u.pathname)) {
      throw new Error("OpenKYC.open: url must be an openkyc hosted verification link (…/verify/<token>)");
    }
    if (opts.locale) { u.searchParams.set("locale", String(opts.locale)); }
    if (cur) { close("replaced"); }
    var onEvent = typeof opts.onEvent === "function" ? opts.onEvent : function () {};
    var ready = false;
    function emit(e) {
      try { onEvent(e); } catch (err) { setTimeout(function () { throw err; }); }
    }

    var overlay = style(d.createElement("div"), {
      position: "fixed", inset: "0", zIndex: "2147483647", background: "rgba(0,0,0,0.55)",
      display: "flex", alignItems: "center", justifyContent: "center"
    });
    overlay.setAttribute("data-openkyc", "overlay");
    var box = style(d.createElement("div"), { position: "relative", background: "#fff", overflow: "hidden", boxShadow: "0 8px 32px rgba(0,0,0,0.3)" });
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-label", "Identity verification");
    var frame = style(d.createElement("iframe"), { border: "0", width: "100%", height: "100%", display: "block" });
    frame.setAttribute("src", u.toString());
    frame.setAttribute("title", "Identity verification");
    frame.setAttribute("allow", "camera " + u.origin);
    frame.setAttribute("referrerpolicy", "no-referrer");
    var btn = style(d.createElement("button"), {
      position: "absolute", top: "8px", right: "8px", width: "36px", height: "36px", border: "0", borderRadius: "18px",
      background: "rgba(0,0,0,0.6)", color: "#fff", fontSize: "22px", lineHeight: "36px", cursor: "pointer", padding: "0"
    });
    btn.setAttribute("type", "button");
    btn.setAttribute("aria-label", "Close");
    btn.setAttribute("data-openkyc", "close");
    btn.textContent = "\u00d7";
    btn.addEventListener("click", function () { close("user"); });

    function onMessage(ev) {
      // only the frame's own page, at the link's origin
      if (!cur || ev.source !== frame.contentWindow || ev.origin !== u.origin) { return; }
      var m = ev.data;
      if (!m || typeof m !== "object" || m.source !== "openkyc" || !TYPES[m.type]) { return; }
      if (m.type === "ready") {
        if (ready) { return; } // each page of the flow says it; once is news
        ready = true;
      }
      var e = { type: m.type };
      var f = FIELDS[m.type];
      if (f && typeof m[f] === "string") { e[f] = m[f].slice(0, 64); }
      emit(e);
    }
    function onKey(ev) { if (ev.key === "Escape") { close("user"); } }

    cur = { overlay: overlay, box: box, frame: frame, emit: emit, onMessage: onMessage, onKey: onKey, focus: d.activeElement };
    w.addEventListener("message", onMessage);
    w.addEventListener("resize", fit);
    d.addEventListener("keydown", onKey);
    box.appendChild(frame);
    box.appendChild(btn);
    overlay.appendChild(box);
    d.body.appendChild(overlay);
    fit();
    btn.focus();
    return { close: function () { if (cur && cur.frame === frame) { close("closed"); } } };
  }

  w.OpenKYC = { version: "1", open: open, close: function () { close("closed"); } };
})(window, document);
