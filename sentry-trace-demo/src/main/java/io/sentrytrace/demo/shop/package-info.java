/**
 * The demo's traced services: the shop with its pages and checkout, and the inventory, payments,
 * shipping and api services it calls through OkHttp, Apache HttpClient and the JDK client.
 */
package io.sentrytrace.demo.shop;
