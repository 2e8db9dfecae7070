package io.sentrytrace.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.sentrytrace.Baggage;
import io.sentrytrace.Tracer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The early org check reads the same {@code org_id} as the core and decides as it does. */
class OrgCheckTest {
  private static final String TRACE = "771a43a4192642f0b136d5159a501700-b0e6f15b45c36b12-1";
  private static final List<String> BAGGAGES = List.of(
      "", "other=1", "sentry-org_id=1", "sentry-org_id=2", " sentry-org_id = 1 ", "sentry-org_id=2,sentry-org_id=1",
      "sentry-org_id=1,sentry-org_id=2", "sentry-org%5Fid=2", "sentry-org_id=%31", "sentry-org_id=%zz",
      "sentry-org_id", "sentry-org_id=", "sentry-org_idx=2", "xsentry-org_id=2", "sentry-org_id=1;p=2",
      "a=1, sentry-trace_id=x ,sentry-org_id=2,b=2", "sentry-org_id=2,sentry-org_id=%zz");

  @Test
  void readsTheSameOrgAsBaggageParse() {
    for (String baggage : BAGGAGES) {
      assertThat(OrgCheck.incomingOrg(baggage)).as(baggage).isEqualTo(Baggage.parse(baggage).get("org_id"));
    }
    assertThat(OrgCheck.incomingOrg(null)).isNull();
  }

  @Test
  void decidesAsTheCoresContinueTrace() {
    for (String ourOrg : new String[] {null, "1"}) {
      for (boolean strict : new boolean[] {false, true}) {
        Tracer tracer = Tracer.builder().strictTraceContinuation(strict)
            .dsn(ourOrg == null ? "https://k@sentry.example/2" : "https://k@o1.ingest.sentry.io/2").build();
        OrgCheck check = new OrgCheck(ourOrg, strict);
        for (String baggage : BAGGAGES) {
          boolean core = !tracer.continueTrace(TRACE, baggage).isHeadOfTrace();
          assertThat(check.continues(baggage)).as("org %s strict %s baggage %s", ourOrg, strict, baggage).isEqualTo(core);
        }
      }
    }
  }
}
