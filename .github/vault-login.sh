#!/usr/bin/env bash
# Vault login for the workflows' credentialed jobs: GitHub's OIDC token for the audience the Vault
# role binds, exchanged at Vault's JWT auth (mount `jwt`) for a Vault token. Both tokens are masked
# in the log; the Vault token is written to this step's output `vault_token` only, never to the
# environment of later steps, so each workflow hands it to the steps that need it by name.
# A shell step rather than hashicorp/vault-action: that action's newest release still declares the
# node20 runtime, which GitHub's runners no longer ship (docs/ci-and-credentials.md, "Node.js").
# Reads VAULT_ADDR, VAULT_ROLE, VAULT_JWT_AUDIENCE and the runner's ACTIONS_ID_TOKEN_REQUEST_URL,
# ACTIONS_ID_TOKEN_REQUEST_TOKEN (present when the job has `permissions: id-token: write`).
set -euo pipefail

fail() {
  echo "vault login: $*" >&2
  exit 1
}

for v in VAULT_ADDR VAULT_ROLE VAULT_JWT_AUDIENCE GITHUB_OUTPUT; do
  [ -n "${!v:-}" ] || fail "$v is empty: set it for this job (VAULT_ADDR and VAULT_ROLE are variables of the job's GitHub environment)"
done
if [ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] || [ -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]; then
  fail "no OIDC token can be requested in this job: give it \`permissions: id-token: write\`"
fi

# The request token goes to curl in a config read from stdin, not on its command line.
audience=$(jq -rn --arg a "$VAULT_JWT_AUDIENCE" '$a | @uri')
if ! oidc=$(printf 'header = "Authorization: bearer %s"\n' "$ACTIONS_ID_TOKEN_REQUEST_TOKEN" |
  curl -sS --fail-with-body --retry 3 -K - "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$audience"); then
  fail "GitHub's OIDC token request failed: $oidc"
fi
jwt=$(jq -r '.value // empty' <<<"$oidc" 2>/dev/null || true)
[ -n "$jwt" ] || fail "GitHub's OIDC token request answered without a token"
echo "::add-mask::$jwt"

# The JWT reaches jq through its environment and curl through stdin: never on a command line.
if ! answer=$(JWT="$jwt" jq -cn '{role: env.VAULT_ROLE, jwt: env.JWT}' |
  curl -sS --fail-with-body -X POST -H "Content-Type: application/json" --data-binary @- \
    "${VAULT_ADDR%/}/v1/auth/jwt/login"); then
  fail "Vault at $VAULT_ADDR refused the JWT login for role $VAULT_ROLE (check the role's bound claims and audience in ops/vault): $answer"
fi
token=$(jq -r '.auth.client_token // empty' <<<"$answer" 2>/dev/null || true)
[ -n "$token" ] || fail "Vault at $VAULT_ADDR answered the JWT login for role $VAULT_ROLE without a client token"
echo "::add-mask::$token"
echo "vault_token=$token" >>"$GITHUB_OUTPUT"
echo "vault login: logged in to $VAULT_ADDR with role $VAULT_ROLE"
