/**
 * Setup file of mutation runs only (vitest.mutation.config.mts), after stryker-activate-early.ts:
 * loads the modules under mutation before any test. Code that runs at load is then "static" for
 * StrykerJS in every test file. Loaded lazily inside a test (the offline runner imports the program
 * when it runs it), that code would be attributed to that one test, and its mutants tested with
 * that test alone: reported as survived though other files' tests kill them.
 */
import "../../infra/config";
import "../../infra/features/gate";
import "../../infra/heroku/provider";
import "../../policy/policies";
