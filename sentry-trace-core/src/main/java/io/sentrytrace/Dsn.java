package io.sentrytrace;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A Sentry DSN: {@code https://<public_key>@<host>[:port]/[path/]<project_id>}. Immutable.
 *
 * <pre>{@code
 * Dsn dsn = Dsn.parse("https://abc123@o42.ingest.sentry.io/7");
 * dsn.publicKey(); // "abc123"
 * dsn.orgId();     // "42"
 * dsn.envelopeUri(); // https://o42.ingest.sentry.io/api/7/envelope/
 * }</pre>
 */
public final class Dsn {
  private final String value;
  private final String publicKey;
  private final String projectId;
  private final String orgId;
  private final URI envelopeUri;

  private Dsn(String value, String publicKey, String projectId, String orgId, URI envelopeUri) {
    this.value = value;
    this.publicKey = publicKey;
    this.projectId = projectId;
    this.orgId = orgId;
    this.envelopeUri = envelopeUri;
  }

  private static final String FORM = " (expected https://<public_key>@<host>/<project_id>)";

  /**
   * Parses a DSN. A percent-encoded public key is decoded; a secret key ({@code
   * https://<public_key>:<secret>@...}, deprecated) is accepted and forgotten.
   *
   * @throws IllegalArgumentException naming what is wrong with it and the expected form
   */
  public static Dsn parse(String dsn) {
    if (dsn == null || dsn.isBlank()) throw invalid("is empty");
    String trimmed = dsn.trim();
    URI uri;
    try {
      uri = new URI(trimmed);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("DSN is not a URL: " + e.getMessage() + FORM, e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
      throw invalid("must start with https:// or http://, got \"" + Strings.preview(trimmed) + "\"");
    }
    // The host first: when it is not a valid host name, URI reads no user info either, and "no
    // public key" would send the developer looking in the wrong place.
    String host = uri.getHost();
    if (host == null || host.isEmpty()) throw invalid("has no valid host");
    if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535)) {
      throw invalid("port " + uri.getPort() + " is not in 1..65535");
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null || userInfo.isEmpty()) throw invalid("has no public key");
    int colon = userInfo.indexOf(':');
    String rawKey = colon < 0 ? userInfo : userInfo.substring(0, colon);
    if (rawKey.isEmpty()) throw invalid("has an empty public key");
    String publicKey = PercentCodec.decode(rawKey, 0, rawKey.length());
    if (publicKey == null || publicKey.isEmpty()) throw invalid("has a public key that does not decode");
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    int pathEnd = path.length();
    while (pathEnd > 0 && path.charAt(pathEnd - 1) == '/') pathEnd--;
    int slash = path.lastIndexOf('/', pathEnd - 1);
    String projectId = slash < 0 ? "" : path.substring(slash + 1, pathEnd);
    if (projectId.isEmpty()) throw invalid("has no project id");
    for (int i = 0; i < projectId.length(); i++) {
      if (!Character.isLetterOrDigit(projectId.charAt(i)) && projectId.charAt(i) != '-' && projectId.charAt(i) != '_') {
        throw invalid("project id \"" + Strings.preview(projectId) + "\" is not valid");
      }
    }
    String prefix = path.substring(0, slash);
    String orgId = orgIdFromHost(host);
    String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
    String hostPart = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    URI envelope =
        URI.create(scheme.toLowerCase(Locale.ROOT) + "://" + hostPart + port + prefix + "/api/" + projectId + "/envelope/");
    return new Dsn(withoutSecret(trimmed, uri, userInfo, rawKey), publicKey, projectId, orgId, envelope);
  }

  private static IllegalArgumentException invalid(String what) {
    return new IllegalArgumentException("DSN " + what + FORM);
  }

  /**
   * The DSN as written, with {@code :<secret>} cut out of its user info, which URI read right after
   * {@code <scheme>://}.
   */
  private static String withoutSecret(String dsn, URI uri, String userInfo, String rawKey) {
    if (userInfo.length() == rawKey.length()) return dsn;
    int at = uri.getScheme().length() + "://".length();
    return dsn.substring(0, at) + rawKey + dsn.substring(at + userInfo.length());
  }

  /** {@code o<digits>.ingest...} hosts carry the org id. */
  private static String orgIdFromHost(String host) {
    if (host.length() < 3 || (host.charAt(0) != 'o' && host.charAt(0) != 'O')) return null;
    int i = 1;
    while (i < host.length() && Character.isDigit(host.charAt(i))) i++;
    if (i == 1 || i >= host.length() || host.charAt(i) != '.') return null;
    return host.regionMatches(true, i + 1, "ingest.", 0, 7) ? host.substring(1, i) : null;
  }

  public String publicKey() {
    return publicKey;
  }

  public String projectId() {
    return projectId;
  }

  /** The org id from an {@code o<org>.ingest…} host; null otherwise. */
  public String orgId() {
    return orgId;
  }

  /** Where envelopes are POSTed: {@code <scheme>://<host>[:port][/path]/api/<project_id>/envelope/}. */
  public URI envelopeUri() {
    return envelopeUri;
  }

  /**
   * The DSN as given, without a secret key: {@code https://<public_key>@<host>/<project_id>}, safe
   * to log and to send (the envelope header carries it).
   */
  @Override
  public String toString() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Dsn && ((Dsn) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
