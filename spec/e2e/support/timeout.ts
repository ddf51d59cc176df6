// Per-test timeout of the e2e project (setupFilesAfterEnv): a real API server and its controllers are slower
// than unit tests, and `testTimeout` in a Jest project entry is not applied per project.
jest.setTimeout(120_000);
