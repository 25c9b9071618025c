// The card editor's fixes to what Django's admin draws; the page works without this file.
(function () {
  "use strict";

  // Django's tag chooser (SelectFilter2.js) names each filter box through an icon in its
  // label: a <span aria-label>, a name ARIA does not allow on a span (axe: serious), which
  // screen readers may skip. As an image the icon may bear that name, and lends it to the
  // box. SelectFilter2 draws the chooser at "load", before this listener (added later) runs.
  window.addEventListener("load", function () {
    document.querySelectorAll(".selector .search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  });

  // A wrong answer's box grows with its words (admin-card.css: field-sizing), in the
  // browsers that know field-sizing; in the others (Firefox), here, as it is typed into.
  if (window.CSS && CSS.supports("field-sizing", "content")) {
    return;
  }
  const WRONG_ANSWER = "#distractors-group textarea";

  function fitWords(box) {
    const style = getComputedStyle(box);
    const borders = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    box.style.height = "auto"; // its scrollHeight, then, is its words' and not the box's
    box.style.height = box.scrollHeight + borders + "px"; // within its min- and max-height
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches(WRONG_ANSWER)) {
      fitWords(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(WRONG_ANSWER).forEach(fitWords);
  });
  // "Add another Wrong answer" (Django's inlines.js)
  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll("textarea").forEach(fitWords);
  });
})();
