import { describe, expect, it } from "vitest";

import { STRINGS } from "../src/strings";
import { tickFor } from "../src/ticks";

const en = STRINGS.en;

describe("tickFor", () => {
  it("gives inbound messages no tick", () => {
    expect(tickFor({ direction: "in", status: "received", failure_reason: null }, en)).toBeNull();
  });

  it("gives a sent message one tick", () => {
    expect(tickFor({ direction: "out", status: "sent", failure_reason: null }, en)).toEqual({
      state: "sent",
      symbol: "✓",
      label: "Sent",
      reason: null,
    });
  });

  it("gives a delivered message two ticks", () => {
    expect(tickFor({ direction: "out", status: "delivered", failure_reason: null }, en)).toEqual({
      state: "delivered",
      symbol: "✓✓",
      label: "Delivered",
      reason: null,
    });
  });

  it("gives a failed message a warning with Esendex's reason", () => {
    expect(
      tickFor({ direction: "out", status: "failed", failure_reason: "Unknown subscriber" }, en),
    ).toEqual({
      state: "failed",
      symbol: "⚠",
      label: "Failed: Unknown subscriber",
      reason: "Unknown subscriber",
    });
  });

  it("says a failure without a reason was not delivered, in the card's language", () => {
    const tick = tickFor({ direction: "out", status: "failed", failure_reason: null }, STRINGS.de);
    expect(tick?.reason).toBe("Nicht zugestellt");
    expect(tick?.label).toBe("Fehlgeschlagen: Nicht zugestellt");
  });

  it("takes an outbound status it does not know for sent", () => {
    expect(tickFor({ direction: "out", status: "queued", failure_reason: null }, en)?.state).toBe(
      "sent",
    );
  });
});
