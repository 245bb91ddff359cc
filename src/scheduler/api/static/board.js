// The day board's light touch: live updates over Server-Sent Events and an
// optimization's progress. Without this script the page still works (forms and links).
(function () {
  "use strict";
  var panel = document.getElementById("board-panel");
  var job = document.getElementById("job");
  var status = document.getElementById("live-status");
  if (!panel) { return; }

  function refresh() {
    return fetch(panel.dataset.src, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        panel.innerHTML = html;
        panel.dataset.updates = String(Number(panel.dataset.updates || "0") + 1);
      });
  }

  if (panel.dataset.live === "1" && window.EventSource) {
    var source = new EventSource("/clinics/" + panel.dataset.clinic + "/board/live");
    source.addEventListener("ready", function () {
      panel.dataset.liveReady = "1";
      status.textContent = "Live: the board updates when anyone books, moves or cancels.";
    });
    source.addEventListener("board", function (event) {
      var change = JSON.parse(event.data);
      if (change.day === panel.dataset.date) {
        refresh().then(function () { status.textContent = "Updated: a session was " + change.change + "."; });
      }
    });
    source.onerror = function () {
      if (source.readyState !== EventSource.CLOSED) {
        status.textContent = "Live updates paused; reconnecting…";
        return;
      }
      // The stream was refused (e.g. 503 while Redis is down): poll the board instead.
      status.textContent = "Live updates are unavailable; the board refreshes every 15 seconds.";
      window.setInterval(refresh, 15000);
    };
  }

  function poll() {
    fetch(job.dataset.src, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        job.innerHTML = html;
        var done = job.querySelector("[data-done]");
        if (done && done.dataset.done === "1") {
          var heading = job.querySelector("h2");
          if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        } else {
          window.setTimeout(poll, 700);
        }
      })
      .catch(function () { window.setTimeout(poll, 2000); });
  }
  if (job && job.dataset.src) { poll(); }
})();
