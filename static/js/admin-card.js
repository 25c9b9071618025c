// The card editor's wrong answers; the page works without this file.
(function () {
  "use strict";

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
  // A box made narrower holds its words in more lines: a phone turned, the window resized,
  // or the table laid out again after the page loaded (a heading dropped, a font arrived).
  const widths = new WeakMap();
  const narrowed = window.ResizeObserver
    ? new ResizeObserver(function (entries) {
        entries.forEach(function (entry) {
          const width = entry.contentRect.width;
          if (widths.get(entry.target) !== width) {
            widths.set(entry.target, width);
            fitWords(entry.target);
          }
        });
      })
    : null;
  function follow(box) {
    fitWords(box);
    if (narrowed) narrowed.observe(box);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(WRONG_ANSWER).forEach(follow);
  });
  // "Add another Wrong answer" (Django's inlines.js)
  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll("textarea").forEach(follow);
  });
})();
