// Child process for test/provider-serialization.test.ts: serializes the compiled (CommonJS)
// provider exactly as @pulumi/pulumi's dynamic.Resource does, then loads the text back exactly as
// the dynamic provider host does (require-from-string + handler()) and runs create with it.
"use strict";
const path = require("node:path");
const [outDir, projectRoot] = process.argv.slice(2);
const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [projectRoot] }));
const requireFromString = require(
  require.resolve("require-from-string", {
    paths: [path.dirname(require.resolve("@pulumi/pulumi", { paths: [projectRoot] }))],
  }),
);
const { configVarsProvider, PROVIDER_VERSION } = require(
  path.join(outDir, "infra/heroku/provider.js"),
);

(async () => {
  const sf = await pulumi.runtime.serializeFunction(() => configVarsProvider, {
    allowSecrets: true,
  });
  const provider = requireFromString(sf.text).handler();
  const vars = JSON.parse(process.env.TEST_VARS);
  const created = await provider.create({
    app: "raxx-console-prod",
    vars,
    keys: Object.keys(vars).sort(),
    providerVersion: PROVIDER_VERSION,
  });
  process.stdout.write(
    JSON.stringify({ text: sf.text, containsSecrets: sf.containsSecrets, outs: created.outs }),
  );
})().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
