import base from "./stryker.config.mjs";
export default { ...base, incrementalFile: "/tmp/inc-probe.json", jsonReporter: { fileName: "/tmp/probe.json" }, htmlReporter: { fileName: "/tmp/probe.html" } };
