# Sourced by .ci/run. Installs Prometheus (with promtool) and Alertmanager (with amtool) from the
# distribution's packages for tests/integration/prometheus-real.test.ts. On failure it prints one line
# "PROMETHEUS SUITE NOT RUN: <reason>"; the suite then reports itself not run and the rest goes on.
# The packages try to start system services; without an init system nothing starts, and the tests
# start their own processes on free loopback ports.

prometheus_install() {
  local missing=""
  for bin in prometheus promtool prometheus-alertmanager amtool; do
    command -v "$bin" >/dev/null 2>&1 || missing="$missing $bin"
  done
  [ -z "$missing" ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "PROMETHEUS SUITE NOT RUN: apt-get is not available to install$missing"
    return 1
  fi
  local log
  log="$(mktemp)"
  if ! apt-get update >"$log" 2>&1; then
    echo "PROMETHEUS SUITE NOT RUN: apt-get update failed: $(tail -n 1 "$log")"
    rm -f "$log"
    return 1
  fi
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus prometheus-alertmanager >"$log" 2>&1; then
    echo "PROMETHEUS SUITE NOT RUN: apt-get install failed: $(tail -n 1 "$log")"
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}
