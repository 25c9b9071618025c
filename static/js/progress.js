// The progress page's charts; the page works without this file.
(function () {
  "use strict";

  // The year of reviews scrolls sideways in its box on a phone, opened at its latest weeks:
  // a month's name the box's left edge cut ("un" for Jun) moves right, into view, unless the
  // next month's name leaves it no room; one the right edge cuts waits until it is in view.
  // Room means a gap as well: "Jun" moved right against "Jul" read as one word on a phone.
  const GAP_BEFORE_NEXT_NAME = 6;

  function placeMonthNames(box) {
    const edge = box.getBoundingClientRect().left - box.querySelector("svg").getBoundingClientRect().left;
    const rightEdge = edge + box.clientWidth;
    const names = Array.from(box.querySelectorAll("text[data-month]"));
    names.forEach(function (name, index) {
      const drawn = name.getBBox();
      const overhang = Number(name.getAttribute("x")) - drawn.x; // a J reaches left of its x
      const x = Math.max(Number(name.dataset.month), edge + overhang);
      const next = index + 1 < names.length
        ? Number(names[index + 1].dataset.month) - GAP_BEFORE_NEXT_NAME
        : Infinity;
      name.setAttribute("x", x);
      const end = x - overhang + drawn.width;
      name.setAttribute("visibility", end < next && end <= rightEdge ? "visible" : "hidden");
    });
  }

  document.querySelectorAll("[data-month-names]").forEach(function (box) {
    const place = function () { placeMonthNames(box); };
    box.addEventListener("scroll", place, { passive: true });
    window.addEventListener("resize", place);
    place();
  });
})();
