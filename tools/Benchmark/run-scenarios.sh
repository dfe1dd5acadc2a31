#!/usr/bin/env bash
# Runs the scenarios of docs/performance.md against a fresh KafkaSharp broker each time:
#   small:  2,000,000 records of 100 bytes      (produce, then consume)
#   large:    200,000 records of 16,384 bytes   (produce, then consume)
# each with the zero-copy fetch path (sendfile, the default) and with the copy path
# (kafkasharp.fetch.zero.copy=false), REPEATS times (default 3). The broker is the built program
# (not `dotnet run`, whose pid would be the SDK's, not the broker's), so --broker-pid measures it.
# Before each measured run the fresh broker gets a short warm-up load (its JIT tiers up), so the
# numbers are steady state; the first second of a cold broker is several times slower.
# Usage: tools/Benchmark/run-scenarios.sh [results-dir]   (default /tmp/ks-bench-results)
# Environment: SCENARIOS ("small large"), NICE (0; a negative value, as root, keeps a busy shared machine's other work from
# taking most of the 2 cores during a run), REPEATS (3), PORT (19392; must be free), DATA (/tmp/ks-bench-$PORT), BROKER (a broker program built elsewhere; default: build
# src/Broker and use it).
# Needs: .local-feed/ with the librdkafka.redist stand-in, built by test.sh; it carries the
# librdkafka 2.12 the consumer needs (Debian's 2.0.2 is too old for Confluent.Kafka's consumer).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RESULTS=${1:-/tmp/ks-bench-results}
REPEATS=${REPEATS:-3}
NICE=${NICE:-0}
PORT=${PORT:-19392}
DATA=${DATA:-/tmp/ks-bench-$PORT}
BROKER=${BROKER:-}
BENCH=tools/Benchmark/bin/Release/net10.0/kafkasharp-bench
mkdir -p "$RESULTS"

if [ -z "$BROKER" ]; then
  dotnet build src/Broker -c Release >"$RESULTS/build-broker.log"
  BROKER=src/Broker/bin/Release/net10.0/kafkasharp
fi
dotnet build tools/Benchmark -c Release >"$RESULTS/build-bench.log"

broker_pid=
stop_broker() {
  if [ -n "$broker_pid" ]; then
    kill -TERM "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
    broker_pid=
  fi
}
trap stop_broker EXIT

listeners_on_port() {
  ss -Hltn "sport = :$PORT" | wc -l
}

start_broker() { # log, extra overrides...
  local log=$1
  shift
  # The broker's listener sets SO_REUSEADDR, which .NET on Linux turns into SO_REUSEPORT as well:
  # a second process would bind the same port and the kernel would split connections between them.
  if [ "$(listeners_on_port)" -ne 0 ]; then
    echo "port $PORT is already in use; choose another with PORT=..." >&2
    exit 1
  fi
  rm -rf "$DATA"
  nice -n "$NICE" "$BROKER" --override "listeners=PLAINTEXT://127.0.0.1:$PORT" --override "log.dirs=$DATA" "$@" >"$log" 2>&1 &
  broker_pid=$!
  for _ in $(seq 1 100); do
    if grep -q 'started' "$log"; then
      [ "$(listeners_on_port)" -eq 1 ] && return 0
      echo "more than one listener on port $PORT" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "broker did not start; see $log" >&2
  exit 1
}

run_scenario() { # name records record-size zero-copy
  local name=$1 records=$2 size=$3 zero_copy=$4 run
  for run in $(seq 1 "$REPEATS"); do
    local tag="$name-zerocopy-$zero_copy-run$run"
    start_broker "$RESULTS/$tag.broker.log" --override "kafkasharp.fetch.zero.copy=$zero_copy"
    echo "== $tag"
    nice -n "$NICE" "$BENCH" both --bootstrap "127.0.0.1:$PORT" --topic warmup --records $((records / 10)) --record-size "$size" \
      --create-topic >"$RESULTS/$tag.warmup.log"
    nice -n "$NICE" "$BENCH" both --bootstrap "127.0.0.1:$PORT" --topic bench --records "$records" --record-size "$size" \
      --partitions 1 --acks 1 --linger-ms 5 --batch-size 1000000 --compression none --create-topic \
      --broker-pid "$broker_pid" | tee "$RESULTS/$tag.log" | grep -E '^(RESULT|broker|  broker|client|machine)'
    if [ "$(listeners_on_port)" -ne 1 ]; then
      echo "WARNING: another listener appeared on port $PORT during $tag: discard this run" | tee -a "$RESULTS/$tag.log"
    fi
    stop_broker
  done
}

for scenario in ${SCENARIOS:-small large}; do
  case $scenario in
    small)
      run_scenario small 2000000 100 true
      run_scenario small 2000000 100 false
      ;;
    large)
      run_scenario large 200000 16384 true
      run_scenario large 200000 16384 false
      ;;
    *)
      echo "unknown scenario $scenario (small, large)" >&2
      exit 1
      ;;
  esac
done
grep -H '^RESULT' "$RESULTS"/*.log >"$RESULTS/summary.txt"
echo "summary: $RESULTS/summary.txt"
