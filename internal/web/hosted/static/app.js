// openkyc hosted verification page: camera capture with an upload fallback,
// client-side downscaling, immediate quality feedback, and the active
// liveness challenge. No third-party code besides htmx (vendored).
(function () {
  "use strict";
  var MAX_SIDE = 1600;
  var section = document.getElementById("capture");
  if (!section) { return; }
  var d = section.dataset;
  var video = document.getElementById("video");
  var preview = document.getElementById("preview");
  var viewer = video.parentNode;
  var prompt = document.getElementById("prompt");
  var feedback = document.getElementById("feedback");
  var take = document.getElementById("take");
  var retake = document.getElementById("retake");
  var useAnyway = document.getElementById("useanyway");
  var file = document.getElementById("file");
  var selfie = d.step === "selfie";
  var challenge = selfie ? d.challenge.split(",") : [];
  var frame = 0; // next liveness frame
  var stream = null;
  var embed = window.openkycEmbed || { emit: function () {} };

  function show(el, on) { el.hidden = !on; }
  function say(text) { feedback.textContent = text; }
  function next() { window.location.assign(d.next); }
  function sleep(ms) { return new Promise(function (r) { setTimeout(r, ms); }); }
  function promptFor(i) {
    var p = d["prompt" + challenge[i].charAt(0).toUpperCase() + challenge[i].slice(1)] || "";
    var progress = d.msgProgress.replace("%d", String(i + 1)).replace("%d", String(challenge.length));
    prompt.textContent = p + " — " + progress;
  }

  // toBlob draws a source (video or bitmap) scaled so its long side is at
  // most MAX_SIDE and encodes it as JPEG.
  function toBlob(src, w, h) {
    var scale = Math.min(1, MAX_SIDE / Math.max(w, h));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    canvas.getContext("2d").drawImage(src, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve, reject) {
      canvas.toBlob(function (b) { if (b) { resolve(b); } else { reject(new Error("encode")); } }, "image/jpeg", 0.9);
    });
  }

  function grab() { return toBlob(video, video.videoWidth, video.videoHeight); }

  function upload(kind, blob) {
    var form = new FormData();
    form.append("file", blob, "photo.jpg");
    return fetch(d.upload + (d.upload.indexOf("?") < 0 ? "?" : "&") + "kind=" + encodeURIComponent(kind), { method: "POST", body: form, credentials: "same-origin" })
      .then(function (res) { return res.json().then(function (body) { body.status = res.status; return body; }); })
      .then(function (body) {
        if (body.status === 200) { embed.emit("uploaded", { kind: kind }); } else { embed.emit("error", { code: "upload_failed" }); }
        return body;
      }, function (err) { embed.emit("error", { code: "upload_failed" }); throw err; });
  }

  function report(res) {
    if (res.status !== 200) { say(d.msgFailed); return false; }
    if (res.ok) { say(d.msgGood); return true; }
    say(res.messages.join(" "));
    return false;
  }

  function showPreview(blob) {
    show(viewer, true);
    preview.src = URL.createObjectURL(blob);
    show(preview, true);
    show(video, false);
  }

  function afterProblem() {
    show(take, false); show(retake, true); show(useAnyway, true);
    retake.focus();
  }

  // document photo: one capture, feedback, then on.
  function captureDocument(blob) {
    showPreview(blob);
    show(take, false);
    say(d.msgChecking);
    return upload(d.step === "front" ? "id_front" : "id_back", blob).then(function (res) {
      if (report(res)) { setTimeout(next, 600); } else { afterProblem(); }
    }).catch(function () { say(d.msgFailed); afterProblem(); });
  }

  // selfie: the first frame is also the selfie; every frame follows a prompt.
  function selfieFrame(blob) {
    var first = frame === 0;
    var chain = first ? upload("selfie", blob).then(function (res) {
      if (!report(res)) { throw res; }
    }) : Promise.resolve();
    return chain.then(function () { return upload("liveness_frame", blob); }).then(function (res) {
      if (res.status !== 200) { throw res; }
      frame++;
      if (frame >= challenge.length) { say(d.msgGood); setTimeout(next, 400); return; }
      promptFor(frame);
    });
  }

  function runChallenge() {
    show(take, false);
    frame = 0;
    var loop = function () {
      if (frame >= challenge.length) { return Promise.resolve(); }
      promptFor(frame);
      return sleep(1800).then(grab).then(selfieFrame).then(function () {
        if (frame < challenge.length) { return loop(); }
      });
    };
    return loop().catch(function (res) {
      if (res && res.messages && res.messages.length) { say(res.messages.join(" ")); } else { say(d.msgFailed); }
      prompt.textContent = "";
      show(retake, true);
      retake.focus();
    });
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { noCamera(); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: d.facing, width: { ideal: 1920 } }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        return video.play();
      })
      .then(function () { show(take, true); if (selfie) { promptFor(0); } })
      .catch(noCamera);
  }

  function noCamera() {
    embed.emit("error", { code: "camera_unavailable" });
    show(viewer, false);
    say(d.msgNocamera);
    if (selfie) { promptFor(frame); }
  }

  take.addEventListener("click", function () {
    if (selfie) { runChallenge(); return; }
    grab().then(captureDocument);
  });
  retake.addEventListener("click", function () {
    show(retake, false); show(useAnyway, false); show(preview, false); say("");
    if (stream) { show(video, true); show(take, true); }
    if (selfie) { frame = 0; promptFor(0); }
  });
  useAnyway.addEventListener("click", next);

  // Upload fallback: a chosen photo is downscaled like a camera frame; in the
  // selfie step each photo answers the current prompt.
  file.addEventListener("change", function () {
    var f = file.files && file.files[0];
    if (!f) { return; }
    createImageBitmap(f).then(function (bmp) { return toBlob(bmp, bmp.width, bmp.height); }).then(function (blob) {
      file.value = "";
      if (!selfie) { return captureDocument(blob); }
      showPreview(blob);
      return selfieFrame(blob).catch(function (res) {
        say(res && res.messages && res.messages.length ? res.messages.join(" ") : d.msgFailed);
      });
    }).catch(function () { say(d.msgFailed); });
  });

  startCamera();
})();
