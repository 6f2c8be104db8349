/* Photos from the phone (input[data-photos], tickets/forms.py PhotosField): each chosen photo
   is scaled on the phone to fit 1600 px and re-encoded as a JPEG (~0.8 quality) before the
   form is sent, so a 5 MB camera original travels as a few hundred KB over a weak signal. The
   canvas drops the camera's metadata; the server cleans again anyway (lib/images.py). Where
   the handler ticks "记录拍摄位置", the phone's position goes in the form's hidden fields.
   Without canvas or DataTransfer the originals are sent as they are. No UI text lives here:
   the hint's texts come from the page (data-busy, data-ready). */
(function () {
  "use strict";
  var LONG_SIDE = 1600, QUALITY = 0.8;

  function load(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file), img = new Image();
      img.onload = function () { resolve({ img: img, url: url }); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("not an image")); };
      img.src = url;
    });
  }

  function compress(file) {
    return load(file).then(function (loaded) {
      var img = loaded.img, w = img.naturalWidth, h = img.naturalHeight;
      var scale = Math.min(1, LONG_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(w * scale);
      canvas.height = Math.round(h * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(loaded.url);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob || blob.size >= file.size) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
          // (lastModified: when the camera wrote it; sent as photo_times, the EXIF time is gone)
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; }); // the server says what is wrong with it
  }

  function setup(input) {
    var form = input.form;
    var hint = form.querySelector(".photo-hint");
    var previews = document.createElement("ul");
    previews.className = "photo-previews";
    input.parentNode.appendChild(previews);
    var chosen = [], busy = null;
    var canSwap = typeof DataTransfer !== "undefined";
    // The camera gives one photo a shot: each shot (or pick) adds to what is chosen.
    function add(files) {
      if (!files.length || !canSwap) return;
      if (hint) { hint.hidden = false; hint.textContent = hint.dataset.busy || ""; }
      busy = Promise.all(files.map(compress)).then(function (out) {
        chosen = chosen.concat(out).slice(0, 9);
        var transfer = new DataTransfer();
        previews.textContent = "";
        chosen.forEach(function (f) {
          transfer.items.add(f);
          var li = document.createElement("li"), img = document.createElement("img");
          img.src = URL.createObjectURL(f);
          img.alt = "";
          li.appendChild(img);
          previews.appendChild(li);
        });
        input.files = transfer.files;
        if (form.elements.photo_times) {
          form.elements.photo_times.value = chosen.map(function (f) { return f.lastModified || ""; }).join(",");
        }
        var kb = Math.round(chosen.reduce(function (n, f) { return n + f.size; }, 0) / 1024);
        if (hint) hint.textContent = (hint.dataset.ready || "").replace("{n}", chosen.length).replace("{kb}", kb);
        busy = null;
      });
    }
    input.addEventListener("change", function () {
      add(Array.prototype.slice.call(input.files || []));
    });
    // A second chooser without `capture`: pick photos already taken, from the gallery.
    if (canSwap && hint && hint.dataset.pick) {
      var pick = document.createElement("input");
      pick.type = "file";
      pick.accept = "image/*";
      pick.multiple = true;
      pick.className = "photo-pick";
      pick.setAttribute("aria-label", hint.dataset.pick);
      var label = document.createElement("label");
      label.className = "photo-pick-label";
      label.textContent = hint.dataset.pick + " ";
      label.appendChild(pick);
      input.parentNode.insertBefore(label, previews);
      pick.addEventListener("change", function () {
        add(Array.prototype.slice.call(pick.files || []));
        pick.value = "";
      });
    }
    form.addEventListener("submit", function (event) {
      if (!busy) return;
      event.preventDefault();
      busy.then(function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
    });
    var keep = form.elements.keep_location;
    if (keep && navigator.geolocation) {
      keep.addEventListener("change", function () {
        if (!keep.checked) return;
        navigator.geolocation.getCurrentPosition(function (pos) {
          form.elements.latitude.value = pos.coords.latitude.toFixed(6);
          form.elements.longitude.value = pos.coords.longitude.toFixed(6);
        }, function () { /* refused or unavailable: the photos' own tags, if any */ }, { timeout: 10000 });
      });
    }
  }

  function start() { document.querySelectorAll("input[data-photos]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
