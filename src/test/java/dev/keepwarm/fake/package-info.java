/**
 * An in-process fake of Ollama for keepwarm's integration tests:
 * {@link dev.keepwarm.fake.FakeOllama} serves the native and OpenAI-compatible routes on
 * Reactor Netty, follows Ollama's keep_alive, loading and eviction rules as described in
 * shared/OLLAMA-API.md, answers the model-management routes (POST /api/pull and /api/push
 * against its {@link dev.keepwarm.fake.Registry}, /api/create, /api/copy, DELETE
 * /api/delete, HEAD and POST /api/blobs/:digest) as Ollama's handlers do, records every
 * request, and can be told to fail, to fail a status stream midway, or to drop
 * connections. Time for expiry comes from a {@link java.time.Clock}
 * ({@link dev.keepwarm.fake.MutableClock} in tests); the other classes are its parts and
 * its own tests.
 */
package dev.keepwarm.fake;
