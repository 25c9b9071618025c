// Playing a quiz: the countdown, its announcements, and the keyboard (1-9 choose, Enter
// continues). The server keeps the clock; this only displays the time it rendered (the
// countdown's own hx-trigger asks the server how the question went when the time is up).
// Without this file, plain form posts play the whole quiz.
(function () {
  "use strict";

  const STAGE_ID = "quiz-stage";
  let countdownTimer = null;

  function clock(ms) {
    const seconds = Math.ceil(Math.max(ms, 0) / 1000);
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function announcement(seconds) {
    if (seconds >= 60) {
      const minutes = seconds / 60;
      return minutes + (minutes === 1 ? " minute left" : " minutes left");
    }
    return seconds + " seconds left";
  }

  function stopCountdown() {
    if (countdownTimer !== null) {
      clearInterval(countdownTimer);
      countdownTimer = null;
    }
  }

  // When the request that brought the page was sent, on performance.now()'s clock; null when
  // the browser does not say.
  function pageRequestedAt() {
    const navigation = performance.getEntriesByType("navigation")[0];
    return navigation && navigation.requestStart > 0 ? navigation.requestStart : null;
  }

  // `requestedAt`: when the request that brought the stage was sent. The server counted
  // what is left while answering it, so the time the page took to arrive (and to load) is
  // gone already: the countdown starts that much lower and never shows more time than the
  // server allows. On a slow phone connection the page can take seconds.
  function startCountdown(stage, requestedAt) {
    stopCountdown();
    // A question's clock, or on a feedback screen the whole quiz's, which keeps running.
    const timer = stage.querySelector("[data-remaining-ms]");
    if (!timer) return;
    const text = timer.querySelector("[data-countdown-text]");
    const live = stage.querySelector("[data-countdown-announce]");
    const now = performance.now();
    const underway = requestedAt == null ? 0 : Math.max(now - requestedAt, 0);
    const remaining = Math.max(Number(timer.dataset.remainingMs) - underway, 0);
    const end = now + remaining;
    const marks = "wholeQuiz" in timer.dataset ? [300, 60, 30, 10] : [10, 5];
    // Announce only the marks still ahead, so a screen reader hears a few calm updates.
    const pending = marks.filter((mark) => mark * 1000 < remaining);

    function tick() {
      if (!timer.isConnected) {
        stopCountdown(); // answered, or the page swapped away
        return;
      }
      const left = end - performance.now();
      text.textContent = clock(left);
      const secondsLeft = Math.ceil(left / 1000);
      while (pending.length && secondsLeft <= pending[0]) {
        const mark = pending.shift();
        if (secondsLeft > 0 && live) live.textContent = announcement(mark);
      }
      timer.classList.toggle("is-urgent", left > 0 && left <= 5000);
      if (left <= 0) {
        stopCountdown();
        timer.classList.add("is-over");
        if (live) live.textContent = "Time is up.";
      }
    }
    tick();
    countdownTimer = setInterval(tick, 250);
    timer.dataset.counting = ""; // it shows this page's own count now, not the server's
  }

  document.addEventListener("keydown", (event) => {
    if (!window.quizsite || !window.quizsite.isShortcut(event)) return;
    const stage = document.getElementById(STAGE_ID);
    if (!stage) return;
    if (/^[1-9]$/.test(event.key)) {
      const button = stage.querySelector(`[data-key="${event.key}"]`);
      if (button && !button.disabled && !button.closest("details:not([open])")) {
        event.preventDefault();
        button.click();
      }
      return;
    }
    if (event.key !== "Enter") return;
    const onControl = event.target instanceof Element && event.target.matches("a, button, summary");
    if (onControl) return; // Enter already activates what has the focus
    const flashcard = stage.querySelector("details[data-flashcard]:not([open])");
    const next = stage.querySelector("[data-continue]");
    if (flashcard) {
      event.preventDefault();
      flashcard.open = true; // the toggle listener below moves the focus
    } else if (next) {
      event.preventDefault();
      next.click();
    }
  });

  // However a flashcard's answer is shown (Enter anywhere, or its summary pressed, clicked or
  // tapped), the focus goes to the first grade: the summary it was on hides once open, and
  // the focus fell back to the page, where a screen reader lost its place. Not scrolled to:
  // the answer, above the grades, is what the learner reads first.
  document.addEventListener(
    "toggle",
    (event) => {
      const flashcard = event.target;
      if (!(flashcard instanceof HTMLDetailsElement) || !flashcard.open) return;
      if (!("flashcard" in flashcard.dataset)) return;
      const first = flashcard.querySelector("[data-key]");
      if (first) first.focus({ preventScroll: true });
    },
    true, // toggle does not bubble
  );

  document.addEventListener("htmx:beforeSend", (event) => {
    if (event.detail.xhr) event.detail.xhr.quizsiteSentAt = performance.now();
  });

  // While an answer is on its way (seconds, on a slow phone connection) the choices are
  // disabled and the one taken stays marked: a second tap went nowhere (htmx drops it) and
  // looked like the answer given. An answer refused or not delivered frees them again.
  function answerForm(event) {
    const stage = document.getElementById(STAGE_ID);
    const form = event.detail.elt;
    return stage && form instanceof HTMLFormElement && stage.contains(form) &&
      form.matches(".quiz-answer") ? form : null;
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = answerForm(event);
    if (!form) return;
    const trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const taken = trigger && trigger.submitter;
    form.querySelectorAll("button.choice").forEach((button) => {
      button.disabled = true;
      button.classList.toggle("is-sending", button === taken);
    });
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const form = answerForm(event);
    if (!form || event.detail.successful) return;
    form.querySelectorAll("button.choice").forEach((button) => {
      button.disabled = false;
      button.classList.remove("is-sending");
    });
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== STAGE_ID) return;
    const xhr = event.detail.xhr;
    startCountdown(event.detail.target, xhr ? xhr.quizsiteSentAt : null);
  });

  // A quiz page the browser brings back from its back-forward cache shows a stale clock:
  // load it again, so that it shows where the quiz stands now.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && document.getElementById(STAGE_ID)) window.location.reload();
  });

  function init() {
    const stage = document.getElementById(STAGE_ID);
    if (stage) startCountdown(stage, pageRequestedAt());
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
