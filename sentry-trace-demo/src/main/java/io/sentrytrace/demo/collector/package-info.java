/**
 * The demo's stand-in for Sentry: receives envelopes, assembles transactions into traces, checks
 * that they connect and prints or serves them as trees.
 */
package io.sentrytrace.demo.collector;
