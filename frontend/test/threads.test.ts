import { describe, expect, it } from "vitest";

import {
  canReplyTo,
  formatNumber,
  markThreadRead,
  mergePage,
  needsMarkRead,
  sortMessages,
  sortThreads,
  threadName,
  upsertMessage,
  upsertThread,
} from "../src/threads";
import { message, thread } from "./fixtures";

const numbers = (threads: { number: string }[]): string[] => threads.map((t) => t.number);
const ids = (messages: { id: string }[]): string[] => messages.map((m) => m.id);

describe("sortThreads", () => {
  it("puts the newest last message first, whatever the offset", () => {
    const threads = [
      thread({ number: "1", last: { time: "2026-12-01T09:00:00+00:00" } }),
      // 10:00 at +01:00 is 09:00 UTC less a minute's worth: 08:59.
      thread({ number: "2", last: { time: "2026-12-01T09:59:00+01:00" } }),
      thread({ number: "3", last: { time: "2026-12-01T09:30:00+00:00" } }),
    ];
    expect(numbers(sortThreads(threads))).toEqual(["3", "1", "2"]);
  });

  it("keeps the order of threads with the same time and does not change its input", () => {
    const threads = [thread({ number: "a" }), thread({ number: "b" })];
    expect(numbers(sortThreads(threads))).toEqual(["a", "b"]);
    const reversed = [threads[1]!, threads[0]!];
    expect(numbers(sortThreads(reversed))).toEqual(["b", "a"]);
    expect(numbers(threads)).toEqual(["a", "b"]);
  });
});

describe("upsertThread", () => {
  const list = sortThreads([
    thread({ number: "1", last: { time: "2026-12-01T09:00:00Z" } }),
    thread({ number: "2", last: { time: "2026-12-01T08:00:00Z" } }),
    thread({ number: "3", last: { time: "2026-12-01T07:00:00Z" } }),
  ]);

  it("moves a thread with a new message to the top, once", () => {
    const updated = thread({ number: "3", unread: 1, last: { time: "2026-12-01T10:00:00Z" } });
    const result = upsertThread(list, updated);
    expect(numbers(result)).toEqual(["3", "1", "2"]);
    expect(result[0]).toBe(updated);
  });

  it("adds a thread it does not have", () => {
    const result = upsertThread(list, thread({ number: "4", last: { time: "2026-12-01T08:30:00Z" } }));
    expect(numbers(result)).toEqual(["1", "4", "2", "3"]);
  });

  it("replaces a thread marked read where it stands", () => {
    const read = { ...list[1]!, unread: 0 };
    const result = upsertThread(list, read);
    expect(numbers(result)).toEqual(["1", "2", "3"]);
    expect(result[1]).toBe(read);
  });
});

describe("upsertMessage", () => {
  const first = message({ id: "a", time: "2026-12-01T09:00:00Z" });
  const second = message({ id: "b", direction: "out", time: "2026-12-01T09:05:00Z" });

  it("replaces a message by id (a receipt) without duplicating it", () => {
    const delivered = { ...second, status: "delivered", status_time: "2026-12-01T09:06:00Z" };
    const result = upsertMessage([first, second], delivered);
    expect(ids(result)).toEqual(["a", "b"]);
    expect(result[1]!.status).toBe("delivered");
  });

  it("appends a new message", () => {
    const third = message({ id: "c", time: "2026-12-01T09:10:00Z" });
    expect(ids(upsertMessage([first, second], third))).toEqual(["a", "b", "c"]);
  });

  it("puts a message that is older than the last by its time", () => {
    const between = message({ id: "x", time: "2026-12-01T09:02:00Z" });
    expect(ids(upsertMessage([first, second], between))).toEqual(["a", "x", "b"]);
  });
});

describe("mergePage", () => {
  const held = [
    message({ id: "c", time: "2026-12-01T09:10:00Z" }),
    message({ id: "d", time: "2026-12-01T09:20:00Z" }),
  ];

  it("puts an earlier page before the messages held", () => {
    const page = [
      message({ id: "a", time: "2026-12-01T09:00:00Z" }),
      message({ id: "b", time: "2026-12-01T09:05:00Z" }),
    ];
    expect(ids(mergePage(held, page))).toEqual(["a", "b", "c", "d"]);
  });

  it("takes each id once, the held copy over the page's", () => {
    const page = [
      message({ id: "b", time: "2026-12-01T09:05:00Z" }),
      { ...held[0]!, text: "stale" },
      message({ id: "b", time: "2026-12-01T09:05:00Z" }),
    ];
    const result = mergePage(held, page);
    expect(ids(result)).toEqual(["b", "c", "d"]);
    expect(result[1]).toBe(held[0]);
  });

  it("takes the page's copy when it has a later receipt", () => {
    const sent = message({ id: "s", direction: "out", time: "2026-12-01T09:30:00Z" });
    const delivered = { ...sent, status: "delivered", status_time: "2026-12-01T09:31:00Z" };
    expect(mergePage([sent], [delivered])[0]!.status).toBe("delivered");
    expect(mergePage([delivered], [sent])[0]!.status).toBe("delivered");
  });

  it("loads a first page into nothing, oldest first", () => {
    const page = [held[1]!, held[0]!];
    expect(ids(mergePage([], page))).toEqual(["c", "d"]);
    expect(ids(sortMessages(page))).toEqual(["c", "d"]);
  });
});

describe("unread", () => {
  it("marks one thread read and leaves the others", () => {
    const threads = [thread({ number: "1", unread: 2 }), thread({ number: "2", unread: 1 })];
    const result = markThreadRead(threads, "1");
    expect(result.map((t) => t.unread)).toEqual([0, 1]);
    expect(result[1]).toBe(threads[1]);
    expect(threads[0]!.unread).toBe(2);
  });

  it("marks read inbound messages of the open thread only", () => {
    const inbound = message({ number: "1", direction: "in" });
    expect(needsMarkRead(inbound, "1")).toBe(true);
    expect(needsMarkRead(inbound, "2")).toBe(false);
    expect(needsMarkRead(inbound, null)).toBe(false);
    expect(needsMarkRead(message({ number: "1", direction: "out" }), "1")).toBe(false);
  });
});

describe("numbers and names", () => {
  it("shows Esendex's digits with a +, and a sender's name as it is", () => {
    expect(formatNumber("447700900123")).toBe("+447700900123");
    expect(formatNumber("+447700900123")).toBe("+447700900123");
    expect(formatNumber("Esendex")).toBe("Esendex");
  });

  it("replies to phone numbers, not to alphanumeric senders", () => {
    expect(canReplyTo("447700900123")).toBe(true);
    expect(canReplyTo("+447700900123")).toBe(true);
    expect(canReplyTo("Esendex")).toBe(false);
    expect(canReplyTo("1234")).toBe(false);
  });

  it("names a thread by its contact, else its number", () => {
    expect(threadName({ contact: "Alice", number: "447700900123" })).toBe("Alice");
    expect(threadName({ contact: null, number: "447700900123" })).toBe("+447700900123");
  });
});
