// Lit's development build says once that it is one; the tests know.
const scope = globalThis as { litIssuedWarnings?: Set<string> };
scope.litIssuedWarnings ??= new Set();
scope.litIssuedWarnings.add("dev-mode");

export {};
