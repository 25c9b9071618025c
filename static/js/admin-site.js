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
})();
