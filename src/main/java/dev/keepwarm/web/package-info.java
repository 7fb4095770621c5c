/**
 * What keepwarm shows on the management port: the {@code keepwarm} actuator endpoint (live state, reconcile,
 * ping) and the {@code keepwarm} and {@code ollama} health contributors; and who may use the proxy port: API keys
 * checked in constant time against their SHA-256, scopes, and the admin-route policy ({@code keepwarm.security}).
 */
@NullMarked
package dev.keepwarm.web;

import org.jspecify.annotations.NullMarked;
