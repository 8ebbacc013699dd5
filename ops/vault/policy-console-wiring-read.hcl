# Vault policy `console-wiring-read`: the token of a pull request's preview and of the drift
# check (roles jwt-role-preview.json and jwt-role-drift.json). It reads what prod's deploy reads
# and writes nothing; test/vault-policies.test.ts derives the list from prod's stack and fails
# when this file says more or less. Load it with
#   vault policy write console-wiring-read ops/vault/policy-console-wiring-read.hcl
# (replace MooseQuest with your mount).

# The Vault provider derives a short-lived child token (same policies) before any other call.
path "auth/token/create" {
  capabilities = ["update"]
}

# Feature investigate: the FreeScout values.
path "MooseQuest/data/freescout" {
  capabilities = ["read"]
}

# Gate tickets: the service token's secret and its metadata, read on preview and refresh.
path "MooseQuest/data/cloudflare" {
  capabilities = ["read"]
}

path "MooseQuest/metadata/cloudflare" {
  capabilities = ["read"]
}
