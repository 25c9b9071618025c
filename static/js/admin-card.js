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
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(WRONG_ANSWER).forEach(fitWords);
  });
  // "Add another Wrong answer" (Django's inlines.js)
  document.addEventListener("formset:added", function (event) {
    event.target.querySelectorAll("textarea").forEach(fitWords);
  });
})();
