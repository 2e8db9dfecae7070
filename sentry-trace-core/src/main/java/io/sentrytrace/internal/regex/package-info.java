/**
 * Not API: may change without notice. The linear-time matcher of regex URL targets; see {@link
 * io.sentrytrace.internal.regex.RegexDfa}.
 */
package io.sentrytrace.internal.regex;
