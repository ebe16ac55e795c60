// openkyc hosted page, embedded by openkyc.js in a merchant's page: tells
// the embedding page how the flow goes with postMessage. Messages go only
// to the origins the merchant allowed (the page's frame-ancestors), carry
// no personal data (step names, document kinds, the final state, error
// codes) and nothing is read from the embedding page.
(function () {
  "use strict";
  var body = document.body;
  var origins = (body.dataset.embedOrigins || "").split(" ").filter(function (o) { return o !== ""; });
  var framed = window.parent !== window && origins.length > 0;

  function emit(type, fields) {
    if (!framed) { return; }
    var msg = { source: "openkyc", version: 1, type: type };
    if (fields) { Object.keys(fields).forEach(function (k) { msg[k] = fields[k]; }); }
    origins.forEach(function (o) {
      // delivered only if the embedding page is at o
      try { window.parent.postMessage(msg, o); } catch (e) { /* not an origin */ }
    });
  }
  window.openkycEmbed = { emit: emit, framed: framed };
  if (!framed) { return; }

  var done = false;
  function final(el) {
    var st = el && el.dataset.status;
    if (done || !st || st === "status.processing") { return; }
    done = true;
    emit("completed", { state: st.replace(/^status\./, "") });
  }

  emit("ready");
  if (body.dataset.error) {
    emit("error", { code: body.dataset.error });
    return;
  }
  if (body.dataset.step) { emit("step", { name: body.dataset.step }); }
  var submit = document.getElementById("submit");
  if (submit && submit.form) {
    submit.form.addEventListener("submit", function () { emit("submitted"); });
  }
  final(document.getElementById("status"));
  body.addEventListener("htmx:afterSwap", function () { final(document.getElementById("status")); });
})();
