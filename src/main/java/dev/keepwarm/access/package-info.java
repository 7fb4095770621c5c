/**
 * Who may use the proxy port: API keys checked in constant time against their SHA-256,
 * scopes, and the admin-route policy ({@code keepwarm.security}), as the proxy's
 * {@link dev.keepwarm.proxy.ProxyGate}; and the switch that leaves /actuator/keepwarm
 * read-only.
 */
@NullMarked
package dev.keepwarm.access;

import org.jspecify.annotations.NullMarked;
