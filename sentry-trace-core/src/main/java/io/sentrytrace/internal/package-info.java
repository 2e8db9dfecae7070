/**
 * Not API: may change without notice. Shared by the sentry-trace modules; left out of the javadoc.
 */
package io.sentrytrace.internal;
