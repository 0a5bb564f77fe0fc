import type { Message, Thread } from "../src/types";

let counter = 0;

export function message(overrides: Partial<Message> = {}): Message {
  counter += 1;
  const direction = overrides.direction ?? "in";
  return {
    id: `m${counter}`,
    direction,
    kind: "sms",
    number: "447700900123",
    text: `text ${counter}`,
    time: "2026-12-01T09:30:00+00:00",
    status: direction === "in" ? "received" : "sent",
    status_time: null,
    failure_reason: null,
    assist: false,
    ...overrides,
  };
}

export function thread(
  overrides: Partial<Omit<Thread, "last">> & { last?: Partial<Message> } = {},
): Thread {
  const number = overrides.number ?? "447700900123";
  const { last, ...rest } = overrides;
  return {
    number,
    contact: null,
    unread: 0,
    ...rest,
    last: message({ number, ...last }),
  };
}
