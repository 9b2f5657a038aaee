/* replyd comment counts: <a href="/post" data-replyd-count data-site="blog">Comments</a>
   plus <script src=".../count.js" defer>. One request per site for the whole page. */
(function () {
  "use strict";
  var script = document.currentScript;
  var BASE = new URL(script.src, location.href).origin;
  var WORDS = { en: ["Comment", "Comments"], de: ["Kommentar", "Kommentare"] };
  function run() {
    var bySite = {};
    var links = document.querySelectorAll("[data-replyd-count]");
    for (var i = 0; i < links.length; i++) {
      var el = links[i];
      var site = el.getAttribute("data-site") || script.getAttribute("data-site");
      var uri = el.getAttribute("data-replyd-count") || (el.href ? new URL(el.href, location.href).pathname : location.pathname);
      if (!site) continue;
      (bySite[site] = bySite[site] || []).push([el, uri]);
    }
    Object.keys(bySite).forEach(function (site) {
      var items = bySite[site];
      var q = "site=" + encodeURIComponent(site) + items.map(function (it) { return "&uri=" + encodeURIComponent(it[1]); }).join("");
      fetch(BASE + "/api/v1/counts?" + q, { credentials: "omit" })
        .then(function (r) { return r.ok ? r.json() : {}; })
        .then(function (counts) {
          items.forEach(function (it) {
            var n = counts[it[1]] || 0;
            var lang = (it[0].getAttribute("data-lang") || document.documentElement.lang || "en").slice(0, 2);
            var w = WORDS[lang] || WORDS.en;
            it[0].textContent = n + " " + (n === 1 ? w[0] : w[1]);
          });
        })
        .catch(function () { /* leave the link text as it was */ });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run); else run();
})();
