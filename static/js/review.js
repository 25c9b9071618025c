// The review page's keyboard: Space or Enter shows the answer (site.js), 1-4 grade once it
// shows, U or Ctrl+Z undoes the last grade (or bury, suspend, forget), - buries the card,
// @ suspends it, = buries its note (the card and its siblings) and ! suspends the note, and
// E opens staff's card form, as in Anki. After htmx swaps the next card in, focus moves to its heading so a screen reader
// starts there. Without this file the forms post as usual.
(function () {
  "use strict";

  const STAGE_ID = "review-stage";

  document.addEventListener("keydown", (event) => {
    if (!window.quizsite || !window.quizsite.isShortcut(event)) return;
    const stage = document.getElementById(STAGE_ID);
    if (!stage) return;
    if (/^[1-4]$/.test(event.key)) {
      const button = stage.querySelector(`[data-review-answer][open] [data-key="${event.key}"]`);
      if (button && !button.disabled) {
        event.preventDefault();
        button.click();
      }
    } else if (event.key === "u" || event.key === "U") {
      const undo = stage.querySelector("[data-undo-key]");
      if (undo) {
        event.preventDefault();
        undo.click();
      }
    } else if (event.key === "-") {
      clickIn(stage, "[data-review-card-actions] [data-bury-key]", event);
    } else if (event.key === "=") {
      clickIn(stage, "[data-review-card-actions] [data-bury-note-key]", event);
    } else if (event.key === "!") {
      clickIn(stage, "[data-review-card-actions] [data-suspend-note-key]", event);
    } else if (event.key === "e" || event.key === "E") {
      clickIn(stage, "[data-review-card-actions] [data-edit-key]", event);
    }
  });

  function clickIn(stage, selector, event) {
    const button = stage.querySelector(selector);
    if (button && !button.disabled) {
      event.preventDefault();
      button.click();
    }
  }

  // @ suspends the card. It is typed with AltGr (Ctrl+Alt) or Option on many keyboards,
  // so those do not stop it as they stop the other keys.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "@" || event.defaultPrevented || event.metaKey || event.isComposing) return;
    if (window.quizsite && !window.quizsite.shortcutsOn()) return;
    if (event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]")) return;
    const stage = document.getElementById(STAGE_ID);
    if (stage) clickIn(stage, "[data-review-card-actions] [data-suspend-key]", event);
  });

  // Ctrl+Z (Cmd+Z on a Mac) undoes the last grade too, as in Anki; in a text field it is
  // the field's own undo.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "z" && event.key !== "Z") return;
    if (!(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey || event.isComposing) return;
    if (event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]")) return;
    const undo = document.querySelector(`#${STAGE_ID} [data-undo-key]`);
    if (undo && !undo.disabled) {
      event.preventDefault();
      undo.click();
    }
  });

  // Once the answer shows, Space or Enter answer Good, as in Anki. Capturing runs before
  // site.js, whose Space/Enter would otherwise close the answer again.
  window.addEventListener("keydown", (event) => {
    if (event.key !== " " && event.key !== "Enter") return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    if (window.quizsite && !window.quizsite.shortcutsOn()) return;
    const target = event.target instanceof Element ? event.target : document.body;
    if (target.closest("a[href], button, summary, input, textarea, select")) return;
    const good = document.querySelector(`#${STAGE_ID} [data-review-answer][open] [data-key="3"]`);
    if (good && !good.disabled) {
      event.preventDefault();
      good.click();
    }
  }, true);

  // Opening the answer moves focus to the first grade, so Enter or Tab carry on from there.
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (details instanceof HTMLDetailsElement && details.matches("[data-review-answer]") && details.open) {
      const good = details.querySelector('[data-key="3"]');
      if (good) good.focus();
    }
  }, true);

  // A grade, undo or hold swaps the stage: its buttons wait for it. A flag swaps only its
  // own control, so the grades stay as they are.
  document.addEventListener("htmx:beforeRequest", (event) => {
    const stage = document.getElementById(STAGE_ID);
    if (stage && stage.contains(event.detail.elt) && !event.detail.elt.closest("[data-card-flag]")) {
      stage.querySelectorAll("button").forEach((button) => { button.disabled = true; });
    }
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const stage = event.detail.target;
    if (!stage || stage.id !== STAGE_ID) return;
    // htmx wires the new forms up only once they settle (20 ms on): a key pressed as the
    // card appears (U, Ctrl+Z, -, @) would post them as plain forms, reloading the page.
    if (window.htmx) window.htmx.process(stage);
    const heading = stage.querySelector("[data-focus]");
    if (heading) heading.focus();
  });

  // A refused grade (4xx) comes back as a message in the error slot: the buttons work again.
  document.addEventListener("htmx:afterRequest", (event) => {
    const stage = document.getElementById(STAGE_ID);
    if (stage && !event.detail.successful && stage.contains(event.detail.elt)) {
      stage.querySelectorAll("button").forEach((button) => { button.disabled = false; });
    }
  });
})();
