// The learner's time zone, on the sign-up and study settings pages only: the sign-up form
// sends the browser's, so the study day starts on the learner's own clock; the settings say
// when the device is on another clock than the zone chosen (a learner travelling) and
// offer it. Without this file the sign-up keeps UTC and the settings say nothing.
(function () {
  "use strict";

  function browserTimeZone() {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      return "";
    }
  }

  // Whether two zones keep the same clock all year: Chrome names Kolkata "Asia/Calcutta" and
  // Kyiv "Europe/Kiev" (ICU's names), so the names alone would call a learner at home
  // travelling. Their wall-clock times are compared on the 1st and the 15th of each month.
  function sameClock(zone, other) {
    if (zone === other) return true;
    try {
      const options = {
        year: "numeric", month: "numeric", day: "numeric",
        hour: "numeric", minute: "numeric", hourCycle: "h23",
      };
      const one = new Intl.DateTimeFormat("en-US", Object.assign({ timeZone: zone }, options));
      const two = new Intl.DateTimeFormat("en-US", Object.assign({ timeZone: other }, options));
      const year = new Date().getUTCFullYear();
      for (let month = 0; month < 12; month += 1) {
        for (const day of [1, 15]) {
          const moment = new Date(Date.UTC(year, month, day, 12));
          if (one.format(moment) !== two.format(moment)) return false;
        }
      }
      return true;
    } catch (error) {  // a zone this browser does not know
      return false;
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
      if (!offered || sameClock(select.value, zone)) return;
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
