// Every admin page's fixes to what Django's admin draws; the pages work without this file.
(function () {
  "use strict";

  // Django's many-to-many chooser (SelectFilter2.js: a card's tags, a user's groups) names
  // each filter box through an icon in its label: a <span aria-label>, a name ARIA does not
  // allow on a span (axe: serious), which screen readers may skip. As an image the icon may
  // bear that name, and lends it to the box. SelectFilter2 draws the chooser at "load",
  // before this listener: this file is deferred, run after the page's scripts.
  window.addEventListener("load", function () {
    document.querySelectorAll(".selector .search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  });

  // A tabular inline's heading row (edit_inline/tabular.html) starts with an empty cell over
  // the column of each row's saved name, and ends with one where no row has a Delete box:
  // headers without words (axe: empty-table-header). The first is named; the last heads
  // nothing and goes.
  document.querySelectorAll(".inline-group .tabular thead tr").forEach(function (row) {
    const first = row.querySelector("th.original");
    if (first && !first.textContent.trim()) {
      first.innerHTML = '<span class="visually-hidden">Saved as</span>';
    }
    const last = row.lastElementChild;
    if (last !== first && last.matches("th") && !last.textContent.trim()) last.remove();
  });
})();
