// The delivery mark of a message: one tick sent, two delivered, a warning failed.

import type { Strings } from "./strings";
import type { Message } from "./types";

export type TickState = "sent" | "delivered" | "failed";

export interface Tick {
  state: TickState;
  symbol: string;
  /** For aria-label and title: the state, and for a failure its reason. */
  label: string;
  /** A failure's reason as Esendex gives it, or a stand-in when it gives none. */
  reason: string | null;
}

/** The tick of a message, or null for one with none (every inbound message). */
export function tickFor(
  message: Pick<Message, "direction" | "status" | "failure_reason">,
  strings: Strings,
): Tick | null {
  if (message.direction !== "out") return null;
  switch (message.status) {
    case "delivered":
      return { state: "delivered", symbol: "✓✓", label: strings.tick_delivered, reason: null };
    case "failed": {
      const reason = message.failure_reason?.trim() || strings.failed_unknown;
      return {
        state: "failed",
        symbol: "⚠",
        label: `${strings.tick_failed}: ${reason}`,
        reason,
      };
    }
    default:
      // "sent", and any status the backend may add before its first receipt.
      return { state: "sent", symbol: "✓", label: strings.tick_sent, reason: null };
  }
}
