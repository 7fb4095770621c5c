#!/usr/bin/env bash
# keepwarm's benchmark: builds keepwarm, starts a fake Ollama, nginx (a plain streaming reverse proxy) and keepwarm on
# 127.0.0.1, runs the scenarios of README's "Benchmark" section and writes bench/results/latest.md and its charts.
#
#   bench/run.sh [--quick] [--profile] [--out DIR] [--only fleet|replay]
#
#   --quick        smaller and shorter runs (about 7.5 minutes on 2 cores, 90 s of it the fleet, 3 min the replay, 1 min the launches): a smoke
#                  test of the harness
#   --profile      also record a JFR profile of keepwarm under load (always done in the full run)
#   --out DIR      where latest.md and the charts go (default bench/results)
#   --only fleet   the build and scenario 7 alone (JMH and the other scenarios skipped; latest.md has only its section)
#   --only launch  the build and scenario 9 alone (the image's and the systemd unit's launch commands: start-up with
#                  and without their class-data caches, RSS at ready and under MANY_CLIENTS streams; needs a Java 25,
#                  JAVA25 or /usr/lib/jvm/temurin-25*)
#   --only replay  the build and scenario 8 alone (the trace replay of issue 14, one keepwarm per keep-alive policy:
#                  about 12 minutes, 3 with --quick); REPLAY_RUNS="train:fixed-10m heldout:adaptive-state ..." picks runs
#
# Exits non-zero when the harness itself breaks (a build, a server that does not start, a tool that fails, a direct
# request to the fake that fails). A missed performance goal is reported in latest.md and does NOT fail the run.
# Every load is bounded in count and time and targets 127.0.0.1 only. Ports: KW_PORT (18080), KW_MGMT_PORT (18081),
# NGINX_PORT (18090), NETTY_PORT (18091, the bare Reactor Netty proxy), KW_STARTUP_PORT (18082, +1 for management),
# KW_FLEET_PORT (18084, +1 for management: keepwarm in fleet mode), NGINX_FLEET_PORT (18092 round-robin, +1
# least_conn), KW_REPLAY_PORT (18086, +1 for management: keepwarm in the trace replay); the fakes' ports are chosen
# by the system.
# KEEPWARM_JAVA_OPTS: JVM options for keepwarm (default none: the JVM's defaults are what is measured; with profiling,
# -XX:FlightRecorderOptions:stackdepth=512 is added, which costs nothing until a recording starts).
# KEEPWARM_BOUNDED_JAVA_OPTS: a second keepwarm for the many-streams scenario (default -Xmx256m).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MODE=full
PROFILE=0
OUT=bench/results
ONLY=
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) MODE=quick ;;
    --profile) PROFILE=1 ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --only) ONLY=${2:?--only needs a scenario}; shift
      case "$ONLY" in fleet|replay|launch) ;; *) echo "--only: only 'fleet', 'replay' or 'launch' can run alone" >&2; exit 2 ;; esac ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$MODE" = full ] && PROFILE=1

KW_PORT=${KW_PORT:-18080}
KW_MGMT_PORT=${KW_MGMT_PORT:-18081}
NGINX_PORT=${NGINX_PORT:-18090}
NETTY_PORT=${NETTY_PORT:-18091}
KW_STARTUP_PORT=${KW_STARTUP_PORT:-18082}
KW_FLEET_PORT=${KW_FLEET_PORT:-18084}
NGINX_FLEET_PORT=${NGINX_FLEET_PORT:-18092}
KW_REPLAY_PORT=${KW_REPLAY_PORT:-18086}
KW_LAUNCH_PORT=${KW_LAUNCH_PORT:-18088}
KEEPWARM_JAVA_OPTS=${KEEPWARM_JAVA_OPTS:-}
KEEPWARM_BOUNDED_JAVA_OPTS=${KEEPWARM_BOUNDED_JAVA_OPTS:--Xmx256m}

if [ "$MODE" = quick ]; then
  COLD_REQUESTS=4;  COLD_GAP_S=3;  COLD_LOAD_MS=1000; COLD_KEEPALIVE_MS=2000
  OVH_SECONDS=2;    OVH_WARMUP_SECONDS=2; OVH_WARMUP_MAX_RUNS=2; CONCURRENCIES=(1 16)
  LARGE_RUNS=5;     LARGE_WARMUP_RUNS=2
  STREAM_TOKENS=100; STREAM_INTERVAL_MS=20; STREAM_RUNS=1
  MANY_CLIENTS=100; MANY_SECONDS=4;  MANY_TOKENS=25; MANY_INTERVAL_MS=200
  STARTUP_RUNS=0
  LAUNCH_RUNS=1
  JMH_ARGS=(-f 1 -wi 1 -i 2 -w 500ms -r 500ms); JMH_FILTER='RewriteBenchmark.(rewrite|parseTree)$'
  FLEET_REQUESTS=200; FLEET_LOAD_MS=600;  FLEET_KEEPALIVE_MS=20000
  REPLAY_MODELS=20; REPLAY_HOURS=2; REPLAY_COMPRESSION=1440; REPLAY_WARMUP_SECONDS=5; REPLAY_WARMUP_REQUESTS=1500
  REPLAY_RUNS=${REPLAY_RUNS:-"train:fixed-10m train:fixed-1h train:adaptive heldout:fixed-10m heldout:adaptive-fresh heldout:adaptive-state"}
else
  COLD_REQUESTS=20; COLD_GAP_S=8;  COLD_LOAD_MS=2000; COLD_KEEPALIVE_MS=5000
  OVH_SECONDS=10;   OVH_WARMUP_SECONDS=5; OVH_WARMUP_MAX_RUNS=12; CONCURRENCIES=(1 16 64)
  LARGE_RUNS=21;    LARGE_WARMUP_RUNS=5
  STREAM_TOKENS=200; STREAM_INTERVAL_MS=20; STREAM_RUNS=3
  MANY_CLIENTS=500; MANY_SECONDS=60; MANY_TOKENS=50; MANY_INTERVAL_MS=200
  STARTUP_RUNS=3
  LAUNCH_RUNS=5
  JMH_ARGS=(-f 1 -wi 3 -i 5 -w 1s -r 1s); JMH_FILTER='RewriteBenchmark'
  FLEET_REQUESTS=1000; FLEET_LOAD_MS=1500; FLEET_KEEPALIVE_MS=20000
  REPLAY_MODELS=40; REPLAY_HOURS=12; REPLAY_COMPRESSION=720; REPLAY_WARMUP_SECONDS=12; REPLAY_WARMUP_REQUESTS=4000
  REPLAY_RUNS=${REPLAY_RUNS:-"train:fixed-5m train:fixed-10m train:fixed-1h train:forever train:adaptive heldout:fixed-10m heldout:adaptive-fresh heldout:adaptive-state"}
fi
# Scenario 8 (trace replay, issue 14): a synthetic trace of REPLAY_MODELS models over REPLAY_HOURS of trace time
# (population seed REPLAY_POPULATION_SEED; arrivals seed REPLAY_TRAIN_SEED, and REPLAY_HELDOUT_SEED for the held-out
# trace: the same models on another day), replayed REPLAY_COMPRESSION times faster than trace time, once per policy;
# every duration keepwarm and the fake get is divided by the compression, load times at least REPLAY_MIN_LOAD_MS.
REPLAY_POPULATION_SEED=7; REPLAY_TRAIN_SEED=1; REPLAY_HELDOUT_SEED=2; REPLAY_DAY_HOURS=6; REPLAY_MIN_LOAD_MS=4
REPLAY_TOKENS=3; REPLAY_TOKEN_INTERVAL_MS=1
# keepwarm's warmer: its reconcile interval compressed like the trace (30 s), but at least REPLAY_WARMER_MIN_MS (its
# GET /api/ps must answer within half of it on a busy machine)
REPLAY_WARMER_MIN_MS=${REPLAY_WARMER_MIN_MS:-200}
# Scenario 7 (fleet): 3 fake hosts, each with the same 12 models and FLEET_MAX_LOADED slots (OLLAMA_MAX_LOADED_MODELS),
# so the fleet cannot hold every model; Zipf(FLEET_ZIPF_S) popularity, FLEET_CONCURRENCY clients, streamed generates
# of FLEET_TOKENS tokens FLEET_TOKEN_INTERVAL_MS apart; keepwarm pins the FLEET_PINNED most popular models (replicas 1).
FLEET_HOSTS=3; FLEET_MODEL_COUNT=12; FLEET_MAX_LOADED=3; FLEET_CONCURRENCY=8; FLEET_ZIPF_S=1.1; FLEET_SEED=13
FLEET_TOKENS=10; FLEET_TOKEN_INTERVAL_MS=20; FLEET_PINNED=3
want() { [ -z "$ONLY" ] || [ "$ONLY" = "$1" ]; }

WORK=$ROOT/target/bench
RAW=$WORK/raw
START_EPOCH=$(date +%s)
log() { printf '[bench %s +%ss] %s\n' "$(date +%H:%M:%S)" "$(( $(date +%s) - START_EPOCH ))" "$*"; }
die() { printf '[bench] HARNESS FAILURE: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- processes this script started, stopped on exit
PIDS=()
NGINX_PID=
cleanup() {
  local status=$?
  set +e
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null; fi
  for ((i=${#PIDS[@]}-1; i>=0; i--)); do kill "${PIDS[i]}" 2>/dev/null; done
  for pid in "${PIDS[@]}" $NGINX_PID; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  exit $status
}
# Stops one of them now, and forgets it (so that a recycled pid is never signalled later).
stop_pid() {
  local pid=$1 kept=() p
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do if [ "$p" != "$pid" ]; then kept+=("$p"); fi; done
  PIDS=("${kept[@]}")
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools (CI starts on a fresh machine, as root)
APT_UPDATED=0
apt_install() {
  [ "$(id -u)" = 0 ] || die "missing $*: install it (Debian: apt-get install $*) or run as root"
  if [ $APT_UPDATED = 0 ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
command -v java >/dev/null || apt_install openjdk-17-jdk-headless
command -v curl >/dev/null || apt_install curl
command -v wrk >/dev/null || apt_install wrk
command -v nginx >/dev/null || apt_install nginx
PY=/usr/bin/python3
"$PY" -c 'import matplotlib' 2>/dev/null || apt_install python3-matplotlib
for tool in java jcmd jfr curl wrk nginx; do command -v $tool >/dev/null || die "$tool not found after install"; done

for port in "$KW_PORT" "$KW_MGMT_PORT" "$NGINX_PORT" "$NETTY_PORT" "$KW_STARTUP_PORT" $((KW_STARTUP_PORT + 1)) \
    "$KW_LAUNCH_PORT" $((KW_LAUNCH_PORT + 1)) \
  "$KW_FLEET_PORT" $((KW_FLEET_PORT + 1)) "$NGINX_FLEET_PORT" $((NGINX_FLEET_PORT + 1)) "$KW_REPLAY_PORT" \
  $((KW_REPLAY_PORT + 1)); do
  if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then die "port $port is in use (set KW_PORT, KW_MGMT_PORT, NGINX_PORT, NETTY_PORT, KW_STARTUP_PORT, KW_FLEET_PORT, NGINX_FLEET_PORT, KW_REPLAY_PORT)"; fi
done

rm -rf "$WORK"
mkdir -p "$RAW" "$OUT"

# ---------------------------------------------------------------- build
log "building keepwarm ($MODE run)"
./mvnw -B -q package -DskipTests || die "build failed"
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/cp.txt >/dev/null || die "classpath failed"
JAR=$(ls target/keepwarm-*.jar | grep -v -- '-plain' | head -1)
[ -f "$JAR" ] || die "no keepwarm jar in target/"
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat target/cp.txt)"
bench_java() { java -cp "$CP" "$@"; }

# ---------------------------------------------------------------- the machine
{
  echo "mode=$MODE"
  echo "only=$ONLY"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc=$(nproc)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "mem_kb=$(awk '/MemTotal/{print $2}' /proc/meminfo)"
  echo "kernel=$(uname -r)"
  echo "jdk=$(java -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "wrk=$(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "keepwarm_java_opts=${KEEPWARM_JAVA_OPTS:-(JVM defaults)}"
  echo "keepwarm_bounded_java_opts=$KEEPWARM_BOUNDED_JAVA_OPTS"
  echo "profile=$PROFILE"
  echo "keepwarm_default_heap=$(java $KEEPWARM_JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$2=="MaxHeapSize"{printf "%d MiB", $4/1048576}')"
  echo "keepwarm_gc=$(java $KEEPWARM_JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null | awk '$4=="true" && $2 ~ /^Use(Serial|Parallel|G1|Z|Shenandoah)GC$/{print $2}')"
  echo "jmh_args=${JMH_FILTER} ${JMH_ARGS[*]} -prof gc"
  echo "ovh_warmup_seconds=$OVH_WARMUP_SECONDS"
  echo "ovh_warmup_max_runs=$OVH_WARMUP_MAX_RUNS"
  echo "cold_load_ms=$COLD_LOAD_MS"
  echo "cold_keepalive_ms=$COLD_KEEPALIVE_MS"
  echo "cold_gap_s=$COLD_GAP_S"
  echo "fleet=hosts=$FLEET_HOSTS models=$FLEET_MODEL_COUNT max_loaded=$FLEET_MAX_LOADED requests=$FLEET_REQUESTS concurrency=$FLEET_CONCURRENCY zipf_s=$FLEET_ZIPF_S seed=$FLEET_SEED load_ms=$FLEET_LOAD_MS keepalive_ms=$FLEET_KEEPALIVE_MS tokens=$FLEET_TOKENS token_interval_ms=$FLEET_TOKEN_INTERVAL_MS pinned=$FLEET_PINNED"
  echo "replay=models=$REPLAY_MODELS hours=$REPLAY_HOURS compression=$REPLAY_COMPRESSION population_seed=$REPLAY_POPULATION_SEED train_seed=$REPLAY_TRAIN_SEED heldout_seed=$REPLAY_HELDOUT_SEED day_hours=$REPLAY_DAY_HOURS min_load_ms=$REPLAY_MIN_LOAD_MS warmer_min_ms=$REPLAY_WARMER_MIN_MS warmup_s=$REPLAY_WARMUP_SECONDS warmup_requests=$REPLAY_WARMUP_REQUESTS tokens=$REPLAY_TOKENS token_interval_ms=$REPLAY_TOKEN_INTERVAL_MS"
  echo "params=cold: ${COLD_REQUESTS} requests, gaps ${COLD_GAP_S}s, load ${COLD_LOAD_MS}ms, default keep-alive ${COLD_KEEPALIVE_MS}ms; overhead: ${OVH_SECONDS}s per cell; large: ${LARGE_RUNS} runs; stream: ${STREAM_RUNS}x${STREAM_TOKENS} tokens at ${STREAM_INTERVAL_MS}ms; many: ${MANY_CLIENTS} clients for ${MANY_SECONDS}s; fleet: ${FLEET_REQUESTS} requests, ${FLEET_HOSTS} hosts x ${FLEET_MAX_LOADED} slots, ${FLEET_MODEL_COUNT} models loading in ${FLEET_LOAD_MS}ms, keep-alive ${FLEET_KEEPALIVE_MS}ms, concurrency ${FLEET_CONCURRENCY}"
} > "$RAW/machine.env"

# ---------------------------------------------------------------- helpers for keepwarm processes
now_ns() { date +%s%N; }
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
# Starts keepwarm and waits for readiness: sets KW_STARTED_PID and KW_READY_MS.
start_keepwarm() { # port management-port log java-options [arguments-function]
  try_start_keepwarm "$@" || { tail -40 "$3"; die "keepwarm did not become ready"; }
}
# The same, but returns non-zero (keepwarm stopped) instead of failing the harness.
try_start_keepwarm() { # port management-port log java-options [arguments-function]
  local t0 url=http://127.0.0.1:$2/actuator/health/readiness
  t0=$(now_ns)
  # Run from target/bench so that no ./config/application.yml of the developer's is read.
  # shellcheck disable=SC2046,SC2086
  (cd "$WORK" && exec java $4 -jar "$ROOT/$JAR" $(${5:-keepwarm_args} "$1" "$2")) > "$3" 2>&1 &
  KW_STARTED_PID=$!
  PIDS+=("$KW_STARTED_PID")
  for _ in $(seq 1200); do
    curl -sf -o /dev/null --max-time 1 "$url" && break
    kill -0 $KW_STARTED_PID 2>/dev/null || break
    sleep 0.025
  done
  if ! curl -sf -o /dev/null --max-time 1 "$url"; then stop_pid "$KW_STARTED_PID"; return 1; fi
  KW_READY_MS=$(( ($(now_ns) - t0) / 1000000 ))
}

if [ -z "$ONLY" ]; then # ------------------------------------------- JMH and scenarios 1 to 6

# ---------------------------------------------------------------- JMH (before any server runs: it has both cores)
log "JMH RewriteBenchmark"
bench_java org.openjdk.jmh.Main "$JMH_FILTER" "${JMH_ARGS[@]}" -prof gc -rf json -rff "$RAW/jmh.json" > "$WORK/jmh.log" 2>&1 \
  || { tail -30 "$WORK/jmh.log"; die "JMH failed"; }

# ---------------------------------------------------------------- request bodies
log "request bodies"
bench_java dev.keepwarm.bench.Bodies --out "$WORK/small.json" --model bench
bench_java dev.keepwarm.bench.Bodies --out "$WORK/1MiB.json" --model bench --image-bytes $((1 << 20))
bench_java dev.keepwarm.bench.Bodies --out "$WORK/16MiB.json" --model bench --image-bytes $((16 << 20))
bench_java dev.keepwarm.bench.Bodies --out "$WORK/stream.json" --model bench --stream true

# ---------------------------------------------------------------- fake Ollama
log "starting the fake Ollama"
java -cp "$CP" dev.keepwarm.bench.FakeOllamaServer --ports-file "$WORK/fake.ports" \
  --model bench=100 --model "coldstart-direct:1b=$COLD_LOAD_MS" --model "coldstart-pinned:1b=$COLD_LOAD_MS" \
  --default-keep-alive-ms "$COLD_KEEPALIVE_MS" --max-loaded-models 8 > "$WORK/fake.log" 2>&1 &
FAKE_PID=$!
PIDS+=("$FAKE_PID")
for _ in $(seq 300); do [ -f "$WORK/fake.ports" ] && break; kill -0 $FAKE_PID 2>/dev/null || break; sleep 0.1; done
[ -f "$WORK/fake.ports" ] || { cat "$WORK/fake.log"; die "the fake Ollama did not start"; }
FAKE_PORT=$(sed -n 's/^ollama=//p' "$WORK/fake.ports")
CONTROL_PORT=$(sed -n 's/^control=//p' "$WORK/fake.ports")
DIRECT=http://127.0.0.1:$FAKE_PORT
CONTROL=http://127.0.0.1:$CONTROL_PORT
sleep 2 # let the fake's own start-up (JIT) settle before keepwarm's start-up is timed
loads() { curl -sS --max-time 5 "$CONTROL/loads"; }
tokens() { curl -sS --max-time 5 -X POST "$CONTROL/tokens?count=$1&intervalMs=$2" >/dev/null; }

# ---------------------------------------------------------------- nginx: a plain streaming reverse proxy
log "starting nginx"
NGX=$WORK/nginx
mkdir -p "$NGX/logs" "$NGX/tmp"
chmod 1777 "$NGX/tmp"
cat > "$NGX/nginx.conf" <<EOF
worker_processes $(nproc);
worker_rlimit_nofile 16384;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
daemon off;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  upstream ollama {
    server 127.0.0.1:$FAKE_PORT;
    keepalive 128;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    client_max_body_size 64m;
    location / {
      proxy_pass http://ollama;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1:$FAKE_PORT;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
EOF
nginx -p "$NGX" -c "$NGX/nginx.conf" > "$NGX/logs/stdout.log" 2>&1 &
NGINX_PID=$!
NGINXURL=http://127.0.0.1:$NGINX_PORT
for _ in $(seq 100); do curl -sf -o /dev/null "$NGINXURL/api/version" && break; sleep 0.1; done
curl -sf -o /dev/null "$NGINXURL/api/version" || { cat "$NGX/logs/error.log"; die "nginx did not start"; }
# ---------------------------------------------------------------- the bare Reactor Netty proxy: keepwarm's stack, nothing else
log "starting the bare Reactor Netty proxy"
java -cp "$CP" dev.keepwarm.bench.BareProxy --port "$NETTY_PORT" --upstream "$DIRECT" > "$WORK/bare.log" 2>&1 &
NETTY_PID=$!
PIDS+=("$NETTY_PID")
NETTYURL=http://127.0.0.1:$NETTY_PORT
for _ in $(seq 200); do curl -sf -o /dev/null "$NETTYURL/api/version" && break; sleep 0.1; done
curl -sf -o /dev/null "$NETTYURL/api/version" || { cat "$WORK/bare.log"; die "the bare proxy did not start"; }
nginx_pids() {
  local pids=$NGINX_PID d
  for d in /proc/[0-9]*; do
    [ "$(awk '/^PPid:/{print $2}' "$d/status" 2>/dev/null)" = "$NGINX_PID" ] && pids="$pids,${d#/proc/}"
  done
  echo "$pids"
}

# ---------------------------------------------------------------- keepwarm
keepwarm_args() { # port management-port
  echo "--server.address=127.0.0.1 --server.port=$1 --management.server.address=127.0.0.1 --management.server.port=$2"
  echo "--keepwarm.upstream.url=$DIRECT --keepwarm.warmer.interval=2s"
  echo "--keepwarm.policy.models[0].match=coldstart-pinned:1b --keepwarm.policy.models[0].keep-alive=forever"
  echo "--keepwarm.policy.models[0].warm=true --keepwarm.policy.models[0].kind=generate"
  echo "--keepwarm.policy.models[1].match=bench --keepwarm.policy.models[1].keep-alive=1h"
  echo "--keepwarm.policy.models[1].mode=override"
}
log "starting keepwarm"
KW_MAIN_OPTS=$KEEPWARM_JAVA_OPTS
if [ $PROFILE = 1 ]; then KW_MAIN_OPTS="$KW_MAIN_OPTS -XX:FlightRecorderOptions:stackdepth=512"; fi
start_keepwarm "$KW_PORT" "$KW_MGMT_PORT" "$WORK/keepwarm.log" "$KW_MAIN_OPTS"
KW_PID=$KW_STARTED_PID
KW_RSS_READY=$(rss_kb $KW_PID)
KEEPWARM=http://127.0.0.1:$KW_PORT
echo "{\"ready_ms\":$KW_READY_MS,\"rss_ready_kb\":$KW_RSS_READY}" > "$RAW/startup-main.json"
log "keepwarm ready in ${KW_READY_MS} ms"

# Smoke: every path answers, and keepwarm applies the bench policy.
for url in "$DIRECT" "$NGINXURL" "$KEEPWARM"; do
  curl -sf -o /dev/null --max-time 10 "$url/api/tags" || die "GET $url/api/tags failed"
  curl -sf -o /dev/null --max-time 10 -H 'Content-Type: application/json' --data-binary @"$WORK/small.json" "$url/api/generate" \
    || die "POST $url/api/generate failed"
done
decision=$(curl -sf -D - -o /dev/null -H 'Content-Type: application/json' --data-binary @"$WORK/small.json" "$KEEPWARM/api/generate" \
  | tr -d '\r' | sed -n 's/^[Xx]-[Kk]eepwarm-[Kk]eep-[Aa]live: //p')
log "keepwarm decision on the bench body: $decision"
case "$decision" in *"rule=bench; action=override"*) ;; *) die "keepwarm did not apply the bench policy ($decision)";; esac

# ---------------------------------------------------------------- 1. cold start
log "scenario 1: cold start ($COLD_REQUESTS requests, ${COLD_GAP_S}s gaps)"
for _ in $(seq 300); do # the warmer's preload of the pinned model
  loads | grep -q '"coldstart-pinned:1b":[1-9]' && break
  sleep 0.1
done
loads | grep -q '"coldstart-pinned:1b":[1-9]' || die "keepwarm did not preload coldstart-pinned:1b within 30 s"
sleep 1
KW_RSS_IDLE=$(rss_kb $KW_PID)
loads > "$RAW/cold-loads-before.json"
cold_client() { # label base-url model
  local out=$RAW/cold-$1.jsonl t0 i start resp body status
  : > "$out"
  t0=$(now_ns)
  for ((i = 1; i <= COLD_REQUESTS; i++)); do
    start=$(( ($(now_ns) - t0) / 1000000 ))
    resp=$(curl -sS --max-time 120 -H 'Content-Type: application/json' -w '\n%{http_code} %{time_total}' \
      -d "{\"model\":\"$3\",\"prompt\":\"Why is the sky blue?\",\"stream\":false}" "$2/api/generate") || resp=$'{}\n000 0'
    body=$(printf '%s\n' "$resp" | head -n 1)
    status=$(printf '%s\n' "$resp" | tail -n 1)
    printf '{"i":%d,"start_ms":%d,"status":%s,"time_s":%s,"body":%s}\n' "$i" "$start" "${status% *}" "${status#* }" \
      "$(printf '%s' "$body" | grep -q '^{' && printf '%s' "$body" || echo null)" >> "$out"
    if [ $i -lt $COLD_REQUESTS ]; then sleep "$COLD_GAP_S"; fi
  done
}
cold_client direct "$DIRECT" coldstart-direct:1b &
COLD_DIRECT=$!
cold_client keepwarm "$KEEPWARM" coldstart-pinned:1b &
COLD_KW=$!
wait $COLD_DIRECT || die "cold-start client (direct) failed"
wait $COLD_KW || die "cold-start client (keepwarm) failed"
loads > "$RAW/cold-loads-after.json"
grep -q '"status":200' "$RAW/cold-direct.jsonl" || die "no direct cold-start request succeeded"

# ---------------------------------------------------------------- 2. overhead, small requests
log "scenario 2: overhead (wrk, ${OVH_SECONDS}s per cell)"
run_wrk() { # out url concurrency seconds [body-file]
  WRK_OUT=$1 WRK_BODY_FILE=${5:-} wrk -t1 -c"$3" -d"${4}s" --timeout 10s -s bench/wrk/summary.lua "$2" > "$1.log" 2>&1 \
    || { cat "$1.log"; die "wrk failed on $2"; }
  [ -s "$1" ] || die "wrk wrote no summary for $2"
}
rps() { awk -F'[:,]' '{for (i = 1; i < NF; i++) { if ($i ~ /"requests"/) r = $(i+1); if ($i ~ /"duration_us"/) d = $(i+1) }} END {printf "%d", r / (d / 1e6)}' "$1"; }
# Warm-up at concurrency 16 (JIT, connection pools): direct and nginx once; keepwarm until two runs in a row differ
# by less than 5% in req/s, at most OVH_WARMUP_MAX_RUNS runs. Its trajectory goes in the report.
: > "$RAW/warmup.tsv"
for target in direct nginx netty keepwarm; do
  case $target in direct) base=$DIRECT;; nginx) base=$NGINXURL;; netty) base=$NETTYURL;; keepwarm) base=$KEEPWARM;; esac
  for endpoint in tags generate; do
    body=
    if [ $endpoint = generate ]; then body=$WORK/small.json; fi
    previous=0
    for ((run = 1; run <= OVH_WARMUP_MAX_RUNS; run++)); do
      run_wrk "$WORK/warmup-$target-$endpoint-$run.json" "$base/api/$endpoint" 16 "$OVH_WARMUP_SECONDS" "$body"
      current=$(rps "$WORK/warmup-$target-$endpoint-$run.json")
      printf '%s\t%s\t%d\t%d\n' "$target" "$endpoint" "$run" "$current" >> "$RAW/warmup.tsv"
      [ $target = keepwarm ] || [ $target = netty ] || break
      if [ $run -ge 2 ] && [ $(( (current - previous) * 100 )) -lt $(( previous * 5 )) ] \
        && [ $(( (previous - current) * 100 )) -lt $(( previous * 5 )) ]; then break; fi
      previous=$current
    done
  done
done
# CPU per request: the user + system time the proxy's processes (nginx: master and workers) spent during a cell,
# over the requests wrk completed; for direct, the fake's own (every target's total includes the fake's share too).
CLK_TCK=$(getconf CLK_TCK)
cpu_ms() { # pid,pid,...
  local total=0 pid
  for pid in ${1//,/ }; do total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat") )); done
  echo $(( total * 1000 / CLK_TCK ))
}
target_pids() { case $1 in direct) echo "$FAKE_PID";; nginx) nginx_pids;; netty) echo "$NETTY_PID";; keepwarm) echo "$KW_PID";; esac; }
printf 'endpoint\tconcurrency\ttarget\tcpu_ms\n' > "$RAW/ovh-cpu.tsv"
for endpoint in tags generate; do
  for c in "${CONCURRENCIES[@]}"; do
    for target in direct nginx netty keepwarm; do
      case $target in direct) base=$DIRECT;; nginx) base=$NGINXURL;; netty) base=$NETTYURL;; keepwarm) base=$KEEPWARM;; esac
      pids=$(target_pids $target)
      before=$(cpu_ms "$pids")
      if [ $endpoint = tags ]; then
        run_wrk "$RAW/ovh-$endpoint-c$c-$target.json" "$base/api/tags" "$c" "$OVH_SECONDS"
      else
        run_wrk "$RAW/ovh-$endpoint-c$c-$target.json" "$base/api/generate" "$c" "$OVH_SECONDS" "$WORK/small.json"
      fi
      printf '%s\t%s\t%s\t%d\n' $endpoint "$c" $target $(( $(cpu_ms "$pids") - before )) >> "$RAW/ovh-cpu.tsv"
    done
  done
done
grep -q '"status":0,' "$RAW/ovh-generate-c16-direct.json" || die "direct requests to the fake failed: $(cat "$RAW/ovh-generate-c16-direct.json")"

if [ $PROFILE = 1 ]; then
  log "profile: JFR of keepwarm under generate c16"
  # The JDK's profile settings with Java samples every 1 ms (instead of 10), for enough samples in one run. Starting a
  # recording deoptimises code for a while, so keepwarm warms up again under it; only the last run is summarised.
  JAVA_HOME_DIR=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
  sed -e '/name="jdk.ExecutionSample"/,/<\/event>/ s/>[0-9]* ms</>1 ms</' "$JAVA_HOME_DIR/lib/jfr/profile.jfc" > "$WORK/sampling.jfc"
  jcmd $KW_PID JFR.start name=bench settings="$WORK/sampling.jfc" filename="$WORK/keepwarm.jfr" > "$WORK/jfr.log" 2>&1 \
    || { cat "$WORK/jfr.log"; die "JFR.start failed"; }
  previous=0
  for ((run = 1; run <= OVH_WARMUP_MAX_RUNS; run++)); do
    run_wrk "$WORK/profile-warmup-$run.json" "$KEEPWARM/api/generate" 16 "$OVH_WARMUP_SECONDS" "$WORK/small.json"
    current=$(rps "$WORK/profile-warmup-$run.json")
    if [ $run -ge 2 ] && [ $(( (current - previous) * 100 )) -lt $(( previous * 5 )) ] \
      && [ $(( (previous - current) * 100 )) -lt $(( previous * 5 )) ]; then break; fi
    previous=$current
  done
  PROFILE_SINCE=$(date +%H:%M:%S.%3N)
  run_wrk "$RAW/profile-wrk.json" "$KEEPWARM/api/generate" 16 "$OVH_SECONDS" "$WORK/small.json"
  jcmd $KW_PID JFR.stop name=bench >> "$WORK/jfr.log" 2>&1 || die "JFR.stop failed"
  jfr print --events jdk.ExecutionSample --stack-depth 512 "$WORK/keepwarm.jfr" > "$WORK/samples.txt" || die "jfr print failed"
  "$PY" bench/report.py --profile "$WORK/samples.txt" --since "$PROFILE_SINCE" > "$RAW/profile.json" || die "profile summary failed"
fi

# ---------------------------------------------------------------- 3. large bodies
log "scenario 3: large bodies ($LARGE_RUNS runs)"
: > "$RAW/large.tsv"
for size in 1MiB 16MiB; do
  for ((i = 0; i < LARGE_RUNS + LARGE_WARMUP_RUNS; i++)); do # the first rounds are warm-up
    for target in direct nginx netty keepwarm; do
      case $target in direct) base=$DIRECT;; nginx) base=$NGINXURL;; netty) base=$NETTYURL;; keepwarm) base=$KEEPWARM;; esac
      result=$(curl -sS -o /dev/null --max-time 60 -H 'Expect:' -H 'Content-Type: application/json' \
        --data-binary @"$WORK/$size.json" -w '%{http_code} %{time_total}' "$base/api/generate") || result="000 0"
      if [ $i -ge $LARGE_WARMUP_RUNS ]; then printf '%s\t%s\t%d\t%s\n' "$size" "$target" "$i" "${result// /$'\t'}" >> "$RAW/large.tsv"; fi
    done
  done
done
awk -F'\t' '$2=="direct" && $4!=200 {bad=1} END {exit bad}' "$RAW/large.tsv" || die "direct large-body requests to the fake failed"

# ---------------------------------------------------------------- 4. streaming fidelity
log "scenario 4: streaming ($STREAM_RUNS x $STREAM_TOKENS tokens at ${STREAM_INTERVAL_MS}ms)"
tokens "$STREAM_TOKENS" "$STREAM_INTERVAL_MS"
for target in direct nginx netty keepwarm; do
  case $target in direct) base=$DIRECT;; nginx) base=$NGINXURL;; netty) base=$NETTYURL;; keepwarm) base=$KEEPWARM;; esac
  bench_java dev.keepwarm.bench.StreamProbe --url "$base/api/generate" --body-file "$WORK/stream.json" \
    --streams "$STREAM_RUNS" --label $target --out "$RAW/stream-$target.json" || die "StreamProbe failed ($target)"
done
grep -q '"failures":\[\]' "$RAW/stream-direct.json" || die "direct streams from the fake failed"

# ---------------------------------------------------------------- 5. many streams
log "scenario 5: many streams ($MANY_CLIENTS clients, ${MANY_SECONDS}s)"
tokens "$MANY_TOKENS" "$MANY_INTERVAL_MS"
bench_java dev.keepwarm.bench.ManyStreams --url "$KEEPWARM/api/generate" --body-file "$WORK/stream.json" \
  --streams "$MANY_CLIENTS" --seconds "$MANY_SECONDS" --rss keepwarm=$KW_PID --out "$RAW/many-keepwarm.json" \
  || die "ManyStreams failed (keepwarm)"
bench_java dev.keepwarm.bench.ManyStreams --url "$NGINXURL/api/generate" --body-file "$WORK/stream.json" \
  --streams "$MANY_CLIENTS" --seconds "$MANY_SECONDS" --rss "nginx=$(nginx_pids)" --out "$RAW/many-nginx.json" \
  || die "ManyStreams failed (nginx)"
log "scenario 5b: many streams through a second keepwarm started with $KEEPWARM_BOUNDED_JAVA_OPTS"
start_keepwarm "$KW_STARTUP_PORT" $((KW_STARTUP_PORT + 1)) "$WORK/keepwarm-bounded.log" "$KEEPWARM_BOUNDED_JAVA_OPTS"
BOUNDED_PID=$KW_STARTED_PID
echo "{\"opts\":\"$KEEPWARM_BOUNDED_JAVA_OPTS\",\"ready_ms\":$KW_READY_MS,\"rss_ready_kb\":$(rss_kb $BOUNDED_PID)}" > "$RAW/startup-bounded.json"
bench_java dev.keepwarm.bench.ManyStreams --url "http://127.0.0.1:$KW_STARTUP_PORT/api/generate" --body-file "$WORK/stream.json" \
  --streams "$MANY_CLIENTS" --seconds "$MANY_SECONDS" --rss keepwarm=$BOUNDED_PID --out "$RAW/many-keepwarm-bounded.json" \
  || die "ManyStreams failed (bounded keepwarm)"
stop_pid $BOUNDED_PID
tokens 5 0
kill -0 $KW_PID 2>/dev/null || die "keepwarm is gone"
KW_RSS_END=$(rss_kb $KW_PID)
echo "{\"ready_ms\":$KW_READY_MS,\"rss_ready_kb\":$KW_RSS_READY,\"rss_idle_kb\":$KW_RSS_IDLE,\"rss_end_kb\":$KW_RSS_END}" > "$RAW/startup-main.json"

# ---------------------------------------------------------------- 6. start-up
log "scenario 6: start-up ($STARTUP_RUNS more launches)"
: > "$RAW/startup-runs.jsonl"
for ((i = 1; i <= STARTUP_RUNS; i++)); do
  start_keepwarm "$KW_STARTUP_PORT" $((KW_STARTUP_PORT + 1)) "$WORK/keepwarm-startup-$i.log" "$KEEPWARM_JAVA_OPTS"
  ready_rss=$(rss_kb $KW_STARTED_PID)
  sleep 3
  echo "{\"ready_ms\":$KW_READY_MS,\"rss_ready_kb\":$ready_rss,\"rss_idle_kb\":$(rss_kb $KW_STARTED_PID)}" >> "$RAW/startup-runs.jsonl"
  stop_pid $KW_STARTED_PID
done
grep -h 'Started KeepwarmApplication' "$WORK"/keepwarm*.log | sed 's/.*Started KeepwarmApplication/Started KeepwarmApplication/' > "$RAW/started-lines.txt" || true
grep -ciE ' (ERROR|WARN) ' "$WORK/keepwarm.log" > "$RAW/keepwarm-log-warnings.txt" || true
grep -E ' (ERROR|WARN) ' "$WORK/keepwarm.log" | head -20 >> "$RAW/keepwarm-log-warnings.txt" || true
fi # ------------------------------------------------------------------- end of JMH and scenarios 1 to 6

# ---------------------------------------------------------------- 7. a fleet: 3 hosts, 12 models, Zipf popularity
if want fleet; then
log "scenario 7: fleet ($FLEET_REQUESTS requests over $FLEET_MODEL_COUNT models on $FLEET_HOSTS hosts x $FLEET_MAX_LOADED slots; nginx round-robin, nginx least_conn, keepwarm)"
FLEET_MODELS=()
for ((i = 1; i <= FLEET_MODEL_COUNT; i++)); do FLEET_MODELS+=("$(printf 'zipf-%02d:1b' "$i")"); done
FLEET_MODEL_ARGS=()
for model in "${FLEET_MODELS[@]}"; do FLEET_MODEL_ARGS+=(--model "$model=$FLEET_LOAD_MS"); done
java -cp "$CP" dev.keepwarm.bench.FakeOllamaServer --ports-file "$WORK/fleet.ports" --hosts "$FLEET_HOSTS" \
  "${FLEET_MODEL_ARGS[@]}" --default-keep-alive-ms "$FLEET_KEEPALIVE_MS" --max-loaded-models "$FLEET_MAX_LOADED" \
  --tokens "$FLEET_TOKENS" --token-interval-ms "$FLEET_TOKEN_INTERVAL_MS" > "$WORK/fleet-fake.log" 2>&1 &
FLEET_FAKE_PID=$!
PIDS+=("$FLEET_FAKE_PID")
for _ in $(seq 300); do [ -f "$WORK/fleet.ports" ] && break; kill -0 $FLEET_FAKE_PID 2>/dev/null || break; sleep 0.1; done
[ -f "$WORK/fleet.ports" ] || { cat "$WORK/fleet-fake.log"; die "the fleet's fake Ollamas did not start"; }
FLEET_PORTS=()
for ((i = 0; i < FLEET_HOSTS; i++)); do FLEET_PORTS+=("$(sed -n "s/^ollama\.$i=//p" "$WORK/fleet.ports")"); done
FLEET_CONTROL=http://127.0.0.1:$(sed -n 's/^control=//p' "$WORK/fleet.ports")
FLEET_HOST_NAMES=$(for ((i = 0; i < FLEET_HOSTS; i++)); do printf 'h%d\n' "$i"; done | paste -sd,)

# nginx as the blind balancer: one upstream of the three fakes, round-robin on one port, least_conn on the next
# (shared zones, so that both workers count the same connections).
NGXF=$WORK/nginx-fleet
mkdir -p "$NGXF/logs" "$NGXF/tmp"
chmod 1777 "$NGXF/tmp"
fleet_servers() { local port; for port in "${FLEET_PORTS[@]}"; do echo "    server 127.0.0.1:$port;"; done; }
cat > "$NGXF/nginx.conf" <<NGINX
worker_processes $(nproc);
pid $NGXF/nginx.pid;
error_log $NGXF/logs/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $NGXF/tmp/body;
  proxy_temp_path $NGXF/tmp/proxy;
  fastcgi_temp_path $NGXF/tmp/fastcgi;
  uwsgi_temp_path $NGXF/tmp/uwsgi;
  scgi_temp_path $NGXF/tmp/scgi;
  upstream fleet_rr {
    zone fleet_rr 64k;
$(fleet_servers)
    keepalive 64;
  }
  upstream fleet_lc {
    zone fleet_lc 64k;
    least_conn;
$(fleet_servers)
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$NGINX_FLEET_PORT;
    location / {
      proxy_pass http://fleet_rr;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 600s;
    }
  }
  server {
    listen 127.0.0.1:$((NGINX_FLEET_PORT + 1));
    location / {
      proxy_pass http://fleet_lc;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host 127.0.0.1;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
NGINX
nginx -p "$NGXF" -c "$NGXF/nginx.conf" > "$NGXF/logs/stdout.log" 2>&1 &
NGINX_FLEET_PID=$!
PIDS+=("$NGINX_FLEET_PID")
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$((NGINX_FLEET_PORT + 1))/api/version" && break; sleep 0.1; done
for port in "$NGINX_FLEET_PORT" $((NGINX_FLEET_PORT + 1)); do
  curl -sf -o /dev/null "http://127.0.0.1:$port/api/version" || { cat "$NGXF/logs/error.log"; die "the fleet's nginx did not start"; }
done

FLEET_PINNED_LIST=$(printf '%s\n' "${FLEET_MODELS[@]:0:FLEET_PINNED}" | paste -sd,)
fleet_workload() { # label base-url
  bench_java dev.keepwarm.bench.FleetWorkload --url "$2/api/generate" --label "$1" --out "$RAW/fleet-$1.json" \
    --models "$(printf '%s\n' "${FLEET_MODELS[@]}" | paste -sd,)" --requests "$FLEET_REQUESTS" \
    --concurrency "$FLEET_CONCURRENCY" --zipf-s "$FLEET_ZIPF_S" --seed "$FLEET_SEED" \
    --cold-threshold-ms $((FLEET_LOAD_MS / 2)) --control "$FLEET_CONTROL" --host-names "$FLEET_HOST_NAMES" \
    --pinned "$FLEET_PINNED_LIST" --slots $((FLEET_HOSTS * FLEET_MAX_LOADED)) || die "FleetWorkload failed ($1)"
  grep -q '"ok":0,' "$RAW/fleet-$1.json" && die "no fleet request succeeded through $1: $(head -c 600 "$RAW/fleet-$1.json")"
  return 0
}
# Each target starts from empty hosts (the fakes' /reset: nothing resident, load counters at 0).
curl -sf -o /dev/null -X POST "$FLEET_CONTROL/reset" || die "fleet reset failed"
fleet_workload nginx-rr "http://127.0.0.1:$NGINX_FLEET_PORT"
curl -sf -o /dev/null -X POST "$FLEET_CONTROL/reset" || die "fleet reset failed"
fleet_workload nginx-lc "http://127.0.0.1:$((NGINX_FLEET_PORT + 1))"
stop_pid "$NGINX_FLEET_PID"

# keepwarm in fleet mode: the hosts with their max-loaded, the FLEET_PINNED most popular models pinned (warm, keep-alive
# forever, replicas 1); every other model has no rule (routed by residency, then rendezvous hashing; the fakes' default
# keep-alive applies).
fleet_keepwarm_args() { # port management-port
  local i
  echo "--server.address=127.0.0.1 --server.port=$1 --management.server.address=127.0.0.1 --management.server.port=$2"
  echo "--keepwarm.warmer.interval=2s"
  for ((i = 0; i < FLEET_HOSTS; i++)); do
    echo "--keepwarm.upstream.hosts[$i].name=h$i --keepwarm.upstream.hosts[$i].url=http://127.0.0.1:${FLEET_PORTS[i]}"
    echo "--keepwarm.upstream.hosts[$i].max-loaded=$FLEET_MAX_LOADED"
  done
  for ((i = 0; i < FLEET_PINNED; i++)); do
    echo "--keepwarm.policy.models[$i].match=${FLEET_MODELS[i]} --keepwarm.policy.models[$i].warm=true"
    echo "--keepwarm.policy.models[$i].keep-alive=forever --keepwarm.policy.models[$i].replicas=1"
    echo "--keepwarm.policy.models[$i].kind=generate"
  done
}
curl -sf -o /dev/null -X POST "$FLEET_CONTROL/reset" || die "fleet reset failed"
start_keepwarm "$KW_FLEET_PORT" $((KW_FLEET_PORT + 1)) "$WORK/keepwarm-fleet.log" "$KEEPWARM_JAVA_OPTS" fleet_keepwarm_args
KW_FLEET_PID=$KW_STARTED_PID
log "keepwarm (fleet) ready in ${KW_READY_MS} ms; waiting for the preload of ${FLEET_PINNED_LIST}"
preloaded=0
for _ in $(seq 600); do # the warmer's placement and preload of the pinned models, one load each
  hosts=$(curl -sS --max-time 5 "$FLEET_CONTROL/hosts")
  preloaded=1
  for model in "${FLEET_MODELS[@]:0:FLEET_PINNED}"; do
    printf '%s' "$hosts" | grep -q "\"$model\":[1-9]" || preloaded=0
  done
  [ $preloaded = 1 ] && break
  sleep 0.1
done
[ $preloaded = 1 ] || { tail -40 "$WORK/keepwarm-fleet.log"; die "keepwarm (fleet) did not preload $FLEET_PINNED_LIST within 60 s"; }
sleep 1 # the warmer sees the pinned copies resident (its interval is 2 s)
curl -sS --max-time 5 "$FLEET_CONTROL/hosts" > "$RAW/fleet-preload.json"
curl -sS --max-time 5 "http://127.0.0.1:$((KW_FLEET_PORT + 1))/actuator/keepwarm" > "$RAW/fleet-keepwarm-before.json" || true
fleet_workload keepwarm "http://127.0.0.1:$KW_FLEET_PORT"
curl -sS --max-time 5 "http://127.0.0.1:$((KW_FLEET_PORT + 1))/actuator/keepwarm" > "$RAW/fleet-keepwarm-after.json" || true
curl -sS --max-time 5 "http://127.0.0.1:$((KW_FLEET_PORT + 1))/actuator/prometheus" \
  | grep -E '^keepwarm_(routed_total|placement_|cold_start|model_loads)' > "$RAW/fleet-keepwarm-metrics.txt" || true
grep -E ' (ERROR|WARN) ' "$WORK/keepwarm-fleet.log" | head -20 > "$RAW/fleet-keepwarm-warnings.txt" || true
stop_pid "$KW_FLEET_PID"
stop_pid "$FLEET_FAKE_PID"
fi

# ---------------------------------------------------------------- 8. trace replay: keep-alive policies (issue 14)
if want replay; then
log "scenario 8: trace replay ($REPLAY_MODELS models, ${REPLAY_HOURS} h of trace at ${REPLAY_COMPRESSION}x; runs: $REPLAY_RUNS)"
RP=$WORK/replay
mkdir -p "$RP"
replay_java() { bench_java dev.keepwarm.bench.TraceReplay "$@"; }
for trace in train heldout; do
  seed=$REPLAY_TRAIN_SEED
  [ $trace = heldout ] && seed=$REPLAY_HELDOUT_SEED
  replay_java generate --models "$REPLAY_MODELS" --hours "$REPLAY_HOURS" --seed "$seed" \
    --population-seed "$REPLAY_POPULATION_SEED" --day-hours "$REPLAY_DAY_HOURS" --out "$RP/$trace.trace" \
    > "$RAW/replay-$trace-trace.txt" || die "trace generation failed ($trace)"
  cp "$RP/$trace.trace" "$RAW/replay-$trace.trace"
done
# A trace-time duration in seconds, compressed, as keepwarm reads durations (milliseconds, at least 1).
scaled() { awk -v s="$1" -v c="$REPLAY_COMPRESSION" 'BEGIN { ms = int(s * 1000 / c + 0.5); if (ms < 1) ms = 1; printf "%dms", ms }'; }
scaled_floor() { awk -v s="$1" -v c="$REPLAY_COMPRESSION" -v f="$2" 'BEGIN { ms = int(s * 1000 / c + 0.5); if (ms < f) ms = f; printf "%dms", ms }'; }
# One fake for every run, reset before each (nothing resident, load counters and residency log empty); as many
# slots as models, so that no policy is judged by evictions: the paper's memory is not bounded either.
mapfile -t REPLAY_FAKE_MODELS < <(replay_java fake-args --trace "$RP/train.trace" --compression "$REPLAY_COMPRESSION" \
  --min-load-ms "$REPLAY_MIN_LOAD_MS")
# replay-warmup: not in the trace, for TraceReplay's warm-up of keepwarm before the clock starts
java -cp "$CP" dev.keepwarm.bench.FakeOllamaServer --ports-file "$WORK/replay.ports" "${REPLAY_FAKE_MODELS[@]}" \
  --model replay-warmup=1,1000000000 \
  --default-keep-alive-ms "${REPLAY_DEFAULT_KA_MS:=$(( 300000 / REPLAY_COMPRESSION ))}" --max-loaded-models $((REPLAY_MODELS + 1)) \
  --tokens "$REPLAY_TOKENS" --token-interval-ms "$REPLAY_TOKEN_INTERVAL_MS" > "$WORK/replay-fake.log" 2>&1 &
REPLAY_FAKE_PID=$!
PIDS+=("$REPLAY_FAKE_PID")
for _ in $(seq 300); do [ -f "$WORK/replay.ports" ] && break; kill -0 $REPLAY_FAKE_PID 2>/dev/null || break; sleep 0.1; done
[ -f "$WORK/replay.ports" ] || { cat "$WORK/replay-fake.log"; die "the replay's fake Ollama did not start"; }
REPLAY_DIRECT=http://127.0.0.1:$(sed -n 's/^ollama=//p' "$WORK/replay.ports")
REPLAY_CONTROL=http://127.0.0.1:$(sed -n 's/^control=//p' "$WORK/replay.ports")
curl -sf -o /dev/null --max-time 10 -H 'Content-Type: application/json' \
  -d "{\"model\":\"${REPLAY_FAKE_MODELS[1]%%=*}\",\"prompt\":\"hi\",\"stream\":false}" "$REPLAY_DIRECT/api/generate" \
  || die "a direct request to the replay's fake failed"

# keepwarm for one policy: the fake as its upstream, the warmer's clock compressed like the trace (its reconcile
# interval 30 s, at least REPLAY_WARMER_MIN_MS; thrash window 10 min and back-off 30 min of trace time).
REPLAY_POLICY=()
replay_keepwarm_args() { # port management-port
  echo "--server.address=127.0.0.1 --server.port=$1 --management.server.address=127.0.0.1 --management.server.port=$2"
  echo "--keepwarm.upstream.url=$REPLAY_DIRECT --keepwarm.warmer.interval=$(scaled_floor 30 "$REPLAY_WARMER_MIN_MS")"
  echo "--keepwarm.warmer.thrash.window=$(scaled 600) --keepwarm.warmer.thrash.max-backoff=$(scaled 1800)"
  printf '%s\n' "${REPLAY_POLICY[@]}"
}
fixed_policy() { REPLAY_POLICY=(--keepwarm.policy.default.mode=override "--keepwarm.policy.default.keep-alive=$1"); }
adaptive_policy() { # state-file
  local bin
  bin=$(scaled 60)
  # the range must be a whole number of bins: 4 h is 240 bins of 1 m
  REPLAY_POLICY=(--keepwarm.policy.default.mode=adaptive "--keepwarm.policy.default.keep-alive=$(scaled 600)"
    "--keepwarm.adaptive.bin=$bin" "--keepwarm.adaptive.range=$(( ${bin%ms} * 240 ))ms"
    "--keepwarm.adaptive.state-file=$1")
}
: > "$RAW/replay-skipped.txt"
rm -f "$RP"/*.state.txt
for run in $REPLAY_RUNS; do
  trace=${run%%:*} label=${run#*:}
  case $label in
    fixed-5m) fixed_policy "$(scaled 300)"; policy="override, keep-alive 5m ($(scaled 300))" ;;
    fixed-10m) fixed_policy "$(scaled 600)"; policy="override, keep-alive 10m ($(scaled 600))" ;;
    fixed-1h) fixed_policy "$(scaled 3600)"; policy="override, keep-alive 1h ($(scaled 3600))" ;;
    forever) fixed_policy -1; policy="override, keep-alive -1" ;;
    adaptive) adaptive_policy "$RP/train.state.txt"; policy="adaptive, learning keep-alive 10m, bin 1m, range 4h; state file from empty" ;;
    adaptive-fresh) adaptive_policy "$RP/heldout-fresh.state.txt"; policy="adaptive, no state file (learns from scratch)" ;;
    adaptive-state) 
      if [ -f "$RP/train.state.txt" ]; then cp "$RP/train.state.txt" "$RP/heldout.state.txt"; fi
      adaptive_policy "$RP/heldout.state.txt"
      policy="adaptive, starting from the training run's state file ($([ -f "$RP/heldout.state.txt" ] && echo present || echo 'absent: none was written'))" ;;
    *) die "unknown replay run $label" ;;
  esac
  curl -sf -o /dev/null -X POST "$REPLAY_CONTROL/reset" || die "replay fake reset failed"
  kwlog=$WORK/keepwarm-replay-$trace-$label.log
  if ! try_start_keepwarm "$KW_REPLAY_PORT" $((KW_REPLAY_PORT + 1)) "$kwlog" "$KEEPWARM_JAVA_OPTS" replay_keepwarm_args; then
    tail -40 "$kwlog"; die "keepwarm ($label) did not become ready"
  fi
  log "  $trace/$label: keepwarm ready in ${KW_READY_MS} ms; replaying"
  replay_java replay --trace "$RP/$trace.trace" --url "http://127.0.0.1:$KW_REPLAY_PORT" --control "$REPLAY_CONTROL" \
    --compression "$REPLAY_COMPRESSION" --min-load-ms "$REPLAY_MIN_LOAD_MS" --label "$label" --policy "$policy" \
    --warmup-model replay-warmup --warmup-seconds "$REPLAY_WARMUP_SECONDS" --warmup-requests "$REPLAY_WARMUP_REQUESTS" --residency-out "$RAW/replay-$trace-$label-residency.json" \
    --requests-out "$RAW/replay-$trace-$label-requests.txt" \
    --out "$RAW/replay-$trace-$label.json" || die "TraceReplay failed ($trace/$label)"
  curl -sS --max-time 5 "http://127.0.0.1:$((KW_REPLAY_PORT + 1))/actuator/keepwarm" > "$RAW/replay-$trace-$label-keepwarm.json" || true
  grep -E ' (ERROR|WARN) ' "$kwlog" | head -20 > "$RAW/replay-$trace-$label-warnings.txt" || true
  grep -cE ' (ERROR|WARN) ' "$kwlog" > "$RAW/replay-$trace-$label-warning-count.txt" || true
  stop_pid "$KW_STARTED_PID" # SIGTERM: adaptive mode writes its state file at shutdown
  grep -qE '"ok" ?: ?0,' "$RAW/replay-$trace-$label.json" && die "no replay request succeeded through keepwarm ($label): $(head -c 600 "$RAW/replay-$trace-$label.json")"
  case $label in adaptive*) ls -l "$RP"/*.state.txt > "$RAW/replay-$trace-$label-state.txt" 2>&1 || true ;; esac
done
stop_pid "$REPLAY_FAKE_PID"
# the error of several keepwarm replicas in adaptive mode: real learners on one model's split traffic, simulated time
bench_java dev.keepwarm.warmer.ReplicaSplit --days 14 > "$RAW/replica-split.md" || die "ReplicaSplit failed"
fi

# ---------------------------------------------------------------- 9. the shipped launch commands
# The Docker image's ENTRYPOINT and AOT-cache training (read from the Dockerfile, run on Boot's layers extracted as
# the Dockerfile extracts them, with a Java 25 as in the image; -XX:MaxRAM=512m sizes the JVM as the chart's and
# Compose's 512m limit does) and the systemd unit's ExecStart (its JAVA_OPTS and CDS archive, on the extracted jar,
# with this machine's java): LAUNCH_RUNS launches of each with and without its cache to readiness, then
# MANY_CLIENTS streams through each with its cache.
if want launch; then
J25=${JAVA25:-$(ls -d /usr/lib/jvm/temurin-25*/bin/java 2>/dev/null | head -1)}
[ -n "$J25" ] && [ -x "$J25" ] || die "scenario 9 needs a Java 25: set JAVA25 to its java"
log "scenario 9: the image's and the unit's launch commands ($LAUNCH_RUNS launches each, $MANY_CLIENTS streams)"
java -cp "$CP" dev.keepwarm.bench.FakeOllamaServer --ports-file "$WORK/launch.ports" --model bench=100 \
  --max-loaded-models 8 > "$WORK/launch-fake.log" 2>&1 &
LAUNCH_FAKE_PID=$!
PIDS+=("$LAUNCH_FAKE_PID")
for _ in $(seq 300); do [ -f "$WORK/launch.ports" ] && break; kill -0 $LAUNCH_FAKE_PID 2>/dev/null || break; sleep 0.1; done
[ -f "$WORK/launch.ports" ] || { cat "$WORK/launch-fake.log"; die "the launch scenario's fake Ollama did not start"; }
LAUNCH_DIRECT=http://127.0.0.1:$(sed -n 's/^ollama=//p' "$WORK/launch.ports")
LAUNCH_CONTROL=http://127.0.0.1:$(sed -n 's/^control=//p' "$WORK/launch.ports")
[ -f "$WORK/stream.json" ] || bench_java dev.keepwarm.bench.Bodies --out "$WORK/stream.json" --model bench --stream true
# words of a Dockerfile exec-form instruction, without the leading "java": the AOT training RUN or the ENTRYPOINT
dockerfile_java() { # train|run
  "$PY" - "$1" <<'PYEOF'
import json, sys
text = open("Dockerfile").read().replace("\\\n", " ")
for line in text.splitlines():
    line = line.strip()
    training = line.startswith("RUN [") and "AOTCacheOutput" in line
    if (sys.argv[1] == "train" and training) or (sys.argv[1] == "run" and line.startswith("ENTRYPOINT [")):
        words = json.loads(line.split(None, 1)[1])
        assert words[0] == "java", words
        print("\n".join(words[1:]))
PYEOF
}
# a value of the systemd unit's Environment= lines
unit_env() { # name
  "$PY" - "$1" <<'PYEOF'
import sys
for line in open("deploy/systemd/keepwarm.service"):
    line = line.strip()
    if line.startswith("Environment="):
        value = line[len("Environment="):].strip('"')
        if value.startswith(sys.argv[1] + "="):
            print(value[len(sys.argv[1]) + 1:])
PYEOF
}
mapfile -t IMAGE_TRAIN < <(dockerfile_java train)
mapfile -t IMAGE_RUN < <(dockerfile_java run)
[ ${#IMAGE_TRAIN[@]} -gt 0 ] && [ ${#IMAGE_RUN[@]} -gt 0 ] || die "no AOT training RUN or ENTRYPOINT in the Dockerfile"
IMAGE_NOCACHE=()
for word in "${IMAGE_RUN[@]}"; do case $word in -XX:AOTCache=*) ;; *) IMAGE_NOCACHE+=("$word") ;; esac; done
UNIT_OPTS=$(unit_env JAVA_OPTS)
UNIT_CACHE=$(unit_env KEEPWARM_CACHE)
UNIT_CACHE=${UNIT_CACHE//\/opt\/keepwarm/$WORK/unit}
LAUNCH_SIZE=-XX:MaxRAM=512m
# the layouts: the image's /app (the Dockerfile's layers, in its order) and the unit's /opt/keepwarm
rm -rf "$WORK/image" "$WORK/image-extract" "$WORK/unit"
cp "$JAR" "$WORK/keepwarm.jar"
java -Djarmode=tools -jar "$WORK/keepwarm.jar" extract --layers --destination "$WORK/image-extract" > /dev/null \
  || die "extract --layers failed"
mkdir -p "$WORK/image"
for layer in dependencies snapshot-dependencies application; do cp -r "$WORK/image-extract/$layer/." "$WORK/image/"; done
java -Djarmode=tools -jar "$WORK/keepwarm.jar" extract --destination "$WORK/unit" > /dev/null || die "extract failed"
t0=$(now_ns)
# shellcheck disable=SC2086
(cd "$WORK/image" && "$J25" $LAUNCH_SIZE "${IMAGE_TRAIN[@]}") > "$WORK/image-train.log" 2>&1 \
  || { tail -30 "$WORK/image-train.log"; die "the image's AOT training run failed"; }
IMAGE_TRAIN_MS=$(( ($(now_ns) - t0) / 1000000 ))
[ -f "$WORK/image/keepwarm.aot" ] || die "the image's training run wrote no keepwarm.aot"
t0=$(now_ns)
# the README's install step for the unit: a CDS archive of a training run
# shellcheck disable=SC2086
(cd "$WORK/unit" && java $UNIT_OPTS -XX:ArchiveClassesAtExit=keepwarm.jsa -Dspring.context.exit=onRefresh -jar keepwarm.jar) \
  > "$WORK/unit-train.log" 2>&1 || { tail -30 "$WORK/unit-train.log"; die "the unit's CDS training run failed"; }
UNIT_TRAIN_MS=$(( ($(now_ns) - t0) / 1000000 ))
echo "{\"image_train_ms\":$IMAGE_TRAIN_MS,\"unit_train_ms\":$UNIT_TRAIN_MS,\"aot_bytes\":$(stat -c %s "$WORK/image/keepwarm.aot"),\"jsa_bytes\":$(stat -c %s "$WORK/unit/keepwarm.jsa"),\"java25\":\"$("$J25" -version 2>&1 | head -1 | tr -d '"')\",\"java\":\"$(java -version 2>&1 | head -1 | tr -d '"')\",\"image_run\":\"${IMAGE_RUN[*]}\",\"unit_opts\":\"$UNIT_OPTS $UNIT_CACHE\",\"size\":\"$LAUNCH_SIZE\"}" > "$RAW/launch-train.json"
launch_args() { # port management-port
  echo "--server.address=127.0.0.1 --server.port=$1 --management.server.address=127.0.0.1 --management.server.port=$2"
  echo "--keepwarm.upstream.url=$LAUNCH_DIRECT --keepwarm.policy.models[0].match=bench"
  echo "--keepwarm.policy.models[0].keep-alive=1h --keepwarm.policy.models[0].mode=override"
}
# Starts a launch (in its directory, with its java and words) and waits for readiness: KW_STARTED_PID, KW_READY_MS.
start_launch() { # name dir java words...
  local name=$1 dir=$2 jvm=$3 t0 url=http://127.0.0.1:$((KW_LAUNCH_PORT + 1))/actuator/health/readiness
  shift 3
  t0=$(now_ns)
  # shellcheck disable=SC2046
  (cd "$dir" && exec "$jvm" "$@" $(launch_args "$KW_LAUNCH_PORT" $((KW_LAUNCH_PORT + 1)))) > "$WORK/launch-$name.log" 2>&1 &
  KW_STARTED_PID=$!
  PIDS+=("$KW_STARTED_PID")
  for _ in $(seq 2400); do
    curl -sf -o /dev/null --max-time 1 "$url" && break
    kill -0 $KW_STARTED_PID 2>/dev/null || break
    sleep 0.025
  done
  curl -sf -o /dev/null --max-time 1 "$url" || { tail -30 "$WORK/launch-$name.log"; die "launch $name did not become ready"; }
  KW_READY_MS=$(( ($(now_ns) - t0) / 1000000 ))
}
# shellcheck disable=SC2206
UNIT_WORDS=(--enable-native-access=ALL-UNNAMED $UNIT_OPTS)
# shellcheck disable=SC2206
UNIT_CACHED=("${UNIT_WORDS[@]}" $UNIT_CACHE -jar keepwarm.jar)
: > "$RAW/launch-runs.jsonl"
for ((i = 1; i <= LAUNCH_RUNS; i++)); do
  for launch in image-aot image-plain unit-cds unit-plain; do
    case $launch in
      image-aot) start_launch $launch "$WORK/image" "$J25" $LAUNCH_SIZE "${IMAGE_RUN[@]}" ;;
      image-plain) start_launch $launch "$WORK/image" "$J25" $LAUNCH_SIZE "${IMAGE_NOCACHE[@]}" ;;
      unit-cds) start_launch $launch "$WORK/unit" java "${UNIT_CACHED[@]}" ;;
      unit-plain) start_launch $launch "$WORK/unit" java "${UNIT_WORDS[@]}" -jar keepwarm.jar ;;
    esac
    echo "{\"launch\":\"$launch\",\"ready_ms\":$KW_READY_MS,\"rss_ready_kb\":$(rss_kb $KW_STARTED_PID)}" >> "$RAW/launch-runs.jsonl"
    stop_pid "$KW_STARTED_PID"
  done
done
# a cache the JVM could not use is a warning in its log, and a launch as slow as without it
grep -hiE '\[(warning|error)\]\[(aot|cds)' "$WORK/launch-image-aot.log" "$WORK/launch-unit-cds.log" | head -10 \
  > "$RAW/launch-cache-warnings.txt" || true
curl -sS --max-time 5 -X POST "$LAUNCH_CONTROL/tokens?count=$MANY_TOKENS&intervalMs=$MANY_INTERVAL_MS" > /dev/null
for launch in image-aot unit-cds; do
  case $launch in
    image-aot) start_launch $launch "$WORK/image" "$J25" $LAUNCH_SIZE "${IMAGE_RUN[@]}" ;;
    unit-cds) start_launch $launch "$WORK/unit" java "${UNIT_CACHED[@]}" ;;
  esac
  bench_java dev.keepwarm.bench.ManyStreams --url "http://127.0.0.1:$KW_LAUNCH_PORT/api/generate" \
    --body-file "$WORK/stream.json" --streams "$MANY_CLIENTS" --seconds "$MANY_SECONDS" --rss keepwarm=$KW_STARTED_PID \
    --out "$RAW/many-launch-$launch.json" || die "ManyStreams failed ($launch)"
  stop_pid "$KW_STARTED_PID"
done
stop_pid "$LAUNCH_FAKE_PID"
fi

# ---------------------------------------------------------------- report
log "report"
"$PY" bench/report.py --raw "$RAW" --out "$OUT" || die "report failed"
log "done: $OUT/latest.md ($(( $(date +%s) - START_EPOCH )) s)"
