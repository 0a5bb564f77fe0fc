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

if (!customElements.get(EDITOR_TAG)) {
  customElements.define(EDITOR_TAG, EsendexMessagesCardEditor);
}
if (!customElements.get(CARD_TYPE)) {
  customElements.define(CARD_TYPE, EsendexMessagesCard);
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
