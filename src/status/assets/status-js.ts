/**
 * The status page's only script, served as /static/status.js (the Content-Security-Policy allows
 * scripts from the monitor only). Optional: without it the pages work the same and reload themselves
 * every minute. With it, every `data-refresh` seconds the page fetches its own URL and swaps the
 * content of <main id="live"> when it changed: no reload, no flicker, the scroll position and the
 * search box untouched. Updates pause while the tab is hidden, while the keyboard focus is inside
 * the content (it would be lost), and when the user presses "Pause updates".
 */
export const STATUS_JS = `(function () {
  'use strict';
  var root = document.documentElement;
  root.classList.add('js');
  var live = document.getElementById('live');
  var every = Number(document.body.getAttribute('data-refresh')) * 1000;
  if (!live || !window.fetch || !window.DOMParser || !(every > 0)) return;
  var paused = false;
  var timer = null;
  var note = document.getElementById('refresh-note');
  var button = document.getElementById('refresh-toggle');
  function say(text) { if (note) note.textContent = text; }
  if (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      paused = !paused;
      button.setAttribute('aria-pressed', paused ? 'true' : 'false');
      button.textContent = paused ? 'Resume updates' : 'Pause updates';
      say(paused ? 'Updates paused.' : '');
      if (!paused) refresh();
    });
  }
  function schedule() { clearTimeout(timer); timer = setTimeout(refresh, every); }
  function refresh() {
    if (paused) return;
    if (document.hidden || live.contains(document.activeElement) && document.activeElement !== live) { schedule(); return; }
    fetch(location.href, { headers: { 'x-status-refresh': '1' }, credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, 'text/html').getElementById('live');
        if (!next) throw new Error('unexpected answer');
        if (next.innerHTML !== live.innerHTML) live.replaceChildren.apply(live, Array.prototype.slice.call(document.adoptNode(next).childNodes));
        say('');
      })
      .catch(function (err) { say('Could not update (' + err.message + '); trying again.'); })
      .then(schedule);
  }
  document.addEventListener('visibilitychange', function () { if (!document.hidden && !paused) refresh(); });
  schedule();
})();
`;
