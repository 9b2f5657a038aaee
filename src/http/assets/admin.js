// replyd dashboard: keyboard shortcuts and select-all. Everything also works without it.
(function () {
  "use strict";
  var cards = function () { return Array.prototype.slice.call(document.querySelectorAll("#cards .card")); };
  var live = document.getElementById("live");
  var help = document.getElementById("help");
  var current = -1;

  function announce(text) {
    if (!live) { return; }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function focusCard(i) {
    var list = cards();
    if (!list.length) { return; }
    i = Math.max(0, Math.min(i, list.length - 1));
    list.forEach(function (c, n) {
      c.tabIndex = n === i ? 0 : -1;
      c.classList.toggle("current", n === i);
    });
    current = i;
    list[i].focus();
  }

  function act(action) {
    var card = cards()[current];
    if (!card) { return; }
    var button = card.querySelector('.actions button[value="' + action + '"]');
    if (!button) { announce("That comment is already " + (action === "spam" ? "spam" : action + "d") + "."); return; }
    var name = card.querySelector("h2").textContent;
    announce(button.textContent.replace(/\s*\(.\)$/, "") + ": comment by " + name + "…");
    try { window.sessionStorage.setItem("replyd-focus", String(current)); } catch (e) { /* private mode */ }
    button.form.requestSubmit(button);
  }

  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || typing(ev.target)) { return; }
    var list = cards();
    if (list.length && current < 0) {
      var inside = list.findIndex(function (c) { return c.contains(document.activeElement); });
      if (inside >= 0) { current = inside; }
    }
    switch (ev.key) {
      case "j": focusCard(current + 1); break;
      case "k": focusCard(current < 0 ? 0 : current - 1); break;
      case "a": act("approve"); break;
      case "r": act("reject"); break;
      case "s": act("spam"); break;
      case "x":
        var pick = list[current] && list[current].querySelector(".pick");
        if (pick) { pick.checked = !pick.checked; announce(pick.checked ? "Selected." : "Unselected."); }
        break;
      case "?":
        if (help) { help.open = !help.open; if (help.open) { help.querySelector("summary").focus(); } }
        break;
      default: return;
    }
    ev.preventDefault();
  });

  document.addEventListener("focusin", function (ev) {
    var list = cards();
    var i = list.findIndex(function (c) { return c.contains(ev.target); });
    if (i >= 0) { current = i; }
  });

  var all = document.getElementById("select-all");
  if (all) {
    all.closest(".select-all").hidden = false;
    all.addEventListener("change", function () {
      document.querySelectorAll("#cards .pick").forEach(function (p) { p.checked = all.checked; });
      announce(all.checked ? "All comments on this page selected." : "Selection cleared.");
    });
  }

  var saved = null;
  try { saved = window.sessionStorage.getItem("replyd-focus"); window.sessionStorage.removeItem("replyd-focus"); } catch (e) { /* private mode */ }
  if (saved !== null && cards().length) {
    focusCard(parseInt(saved, 10) || 0);
  } else if (cards().length) {
    cards()[0].tabIndex = 0; // roving focus: one card is in the tab order
  }
  if (live && live.textContent.trim()) { announce(live.textContent.trim()); }
})();
