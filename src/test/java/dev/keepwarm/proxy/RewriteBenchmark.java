package dev.keepwarm.proxy;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.keepwarm.bench.Bodies;
import dev.keepwarm.policy.KeepAlive;
import dev.keepwarm.policy.LoadRoute;
import dev.keepwarm.policy.Mode;
import dev.keepwarm.policy.ModelRule;
import dev.keepwarm.policy.Policies;
import dev.keepwarm.policy.PolicyProperties;
import dev.keepwarm.policy.PolicySource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.unit.DataSize;

/**
 * The cost of the request-body rewrite ({@link RequestRewriter}) on a generate body of
 * three sizes: a plain prompt and bodies carrying a base64 image of 1 MiB and 16 MiB.
 * {@code rewrite} changes keep_alive (the body is parsed into a tree and written again);
 * {@code rewriteUnchanged} finds no policy (parsed, decided, the client's bytes kept).
 * The parts, for telling which one dominates: {@code parseTree} (readTree alone),
 * {@code writeTree} (writing a parsed tree), and {@code tokenScan}, a streaming pass over
 * the tokens that never builds the image string, as a lower bound for a rewrite that does
 * not build a tree.
 *
 * <p>
 * Run by bench/run.sh; by hand:
 * {@code java -cp target/test-classes:target/classes:$(cat target/cp.txt)
 * org.openjdk.jmh.Main RewriteBenchmark}.
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RewriteBenchmark {

    private static final DataSize MAX_REQUEST_SIZE = DataSize.ofMegabytes(64); // keepwarm.proxy.max-request-size

    @Param({ "small", "1MiB", "16MiB" })
    public String body;

    private RequestRewriter rewriter;

    private JsonMapper json;

    private byte[] rewritten;

    private byte[] unchanged;

    private JsonNode tree;

    @Setup
    public void setUp() {
        ModelRule rule = new ModelRule("bench", KeepAlive.parse("1h"), Mode.OVERRIDE, null, null, false, true, Map.of(),
                LoadRoute.GENERATE, null);
        PolicySource policies = new PolicySource(new Policies(new PolicyProperties(null, List.of(rule))));
        json = requestJson();
        rewriter = new RequestRewriter(policies, Clock.systemUTC(), json);
        int imageBytes = switch (body) {
            case "small" -> 0;
            case "1MiB" -> 1 << 20;
            case "16MiB" -> 16 << 20;
            default -> throw new IllegalArgumentException(body);
        };
        rewritten = Bodies.generate("bench", imageBytes, false);
        unchanged = Bodies.generate("no-rule-matches", imageBytes, false);
        tree = json.readTree(rewritten);
        if (rewriter.rewrite(KeepAliveRoute.GENERATE, rewritten).body() == rewritten
                || rewriter.rewrite(KeepAliveRoute.GENERATE, unchanged).body() != unchanged) {
            throw new IllegalStateException("the policy does not do what the benchmark says");
        }
    }

    @Benchmark
    public RequestRewriter.Rewrite rewrite() {
        return rewriter.rewrite(KeepAliveRoute.GENERATE, rewritten);
    }

    @Benchmark
    public RequestRewriter.Rewrite rewriteUnchanged() {
        return rewriter.rewrite(KeepAliveRoute.GENERATE, unchanged);
    }

    @Benchmark
    public JsonNode parseTree() {
        return json.readTree(rewritten);
    }

    @Benchmark
    public byte[] writeTree() {
        return json.writeValueAsBytes(tree);
    }

    @Benchmark
    public void tokenScan(Blackhole hole) {
        try (JsonParser parser = json.createParser(rewritten)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                hole.consume(token);
            }
        }
    }

    /** The proxy's own request mapper, for the default body limit. */
    static JsonMapper requestJson() {
        return ProxyConfiguration.requestJson(new ProxyProperties(MAX_REQUEST_SIZE, null, List.of()));
    }

}
