// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { EsendexMessagesCard } from "../src/card";
import "../src/esendex-messages-card";
import type { Message, Thread } from "../src/types";
import { FakeHass } from "./fake-hass";
import { message, thread } from "./fixtures";

const TYPE = "custom:esendex-messages-card";
const ALICE = "447700900123";
const BOB = "447700900456";

type Card = EsendexMessagesCard & HTMLElement;

function makeCard(config: Record<string, unknown> = { entry_id: "E1" }, hass = new FakeHass()) {
  const card = document.createElement("esendex-messages-card") as Card;
  card.setConfig({ type: TYPE, ...config });
  card.hass = hass;
  document.body.append(card);
  return { card, hass };
}

/** Lets the promises and the renders they start run out. */
async function settle(card: Card): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    await Promise.resolve();
    await card.updateComplete;
  }
}

const root = (card: Card): ShadowRoot => card.shadowRoot!;
const all = (card: Card, id: string): HTMLElement[] =>
  Array.from(root(card).querySelectorAll<HTMLElement>(`[data-testid="${id}"]`));
const one = (card: Card, id: string): HTMLElement | null =>
  root(card).querySelector<HTMLElement>(`[data-testid="${id}"]`);
const text = (element: Element | null | undefined): string =>
  (element?.textContent ?? "").replace(/\s+/g, " ").trim();

function threadsEvent(threads: Thread[], extra: { can_send?: boolean; entry_id?: string } = {}) {
  return { type: "threads" as const, can_send: true, entry_id: "E1", threads, ...extra };
}

const aliceThread = (last: Partial<Message> = {}, unread = 0): Thread =>
  thread({
    number: ALICE,
    contact: "Alice",
    unread,
    last: { text: "Gate code please", time: "2026-12-01T09:30:00Z", ...last },
  });
const bobThread = (last: Partial<Message> = {}, unread = 0): Thread =>
  thread({
    number: BOB,
    unread,
    last: { direction: "out", status: "sent", text: "On my way", time: "2026-12-01T08:00:00Z", ...last },
  });

async function openAlice(card: Card, hass: FakeHass, messages: Message[][] = []): Promise<void> {
  hass.setPages(ALICE, ...messages);
  all(card, "thread-item").find((item) => item.dataset.number === ALICE)!.click();
  await settle(card);
}

function type(card: Card, value: string): HTMLTextAreaElement {
  const input = one(card, "reply-input") as HTMLTextAreaElement;
  input.value = value;
  input.dispatchEvent(new Event("input"));
  return input;
}

function press(input: HTMLElement, init: KeyboardEventInit): KeyboardEvent {
  const event = new KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init });
  input.dispatchEvent(event);
  return event;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval"] });
});

afterEach(() => {
  document.body.innerHTML = "";
  vi.useRealTimers();
});

describe("definition", () => {
  it("defines the card and its editor, and lists the card in the picker once", async () => {
    expect(customElements.get("esendex-messages-card")).toBeDefined();
    expect(customElements.get("esendex-messages-card-editor")).toBeDefined();
    // Home Assistant may load the module twice.
    vi.resetModules();
    await import("../src/esendex-messages-card");
    const cards = (window.customCards ?? []).filter((c) => c.type === "esendex-messages-card");
    expect(cards).toEqual([
      {
        type: "esendex-messages-card",
        name: "Esendex messages",
        description: "SMS threads by contact, live, with delivery ticks and a reply box.",
        preview: true,
        documentationURL:
          "https://github.com/esendex-sms/home-assistant-esendex/blob/main/docs/messages-card.md",
      },
    ]);
  });

  it("refuses a config without entry_id or device_id", () => {
    const card = document.createElement("esendex-messages-card") as Card;
    expect(() => card.setConfig({ type: TYPE })).toThrow(/entry_id \(or device_id\)/);
    expect(() => card.setConfig({ type: TYPE, entry_id: "E1" })).not.toThrow();
    expect(() => card.setConfig({ type: TYPE, device_id: "D1" })).not.toThrow();
  });

  it("offers the first loaded Esendex entry as the stub config", async () => {
    const Card = customElements.get("esendex-messages-card") as unknown as typeof EsendexMessagesCard;
    const hass = new FakeHass();
    hass.callWS.mockResolvedValueOnce([
      { entry_id: "E0", state: "setup_error" },
      { entry_id: "E1", state: "loaded" },
    ] as never);
    expect(await Card.getStubConfig(hass)).toEqual({ entry_id: "E1", threads: 5, show_reply: true });
    expect(hass.ws).toEqual([]); // the mocked answer, not the table
    expect(hass.callWS).toHaveBeenCalledWith({ type: "config_entries/get", domain: "esendex" });

    hass.callWS.mockRejectedValueOnce(new Error("nope"));
    expect(await Card.getStubConfig(hass)).toEqual({ threads: 5, show_reply: true });
  });

  it("gives its editor and sizes", () => {
    const Card = customElements.get("esendex-messages-card") as unknown as typeof EsendexMessagesCard;
    expect(Card.getConfigElement().tagName.toLowerCase()).toBe("esendex-messages-card-editor");
    const { card } = makeCard({ entry_id: "E1", threads: 3 });
    expect(card.getCardSize()).toBe(4);
    expect(card.getGridOptions()).toMatchObject({ columns: 12, min_columns: 6 });
  });
});

describe("the subscription", () => {
  it("subscribes with the entry, and shows loading until the threads come", async () => {
    const { card, hass } = makeCard();
    await settle(card);
    expect(hass.connection.subscribeMessage).toHaveBeenCalledTimes(1);
    expect(hass.last.message).toEqual({ type: "esendex/messages/subscribe", entry_id: "E1" });
    expect(all(card, "thread-item")).toHaveLength(0);
    expect(one(card, "not-available")).toBeNull();
  });

  it("subscribes with the device when configured so", async () => {
    const { card, hass } = makeCard({ device_id: "D1" });
    await settle(card);
    expect(hass.last.message).toEqual({ type: "esendex/messages/subscribe", device_id: "D1" });
  });

  it("does not subscribe twice when hass is set again", async () => {
    const { card, hass } = makeCard();
    await settle(card);
    card.hass = hass;
    card.hass = hass;
    await settle(card);
    expect(hass.connection.subscribeMessage).toHaveBeenCalledTimes(1);
  });

  it("unsubscribes when removed and subscribes again when put back", async () => {
    const { card, hass } = makeCard();
    await settle(card);
    const first = hass.last;
    card.remove();
    expect(first.unsubscribe).toHaveBeenCalledTimes(1);
    document.body.append(card);
    await settle(card);
    expect(hass.subscriptions).toHaveLength(2);
    expect(hass.last).not.toBe(first);
  });

  it("shows not available on closed and subscribes again after a few seconds", async () => {
    const { card, hass } = makeCard();
    await settle(card);
    hass.emit(threadsEvent([aliceThread()]));
    await settle(card);
    const first = hass.last;
    hass.emit({ type: "closed" });
    await settle(card);
    expect(one(card, "not-available")).not.toBeNull();
    expect(first.unsubscribe).toHaveBeenCalled();
    expect(hass.subscriptions).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(hass.subscriptions).toHaveLength(2);
    hass.emit(threadsEvent([aliceThread()]));
    await settle(card);
    expect(one(card, "not-available")).toBeNull();
    expect(all(card, "thread-item")).toHaveLength(1);
  });

  it("keeps trying on not_found, backing off up to 30 seconds", async () => {
    const hass = new FakeHass();
    const notFound = { code: "not_found", message: "Entry not found" };
    hass.subscribeErrors = Array(8).fill(notFound);
    const { card } = makeCard({ entry_id: "E1" }, hass);
    await settle(card);
    expect(one(card, "not-available")).not.toBeNull();
    const calls = () => hass.connection.subscribeMessage.mock.calls.length;
    expect(calls()).toBe(1);
    for (const [wait, expected] of [
      [1_999, 1],
      [1, 2],
      [4_000, 3],
      [8_000, 4],
      [16_000, 5],
      [29_999, 5],
      [1, 6],
      [30_000, 7],
    ] as const) {
      await vi.advanceTimersByTimeAsync(wait);
      expect(calls()).toBe(expected);
    }
  });

  it("stops trying when removed", async () => {
    const hass = new FakeHass();
    hass.subscribeErrors = [{ code: "not_found", message: "" }];
    const { card } = makeCard({ entry_id: "E1" }, hass);
    await settle(card);
    card.remove();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(hass.connection.subscribeMessage).toHaveBeenCalledTimes(1);
  });

  it("says so when the user may not read the messages", async () => {
    const hass = new FakeHass();
    hass.subscribeErrors = [{ code: "unauthorized", message: "Unauthorized" }];
    const { card } = makeCard({ entry_id: "E1" }, hass);
    await settle(card);
    expect(text(one(card, "not-available"))).toContain("Not allowed");
  });

  it("subscribes to the new entry when the config names another", async () => {
    const { card, hass } = makeCard();
    await settle(card);
    const first = hass.last;
    card.setConfig({ type: TYPE, entry_id: "E2" });
    await settle(card);
    expect(first.unsubscribe).toHaveBeenCalled();
    expect(hass.last.message).toEqual({ type: "esendex/messages/subscribe", entry_id: "E2" });
    card.setConfig({ type: TYPE, entry_id: "E2", title: "SMS" });
    await settle(card);
    expect(hass.subscriptions).toHaveLength(2);
  });
});

describe("the thread list", () => {
  it("lists the threads newest first, with names, previews and unread badges", async () => {
    const { card, hass } = makeCard();
    await settle(card);
    hass.emit(
      threadsEvent([
        bobThread(),
        aliceThread({}, 2),
        thread({ number: "447700900789", last: { kind: "opt_out", text: "", time: "2026-12-01T07:00:00Z" } }),
      ]),
    );
    await settle(card);
    const items = all(card, "thread-item");
    expect(items.map((item) => item.dataset.number)).toEqual([ALICE, BOB, "447700900789"]);
    expect(text(items[0]!.querySelector(".name"))).toBe("Alice");
    expect(text(items[0]!.querySelector(".preview"))).toBe("Gate code please");
    expect(text(items[0]!.querySelector('[data-testid="unread-badge"]'))).toBe("2");
    expect(items[0]!.getAttribute("aria-label")).toBe("Alice, Gate code please, 2 unread");
    expect(text(items[1]!.querySelector(".name"))).toBe("+447700900456");
    expect(text(items[1]!.querySelector(".preview"))).toBe("You: On my way");
    expect(items[1]!.querySelector('[data-testid="unread-badge"]')).toBeNull();
    expect(text(items[2]!.querySelector(".preview"))).toBe("Opted out");
    expect(items.every((item) => item.tagName === "BUTTON")).toBe(true);
  });

  it("shows as many threads as configured", async () => {
    const { card, hass } = makeCard({ entry_id: "E1", threads: 1 });
    await settle(card);
    hass.emit(threadsEvent([aliceThread(), bobThread()]));
    await settle(card);
    expect(all(card, "thread-item").map((item) => item.dataset.number)).toEqual([ALICE]);
  });

  it("moves a thread to the top on a new message, and takes a thread read", async () => {
    const { card, hass } = makeCard();
    await settle(card);
    hass.emit(threadsEvent([aliceThread(), bobThread()]));
    await settle(card);
    const reply = message({ number: BOB, text: "Thanks", time: "2026-12-01T10:00:00Z" });
    hass.emit({ type: "message", message: reply, thread: { ...bobThread(), last: reply, unread: 1 } });
    await settle(card);
    let items = all(card, "thread-item");
    expect(items.map((item) => item.dataset.number)).toEqual([BOB, ALICE]);
    expect(text(items[0]!.querySelector(".preview"))).toBe("Thanks");
    expect(text(items[0]!.querySelector('[data-testid="unread-badge"]'))).toBe("1");
    hass.emit({ type: "thread", thread: { ...bobThread(), last: reply, unread: 0 } });
    await settle(card);
    items = all(card, "thread-item");
    expect(items).toHaveLength(2);
    expect(items[0]!.querySelector('[data-testid="unread-badge"]')).toBeNull();
  });

  it("opens a thread on click and marks it read", async () => {
    const { card, hass } = makeCard();
    await settle(card);
    hass.emit(threadsEvent([aliceThread({}, 1)]));
    await settle(card);
    const inbound = message({ id: "a1", number: ALICE, text: "Gate code please", time: "2026-12-01T09:30:00Z" });
    await openAlice(card, hass, [[inbound]]);
    expect(hass.wsOf("esendex/messages/mark_read")).toEqual([
      { type: "esendex/messages/mark_read", entry_id: "E1", number: ALICE },
    ]);
    expect(hass.wsOf("esendex/messages/thread")).toEqual([
      { type: "esendex/messages/thread", entry_id: "E1", number: ALICE, limit: 50 },
    ]);
    expect(all(card, "thread-item")).toHaveLength(0);
    expect(one(card, "back")).not.toBeNull();
    expect(text(root(card).querySelector(".thread-header"))).toContain("Alice");
    expect(all(card, "message").map((m) => m.dataset.id)).toEqual(["a1"]);
    one(card, "back")!.click();
    await settle(card);
    expect(all(card, "thread-item")).toHaveLength(1);
    expect(all(card, "unread-badge")).toHaveLength(0);
  });
});

describe("the thread view", () => {
  async function opened(config: Record<string, unknown> = { entry_id: "E1" }, extra = {}) {
    const made = makeCard(config);
    await settle(made.card);
    made.hass.emit(threadsEvent([aliceThread()], extra));
    await settle(made.card);
    return made;
  }

  it("draws bubbles by direction, with ticks, Assist labels and opt-outs", async () => {
    const { card, hass } = await opened();
    await openAlice(card, hass, [
      [
        message({ id: "1", number: ALICE, text: "Gate code please", time: "2026-11-30T09:00:00Z" }),
        message({
          id: "2",
          number: ALICE,
          direction: "out",
          status: "delivered",
          text: "1234",
          assist: true,
          time: "2026-11-30T09:01:00Z",
        }),
        message({
          id: "3",
          number: ALICE,
          direction: "out",
          status: "failed",
          failure_reason: "Unknown subscriber",
          text: "Hello?",
          time: "2026-12-01T09:00:00Z",
        }),
        message({ id: "4", number: ALICE, direction: "out", status: "sent", text: "Hi", time: "2026-12-01T09:01:00Z" }),
        message({ id: "5", number: ALICE, kind: "opt_out", text: "", time: "2026-12-01T09:02:00Z" }),
      ],
    ]);
    const messages = all(card, "message");
    expect(messages.map((m) => [m.dataset.id, m.dataset.direction, m.dataset.status])).toEqual([
      ["1", "in", "received"],
      ["2", "out", "delivered"],
      ["3", "out", "failed"],
      ["4", "out", "sent"],
      ["5", "in", "received"],
    ]);
    expect(messages[0]!.classList.contains("in")).toBe(true);
    expect(messages[1]!.classList.contains("out")).toBe(true);
    expect(messages[0]!.querySelector('[data-testid="tick"]')).toBeNull();
    const ticks = all(card, "tick");
    expect(ticks.map((t) => [t.dataset.status, text(t)])).toEqual([
      ["delivered", "✓✓"],
      ["failed", "⚠"],
      ["sent", "✓"],
    ]);
    expect(text(messages[1]!.querySelector(".assist"))).toBe("Assist");
    expect(messages[0]!.querySelector(".assist")).toBeNull();
    expect(text(messages[4])).toContain("Opted out of SMS");
    expect(messages[4]!.classList.contains("system")).toBe(true);
    // One divider per day.
    expect(root(card).querySelectorAll(".divider")).toHaveLength(2);
    // The exact time is in the title.
    expect(messages[0]!.querySelector("time")!.getAttribute("title")).toMatch(/2026/);

    const failed = ticks[1]!;
    expect(failed.tagName).toBe("BUTTON");
    expect(failed.getAttribute("title")).toBe("Unknown subscriber");
    expect(messages[2]!.querySelector(".reason")).toBeNull();
    failed.click();
    await settle(card);
    expect(text(all(card, "message")[2]!.querySelector(".reason"))).toBe("Unknown subscriber");
  });

  it("appends a new message and replaces one on its receipt", async () => {
    const { card, hass } = await opened();
    await openAlice(card, hass, [[message({ id: "1", number: ALICE, time: "2026-12-01T09:00:00Z" })]]);
    const sent = message({ id: "2", number: ALICE, direction: "out", status: "sent", text: "On it", time: "2026-12-01T09:05:00Z" });
    hass.emit({ type: "message", message: sent, thread: { ...aliceThread(), last: sent } });
    await settle(card);
    expect(all(card, "message").map((m) => m.dataset.id)).toEqual(["1", "2"]);
    expect(all(card, "tick").map((t) => t.dataset.status)).toEqual(["sent"]);
    const delivered = { ...sent, status: "delivered", status_time: "2026-12-01T09:06:00Z" };
    hass.emit({ type: "message", message: delivered, thread: { ...aliceThread(), last: delivered } });
    await settle(card);
    expect(all(card, "message").map((m) => [m.dataset.id, m.dataset.status])).toEqual([
      ["1", "received"],
      ["2", "delivered"],
    ]);
    expect(all(card, "tick").map((t) => t.dataset.status)).toEqual(["delivered"]);
  });

  it("marks a new inbound message of the open thread read, and leaves other threads", async () => {
    const { card, hass } = await opened();
    await openAlice(card, hass, [[]]);
    const before = hass.wsOf("esendex/messages/mark_read").length;
    const inbound = message({ id: "n", number: ALICE, time: "2026-12-01T10:00:00Z" });
    hass.emit({ type: "message", message: inbound, thread: { ...aliceThread(), last: inbound, unread: 1 } });
    const other = message({ id: "o", number: BOB, time: "2026-12-01T10:01:00Z" });
    hass.emit({ type: "message", message: other, thread: { ...bobThread(), last: other, unread: 1 } });
    await settle(card);
    expect(hass.wsOf("esendex/messages/mark_read").slice(before)).toEqual([
      { type: "esendex/messages/mark_read", entry_id: "E1", number: ALICE },
    ]);
    expect(all(card, "message").map((m) => m.dataset.id)).toEqual(["n"]);
  });

  it("loads earlier pages with before while there are more", async () => {
    const { card, hass } = await opened();
    const latest = [
      message({ id: "c", number: ALICE, time: "2026-12-01T09:10:00Z" }),
      message({ id: "d", number: ALICE, time: "2026-12-01T09:20:00Z" }),
    ];
    const earlier = [
      message({ id: "a", number: ALICE, time: "2026-12-01T09:00:00Z" }),
      message({ id: "b", number: ALICE, time: "2026-12-01T09:05:00Z" }),
    ];
    await openAlice(card, hass, [latest, earlier]);
    expect(all(card, "message").map((m) => m.dataset.id)).toEqual(["c", "d"]);
    one(card, "load-earlier")!.click();
    await settle(card);
    expect(hass.wsOf("esendex/messages/thread").at(-1)).toEqual({
      type: "esendex/messages/thread",
      entry_id: "E1",
      number: ALICE,
      limit: 50,
      before: "c",
    });
    expect(all(card, "message").map((m) => m.dataset.id)).toEqual(["a", "b", "c", "d"]);
    expect(one(card, "load-earlier")).toBeNull();
  });

  it("fetches what the open thread missed once subscribed again", async () => {
    const { card, hass } = await opened();
    await openAlice(card, hass, [[message({ id: "1", number: ALICE, time: "2026-12-01T09:00:00Z" })]]);
    hass.emit({ type: "closed" });
    await settle(card);
    hass.setPages(ALICE, [
      message({ id: "1", number: ALICE, time: "2026-12-01T09:00:00Z" }),
      message({ id: "2", number: ALICE, time: "2026-12-01T09:30:00Z" }),
    ]);
    await vi.advanceTimersByTimeAsync(2_000);
    hass.emit(threadsEvent([aliceThread()]));
    await settle(card);
    expect(all(card, "message").map((m) => m.dataset.id)).toEqual(["1", "2"]);
    expect(one(card, "back")).not.toBeNull();
  });
});

describe("the reply box", () => {
  async function opened(config: Record<string, unknown> = { entry_id: "E1" }, extra = {}) {
    const made = makeCard(config);
    await settle(made.card);
    made.hass.emit(threadsEvent([aliceThread()], extra));
    await settle(made.card);
    await openAlice(made.card, made.hass, [[]]);
    return made;
  }

  it("sends on Enter with send_sms, and clears the box", async () => {
    const { card, hass } = await opened();
    const input = type(card, "On my way");
    const event = press(input, { key: "Enter" });
    expect(event.defaultPrevented).toBe(true);
    await settle(card);
    expect(hass.services).toEqual([
      [
        "esendex",
        "send_sms",
        { config_entry_id: "E1", to: ["+447700900123"], message: "On my way" },
        undefined,
        false,
        true,
      ],
    ]);
    expect((one(card, "reply-input") as HTMLTextAreaElement).value).toBe("");
    // Not added locally: it comes as the subscription's message event.
    expect(all(card, "message")).toHaveLength(0);
  });

  it("inserts a newline on Shift+Enter instead of sending", async () => {
    const { card, hass } = await opened();
    const input = type(card, "Line one");
    const event = press(input, { key: "Enter", shiftKey: true });
    expect(event.defaultPrevented).toBe(false);
    await settle(card);
    expect(hass.services).toEqual([]);
  });

  it("sends with the button, and not a blank message", async () => {
    const { card, hass } = await opened();
    type(card, "   \n ");
    press(one(card, "reply-input")!, { key: "Enter" });
    await settle(card);
    expect((one(card, "reply-send") as HTMLButtonElement).disabled).toBe(true);
    one(card, "reply-send")!.click();
    await settle(card);
    expect(hass.services).toEqual([]);
    type(card, "  Hello  ");
    await settle(card);
    one(card, "reply-send")!.click();
    await settle(card);
    expect(hass.services.map((call) => (call[2] as { message: string }).message)).toEqual(["Hello"]);
  });

  it("shows the error under the box and keeps the text", async () => {
    const { card, hass } = await opened();
    hass.serviceError = { code: "home_assistant_error", message: "Esendex has no credits left" };
    type(card, "Hello");
    press(one(card, "reply-input")!, { key: "Enter" });
    await settle(card);
    expect(text(one(card, "reply-error"))).toBe("Esendex has no credits left");
    expect((one(card, "reply-input") as HTMLTextAreaElement).value).toBe("Hello");
    type(card, "Hello!");
    await settle(card);
    expect(one(card, "reply-error")).toBeNull();
  });

  it("shows sending while the action runs and sends once", async () => {
    const { card, hass } = await opened();
    hass.holdService = true;
    type(card, "Hello");
    press(one(card, "reply-input")!, { key: "Enter" });
    await settle(card);
    expect((one(card, "reply-send") as HTMLButtonElement).disabled).toBe(true);
    expect(text(root(card).querySelector(".reply-info"))).toContain("Sending…");
    press(one(card, "reply-input")!, { key: "Enter" });
    await settle(card);
    expect(hass.services).toHaveLength(1);
    hass.releaseService!();
    await settle(card);
    expect(text(root(card).querySelector(".reply-info"))).not.toContain("Sending…");
  });

  it("counts characters left and SMS parts, and says Unicode", async () => {
    const { card } = await opened();
    expect(text(one(card, "reply-counter"))).toBe("160 left · 0 SMS");
    type(card, "a".repeat(40));
    await settle(card);
    expect(text(one(card, "reply-counter"))).toBe("120 left · 1 SMS");
    expect(one(card, "reply-encoding")).toBeNull();
    type(card, "a".repeat(307));
    await settle(card);
    expect(text(one(card, "reply-counter"))).toBe("152 left · 3 SMS");
    type(card, "fête 😀");
    await settle(card);
    expect(text(one(card, "reply-counter"))).toBe("63 left · 1 SMS");
    expect(text(one(card, "reply-encoding"))).toBe("Unicode");
  });

  it("sends through the entry the threads event names when configured by device", async () => {
    const { card, hass } = await opened({ device_id: "D1" }, { entry_id: "E9" });
    expect(hass.wsOf("esendex/messages/thread")[0]).toMatchObject({ entry_id: "E9" });
    type(card, "Hi");
    press(one(card, "reply-input")!, { key: "Enter" });
    await settle(card);
    expect(hass.services[0]![2]).toEqual({ config_entry_id: "E9", to: ["+447700900123"], message: "Hi" });
  });

  it("is hidden for a receive-only entry and when show_reply is false", async () => {
    const receiveOnly = await opened({ entry_id: "E1" }, { can_send: false });
    expect(one(receiveOnly.card, "reply-input")).toBeNull();
    expect(text(root(receiveOnly.card).querySelector(".receive-only"))).toBe("Receive only");
    receiveOnly.card.remove();
    const hidden = await opened({ entry_id: "E1", show_reply: false });
    expect(one(hidden.card, "reply-input")).toBeNull();
    expect(root(hidden.card).querySelector(".receive-only")).toBeNull();
  });
});

describe("languages", () => {
  it("speaks the language of hass.locale, by prefix", async () => {
    const hass = new FakeHass();
    hass.language = "en";
    hass.locale = { language: "de-CH" };
    const { card } = makeCard({ entry_id: "E1" }, hass);
    await settle(card);
    hass.emit(threadsEvent([bobThread()]));
    await settle(card);
    expect(text(root(card).querySelector(".preview"))).toBe("Du: On my way");
    hass.emit({ type: "closed" });
    await settle(card);
    expect(text(one(card, "not-available"))).toContain("Nachrichten nicht verfügbar");
  });
});

describe("relative times", () => {
  it("draws them again as time passes", async () => {
    vi.useRealTimers();
    vi.useFakeTimers({
      toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"],
      now: new Date("2026-12-01T09:30:10Z"),
    });
    const { card, hass } = makeCard();
    await settle(card);
    hass.emit(threadsEvent([aliceThread({ time: "2026-12-01T09:30:00Z" })]));
    await settle(card);
    expect(text(root(card).querySelector(".when"))).toBe("now");
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    await settle(card);
    expect(text(root(card).querySelector(".when"))).toBe("5 min");
  });
});
