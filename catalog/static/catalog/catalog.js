// Catalogue enhancements (the pages work without them): upload progress.
(function () {
  "use strict";

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest(".photo-upload");
    if (!form || !event.detail.lengthComputable) return;
    var bar = form.querySelector(".photo-upload__progress");
    if (!bar) return;
    bar.hidden = false;
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    bar.textContent = bar.value + "%";
  });
})();
