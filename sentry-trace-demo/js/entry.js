// Only what the demo page needs; esbuild --global-name=Sentry turns these into window.Sentry.*.
// (`export * from '@sentry/browser'` also works but drags in replay/feedback: ~418 KB instead of ~100 KB.)
export {
  init,
  browserTracingIntegration,
  getClient,
  getActiveSpan,
  getRootSpan,
  spanToJSON,
  spanToTraceHeader,
  getTraceData,
  startSpan,
  flush,
  close,
  captureMessage,
} from '@sentry/browser';
