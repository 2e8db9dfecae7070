package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class MetaTagsTest {

  @TestFactory
  Stream<DynamicTest> rendersEveryConformanceVector() {
    return Vectors.cases("meta-tags.json").stream()
        .map(v -> DynamicTest.dynamicTest(
            Vectors.name(v.containsKey("incomingBaggage") ? v.get("incomingBaggage") : v.get("baggage"), v),
            () -> check(v)));
  }

  private static void check(Map<String, Object> v) {
    String sentryTrace = (String) v.get("sentryTrace");
    if (v.containsKey("html")) {
      // The span's own headers are given: render exactly them.
      Span span = TestSpans.spanWith(sentryTrace, (String) v.get("baggage"));
      assertThat(MetaTags.render(span)).isEqualTo(v.get("html"));
    }
    if (v.containsKey("mustNotContain")) {
      // Hostile baggage arrives on a request; the page continues that trace.
      Tracer tracer = Tracer.builder().tracesSampleRate(1.0).build();
      Span span = tracer.startTransaction("GET /", "http.server",
          tracer.continueTrace(sentryTrace, (String) v.get("incomingBaggage")));
      String html = MetaTags.render(span);
      for (Object bad : Vectors.list(v.get("mustNotContain"))) assertThat(html).doesNotContain((String) bad);
      assertThat(html).startsWith("<meta name=\"sentry-trace\" content=\"" + span.toSentryTrace() + "\"/>");
      assertThat(html).contains("\n<meta name=\"baggage\" content=\"");
    }
  }

  @Test
  void rendersTheSpanItselfAsTheParent() {
    Tracer tracer = Tracer.builder().tracesSampleRate(1.0).release("web@2").build();
    Span tx = tracer.startTransaction("GET /checkout", "http.server");
    assertThat(MetaTags.render(tx)).isEqualTo(
        "<meta name=\"sentry-trace\" content=\"" + tx.toSentryTrace() + "\"/>\n"
            + "<meta name=\"baggage\" content=\"" + tx.toBaggage() + "\"/>");
  }

  @Test
  void escapesEveryCharThatCouldLeaveAnAttribute() {
    StringBuilder out = new StringBuilder();
    MetaTags.escapeAttribute("a&b<c>d\"e'f", out);
    assertThat(out.toString()).isEqualTo("a&amp;b&lt;c&gt;d&quot;e&#39;f");
  }

  @Test
  void hostileBaggageStaysPercentEncodedInsideTheAttribute() {
    Tracer tracer = Tracer.builder().build();
    Span span = tracer.startTransaction("t", "o",
        tracer.continueTrace("0123456789abcdef0123456789abcdef-0123456789abcdef-1", "sentry-release=\"/><script>x</script>&'"));
    String html = MetaTags.render(span);
    assertThat(html).contains("sentry-release=%22%2F%3E%3Cscript%3Ex%3C%2Fscript%3E%26%27");
    String rest = html.replace("<meta name=\"sentry-trace\" content=\"", "").replace("\n<meta name=\"baggage\" content=\"", "")
        .replace("\"/>", "");
    assertThat(rest).doesNotContain("<", ">", "\"", "'");
  }

  @Test
  void rendersNothingWithoutASpan() {
    assertThat(MetaTags.render(null)).isEmpty();
  }
}
