#!/usr/bin/env bash
# Builds the librdkafka shared library that the stand-in package ships, into obj/native/librdkafka.so.
#
# Confluent.Kafka 2.15.1 calls functions that librdkafka added in 2.1.0 (rd_kafka_message_leader_epoch on
# every consumed message, rd_kafka_topic_partition_get/set_leader_epoch for offset lists), so Debian
# bookworm's librdkafka 2.0.2 can produce but not consume. The C sources of librdkafka 2.12.0 come with
# node-rdkafka 3.6.1 on the npm registry; this compiles just the library from them (1.5-4 minutes on two
# cores) and keeps the result in ~/.cache/kafkasharp, so a machine builds it once.
# Needs: npm, gcc, make, pkg-config, zlib1g-dev, libzstd-dev, liblz4-dev, libssl-dev (test.sh installs them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

SOURCE_PACKAGE=node-rdkafka-3.6.1
LIBRDKAFKA_VERSION=2.12.0
LIBRDKAFKA_VERSION_HEX=0x020c00ff
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/kafkasharp/librdkafka-$LIBRDKAFKA_VERSION"
OUTPUT=obj/native

if [ ! -f "$CACHE/librdkafka.so" ]; then
  echo "building librdkafka $LIBRDKAFKA_VERSION from $SOURCE_PACKAGE (npm) into $CACHE"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "${SOURCE_PACKAGE%-*}@${SOURCE_PACKAGE##*-}" >/dev/null && tar xzf "$SOURCE_PACKAGE.tgz" package/deps/librdkafka)
  source_dir="$work/package/deps/librdkafka"
  if ! grep -q "define RD_KAFKA_VERSION  *$LIBRDKAFKA_VERSION_HEX" "$source_dir/src/rdkafka.h"; then
    echo "$SOURCE_PACKAGE does not hold librdkafka $LIBRDKAFKA_VERSION" >&2
    exit 1
  fi
  # The package carries the publisher's configure output; configure anew for this machine. Kafka's codecs
  # and TLS only: no Kerberos (libsasl2) and no OIDC (libcurl), which no test uses.
  (cd "$source_dir" && ./configure --disable-gssapi --disable-curl --enable-ssl --enable-zlib --enable-zstd --enable-lz4-ext --disable-debug-symbols)
  make -j"$(nproc)" -C "$source_dir/src" librdkafka.so.1
  mkdir -p "$CACHE"
  cp "$source_dir/src/librdkafka.so.1" "$CACHE/librdkafka.so.tmp"
  mv "$CACHE/librdkafka.so.tmp" "$CACHE/librdkafka.so"
fi

mkdir -p "$OUTPUT"
cp "$CACHE/librdkafka.so" "$OUTPUT/librdkafka.so"
echo "librdkafka $LIBRDKAFKA_VERSION: $(pwd)/$OUTPUT/librdkafka.so"
