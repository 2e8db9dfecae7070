// The demo page's script: starts @sentry/browser (when its bundle was built), then checks out
// through the shop (same origin) and asks the api service for recommendations (cross-origin), and
// reports what happened to the shop with a beacon.
(function () {
  'use strict';
  var cfg = window.SENTRY_TRACE_DEMO;
  var list = document.getElementById('log');
  var report = {sdk: !!window.Sentry};
  // How this page got its trace: <meta> tags, or the Server-Timing header of its own navigation.
  var navigation = performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : null;
  report.handoff = {
    meta: !!document.querySelector('meta[name="sentry-trace"]'),
    serverTiming: navigation && navigation.serverTiming ? navigation.serverTiming.map(function (e) { return e.name; }) : []
  };

  function log(ok, text) {
    var li = document.createElement('li');
    li.className = ok ? 'ok' : 'bad';
    li.textContent = text;
    list.appendChild(li);
  }

  if (window.Sentry) {
    Sentry.init({
      dsn: cfg.dsn,
      release: cfg.release,
      environment: cfg.environment,
      tracesSampleRate: 1.0,
      // SDK 11 streams spans by default; 'static' sends the classic transaction event the collector reads.
      traceLifecycle: 'static',
      integrations: [Sentry.browserTracingIntegration()],
      // The shop (same origin) and the api origin get sentry-trace and baggage; nothing else does.
      tracePropagationTargets: [location.origin + '/', cfg.apiOrigin + '/']
    });
    var span = Sentry.getActiveSpan();
    var ctx = span ? Sentry.spanToJSON(span) : null;
    if (ctx) {
      report.pageload = {trace_id: ctx.trace_id, span_id: ctx.span_id, parent_span_id: ctx.parent_span_id};
      log(true, '@sentry/browser started pageload span ' + ctx.span_id + ' in trace ' + ctx.trace_id
          + ', child of server span ' + ctx.parent_span_id);
    }
  } else {
    log(false, '@sentry/browser is not loaded (bundle not built: ' + cfg.howToBuild
        + '). The checkout still runs, but there is no browser transaction.');
  }

  function post(url, body) {
    return fetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(body)})
      .then(function (r) {
        return r.text().then(function (text) { return {status: r.status, text: text}; });
      });
  }

  post('/api/checkout', {cart: ['socks']})
    .then(function (r) {
      report.checkout = r.status;
      log(r.status === 200, 'checkout: HTTP ' + r.status + ' ' + r.text);
    }, function (e) {
      report.checkout = 'failed: ' + e;
      log(false, 'checkout failed: ' + e);
    })
    .then(function () { return post(cfg.apiUrl, {for: 'socks'}); })
    .then(function (r) {
      report.api = r.status;
      log(r.status === 200, 'cross-origin api (' + cfg.apiOrigin + '): HTTP ' + r.status + ' ' + r.text);
    }, function (e) {
      report.api = 'failed: ' + e;
      log(false, 'cross-origin api (' + cfg.apiOrigin + ') failed: ' + e
          + ' (did its CORS preflight answer allow sentry-trace and baggage?)');
    })
    .then(function () {
      navigator.sendBeacon('/api/report', JSON.stringify(report));
    });
})();
