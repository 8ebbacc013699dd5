#!/usr/bin/env bash
# Builds the real Pulumi CLI (`pulumi`) and its Node.js language host (`pulumi-language-nodejs`)
# from Pulumi's Go modules, at exactly the version of @pulumi/pulumi in package-lock.json.
#
# Why from source: the end-to-end suite must run the stack under the real engine, and the only
# way to get it on these machines is the Go module proxy. Why a wrapper module: `go install
# pkg@version` refuses modules whose go.mod has replace directives, and both of these have some.
# The language host has no tag of its own; it is taken at the commit the `pkg/vX` tag points to,
# which the proxy reports as the module's Origin.Hash.
#
# The Go module proxy reachable here refuses the language host module at any version
# (403 "This module version is not available"). Until it serves it, the script falls back to the
# newest Node.js language host it does serve: the one inside github.com/pulumi/pulumi/sdk/v3 up to
# v3.68.0 (the host moved to a module of its own after that). That host runs programs and dynamic
# providers with the 3.248 engine, but answers RunPlugin with "not supported", so on its own the
# engine could not load a policy pack through it. So it is installed as
# `pulumi-language-nodejs-fallback`, and `pulumi-language-nodejs` is our adapter
# (test/e2e/language-host/, Go, its own go.mod): it forwards every call to the fallback host and
# runs policy packs itself (RunPlugin for analyzers), as the 3.248 host does. The choice is written
# to language-host.txt next to bin/.
#
# Output: $CLI_CACHE/<version>/bin/{pulumi,pulumi-language-nodejs[,pulumi-language-nodejs-fallback]};
# prints that bin directory on its last line of stdout. The CLI and the hosts are cached apart: a
# `pulumi` of the right version is reused, and so are the hosts unless the adapter's sources
# changed (their hash is kept in language-host.hash). Delete the directory to rebuild everything.
# Environment: CONSOLE_WIRING_CLI_CACHE (default: <repo>/.cache/pulumi-cli, gitignored).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
log() { echo "build-cli: $*" >&2; }
fail() {
  log "$*"
  exit 1
}

command -v go >/dev/null 2>&1 ||
  fail "no Go toolchain on PATH: the end-to-end suite builds the Pulumi CLI from Go modules (Go 1.26 or later, with access to the Go module proxy). Install Go, or run the in-process tests only (npm test)."

version="$(node -e '
  const lock = require(process.argv[1]);
  const entry = lock.packages && lock.packages["node_modules/@pulumi/pulumi"];
  if (!entry || !entry.version) { console.error("package-lock.json has no node_modules/@pulumi/pulumi"); process.exit(1); }
  process.stdout.write("v" + entry.version);
' "$repo/package-lock.json")"

cache="${CONSOLE_WIRING_CLI_CACHE:-$repo/.cache/pulumi-cli}"
out="$cache/$version"
bin="$out/bin"
adapter_src="$repo/test/e2e/language-host"
fallback_sdk="v3.68.0"
fallback_name="pulumi-language-nodejs-fallback"

# What the adapter is built from: its sources and the fallback host it drives.
adapter_hash() {
  (cd "$adapter_src" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort |
    xargs sha256sum && echo "fallback $fallback_sdk") | sha256sum | cut -d' ' -f1
}

cli_cached() {
  [[ -x "$bin/pulumi" ]] && [[ "$("$bin/pulumi" version 2>/dev/null)" == "$version" ]]
}
hosts_cached() {
  [[ -x "$bin/pulumi-language-nodejs" && -f "$out/language-host.txt" ]] || return 1
  case "$(cat "$out/language-host.txt")" in
  exact:*) return 0 ;;
  adapter*)
    [[ -x "$bin/$fallback_name" && -f "$out/language-host.hash" ]] &&
      [[ "$(cat "$out/language-host.hash")" == "$(adapter_hash)" ]]
    ;;
  *) return 1 ;; # e.g. a cache from before the adapter: the fallback host alone
  esac
}

build_cli=true
build_hosts=true
cli_cached && build_cli=false
hosts_cached && build_hosts=false
if ! $build_cli && ! $build_hosts; then
  log "reusing the CLI $version in $bin (built earlier; delete it to rebuild)"
  log "language host: $(cat "$out/language-host.txt")"
  echo "$bin"
  exit 0
fi
$build_cli || log "reusing pulumi $version in $bin; rebuilding the language host(s)"

start=$(date +%s)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local
go mod init console-wiring-pulumi-cli-build >/dev/null 2>&1
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
mkdir -p "$work/bin"

if $build_cli; then
  go get "github.com/pulumi/pulumi/pkg/v3@$version" "github.com/pulumi/pulumi/sdk/v3@$version" ||
    fail "go get github.com/pulumi/pulumi/pkg/v3@$version sdk/v3@$version failed (see above)"
  log "building pulumi (several minutes on a cold Go build cache)"
  go build -trimpath -ldflags "$ldflags" -o "$work/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ||
    fail "go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$version failed (see above)"
  built="$("$work/bin/pulumi" version)"
  [[ "$built" == "$version" ]] || fail "the built CLI reports version '$built', expected $version"
fi

if $build_hosts; then
  log "resolving github.com/pulumi/pulumi/pkg/v3@$version"
  commit="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@$version" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);if(m.Error){console.error(m.Error);process.exit(1)}process.stdout.write((m.Origin&&m.Origin.Hash)||"")})')" ||
    fail "the Go module proxy did not serve github.com/pulumi/pulumi/pkg/v3@$version"
  # The proxy reports the tag's commit (Origin.Hash) only on some answers; it is needed only to ask
  # for the language host module at the same commit, so without it the host is asked at the tag.
  if [[ "$commit" =~ ^[0-9a-f]{40}$ ]]; then
    log "tag pkg/$version is commit $commit"
    host_ref="$commit"
  else
    log "the Go module proxy gave no commit for pkg/$version (no Origin.Hash); asking for the language host at $version"
    host_ref="$version"
  fi

  host_module="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
  if go get "$host_module@$host_ref" 2>"$work/host-error.txt"; then
    # The exact host runs policy packs itself: no fallback, no adapter.
    log "building pulumi-language-nodejs at $host_ref"
    go build -trimpath -ldflags "$ldflags" -o "$work/bin/pulumi-language-nodejs" "$host_module" ||
      fail "go build $host_module@$host_ref failed (see above)"
    host_note="exact: $host_module@$host_ref"
  else
    log "the Go module proxy refused $host_module@$host_ref:"
    sed 's/^/build-cli:   /' "$work/host-error.txt" >&2
    log "FALLBACK: building the newest Node.js language host the proxy serves, github.com/pulumi/pulumi/sdk/v3@$fallback_sdk (nodejs/cmd/pulumi-language-nodejs), as $fallback_name, under our adapter (test/e2e/language-host) as pulumi-language-nodejs; the adapter runs policy packs itself."
    mkdir "$work/host" && cd "$work/host"
    go mod init console-wiring-pulumi-host-build >/dev/null 2>&1
    go get "github.com/pulumi/pulumi/sdk/v3@$fallback_sdk" ||
      fail "go get github.com/pulumi/pulumi/sdk/v3@$fallback_sdk failed (see above); no Node.js language host can be built"
    go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$fallback_sdk" \
      -o "$work/bin/$fallback_name" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs ||
      fail "go build of the fallback language host failed (see above)"
    cd "$work"

    # The adapter builds from its own go.mod/go.sum (GOFLAGS=-mod=mod, exported above).
    adapter_start=$(date +%s)
    log "building the language host adapter from $adapter_src"
    (cd "$adapter_src" && go build -trimpath -ldflags "-s -w" -o "$work/bin/pulumi-language-nodejs" .) ||
      fail "go build of the language host adapter (test/e2e/language-host) failed (see above); without it policy packs cannot load"
    log "built the adapter in $(($(date +%s) - adapter_start)) s"
    adapter_hash >"$work/language-host.hash"
    host_note="adapter over sdk/v3@$fallback_sdk host; RunPlugin for analyzers: own (test/e2e/language-host); proxy refused $host_module@$host_ref: $(tr '\n' ' ' <"$work/host-error.txt")"
  fi
fi

# Install: each file replaced by a rename, so a bin directory in use is never half written.
mkdir -p "$bin"
for f in "$work"/bin/*; do
  mv -f "$f" "$bin/$(basename "$f")"
done
if $build_cli; then
  cp "$work/go.mod" "$work/go.sum" "$out/"
fi
if $build_hosts; then
  if [[ -f "$work/language-host.hash" ]]; then
    mv -f "$work/language-host.hash" "$out/language-host.hash"
  else
    rm -f "$bin/$fallback_name" "$out/language-host.hash"
  fi
  echo "$host_note" >"$out/language-host.txt"
fi
log "built into $bin in $(($(date +%s) - start)) s; language host: $(cat "$out/language-host.txt")"
echo "$bin"
