// The little of Home Assistant's frontend and of the websocket API (docs/websocket-api.md)
// that the card uses.

export type Unsubscribe = () => void | Promise<void>;

export interface HassConnection {
  subscribeMessage<T>(
    callback: (message: T) => void,
    subscribeMessage: Record<string, unknown>,
  ): Promise<Unsubscribe>;
}

export interface HassLocale {
  language: string;
  /** "12", "24", "language" or "system". */
  time_format?: string;
}

export interface HomeAssistant {
  connection: HassConnection;
  language: string;
  locale?: HassLocale;
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  callService(
    domain: string,
    service: string,
    serviceData?: Record<string, unknown>,
    target?: Record<string, unknown>,
    notifyOnError?: boolean,
    returnResponse?: boolean,
  ): Promise<unknown>;
}

export type Direction = "in" | "out";

export interface Message {
  id: string;
  direction: Direction;
  /** "sms", or "opt_out" for a recipient's opt-out. */
  kind: string;
  number: string;
  text: string;
  time: string;
  /** "received" inbound; "sent", "delivered" or "failed" outbound. */
  status: string;
  status_time: string | null;
  failure_reason: string | null;
  assist: boolean;
}

export interface Thread {
  number: string;
  contact: string | null;
  last: Message;
  unread: number;
}

export interface ThreadsEvent {
  type: "threads";
  /** The entry's id, which send_sms needs when the card names the device. */
  entry_id?: string;
  can_send: boolean;
  threads: Thread[];
}

export interface MessageEvent {
  type: "message";
  message: Message;
  thread: Thread;
}

export interface ThreadEvent {
  type: "thread";
  thread: Thread;
}

export interface ClosedEvent {
  type: "closed";
}

export type SubscriptionEvent = ThreadsEvent | MessageEvent | ThreadEvent | ClosedEvent;

export interface ThreadPage {
  messages: Message[];
  has_more: boolean;
}

export interface CardConfig {
  type: string;
  entry_id?: string;
  device_id?: string;
  title?: string;
  threads?: number;
  show_reply?: boolean;
}

/** An error as Home Assistant's websocket API rejects with it. */
export interface HassError {
  code?: string;
  message?: string;
}
