package io.sentrytrace;

/**
 * Makes a span (or propagation context) current on this thread until closed; closing restores
 * what was current when the scope opened. Open and close it in one try-with-resources block.
 *
 * <pre>{@code
 * try (Scope scope = span.makeCurrent()) {
 *   client.newCall(request).execute(); // the interceptor sees span as the parent
 * }
 * }</pre>
 *
 * <p>The rules, as OpenTelemetry's {@code Scope} has them, plus a defined outcome for each misuse.
 * The scopes of one thread form a stack:
 *
 * <ul>
 *   <li>Closing the innermost scope restores what was current when it opened. Opening a scope for
 *       the span that is already current is allowed; closing it leaves that span current.
 *   <li>A scope closed while scopes opened after it on the same thread are still open (out of
 *       order: {@code a = A.makeCurrent(); b = B.makeCurrent(); a.close();}) closes them too: the
 *       thread goes back to what was current before {@code a} opened, and the later {@code
 *       b.close()} is a second close that changes nothing. So a scope a request handler forgets to
 *       close ends with the server filter's own scope, never leaking into the thread's next
 *       request, and neither {@code A} nor {@code B} stays current.
 *   <li>A scope closed a second time, or on a thread other than the one that opened it, changes
 *       nothing: the opening thread keeps it until it closes it there. To run work elsewhere with
 *       this thread's span, hand it over with {@link Tracer#wrap(Runnable)} and its siblings.
 *   <li>A task run through {@link Tracer#wrap(Runnable)} (or a wrapped executor) that leaves scopes
 *       open has them closed when it ends, so nothing leaks to the pool thread's next task. A task
 *       run on the thread that submitted it (a direct executor, {@code CallerRunsPolicy}, a
 *       synchronous callback) that closes a scope the submitter opened before it ends its own scope
 *       with that one, as any scope opened after it; when the task ends, the thread stays as that
 *       close left it: what was current when the closed scope opened.
 *   <li>Each misuse is logged on the {@code io.sentrytrace.Scope} logger: at WARNING the first
 *       time in the JVM, with the stack of the offending close; at DEBUG after. Nothing throws.
 * </ul>
 *
 * <p>A span that has finished is never current, whatever scope is open: {@link
 * Tracer#currentSpan()} returns null for it.
 */
@FunctionalInterface
public interface Scope extends AutoCloseable {
  /** Ends the scope on the thread that opened it; see the rules above. Never throws. */
  @Override
  void close();
}
