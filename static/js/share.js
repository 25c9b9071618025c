// The challenge link's Copy and Share buttons: shown only where the browser can do it.
// Without this file the link stays in a read-only box to select and copy.
(function () {
  "use strict";

  function setUp() {
    const status = document.querySelector("[data-copy-status]");
    document.querySelectorAll("[data-copy]").forEach((button) => {
      const field = document.querySelector(button.dataset.copy);
      if (!field || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", async () => {
        try {
          await navigator.clipboard.writeText(field.value);
          if (status) status.textContent = "Link copied.";
        } catch (error) {
          field.select();
          if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
        }
      });
    });
    document.querySelectorAll("[data-share]").forEach((button) => {
      const field = document.querySelector(button.dataset.share);
      if (!field || !navigator.share) return;
      button.hidden = false;
      button.addEventListener("click", () => {
        navigator.share({ title: button.dataset.shareTitle || document.title, url: field.value }).catch(() => {});
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
