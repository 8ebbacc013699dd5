// Child process for test/heroku-serialized.test.ts: serializes the compiled (CommonJS) provider
// exactly as @pulumi/pulumi's dynamic.Resource does, loads the text back exactly as the
// dynamic-provider host does (require-from-string, then handler()), and runs one operation with
// it. Prints {ok, result} or {ok: false, error: {message, isError, name}} as JSON.
"use strict";
const path = require("node:path");
const [outDir, projectRoot] = process.argv.slice(2);
const pulumi = require(require.resolve("@pulumi/pulumi", { paths: [projectRoot] }));
const requireFromString = require(
  require.resolve("require-from-string", {
    paths: [path.dirname(require.resolve("@pulumi/pulumi", { paths: [projectRoot] }))],
  }),
);
const { configVarsProvider } = require(path.join(outDir, "infra/heroku/provider.js"));

(async () => {
  const sf = await pulumi.runtime.serializeFunction(() => configVarsProvider, {
    allowSecrets: true,
  });
  const provider = requireFromString(sf.text).handler();
  const { op, args } = JSON.parse(process.env.TEST_OP);
  try {
    const result = await provider[op](...args);
    process.stdout.write(JSON.stringify({ ok: true, result }));
  } catch (err) {
    process.stdout.write(
      JSON.stringify({
        ok: false,
        error: {
          message: err && err.message,
          isError: err instanceof Error,
          name: err && err.name,
          text: String(err),
        },
      }),
    );
  }
})().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err));
  process.exit(1);
});
