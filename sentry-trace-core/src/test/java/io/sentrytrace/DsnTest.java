package io.sentrytrace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class DsnTest {
  @Test
  void parsesTheSaasForm() {
    Dsn dsn = Dsn.parse("https://abc123@o42.ingest.sentry.io/7");
    assertThat(dsn.publicKey()).isEqualTo("abc123");
    assertThat(dsn.projectId()).isEqualTo("7");
    assertThat(dsn.orgId()).isEqualTo("42");
    assertThat(dsn.envelopeUri()).isEqualTo(URI.create("https://o42.ingest.sentry.io/api/7/envelope/"));
    assertThat(dsn).hasToString("https://abc123@o42.ingest.sentry.io/7");
  }

  @Test
  void readsTheOrgIdOnlyFromAnIngestHost() {
    assertThat(Dsn.parse("https://k@o123.ingest.us.sentry.io/1").orgId()).isEqualTo("123");
    assertThat(Dsn.parse("https://k@O5.INGEST.sentry.io/1").orgId()).isEqualTo("5");
    assertThat(Dsn.parse("https://k@sentry.example.com/1").orgId()).isNull();
    assertThat(Dsn.parse("https://k@o123.example.com/1").orgId()).isNull();
    assertThat(Dsn.parse("https://k@oabc.ingest.sentry.io/1").orgId()).isNull();
  }

  @Test
  void keepsPortAndPathPrefix() {
    Dsn dsn = Dsn.parse("http://key@localhost:9000/prefix/sub/42");
    assertThat(dsn.projectId()).isEqualTo("42");
    assertThat(dsn.envelopeUri()).isEqualTo(URI.create("http://localhost:9000/prefix/sub/api/42/envelope/"));
    assertThat(Dsn.parse("https://key@sentry.example.com:8443/3/").envelopeUri())
        .isEqualTo(URI.create("https://sentry.example.com:8443/api/3/envelope/"));
  }

  @Test
  void readsThePublicKeyOfTheSecretKeyForm() {
    Dsn dsn = Dsn.parse("https://public:secret@sentry.example.com/5");
    assertThat(dsn.publicKey()).isEqualTo("public");
    assertThat(dsn.toString()).isEqualTo("https://public@sentry.example.com/5"); // never the secret
    assertThat(dsn).isEqualTo(Dsn.parse("https://public@sentry.example.com/5"));
    assertThat(dsn.envelopeUri().toString()).doesNotContain("public", "secret");
  }

  @Test
  void trimsAndAcceptsUpperCaseSchemes() {
    Dsn dsn = Dsn.parse("  HTTPS://k@host.example/9 ");
    assertThat(dsn.envelopeUri()).isEqualTo(URI.create("https://host.example/api/9/envelope/"));
    assertThat(dsn).isEqualTo(Dsn.parse("HTTPS://k@host.example/9")).hasSameHashCodeAs(Dsn.parse("HTTPS://k@host.example/9"));
  }

  @Test
  void handlesIpv6Hosts() {
    assertThat(Dsn.parse("http://k@[::1]:9000/2").envelopeUri()).isEqualTo(URI.create("http://[::1]:9000/api/2/envelope/"));
  }

  @Test
  void rejectsAMissingKey() {
    assertThatThrownBy(() -> Dsn.parse("https://o1.ingest.sentry.io/2"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no public key");
    assertThatThrownBy(() -> Dsn.parse("https://:secret@host/2"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty public key");
  }

  @Test
  void rejectsAMissingProject() {
    for (String dsn : new String[] {"https://k@host", "https://k@host/", "https://k@host//"}) {
      assertThatThrownBy(() -> Dsn.parse(dsn)).as(dsn)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no project id");
    }
    assertThatThrownBy(() -> Dsn.parse("https://k@host/a.b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("project id").hasMessageContaining("not valid");
  }

  @Test
  void rejectsOtherSchemes() {
    for (String dsn : new String[] {"ftp://k@host/1", "k@host/1", "mailto:k@host"}) {
      assertThatThrownBy(() -> Dsn.parse(dsn)).as(dsn)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https://");
    }
  }

  @Test
  void rejectsGarbage() {
    assertThatThrownBy(() -> Dsn.parse(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> Dsn.parse("  ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> Dsn.parse("https://k@ho st/1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a URL");
    assertThatThrownBy(() -> Dsn.parse("https://k@/1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no valid host");
    assertThatThrownBy(() -> Dsn.parse("https://k@host_name/1")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no valid host");
  }

  @Test
  void builderReportsABadDsnAtBuilderTime() {
    assertThatThrownBy(() -> Tracer.builder().dsn("not a dsn")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DSN");
    assertThat(Tracer.builder().dsn("https://k@o3.ingest.sentry.io/4").dsn().orgId()).isEqualTo("3");
    assertThat(Tracer.builder().dsn(null).dsn()).isNull();
  }

  @Test
  void decodesAPercentEncodedPublicKey() {
    assertThat(Dsn.parse("https://ab%63%2Dd@host.example/1").publicKey()).isEqualTo("abc-d");
    assertThat(Dsn.parse("https://ab%63:s%65cret@host.example/1").publicKey()).isEqualTo("abc");
  }

  @Test
  void rejectsPortsOutsideTheValidRange() {
    for (String dsn : new String[] {"https://k@host:99999/1", "https://k@host:65536/1", "https://k@host:0/1"}) {
      assertThatThrownBy(() -> Dsn.parse(dsn)).as(dsn)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port").hasMessageContaining("1..65535");
    }
    assertThat(Dsn.parse("https://k@host:65535/1").envelopeUri()).isEqualTo(URI.create("https://host:65535/api/1/envelope/"));
    assertThat(Dsn.parse("https://k@host:1/1").envelopeUri()).isEqualTo(URI.create("https://host:1/api/1/envelope/"));
  }

  @Test
  void everyErrorNamesTheExpectedForm() {
    String[] bad = {
      "k@host/1", "host/1", "ftp://k@host/1", "https://k@ho st/1", "https://k@/1", "https://host/1", "https://:s@host/1",
      "https://k@host", "https://k@host/a.b", "https://k@host:99999/1"
    };
    for (String dsn : bad) {
      assertThatThrownBy(() -> Dsn.parse(dsn)).as(dsn)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected https://<public_key>@<host>/<project_id>");
    }
  }

  @Test
  void toStringNeverPrintsTheSecretKey() {
    Dsn dsn = Dsn.parse(" https://pub:SECRETKEY@o1.ingest.sentry.io:8443/prefix/2 ");
    assertThat(dsn.toString()).isEqualTo("https://pub@o1.ingest.sentry.io:8443/prefix/2");
    assertThat(Dsn.parse(dsn.toString()).envelopeUri()).isEqualTo(dsn.envelopeUri());
  }
}
