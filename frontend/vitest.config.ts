import { defineConfig } from "vitest/config";

// Local times in the tests are built with new Date(y, m, d, ...), so they hold in any
// time zone; UTC keeps the runs the same everywhere all the same.
process.env.TZ = "UTC";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    setupFiles: ["test/setup.ts"],
  },
});
