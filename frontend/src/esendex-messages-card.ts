// The module Home Assistant loads: defines the card and its editor, and lists the card
// in the card picker. Home Assistant may load it twice, so nothing is defined twice.

import { EsendexMessagesCard } from "./card";
import { CARD_TYPE } from "./config";
import { EDITOR_TAG, EsendexMessagesCardEditor } from "./editor";

export { EsendexMessagesCard, EsendexMessagesCardEditor };

interface CustomCardEntry {
  type: string;
  name: string;
  description?: string;
  preview?: boolean;
  documentationURL?: string;
}

declare global {
  interface Window {
    customCards?: CustomCardEntry[];
  }
  interface HTMLElementTagNameMap {
    "esendex-messages-card": EsendexMessagesCard;
    "esendex-messages-card-editor": EsendexMessagesCardEditor;
  }
}

function defineElements(): void {
  if (!window.customElements.get(EDITOR_TAG)) {
    window.customElements.define(EDITOR_TAG, EsendexMessagesCardEditor);
  }
  if (!window.customElements.get(CARD_TYPE)) {
    window.customElements.define(CARD_TYPE, EsendexMessagesCard);
  }
}

// Home Assistant's frontend replaces window.customElements with its scoped registry
// when its core loads. This module can run before that (it is loaded beside the
// core), and an element defined in the registry it replaces is never found by the
// dashboards. Its own app element is defined once the new registry is in place.
if (window.customElements.get("home-assistant")) {
  defineElements();
} else {
  void window.customElements.whenDefined("home-assistant").then(defineElements);
}

window.customCards = window.customCards || [];
if (!window.customCards.some((card) => card.type === CARD_TYPE)) {
  window.customCards.push({
    type: CARD_TYPE,
    name: "Esendex messages",
    description: "SMS threads by contact, live, with delivery ticks and a reply box.",
    preview: true,
    documentationURL:
      "https://github.com/esendex-sms/home-assistant-esendex/blob/main/docs/messages-card.md",
  });
}
