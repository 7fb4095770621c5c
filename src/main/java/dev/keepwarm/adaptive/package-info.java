/**
 * The pure core of adaptive keep-alive (issue 14), after Shahrad et al., "Serverless in
 * the Wild" (USENIX ATC 2020, §4.2, the hybrid histogram policy) and FaaSCache (ASPLOS
 * 2021): a bounded histogram of each model's idle times, its immutable snapshot for state
 * files and for merging replicas, the keep_alive and pre-warm decision taken from it, and
 * the memory budget's choice of which models to shorten first. No Spring, no Reactor, no
 * I/O, no clock reads: the callers record idle times and pass instants in. Imports only
 * {@code dev.keepwarm.policy} and the JDK.
 */
@NullMarked
package dev.keepwarm.adaptive;

import org.jspecify.annotations.NullMarked;
