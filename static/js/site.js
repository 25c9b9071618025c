// Small progressive enhancements; every page works without this file.
// Keys: "/" focuses the search box; on a card page Space or Enter shows the answer and the
// arrow keys go to the previous or next card.
(function () {
  "use strict";

  const FORM_FIELDS = "input, textarea, select, [contenteditable]:not([contenteditable='false'])";
  // Elements that already do something with Space or Enter.
  const ACTIVATES = FORM_FIELDS + ", a[href], button, summary, [role='button'], [tabindex]:not([tabindex='-1'])";

  // A key press the page's own shortcuts may take: no modifier, not mid-composition (an
  // input method), and not typed into a form field. quiz.js and review.js ask it too.
  // Single-key shortcuts can be turned off (WCAG 2.1.4: a speech user's words, or a stray
  // key, must not answer a question), with the footer's button, kept in this browser.
  const SHORTCUTS_KEY = "quizsite.shortcuts";
  function shortcutsOn() {
    try {
      return window.localStorage.getItem(SHORTCUTS_KEY) !== "off";
    } catch (error) {
      return true; // storage refused (a private window's settings): the default
    }
  }
  function showShortcuts() {
    const on = shortcutsOn();
    document.documentElement.classList.toggle("shortcuts-off", !on);
    for (const toggle of document.querySelectorAll("[data-shortcuts-toggle]")) {
      toggle.hidden = false;
      toggle.setAttribute("aria-pressed", String(on));
      const state = toggle.querySelector("[data-shortcuts-state]");
      if (state) state.textContent = on ? "on" : "off";
    }
  }
  showShortcuts();
  document.addEventListener("click", (event) => {
    const toggle = event.target instanceof Element && event.target.closest("[data-shortcuts-toggle]");
    if (!toggle) return;
    try {
      window.localStorage.setItem(SHORTCUTS_KEY, shortcutsOn() ? "off" : "on");
    } catch (error) {
      return;
    }
    showShortcuts();
  });

  function isShortcut(event) {
    if (!shortcutsOn()) return false;
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) {
      return false;
    }
    return !(event.target instanceof Element && event.target.closest(FORM_FIELDS));
  }
  window.quizsite = { isShortcut: isShortcut, shortcutsOn: shortcutsOn };

  function onKeydown(event) {
    if (!isShortcut(event)) return;
    const target = event.target instanceof Element ? event.target : document.body;

    if (event.key === "/") {
      const search = document.querySelector("[data-search-input]");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if ((event.key === " " || event.key === "Enter") && !target.closest(ACTIVATES)) {
      const reveal = document.querySelector("[data-reveal-key]");
      if (reveal) {
        event.preventDefault();
        reveal.click();
      }
    } else if ((event.key === "ArrowLeft" || event.key === "ArrowRight") && !event.shiftKey) {
      const rel = event.key === "ArrowLeft" ? "prev" : "next";
      const link = document.querySelector(`a[data-key-nav][rel='${rel}']`);
      if (link) {
        event.preventDefault();
        link.click();
      }
    }
  }

  // htmx focuses the [autofocus] element of a fragment it swaps in (the answer just revealed,
  // the first of the cards just loaded), and would again when Back restores the page from its
  // history cache: the mark has done its work before the page is saved there.
  function forgetAutofocus(event) {
    event.detail.historyElt.querySelectorAll("[autofocus]").forEach(function (element) {
      element.removeAttribute("autofocus");
    });
  }

  // htmx restores the results of an earlier search from its history cache, but the form
  // fields keep what was typed last: put back the query and tag that the URL names.
  function syncSearchFormWithUrl() {
    const form = document.querySelector("form[role='search']");
    if (!form) {
      return;
    }
    const params = new URLSearchParams(window.location.search);
    ["q", "tag"].forEach(function (name) {
      const field = form.elements.namedItem(name);
      if (field) {
        field.value = params.get(name) || "";
      }
    });
  }

  // A request that got no answer at all (no connection, or one cut on the way) changed
  // nothing on the page, and a tap that does nothing reads as a lost tap: say so, at the
  // bottom of the screen, where a phone scrolled down to the choices still shows it, until
  // a request gets through. The server keeps an answer sent twice once.
  const NOT_THROUGH = "That did not get through: check your connection, then try again.";

  // A new alert each time: a screen reader reads an alert out as it appears, not again
  // when the same words are set once more.
  function sayNotThrough() {
    const old = document.querySelector("[data-connection-alert]");
    if (old) old.remove();
    const alert = document.createElement("p");
    alert.className = "connection-alert";
    alert.setAttribute("role", "alert");
    alert.dataset.connectionAlert = "";
    alert.textContent = NOT_THROUGH;
    document.body.append(alert);
  }

  function forgetNotThrough(event) {
    const xhr = event.detail.xhr;
    if (xhr && xhr.status > 0) { // an answer came, whatever it said
      const alert = document.querySelector("[data-connection-alert]");
      if (alert) alert.remove();
    }
  }

  // A code block or formula wider than its card scrolls sideways in its own box (site.css).
  // A keyboard reaches its hidden end only if the box is a stop of its own, which Chromium
  // and Firefox make of any such box but Safari does not (axe: scrollable-region-focusable).
  // Only a box that scrolls is made one; one out of sight (an answer not shown yet) is
  // measured again when it comes.
  function reachScrollers() {
    for (const box of document.querySelectorAll("[dir='auto'] :is(pre, math)")) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex"); // the sanitizer lets authors set none
    }
  }
  reachScrollers();
  document.addEventListener("htmx:afterSettle", reachScrollers);
  document.addEventListener("toggle", reachScrollers, true); // a <details> opened; no bubbling
  window.addEventListener("resize", reachScrollers);

  document.addEventListener("keydown", onKeydown);
  document.addEventListener("htmx:sendError", sayNotThrough);
  document.addEventListener("htmx:timeout", sayNotThrough);
  document.addEventListener("htmx:afterRequest", forgetNotThrough);
  document.addEventListener("htmx:historyRestore", syncSearchFormWithUrl);
  document.addEventListener("htmx:beforeHistorySave", forgetAutofocus);
})();
