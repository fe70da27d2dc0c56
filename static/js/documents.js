/* Documents being generated (SPEC 9): poll each one's status until it is issued or has
   failed, then show its badge and the download link in place. Plain JavaScript over the
   JSON status endpoint (documents.views.DocumentStatusView); no library. */
(function () {
  "use strict";
  if (window.documentsPolling) { return; }  // one poller, however many panels a page has
  window.documentsPolling = true;

  var EVERY_MS = 2000;
  var GIVE_UP_AFTER_MS = 15 * 60 * 1000;  // the sweep re-queues after 10 minutes
  var started = Date.now();

  function badge(body) {
    var span = document.createElement("span");
    span.className = "badge text-bg-" + body.badge;
    span.textContent = body.status_label;
    return span;
  }

  function finish(element, body) {
    element.removeAttribute("data-status-url");
    element.replaceChildren(badge(body));
    var row = element.closest("[data-document]");
    if (!row) { return; }
    var download = row.querySelector(".document-download");
    if (download && body.download_url) {
      var link = document.createElement("a");
      link.className = "btn btn-outline-primary btn-sm py-0";
      link.href = body.download_url;
      link.setAttribute("download", "");
      link.textContent = download.getAttribute("data-label");
      download.replaceChildren(link);
    }
    var hash = row.querySelector("[data-sha256]");
    if (hash && body.sha256) {
      var full = hash.getAttribute("data-sha256") === "full";
      hash.textContent = full ? body.sha256 : body.sha256.slice(0, 12);
      hash.title = body.sha256;
    }
  }

  function poll() {
    var pending = document.querySelectorAll("[data-status-url]");
    if (!pending.length || Date.now() - started > GIVE_UP_AFTER_MS) { return; }
    var requests = Array.prototype.map.call(pending, function (element) {
      return fetch(element.getAttribute("data-status-url"), {
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (body) {
        if (body && !body.pending) { finish(element, body); }
      }).catch(function () { /* the next round asks again */ });
    });
    Promise.all(requests).then(function () { window.setTimeout(poll, EVERY_MS); });
  }

  document.addEventListener("DOMContentLoaded", function () { window.setTimeout(poll, EVERY_MS); });
})();
