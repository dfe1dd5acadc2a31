#!/usr/bin/env bash
# Builds a librdkafka new enough for Confluent.Kafka 2.15.1's consumer (it calls
# rd_kafka_message_leader_epoch, added in librdkafka 2.1.0; Debian bookworm ships 2.0.2).
# The source is the copy bundled in the node-rdkafka npm package (librdkafka 2.12.0 in 3.6.1),
# fetched with `npm pack`; only the C library is built (about 2 minutes on 2 cores), against the
# system zlib/zstd/lz4 (libzstd-dev liblz4-dev), without SSL/SASL (the benchmark uses PLAINTEXT).
# Prints the folder to put first on LD_LIBRARY_PATH. Usage: build-librdkafka.sh [work-dir]
set -euo pipefail
WORK=${1:-/tmp/kafkasharp-librdkafka}
PACKAGE=node-rdkafka@3.6.1
LIB="$WORK/package/deps/librdkafka/src"
if [ -e "$LIB/librdkafka.so.1" ]; then
  echo "$LIB"
  exit 0
fi
mkdir -p "$WORK"
cd "$WORK"
npm pack "$PACKAGE" --silent >/dev/null
tar -xzf node-rdkafka-*.tgz
cd package/deps/librdkafka
./configure --disable-ssl --disable-gssapi --disable-curl --disable-sasl >"$WORK/configure.log" 2>&1
make -C src -j"$(nproc)" >"$WORK/make.log" 2>&1
echo "$LIB"
