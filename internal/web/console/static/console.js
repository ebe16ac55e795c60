// openkyc review console: CSRF header for htmx requests, document zoom and rotate.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (e) {
    var t = document.body.dataset.csrf;
    if (t) { e.detail.headers["X-CSRF-Token"] = t; }
  });
  document.addEventListener("click", function (e) {
    var b = e.target;
    if (!(b instanceof HTMLButtonElement)) { return; }
    var fig = b.closest("figure.doc");
    if (!fig) { return; }
    var img = fig.querySelector("img");
    if (!img) { return; }
    if (b.classList.contains("rotate")) {
      var r = (parseInt(img.dataset.rotate || "0", 10) + 90) % 360;
      img.dataset.rotate = String(r);
    } else if (b.classList.contains("zoom")) {
      fig.classList.toggle("zoomed");
    }
    img.style.transform = "rotate(" + (img.dataset.rotate || "0") + "deg)";
  });
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (f instanceof HTMLFormElement && f.classList.contains("hit-actions")) {
      var btn = e.submitter;
      if (btn && btn.value === "confirm" && !window.confirm("Confirm the match? The applicant is rejected for good.")) {
        e.preventDefault();
      }
    }
  });
})();
