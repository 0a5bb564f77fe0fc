// Lit's development build says once that it is one; the tests know.
const scope = globalThis as { litIssuedWarnings?: Set<string> };
scope.litIssuedWarnings ??= new Set();
scope.litIssuedWarnings.add("dev-mode");

export {};

// The card defines its elements once Home Assistant's own app element is defined
// (see src/esendex-messages-card.ts); in the DOM tests, the app is there already.
if (typeof customElements !== "undefined" && !customElements.get("home-assistant")) {
  customElements.define("home-assistant", class extends HTMLElement {});
}
