// Applying the subscription's events to the card's state, without a DOM.

import type { Message, Thread } from "./types";

/** Milliseconds since the epoch of an ISO time; unparsable times sort first. */
export function timeOf(iso: string | null | undefined): number {
  const value = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(value) ? 0 : value;
}

/** Threads newest first by their last message; ties keep their order. */
export function sortThreads(threads: readonly Thread[]): Thread[] {
  return threads
    .map((thread, index) => ({ thread, index }))
    .sort((a, b) => timeOf(b.thread.last?.time) - timeOf(a.thread.last?.time) || a.index - b.index)
    .map(({ thread }) => thread);
}

/** The threads with one replaced (by number) or added, newest first again. */
export function upsertThread(threads: readonly Thread[], thread: Thread): Thread[] {
  const others = threads.filter((item) => item.number !== thread.number);
  return sortThreads([thread, ...others]);
}

/** Messages oldest first; ties keep their order. */
export function sortMessages(messages: readonly Message[]): Message[] {
  return messages
    .map((message, index) => ({ message, index }))
    .sort((a, b) => timeOf(a.message.time) - timeOf(b.message.time) || a.index - b.index)
    .map(({ message }) => message);
}

/**
 * The messages with one applied: a message whose id is already there replaces it in
 * place (a receipt moving its status on), a new one goes in by its time (at the end,
 * as a rule).
 */
export function upsertMessage(messages: readonly Message[], message: Message): Message[] {
  const index = messages.findIndex((item) => item.id === message.id);
  if (index >= 0) {
    const copy = messages.slice();
    copy[index] = message;
    return copy;
  }
  return sortMessages([...messages, message]);
}

/** Whether a copy of a message is further on than another: a later receipt. */
function fresher(candidate: Message, held: Message): boolean {
  return timeOf(candidate.status_time) > timeOf(held.status_time);
}

/**
 * The messages with a page of them merged in, oldest first, each id once. Where an id
 * is in both, the one already held stays (it has had the live events applied to it)
 * unless the page's copy has a later receipt (events missed while unsubscribed).
 */
export function mergePage(messages: readonly Message[], page: readonly Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const message of page) if (!byId.has(message.id)) byId.set(message.id, message);
  const merged = messages.map((held) => {
    const copy = byId.get(held.id);
    if (!copy) return held;
    byId.delete(held.id);
    return fresher(copy, held) ? copy : held;
  });
  return sortMessages([...byId.values(), ...merged]);
}

/** The thread as read (unread 0) in the list, before the backend confirms it. */
export function markThreadRead(threads: readonly Thread[], number: string): Thread[] {
  return threads.map((thread) =>
    thread.number === number && thread.unread !== 0 ? { ...thread, unread: 0 } : thread,
  );
}

/** Whether a message should be marked read at once: inbound, in the open thread. */
export function needsMarkRead(message: Message, openNumber: string | null): boolean {
  return openNumber !== null && message.number === openNumber && message.direction === "in";
}

/** How a number shows: Esendex's international digits get their "+". */
export function formatNumber(number: string): string {
  return /^\d+$/.test(number) ? `+${number}` : number;
}

/** Whether a reply can go to the number: a phone number, not an alphanumeric sender. */
export function canReplyTo(number: string): boolean {
  return /^\+?\d{5,15}$/.test(number);
}

export function threadName(thread: Pick<Thread, "contact" | "number">): string {
  return thread.contact || formatNumber(thread.number);
}
