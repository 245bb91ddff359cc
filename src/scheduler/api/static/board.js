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

  // An optimization's progress. Polling slows down while the job runs, backs off when
  // the network fails, and stops (with a message and a button to try again) when the
  // server answers an error or the network keeps failing: a failing URL is never
  // fetched in a loop, and an error body is never shown as if it were the page.
  var FIRST_MS = 700, SLOWEST_MS = 5000, RETRY_MS = 1000, LONGEST_RETRY_MS = 30000, TRIES = 5;
  var failures = 0;

  function stopped(why) {
    job.dataset.polling = "0";
    job.innerHTML = "";
    var alert = document.createElement("div");
    alert.className = "alert error";
    alert.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = "The optimization's progress could not be loaded (" + why + "). " +
      "Nothing was changed; try again in a moment.";
    var again = document.createElement("button");
    again.type = "button";
    again.id = "job-retry";
    again.textContent = "Try again";
    again.addEventListener("click", function () { failures = 0; poll(FIRST_MS); });
    alert.appendChild(text);
    alert.appendChild(again);
    job.appendChild(alert);
  }

  function show(html) {
    job.innerHTML = html;
    var done = job.querySelector("[data-done]");
    return done !== null && done.dataset.done === "1";
  }

  function poll(delay) {
    job.dataset.polling = "1";
    job.dataset.requests = String(Number(job.dataset.requests || "0") + 1);
    fetch(job.dataset.src, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
        return response.text().then(function (body) {
          // A job the server no longer knows answers 404 with its own fragment.
          var fragment = html && body.indexOf("data-done") !== -1 && body.indexOf("<html") === -1;
          if (!response.ok && !(response.status === 404 && fragment)) {
            stopped("the server answered " + response.status);
            return;
          }
          failures = 0;
          job.dataset.failures = "0";
          if (show(body)) {
            job.dataset.polling = "0";
            var heading = job.querySelector("h2");
            if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
          } else {
            window.setTimeout(function () { poll(Math.min(delay * 1.5, SLOWEST_MS)); }, delay);
          }
        });
      })
      .catch(function () {
        failures += 1;
        job.dataset.failures = String(failures);
        if (failures >= TRIES) {
          stopped("the network failed " + failures + " times");
          return;
        }
        var wait = Math.min(RETRY_MS * Math.pow(2, failures - 1), LONGEST_RETRY_MS);
        window.setTimeout(function () { poll(delay); }, wait);
      });
  }
  if (job && job.dataset.src) { poll(FIRST_MS); }
})();
