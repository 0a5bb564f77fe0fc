// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from "vitest";

import { EDITOR_SCHEMA, editedConfig, type EsendexMessagesCardEditor } from "../src/editor";
import "../src/esendex-messages-card";
import { FakeHass } from "./fake-hass";

const TYPE = "custom:esendex-messages-card";

afterEach(() => {
  document.body.innerHTML = "";
});

describe("editedConfig", () => {
  it("takes the form's values and leaves out empty ones", () => {
    expect(
      editedConfig({ type: TYPE, entry_id: "E1" }, { entry_id: "E1", title: "", threads: 8, show_reply: false }),
    ).toEqual({ type: TYPE, entry_id: "E1", threads: 8, show_reply: false });
  });

  it("drops a device_id once the form picks an entry", () => {
    expect(editedConfig({ type: TYPE, device_id: "D1" }, { entry_id: "E2" })).toEqual({
      type: TYPE,
      entry_id: "E2",
    });
    expect(editedConfig({ type: TYPE, device_id: "D1" }, { title: "SMS" })).toEqual({
      type: TYPE,
      device_id: "D1",
      title: "SMS",
    });
  });
});

describe("the editor element", () => {
  it("has the schema of the four fields", () => {
    expect(EDITOR_SCHEMA).toEqual([
      { name: "entry_id", selector: { config_entry: { integration: "esendex" } } },
      { name: "title", selector: { text: {} } },
      { name: "threads", selector: { number: { min: 1, max: 50, mode: "box" } } },
      { name: "show_reply", selector: { boolean: {} } },
    ]);
  });

  it("hands ha-form the config with its defaults and labels, and fires config-changed", async () => {
    const editor = document.createElement("esendex-messages-card-editor") as EsendexMessagesCardEditor;
    const hass = new FakeHass();
    hass.locale = { language: "fr-FR" };
    editor.hass = hass;
    editor.setConfig({ type: TYPE, entry_id: "E1" });
    document.body.append(editor);
    await editor.updateComplete;
    const form = editor.shadowRoot!.querySelector("ha-form") as HTMLElement & {
      data: unknown;
      schema: unknown;
      computeLabel: (schema: { name: string }) => string;
    };
    expect(form).not.toBeNull();
    expect(form.data).toEqual({ type: TYPE, entry_id: "E1", threads: 5, show_reply: true });
    expect(form.schema).toBe(EDITOR_SCHEMA);
    expect(form.computeLabel({ name: "threads" })).toBe("Conversations affichées");
    expect(form.computeLabel({ name: "entry_id" })).toBe("Entrée Esendex SMS");

    const fired: unknown[] = [];
    editor.addEventListener("config-changed", (event) => fired.push((event as CustomEvent).detail.config));
    form.dispatchEvent(
      new CustomEvent("value-changed", {
        detail: { value: { type: TYPE, entry_id: "E1", threads: 10, show_reply: true, title: "SMS" } },
      }),
    );
    expect(fired).toEqual([{ type: TYPE, entry_id: "E1", threads: 10, show_reply: true, title: "SMS" }]);
  });
});
