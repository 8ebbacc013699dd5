#!/usr/bin/env bash
# Builds a real HashiCorp Vault server (`vault`) from Go modules, for the end-to-end suite.
#
# Why from source: the suite must run the program's Vault reads and writes, and ops/vault's
# policies and JWT roles, against Vault itself rather than our reading of it, and the only way to
# get Vault on these machines is the Go module proxy (the same way test/e2e/build-cli.sh gets the
# Pulumi CLI). Facts behind the recipe (../shared/DESIGN.md, "A real Vault builds here"):
# - `go install github.com/hashicorp/vault@v` refuses the module (its go.mod has replace
#   directives), so the build runs in a throwaway wrapper module that repeats the two replaces
#   pointing at other modules and drops the ones pointing at ./api and ./sdk (the published
#   vault/api and vault/sdk versions are used instead).
# - Only v1.21.2 built with `-tags minimal` compiles from published modules as is (it takes
#   vault/sdk v0.20.0). `minimal` keeps the KV, JWT/OIDC, AppRole, userpass, cert, PKI, SSH and
#   transit plugins: KV v2 and JWT auth are what the suite uses.
# - A cold build is heavy (about 23 min on a loaded 2-core machine, 3.8 GB module cache, 1.9 GB
#   build cache); both stay in Go's own caches (go env GOMODCACHE GOCACHE), so a rebuild on the
#   same machine takes about a minute.
#
# Output: $VAULT_CACHE/<version>/bin/vault; prints that bin directory on its last line of stdout.
# A `vault` reporting the right version is reused. Delete the directory to rebuild.
# Environment: CONSOLE_WIRING_VAULT_CACHE (default: <repo>/.cache/vault, gitignored, beside the
# CLI's <repo>/.cache/pulumi-cli).
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
log() { echo "build-vault: $*" >&2; }
fail() {
  log "$*"
  exit 1
}

version="v1.21.2"
cache="${CONSOLE_WIRING_VAULT_CACHE:-$repo/.cache/vault}"
bin="$cache/$version/bin"

command -v go >/dev/null 2>&1 ||
  fail "no Go toolchain on PATH: the end-to-end suite builds Vault $version from Go modules (Go 1.26 or later, with access to the Go module proxy). Install Go, or run the in-process tests only (npm test)."

cached() {
  [[ -x "$bin/vault" ]] && "$bin/vault" version 2>/dev/null | grep -q "^Vault $version"
}
if cached; then
  log "reusing Vault $version in $bin (built earlier; delete it to rebuild)"
  echo "$bin"
  exit 0
fi

start=$(date +%s)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local
go mod init console-wiring-vault-build >/dev/null 2>&1
# The two replaces of Vault's own go.mod that point at other modules (its ./api and ./sdk
# replaces are left out on purpose, see above).
go mod edit \
  -replace github.com/99designs/keyring=github.com/Jeffail/keyring@v1.2.3 \
  -replace github.com/ma314smith/signedxml@v1.1.1=github.com/moov-io/signedxml@v1.1.1
log "go get github.com/hashicorp/vault@$version (a cold module cache downloads about 3.8 GB)"
go get "github.com/hashicorp/vault@$version" ||
  fail "go get github.com/hashicorp/vault@$version failed (see above): the Go module proxy must serve it and its dependencies"
log "building vault $version with -tags minimal (about 20 min on a cold Go build cache, about 1 min warm)"
go build -tags minimal -trimpath \
  -ldflags "-s -w -X github.com/hashicorp/vault/version.BuildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -o "$work/vault" github.com/hashicorp/vault ||
  fail "go build github.com/hashicorp/vault@$version -tags minimal failed (see above)"
"$work/vault" version | grep -q "^Vault $version" ||
  fail "the built vault reports '$("$work/vault" version 2>&1 | head -1)', expected Vault $version"
mkdir -p "$bin"
mv -f "$work/vault" "$bin/vault"
log "built Vault $version into $bin in $(($(date +%s) - start)) s"
echo "$bin"
