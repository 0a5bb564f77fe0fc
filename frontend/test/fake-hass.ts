// A Home Assistant whose websocket the test drives: it hands out the subscription's
// callback, answers the commands from a table and records every call.

import { vi } from "vitest";

import type { HomeAssistant, Message, SubscriptionEvent, ThreadPage } from "../src/types";

export interface Subscription {
  message: Record<string, unknown>;
  callback: (event: SubscriptionEvent) => void;
  unsubscribe: ReturnType<typeof vi.fn>;
}

export class FakeHass implements HomeAssistant {
  language = "en";
  locale: HomeAssistant["locale"] = { language: "en", time_format: "24" };
  subscriptions: Subscription[] = [];
  /** Makes the next subscribe fail with this error, once per entry. */
  subscribeErrors: unknown[] = [];
  /** The pages the thread command answers with, by number, newest page first. */
  pages = new Map<string, ThreadPage[]>();
  ws: Record<string, unknown>[] = [];
  services: unknown[][] = [];
  serviceError: unknown = null;
  /** Resolve the pending send_sms call (when holdService is set). */
  holdService = false;
  releaseService: (() => void) | null = null;

  connection = {
    subscribeMessage: vi.fn(
      async <T>(callback: (message: T) => void, message: Record<string, unknown>) => {
        if (this.subscribeErrors.length) throw this.subscribeErrors.shift();
        const unsubscribe = vi.fn(async () => undefined);
        this.subscriptions.push({
          message,
          callback: callback as unknown as (event: SubscriptionEvent) => void,
          unsubscribe,
        });
        return unsubscribe;
      },
    ),
  };

  // Promise<any>: the table answers whatever each command's caller expects.
  callWS = vi.fn(async (message: Record<string, unknown>): Promise<any> => {
    this.ws.push(message);
    if (message.type === "esendex/messages/thread") {
      const pages = this.pages.get(message.number as string) ?? [];
      if (message.before === undefined) return (pages[0] ?? { messages: [], has_more: false });
      const index = pages.findIndex((page) => page.messages.some((m) => m.id === message.before));
      return (pages[index + 1] ?? { messages: [], has_more: false });
    }
    return null;
  });

  callService = vi.fn(async (...args: unknown[]) => {
    this.services.push(args);
    if (this.holdService) {
      await new Promise<void>((resolve) => {
        this.releaseService = resolve;
      });
    }
    if (this.serviceError) throw this.serviceError;
    return { context: {}, response: { messages: [] } };
  });

  get last(): Subscription {
    const subscription = this.subscriptions.at(-1);
    if (!subscription) throw new Error("nothing subscribed");
    return subscription;
  }

  emit(event: SubscriptionEvent): void {
    this.last.callback(event);
  }

  wsOf(type: string): Record<string, unknown>[] {
    return this.ws.filter((message) => message.type === type);
  }

  setPages(number: string, ...pages: Message[][]): void {
    this.pages.set(
      number,
      pages.map((messages, index) => ({ messages, has_more: index < pages.length - 1 })),
    );
  }
}
