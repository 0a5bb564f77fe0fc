// The card's visual editor: Home Assistant's <ha-form> with four fields.

import { LitElement, html, type TemplateResult } from "lit";

import { stringsFor, type Strings } from "./strings";
import type { CardConfig, HomeAssistant } from "./types";

export const EDITOR_TAG = "esendex-messages-card-editor";

export const EDITOR_SCHEMA = [
  { name: "entry_id", selector: { config_entry: { integration: "esendex" } } },
  { name: "title", selector: { text: {} } },
  { name: "threads", selector: { number: { min: 1, max: 50, mode: "box" } } },
  { name: "show_reply", selector: { boolean: {} } },
] as const;

const LABELS: Record<string, keyof Strings> = {
  entry_id: "editor_entry",
  title: "editor_title",
  threads: "editor_threads",
  show_reply: "editor_show_reply",
};

/** The config as the form edits it: empty fields left out, entry_id over device_id. */
export function editedConfig(config: CardConfig, value: Record<string, unknown>): CardConfig {
  const next: Record<string, unknown> = { ...config, ...value, type: config.type };
  for (const key of ["entry_id", "title", "device_id"]) {
    if (next[key] === undefined || next[key] === null || next[key] === "") delete next[key];
  }
  // The form picks an entry; a device_id from YAML would name a second one.
  if (value.entry_id) delete next.device_id;
  if (next.threads === undefined || next.threads === null || next.threads === "") {
    delete next.threads;
  }
  return next as unknown as CardConfig;
}

export class EsendexMessagesCardEditor extends LitElement {
  static override properties = {
    hass: { attribute: false },
    _config: { state: true },
  };

  declare hass?: HomeAssistant;
  declare _config?: CardConfig;

  setConfig(config: CardConfig): void {
    this._config = { ...config };
  }

  private _strings(): Strings {
    return stringsFor(this.hass?.locale?.language ?? this.hass?.language);
  }

  private _computeLabel = (schema: { name: string }): string => {
    const key = LABELS[schema.name];
    return key ? this._strings()[key] : schema.name;
  };

  private _valueChanged(event: CustomEvent<{ value: Record<string, unknown> }>): void {
    event.stopPropagation();
    if (!this._config) return;
    const config = editedConfig(this._config, event.detail.value);
    this._config = config;
    this.dispatchEvent(
      new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }),
    );
  }

  protected override render(): TemplateResult {
    if (!this._config) return html``;
    const data = { threads: 5, show_reply: true, ...this._config };
    return html`<ha-form
      .hass=${this.hass}
      .data=${data}
      .schema=${EDITOR_SCHEMA}
      .computeLabel=${this._computeLabel}
      @value-changed=${this._valueChanged}
    ></ha-form>`;
  }
}
