// The card's configuration, checked and with its defaults.

import type { CardConfig } from "./types";

export const CARD_TYPE = "esendex-messages-card";
export const DEFAULT_THREADS = 5;
export const MAX_THREADS = 50;

export interface ResolvedConfig {
  type: string;
  entry_id?: string;
  device_id?: string;
  title?: string;
  threads: number;
  show_reply: boolean;
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/** The config with its defaults; throws (HA shows it as the card's error) when unusable. */
export function resolveConfig(config: CardConfig | null | undefined): ResolvedConfig {
  if (!config || typeof config !== "object") {
    throw new Error("Invalid configuration of the Esendex messages card");
  }
  const entryId = nonEmptyString(config.entry_id) ? config.entry_id.trim() : undefined;
  const deviceId = nonEmptyString(config.device_id) ? config.device_id.trim() : undefined;
  if (!entryId && !deviceId) {
    throw new Error(
      "The Esendex messages card needs entry_id (or device_id) of an Esendex SMS entry",
    );
  }
  if (config.title !== undefined && config.title !== null && typeof config.title !== "string") {
    throw new Error("title of the Esendex messages card must be text");
  }
  let threads = DEFAULT_THREADS;
  if (config.threads !== undefined && config.threads !== null) {
    const value = Number(config.threads);
    if (!Number.isFinite(value) || value < 1) {
      throw new Error(`threads of the Esendex messages card must be 1 to ${MAX_THREADS}`);
    }
    threads = Math.min(MAX_THREADS, Math.floor(value));
  }
  const resolved: ResolvedConfig = {
    type: config.type,
    threads,
    show_reply: config.show_reply !== false,
  };
  if (entryId) resolved.entry_id = entryId;
  if (deviceId) resolved.device_id = deviceId;
  if (config.title) resolved.title = config.title;
  return resolved;
}

/** What the websocket commands name the entry by: entry_id when there is one. */
export function targetOf(config: Pick<ResolvedConfig, "entry_id" | "device_id">): {
  entry_id?: string;
  device_id?: string;
} {
  return config.entry_id ? { entry_id: config.entry_id } : { device_id: config.device_id! };
}
