// Catalogue enhancements (the pages work without them): upload progress and closing suggestions.
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

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var box = document.getElementById("catalog-suggest");
    if (box) box.innerHTML = "";
  });

  document.addEventListener("click", function (event) {
    var box = document.getElementById("catalog-suggest");
    if (box && !event.target.closest(".catalog-search")) box.innerHTML = "";
  });
})();
