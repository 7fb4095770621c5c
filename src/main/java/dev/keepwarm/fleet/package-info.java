/**
 * The pure decisions of a fleet of Ollama hosts (issue 13): rendezvous hashing of model
 * names over host names, the fleet's oldest Ollama version, the placement of warm rules
 * across hosts, and the choice of a host for one request. No Spring, no Reactor, no I/O:
 * the callers gather /api/tags, /api/ps, health and in-flight counts and hand them in.
 * Imports only {@code dev.keepwarm.policy} and the JDK.
 */
@NullMarked
package dev.keepwarm.fleet;

import org.jspecify.annotations.NullMarked;
