/** Small HTTP and HTML helpers the demo's services share (JDK {@code HttpServer}). */
package io.sentrytrace.demo.web;
