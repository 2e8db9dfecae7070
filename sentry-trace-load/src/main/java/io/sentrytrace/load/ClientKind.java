package io.sentrytrace.load;

/** The instrumented HTTP clients the service calls its downstream with. */
enum ClientKind {
  OKHTTP("okhttp"), APACHE("apache"), JDK("jdk");

  final String label;

  ClientKind(String label) {
    this.label = label;
  }

  static ClientKind of(String label) {
    for (ClientKind k : values()) if (k.label.equals(label)) return k;
    throw new IllegalArgumentException("unknown client " + label + " (okhttp, apache, jdk)");
  }
}
