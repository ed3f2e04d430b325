// Catalogue enhancements (the pages work without them): upload progress; photo order by dragging or arrow buttons
// (without JavaScript the position numbers do the same).
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

  function items(list) {
    return Array.prototype.slice.call(list.querySelectorAll(".photo-editor__item"));
  }

  // After a move: positions follow the new order, the save button is pointed out, a screen reader hears where.
  function moved(list, item) {
    items(list).forEach(function (each, index) {
      var input = each.querySelector("input[name$='-position']");
      if (input) input.value = index;
    });
    var form = list.closest("form");
    var save = form && form.querySelector(".photo-editor__save");
    if (save) save.classList.replace("btn-outline-primary", "btn-primary");
    var status = document.getElementById("photo-editor-status");
    if (status && item) status.textContent = (list.dataset.movedText || "{n}").replace("{n}", items(list).indexOf(item) + 1);
  }

  function enhance(list) {
    var dragged = null;
    var hint = list.parentNode.querySelector(".photo-editor__hint");
    if (hint) hint.hidden = false;
    items(list).forEach(function (item) {
      var moves = item.querySelector(".photo-editor__moves");
      if (moves) moves.hidden = false;
      var position = item.querySelector(".photo-editor__position");
      if (position) position.hidden = true;  // the order on screen is the order saved
      var handle = item.querySelector(".photo-editor__handle");
      // Only the photo drags the card, so text in its inputs can still be selected with the mouse.
      if (handle) {
        handle.addEventListener("pointerdown", function () { item.draggable = true; });
        handle.draggable = false;
      }
      item.addEventListener("dragstart", function (event) {
        dragged = item;
        item.classList.add("is-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
      });
      item.addEventListener("dragend", function () {
        item.classList.remove("is-dragging");
        item.draggable = false;
        if (dragged) moved(list, dragged);
        dragged = null;
      });
      item.addEventListener("dragover", function (event) {
        if (!dragged || dragged === item) return;
        event.preventDefault();
        var box = item.getBoundingClientRect();
        var after = event.clientX - box.left > box.width / 2;
        list.insertBefore(dragged, after ? item.nextSibling : item);
      });
      item.addEventListener("drop", function (event) { event.preventDefault(); });
    });
    list.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-move]");
      if (!button) return;
      var item = button.closest(".photo-editor__item");
      if (button.dataset.move === "earlier" && item.previousElementSibling) {
        list.insertBefore(item, item.previousElementSibling);
      } else if (button.dataset.move === "later" && item.nextElementSibling) {
        list.insertBefore(item.nextElementSibling, item);
      } else {
        return;
      }
      moved(list, item);
      button.focus();
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".photo-editor"), enhance);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
