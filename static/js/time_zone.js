// The learner's time zone, on the sign-up and study settings pages only: the sign-up form
// sends the browser's, so the study day starts on the learner's own clock; the settings say
// when the device is on another zone than the one chosen (a learner travelling) and offer
// it. Without this file the sign-up keeps UTC and the settings say nothing.
(function () {
  "use strict";

  function browserTimeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  function fillBrowserTimeZone() {
    const zone = browserTimeZone();
    if (!zone) return;
    document.querySelectorAll("[data-browser-time-zone]").forEach(function (field) {
      field.value = zone;
    });
    document.querySelectorAll("[data-device-time-zone]").forEach(function (note) {
      const select = document.getElementById(note.dataset.deviceTimeZone);
      const offered = select && Array.from(select.options).some(function (option) {
        return option.value === zone;
      });
      if (!offered || select.value === zone) return;
      note.querySelector("[data-device-zone-name]").textContent = zone.replace(/_/g, " ");
      note.querySelector("[data-device-zone-use]").addEventListener("click", function () {
        select.value = zone;
        note.hidden = true;
        select.focus();
      });
      note.hidden = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fillBrowserTimeZone);
  } else {
    fillBrowserTimeZone();
  }
})();
