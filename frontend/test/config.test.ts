import { describe, expect, it } from "vitest";

import { resolveConfig, targetOf } from "../src/config";

const type = "custom:esendex-messages-card";

describe("resolveConfig", () => {
  it("needs entry_id or device_id", () => {
    expect(() => resolveConfig({ type })).toThrow(/entry_id/);
    expect(() => resolveConfig({ type, entry_id: "" })).toThrow(/entry_id/);
    expect(() => resolveConfig({ type, device_id: "  " })).toThrow(/entry_id/);
    expect(() => resolveConfig(undefined)).toThrow();
  });

  it("fills in the defaults", () => {
    expect(resolveConfig({ type, entry_id: "E1" })).toEqual({
      type,
      entry_id: "E1",
      threads: 5,
      show_reply: true,
    });
  });

  it("takes device_id alone", () => {
    expect(resolveConfig({ type, device_id: "D1" })).toMatchObject({ device_id: "D1" });
  });

  it("keeps the options given", () => {
    expect(
      resolveConfig({ type, entry_id: "E1", title: "SMS", threads: 12, show_reply: false }),
    ).toEqual({ type, entry_id: "E1", title: "SMS", threads: 12, show_reply: false });
  });

  it("caps threads at 50 and refuses less than 1", () => {
    expect(resolveConfig({ type, entry_id: "E1", threads: 500 }).threads).toBe(50);
    expect(() => resolveConfig({ type, entry_id: "E1", threads: 0 })).toThrow(/threads/);
    expect(() =>
      resolveConfig({ type, entry_id: "E1", threads: "many" as unknown as number }),
    ).toThrow(/threads/);
  });

  it("names the entry by entry_id over device_id", () => {
    expect(targetOf({ entry_id: "E1", device_id: "D1" })).toEqual({ entry_id: "E1" });
    expect(targetOf({ device_id: "D1" })).toEqual({ device_id: "D1" });
  });
});
