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
# providers with the 3.248 engine, but answers RunPlugin with "not supported", so the engine cannot
# load a policy pack through it. The choice is written to language-host.txt next to bin/.
#
# Output: $CLI_CACHE/<version>/bin/{pulumi,pulumi-language-nodejs}; prints that bin directory on
# its last line of stdout. A cache that holds both binaries of the right version is reused.
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

if [[ -x "$bin/pulumi" && -x "$bin/pulumi-language-nodejs" ]] &&
  [[ "$("$bin/pulumi" version 2>/dev/null)" == "$version" ]]; then
  log "reusing the CLI $version in $bin (built earlier; delete it to rebuild)"
  echo "$bin"
  exit 0
fi

start=$(date +%s)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local
go mod init console-wiring-pulumi-cli-build >/dev/null 2>&1

log "resolving github.com/pulumi/pulumi/pkg/v3@$version"
commit="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@$version" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const m=JSON.parse(s);if(m.Error){console.error(m.Error);process.exit(1)}process.stdout.write((m.Origin&&m.Origin.Hash)||"")})')" ||
  fail "the Go module proxy did not serve github.com/pulumi/pulumi/pkg/v3@$version"
[[ "$commit" =~ ^[0-9a-f]{40}$ ]] ||
  fail "the Go module proxy gave no commit for github.com/pulumi/pulumi/pkg/v3@$version (Origin.Hash missing)"
log "tag pkg/$version is commit $commit"

go get "github.com/pulumi/pulumi/pkg/v3@$version" "github.com/pulumi/pulumi/sdk/v3@$version" ||
  fail "go get github.com/pulumi/pulumi/pkg/v3@$version sdk/v3@$version failed (see above)"
ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version"
mkdir -p "$work/bin"
log "building pulumi (several minutes on a cold Go build cache)"
go build -trimpath -ldflags "$ldflags" -o "$work/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ||
  fail "go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$version failed (see above)"

host_module="github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3"
fallback_sdk="v3.68.0"
if go get "$host_module@$commit" 2>"$work/host-error.txt"; then
  log "building pulumi-language-nodejs at $commit"
  go build -trimpath -ldflags "$ldflags" -o "$work/bin/pulumi-language-nodejs" "$host_module" ||
    fail "go build $host_module@$commit failed (see above)"
  host_note="exact: $host_module@$commit"
else
  log "the Go module proxy refused $host_module@$commit:"
  sed 's/^/build-cli:   /' "$work/host-error.txt" >&2
  log "FALLBACK: building the newest Node.js language host the proxy serves, github.com/pulumi/pulumi/sdk/v3@$fallback_sdk (nodejs/cmd/pulumi-language-nodejs). It cannot run policy packs (RunPlugin: not supported)."
  mkdir "$work/host" && cd "$work/host"
  go mod init console-wiring-pulumi-host-build >/dev/null 2>&1
  go get "github.com/pulumi/pulumi/sdk/v3@$fallback_sdk" ||
    fail "go get github.com/pulumi/pulumi/sdk/v3@$fallback_sdk failed (see above); no Node.js language host can be built"
  go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$fallback_sdk" \
    -o "$work/bin/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs ||
    fail "go build of the fallback language host failed (see above)"
  cd "$work"
  host_note="fallback: github.com/pulumi/pulumi/sdk/v3@$fallback_sdk nodejs/cmd/pulumi-language-nodejs (no RunPlugin: policy packs cannot load); proxy refused $host_module@$commit: $(tr '\n' ' ' <"$work/host-error.txt")"
fi

built="$("$work/bin/pulumi" version)"
[[ "$built" == "$version" ]] || fail "the built CLI reports version '$built', expected $version"

mkdir -p "$out"
rm -rf "$bin"
mv "$work/bin" "$bin"
cp "$work/go.mod" "$work/go.sum" "$out/"
echo "$host_note" >"$out/language-host.txt"
log "built the CLI $version in $(($(date +%s) - start)) s into $bin"
echo "$bin"
