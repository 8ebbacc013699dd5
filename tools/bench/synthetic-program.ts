/**
 * A synthetic stack for benchmarks and size tests: one Access gate and Vault secret, and `apps`
 * Heroku apps each wired for Investigate with the project's own components. `broken` leaves
 * FREESCOUT_API_URL off every app, so every app yields violations.
 */
import * as pulumi from "@pulumi/pulumi";
import { AccessGate } from "../../infra/cloudflare/access-gate";
import { ConsoleConfig } from "../../infra/heroku/console-config";
import { VaultWiring } from "../../infra/vault/vault-wiring";

export function syntheticProgram(
  apps: number,
  broken = false,
): () => Promise<Record<string, unknown>> {
  return () => {
    const access = new AccessGate("tickets", {
      accountId: "0123456789abcdef0123456789abcdef",
      host: "tickets.example.com",
      apiPath: "/api",
      tokenName: "synthetic",
      tokenDuration: "8760h",
    });
    const vault = new VaultWiring("vault", {
      mount: "kv",
      gates: {
        tickets: {
          path: "cloudflare",
          fields: {
            CF_ACCESS_SVC_TICKETS_CLIENT_ID: access.serviceToken.clientId,
            CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: access.serviceToken.clientSecret,
          },
        },
      },
    });
    const fromVault = (k: string) => pulumi.secret(vault.data["tickets"]!.apply((d) => d[k] ?? ""));
    for (let i = 0; i < apps; i++) {
      const prerequisites: Record<string, pulumi.Input<string>> = {
        FREESCOUT_INSTANCE_URL: "https://tickets.example.com",
        FREESCOUT_API_KEY: pulumi.secret(`key-${i}`),
        FREESCOUT_OPERATIONS_MAILBOX_ID: pulumi.secret(String(i)),
        CF_ACCESS_SVC_TICKETS_CLIENT_ID: fromVault("CF_ACCESS_SVC_TICKETS_CLIENT_ID"),
        CF_ACCESS_SVC_TICKETS_CLIENT_SECRET: fromVault("CF_ACCESS_SVC_TICKETS_CLIENT_SECRET"),
      };
      if (!broken) prerequisites["FREESCOUT_API_URL"] = "https://tickets.example.com";
      new ConsoleConfig(`app${i}`, {
        app: `console-app-${String(i).padStart(4, "0")}`,
        prerequisites,
        features: [
          {
            id: "investigate",
            flagsOn: [
              "FLAG_CONSOLE_INVESTIGATE_FROM_STATUS",
              "FLAG_CONSOLE_INVESTIGATE_LINKED_TICKET",
            ],
            dependsOn: [vault.secrets["tickets"]!],
          },
        ],
      });
    }
    return Promise.resolve({});
  };
}
