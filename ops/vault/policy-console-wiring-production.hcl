# Vault policy `console-wiring-production`: the token of a prod deploy (deploy.yml's `up` job,
# role jwt-role-production.json). Exactly what prod's stack (Pulumi.prod.yaml, vaultMount
# MooseQuest) touches; test/vault-policies.test.ts derives that list from the selected features
# and gates and fails when this file says more or less. Load it with
#   vault policy write console-wiring-production ops/vault/policy-console-wiring-production.hcl
# (replace MooseQuest with your mount). test/e2e/vault-roles.e2e.test.ts loads it into a real
# Vault and runs the program under it.

# The Vault provider (terraform-provider-vault v5.8.0, internal/provider/meta.go) derives a
# short-lived child token from the one it is given before any other call.
path "auth/token/create" {
  capabilities = ["update"]
}

# Feature investigate: the FreeScout values people provision (read before anything is registered).
path "MooseQuest/data/freescout" {
  capabilities = ["read"]
}

# Gate tickets (vaultPath cloudflare): the service token's credentials, written by the stack.
# create/update: a new version; delete: the soft delete of its latest version when the gate
# leaves the stack; read: the provider reads the secret back after every write and on refresh.
path "MooseQuest/data/cloudflare" {
  capabilities = ["create", "read", "update", "delete"]
}

# The provider's read of the secret also reads its metadata (custom_metadata).
path "MooseQuest/metadata/cloudflare" {
  capabilities = ["read"]
}
