/* The portal's shared behaviour, on every admin page and dashboard (no framework, no CDN).
   Tables of the product become cards on a phone: each cell labelled with its column, the
   first three shown and a "more" button for the rest (static/cpo_portal/css/portal.css). */
(function () {
  "use strict";
  var TABLES = "#result_list, table.change-log, table.quote-compare, table.portal-table";
  var SHOWN = 3;

  function cards(table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.classList.add("portal-cards");
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var cells = row.children;
      for (var i = 0; i < cells.length; i++) {
        if (!cells[i].hasAttribute("data-label") && heads[i]) {
          cells[i].setAttribute("data-label", heads[i]);
        }
      }
      if (cells.length <= SHOWN || row.querySelector(".portal-more")) {
        return;
      }
      row.classList.add("has-more");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "portal-more";
      button.textContent = "more";
      button.setAttribute("aria-expanded", "false");
      button.addEventListener("click", function () {
        var open = row.classList.toggle("open");
        button.textContent = open ? "less" : "more";
        button.setAttribute("aria-expanded", String(open));
      });
      cells[SHOWN - 1].appendChild(button);
    });
  }

  // Copy buttons (<button class="portal-copy" data-copy="text">): the text to the
  // clipboard, or, where the browser refuses, selected for the user to copy.
  function copy(event) {
    var button = event.target.closest && event.target.closest("button.portal-copy");
    if (!button) {
      return;
    }
    var text = button.getAttribute("data-copy");
    function select() {
      var code = button.previousElementSibling || button.parentNode.previousElementSibling;
      if (code) {
        window.getSelection().selectAllChildren(code);
      }
      button.textContent = "Press Ctrl+C";
    }
    if (!navigator.clipboard) {
      select();
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      button.textContent = "Copied";
    }, select);
  }

  function ready() {
    document.querySelectorAll(TABLES).forEach(cards);
    document.addEventListener("click", copy);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
