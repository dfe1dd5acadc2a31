#!/usr/bin/env bash
# Runs every KafkaSharp test on a fresh Debian machine, installing what the tests need first:
#   1. Debian packages (kcat and its librdkafka; lz4/zstd/zlib/openssl/sasl headers and a C toolchain to build
#      librdkafka; strace)
#   2. the node clients (`npm ci` in compat-tests/node, exact versions from package-lock.json); node-rdkafka
#      compiles its bundled librdkafka 2.12.0 there (2-4 minutes)
#   3. the librdkafka.redist stand-in package, packed into .local-feed/ BEFORE any restore (NuGet.config
#      maps that package id to .local-feed only, so restoring the compat tests fails until it exists). It
#      carries the librdkafka that node-rdkafka built in step 2: one librdkafka build serves both clients
#      (Debian's 2.0.2 cannot serve Confluent.Kafka's consumer).
#   4. one Release build of KafkaSharp.sln
#   5. dotnet test: tests/Protocol.Tests, tests/Storage.Tests, tests/Broker.Tests and
#      compat-tests/KafkaSharp.CompatTests (Confluent.Kafka, kcat and node producers against a real broker process)
#   6. the node tests (`node --test` in compat-tests/node: kafkajs and @platformatic/kafka)
# The last line printed is "N passed, N failed" summed over every run; a step that crashes or does not
# build counts as at least one failure. Exit code 0 only if nothing failed.
# Logs: TestResults/logs/<step>.log, broker output: TestResults/broker-logs/, trx files: TestResults/.
set -uo pipefail
exec 2>&1
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$(pwd)
RESULTS="$ROOT/TestResults"
LOGS="$RESULTS/logs"
rm -rf "$RESULTS"
mkdir -p "$LOGS"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

APT_PACKAGES=(librdkafka-dev kcat libzstd-dev liblz4-dev libsasl2-dev strace zlib1g-dev libssl-dev build-essential pkg-config)
DOTNET_TEST_PROJECTS=(
  tests/Protocol.Tests/KafkaSharp.Protocol.Tests.csproj
  tests/Storage.Tests/KafkaSharp.Storage.Tests.csproj
  tests/Broker.Tests/KafkaSharp.Broker.Tests.csproj
  compat-tests/KafkaSharp.CompatTests/KafkaSharp.CompatTests.csproj
)
# Per-run limits, well inside CI's 90 minutes; a hung run is killed and counted as failed.
SETUP_TIMEOUT=900
TEST_TIMEOUT=1500

passed=0
failed=0
summary=()

note() { echo "== test.sh: $*"; }
record() { # name passed failed
  passed=$((passed + $2))
  failed=$((failed + $3))
  summary+=("$(printf '%-28s %6d passed, %d failed' "$1" "$2" "$3")")
}
setup_failed() { # name log
  note "FAILED: $1 (log: ${2#"$ROOT"/})"
  tail -n 25 "$2"
  record "$1" 0 1
}

install_apt_packages() {
  local missing=() package
  for package in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if ((${#missing[@]} == 0)); then
    note "apt packages already installed"
    return
  fi
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  note "installing apt packages: ${missing[*]}"
  if ! { "${sudo[@]}" apt-get update -q && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}"; } >"$LOGS/apt.log" 2>&1; then
    setup_failed "apt-get install" "$LOGS/apt.log"
  fi
}

require_tools() {
  local tool
  for tool in dotnet node npm; do
    if ! command -v "$tool" >/dev/null; then
      echo "$tool not found on PATH" >"$LOGS/$tool-missing.log"
      setup_failed "$tool missing" "$LOGS/$tool-missing.log"
    fi
  done
}

pack_librdkafka_standin() {
  local native=compat-tests/node/node_modules/node-rdkafka/build/deps/librdkafka.so # the csproj's NativeLibrary
  note "packing the librdkafka.redist stand-in into .local-feed/ (node-rdkafka's librdkafka)"
  if ! timeout "$SETUP_TIMEOUT" dotnet pack tools/librdkafka-redist-standin/librdkafka.redist.csproj -c Release -o "$ROOT/.local-feed" >"$LOGS/standin-pack.log" 2>&1; then
    setup_failed "librdkafka.redist stand-in" "$LOGS/standin-pack.log"
    return
  fi
  # NuGet never re-extracts a package version it has cached: drop a cached stand-in that differs from this one.
  local packages cached
  packages=$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')
  cached="${packages%/}/librdkafka.redist/2.15.1"
  if [ -d "$cached" ] && ! cmp -s "$cached/runtimes/linux-x64/native/librdkafka.so" "$native"; then
    note "removing an outdated cached librdkafka.redist stand-in from $cached"
    rm -rf "$cached"
  fi
}

install_node_packages() {
  note "npm ci in compat-tests/node (builds node-rdkafka's librdkafka, which the librdkafka.redist stand-in ships too)"
  # node-gyp builds node-rdkafka against the installed node's own headers instead of downloading them
  # (only package registries are reachable). Without libzstd-dev, liblz4-dev and libsasl2-dev the build
  # still succeeds but leaves those features out; the node-rdkafka test checks they are there.
  local nodedir
  nodedir=$(dirname "$(dirname "$(command -v node)")")
  if ! (cd compat-tests/node && npm_config_nodedir="$nodedir" timeout "$SETUP_TIMEOUT" npm ci --no-audit --no-fund) >"$LOGS/npm-ci.log" 2>&1; then
    setup_failed "npm ci" "$LOGS/npm-ci.log"
  fi
}

# Builds the solution once. If that fails, each test project is built on its own so that one broken
# project does not hide the results of the others; the ones that still fail are counted as failed.
build_solution() {
  note "dotnet build -c Release KafkaSharp.sln"
  if timeout "$SETUP_TIMEOUT" dotnet build KafkaSharp.sln -c Release >"$LOGS/build.log" 2>&1; then
    return
  fi
  note "solution build failed (log: TestResults/logs/build.log):"
  grep -E ': error [A-Z]+[0-9]+' "$LOGS/build.log" | sort -u | head -n 30
  unbuilt=()
  local project name
  for project in "${DOTNET_TEST_PROJECTS[@]}"; do
    name=$(basename "$project" .csproj)
    if ! timeout "$SETUP_TIMEOUT" dotnet build "$project" -c Release >"$LOGS/build-$name.log" 2>&1; then
      unbuilt+=("$project")
      note "FAILED to build $name (log: TestResults/logs/build-$name.log)"
      record "$name (build)" 0 1
    fi
  done
}

# dotnet test prints one line per assembly: "Passed!  - Failed:     0, Passed:    12, Skipped: ..."
# (or "Failed!  - ..."). No such line, or a non-zero exit with no failed test, counts as one failure.
run_dotnet_tests() {
  local project=$1 name log status line test_passed test_failed
  name=$(basename "$project" .csproj)
  log="$LOGS/$name.log"
  note "dotnet test $name"
  timeout "$TEST_TIMEOUT" dotnet test "$project" -c Release --no-build \
    --logger "trx;LogFileName=$name.trx" --results-directory "$RESULTS" \
    --blame-hang-timeout 5m --blame-hang-dump-type none >"$log" 2>&1
  status=$?
  grep -E -A 2 '^  Failed [^!]' "$log" | grep -v -E '^--$' | head -n 120
  line=$(grep -E '(Passed|Failed)! +- +Failed: +[0-9]+, +Passed: +[0-9]+' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    echo "$line"
    test_failed=$(sed -E 's/.*Failed: +([0-9]+),.*/\1/' <<<"$line")
    test_passed=$(sed -E 's/.*Passed: +([0-9]+),.*/\1/' <<<"$line")
  elif [ "$status" -eq 0 ] && grep -q 'No test is available' "$log"; then
    echo "no tests in $name"
    test_failed=0
    test_passed=0
  else
    note "$name produced no test summary (exit code $status); log: TestResults/logs/$name.log"
    tail -n 25 "$log"
    test_failed=0
    test_passed=0
  fi
  if [ "$status" -ne 0 ] && [ "$test_failed" -eq 0 ]; then
    note "$name exited with code $status without a failed test: counted as one failure"
    test_failed=1
  fi
  record "$name" "$test_passed" "$test_failed"
}

# node --test with the TAP reporter closes with "# pass N" and "# fail N".
run_node_tests() {
  local log="$LOGS/node-tests.log" status test_passed test_failed
  note "node --test in compat-tests/node"
  (cd compat-tests/node && timeout "$TEST_TIMEOUT" node --test --test-reporter=tap) >"$log" 2>&1
  status=$?
  grep -E '^(not ok|# (tests|pass|fail|cancelled))' "$log"
  test_passed=$(sed -n -E 's/^# pass ([0-9]+)$/\1/p' "$log" | tail -n 1)
  test_failed=$(sed -n -E 's/^# fail ([0-9]+)$/\1/p' "$log" | tail -n 1)
  local cancelled
  cancelled=$(sed -n -E 's/^# cancelled ([0-9]+)$/\1/p' "$log" | tail -n 1)
  if [ -z "$test_passed" ] || [ -z "$test_failed" ]; then
    note "node tests produced no summary (exit code $status); log: TestResults/logs/node-tests.log"
    tail -n 25 "$log"
    test_passed=0
    test_failed=0
  fi
  test_failed=$((test_failed + ${cancelled:-0}))
  if [ "$status" -ne 0 ] && [ "$test_failed" -eq 0 ]; then
    note "node tests exited with code $status without a failed test: counted as one failure"
    test_failed=1
  fi
  record "node tests" "$test_passed" "$test_failed"
}

started=$SECONDS
unbuilt=()
install_apt_packages
require_tools
install_node_packages
pack_librdkafka_standin
build_solution
for project in "${DOTNET_TEST_PROJECTS[@]}"; do
  if [[ " ${unbuilt[*]} " != *" $project "* ]]; then
    run_dotnet_tests "$project"
  fi
done
run_node_tests

note "summary ($((SECONDS - started)) s; logs in TestResults/logs, broker output in TestResults/broker-logs)"
printf '  %s\n' "${summary[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
