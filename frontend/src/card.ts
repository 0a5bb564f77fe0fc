// The card element: SMS threads of one Esendex SMS entry, live, with a reply box.

import { LitElement, html, nothing, svg, type PropertyValues, type TemplateResult } from "lit";

import { DEFAULT_THREADS, resolveConfig, targetOf, type ResolvedConfig } from "./config";
import { EDITOR_TAG } from "./editor";
import { countSegments } from "./segments";
import { format, stringsFor, type Strings } from "./strings";
import { cardStyles } from "./styles";
import {
  canReplyTo,
  formatNumber,
  markThreadRead,
  mergePage,
  needsMarkRead,
  sortThreads,
  threadName,
  upsertMessage,
  upsertThread,
} from "./threads";
import { tickFor } from "./ticks";
import { dayKey, dividerLabel, exactTime, hour12Of, intlLocale, listTime, relativeTime } from "./time";
import type {
  CardConfig,
  HassError,
  HomeAssistant,
  Message,
  SubscriptionEvent,
  Thread,
  ThreadPage,
  Unsubscribe,
} from "./types";

/** Waits between tries to subscribe again, the last one repeated. */
export const RETRY_DELAYS = [2_000, 4_000, 8_000, 16_000, 30_000];
/** How often relative times are drawn again. */
export const TICK_INTERVAL = 30_000;
/** Messages per page of a thread. */
export const PAGE_SIZE = 50;
/** Within this many pixels of the end, the thread counts as scrolled to the bottom. */
const BOTTOM_SLACK = 48;

type Status = "loading" | "ready" | "unavailable" | "unauthorized";

const ARROW_LEFT = svg`<path d="M20,11V13H8L13.5,18.5L12.08,19.92L4.16,12L12.08,4.08L13.5,5.5L8,11H20Z"></path>`;
const SEND = svg`<path d="M2,21L23,12L2,3V10L17,12L2,14V21Z"></path>`;
const ACCOUNT = svg`<path d="M12,4A4,4 0 0,1 16,8A4,4 0 0,1 12,12A4,4 0 0,1 8,8A4,4 0 0,1 12,4M12,14C16.42,14 20,15.79 20,18V20H4V18C4,15.79 7.58,14 12,14Z"></path>`;

function icon(path: ReturnType<typeof svg>): TemplateResult {
  return html`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${path}</svg>`;
}

function errorMessage(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    const message = (error as HassError).message;
    if (message) return message;
  }
  return String(error);
}

function quietly(unsubscribe: Unsubscribe): void {
  try {
    // After `closed` the backend has already ended it and answers with an error.
    Promise.resolve(unsubscribe()).catch(() => undefined);
  } catch {
    // Nothing to undo.
  }
}

export class EsendexMessagesCard extends LitElement {
  static override styles = cardStyles;

  static override properties = {
    _config: { state: true },
    _status: { state: true },
    _threads: { state: true },
    _canSend: { state: true },
    _entryId: { state: true },
    _open: { state: true },
    _messages: { state: true },
    _hasMore: { state: true },
    _loadingThread: { state: true },
    _loadingEarlier: { state: true },
    _threadError: { state: true },
    _drafts: { state: true },
    _sending: { state: true },
    _sendError: { state: true },
    _reasonShown: { state: true },
    _now: { state: true },
  };

  declare _config?: ResolvedConfig;
  declare _status: Status;
  declare _threads: Thread[];
  declare _canSend: boolean;
  declare _entryId?: string;
  declare _open: string | null;
  declare _messages: Message[];
  declare _hasMore: boolean;
  declare _loadingThread: boolean;
  declare _loadingEarlier: boolean;
  declare _threadError: string | null;
  declare _drafts: Record<string, string>;
  declare _sending: boolean;
  declare _sendError: { number: string; message: string } | null;
  declare _reasonShown: string | null;
  declare _now: number;

  private _hass?: HomeAssistant;
  private _connected = false;
  private _unsubscribe?: Unsubscribe;
  private _subscribing = false;
  /** Bumped to forget a subscription (or a try at one) that is no longer wanted. */
  private _generation = 0;
  private _retryTimer?: ReturnType<typeof setTimeout>;
  private _retries = 0;
  private _ticker?: ReturnType<typeof setInterval>;
  /** Bumped when the open thread changes, to drop pages of another one. */
  private _threadGeneration = 0;
  private _scrollToEnd = false;
  private _keepFromEnd: number | null = null;

  constructor() {
    super();
    this._status = "loading";
    this._threads = [];
    this._canSend = false;
    this._open = null;
    this._messages = [];
    this._hasMore = false;
    this._loadingThread = false;
    this._loadingEarlier = false;
    this._threadError = null;
    this._drafts = {};
    this._sending = false;
    this._sendError = null;
    this._reasonShown = null;
    this._now = Date.now();
  }

  // Home Assistant sets hass on every state change anywhere: draw again only when
  // what the card shows from it (the language) changes.
  set hass(hass: HomeAssistant) {
    const old = this._hass;
    this._hass = hass;
    if (
      !old ||
      old.language !== hass.language ||
      old.locale?.language !== hass.locale?.language ||
      old.locale?.time_format !== hass.locale?.time_format
    ) {
      this.requestUpdate();
    }
    this._ensureSubscribed();
  }

  get hass(): HomeAssistant | undefined {
    return this._hass;
  }

  setConfig(config: CardConfig): void {
    const resolved = resolveConfig(config);
    const old = this._config;
    this._config = resolved;
    if (old && (old.entry_id !== resolved.entry_id || old.device_id !== resolved.device_id)) {
      this._resetSubscription();
    } else {
      this._ensureSubscribed();
    }
  }

  static getConfigElement(): HTMLElement {
    return document.createElement(EDITOR_TAG);
  }

  static async getStubConfig(hass: HomeAssistant): Promise<Record<string, unknown>> {
    const stub: Record<string, unknown> = {};
    try {
      const entries = await hass.callWS<{ entry_id: string; state?: string }[]>({
        type: "config_entries/get",
        domain: "esendex",
      });
      const entry = entries.find((item) => item.state === "loaded") ?? entries[0];
      if (entry) stub.entry_id = entry.entry_id;
    } catch {
      // No entry to offer: the preview asks for one.
    }
    return { ...stub, threads: DEFAULT_THREADS, show_reply: true };
  }

  getCardSize(): number {
    return 1 + Math.min(this._config?.threads ?? DEFAULT_THREADS, 8);
  }

  getGridOptions(): Record<string, number | string> {
    return { columns: 12, min_columns: 6, rows: "auto" };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this._connected = true;
    this._now = Date.now();
    this._ticker = setInterval(() => {
      this._now = Date.now();
    }, TICK_INTERVAL);
    this._ensureSubscribed();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._connected = false;
    if (this._ticker !== undefined) clearInterval(this._ticker);
    this._ticker = undefined;
    this._dropSubscription();
  }

  // The subscription.

  private _subscriptionTarget(): Record<string, string> {
    return targetOf(this._config!) as Record<string, string>;
  }

  /** What the other commands name the entry by: its id once the backend said it. */
  private _target(): Record<string, string> {
    return this._entryId ? { entry_id: this._entryId } : this._subscriptionTarget();
  }

  private _ensureSubscribed(): void {
    if (!this._connected || !this._hass || !this._config) return;
    if (this._unsubscribe || this._subscribing || this._retryTimer !== undefined) return;
    void this._subscribe();
  }

  private async _subscribe(): Promise<void> {
    const hass = this._hass!;
    const generation = ++this._generation;
    this._subscribing = true;
    try {
      const unsubscribe = await hass.connection.subscribeMessage<SubscriptionEvent>(
        (event) => {
          if (generation === this._generation) this._onEvent(event);
        },
        { type: "esendex/messages/subscribe", ...this._subscriptionTarget() },
      );
      if (generation !== this._generation) {
        quietly(unsubscribe);
        return;
      }
      this._unsubscribe = unsubscribe;
    } catch (error) {
      if (generation !== this._generation) return;
      // not_found: the entry is not (yet) loaded; anything else may pass too (the
      // options may come to allow non-administrators), so keep trying, slowly.
      this._status = (error as HassError)?.code === "unauthorized" ? "unauthorized" : "unavailable";
      this._scheduleRetry();
    } finally {
      if (generation === this._generation) this._subscribing = false;
    }
  }

  private _scheduleRetry(): void {
    if (!this._connected || this._retryTimer !== undefined) return;
    const delay = RETRY_DELAYS[Math.min(this._retries, RETRY_DELAYS.length - 1)];
    this._retries += 1;
    this._retryTimer = setTimeout(() => {
      this._retryTimer = undefined;
      this._ensureSubscribed();
    }, delay);
  }

  private _dropSubscription(): void {
    this._generation += 1;
    this._subscribing = false;
    if (this._retryTimer !== undefined) clearTimeout(this._retryTimer);
    this._retryTimer = undefined;
    const unsubscribe = this._unsubscribe;
    this._unsubscribe = undefined;
    if (unsubscribe) quietly(unsubscribe);
  }

  private _resetSubscription(): void {
    this._dropSubscription();
    this._retries = 0;
    this._status = "loading";
    this._threads = [];
    this._entryId = undefined;
    this._closeThread();
    this._ensureSubscribed();
  }

  private _onEvent(event: SubscriptionEvent): void {
    this._now = Date.now();
    switch (event.type) {
      case "threads":
        this._threads = sortThreads(event.threads ?? []);
        this._canSend = event.can_send === true;
        this._entryId = event.entry_id ?? this._config?.entry_id;
        this._status = "ready";
        this._retries = 0;
        // Back after a `closed` (or a reconnect): what the open thread missed.
        if (this._open !== null) {
          void this._loadLatest(this._open, false);
          if (this._threads.some((thread) => thread.number === this._open && thread.unread > 0)) {
            this._threads = markThreadRead(this._threads, this._open);
            this._markRead(this._open);
          }
        }
        break;
      case "message":
        this._onMessage(event.message, event.thread);
        break;
      case "thread":
        this._threads = upsertThread(this._threads, event.thread);
        break;
      case "closed":
        this._dropSubscription();
        this._status = "unavailable";
        this._scheduleRetry();
        break;
    }
  }

  private _onMessage(message: Message, thread: Thread | undefined): void {
    let threads = thread ? upsertThread(this._threads, thread) : this._threads;
    if (this._open !== null && message.number === this._open) {
      const known = this._messages.some((item) => item.id === message.id);
      const atEnd = this._atEnd();
      this._messages = upsertMessage(this._messages, message);
      if (!known) {
        if (atEnd || message.direction === "out") this._scrollToEnd = true;
        if (needsMarkRead(message, this._open)) {
          threads = markThreadRead(threads, this._open);
          this._markRead(this._open);
        }
      }
    }
    this._threads = threads;
  }

  private _markRead(number: string): void {
    this._hass
      ?.callWS({ type: "esendex/messages/mark_read", ...this._target(), number })
      .catch(() => undefined);
  }

  // The open thread.

  private _openThread(number: string): void {
    this._threadGeneration += 1;
    this._open = number;
    this._messages = [];
    this._hasMore = false;
    this._threadError = null;
    this._sendError = null;
    this._reasonShown = null;
    this._threads = markThreadRead(this._threads, number);
    this._markRead(number);
    void this._loadLatest(number, true);
  }

  private _closeThread(): void {
    this._threadGeneration += 1;
    this._open = null;
    this._messages = [];
    this._hasMore = false;
    this._loadingThread = false;
    this._loadingEarlier = false;
    this._threadError = null;
    this._reasonShown = null;
  }

  private async _loadLatest(number: string, first: boolean): Promise<void> {
    const hass = this._hass;
    if (!hass) return;
    const generation = this._threadGeneration;
    this._loadingThread = true;
    try {
      const page = await hass.callWS<ThreadPage>({
        type: "esendex/messages/thread",
        ...this._target(),
        number,
        limit: PAGE_SIZE,
      });
      if (generation !== this._threadGeneration) return;
      const held = this._messages.length > 0;
      const atEnd = this._atEnd();
      this._messages = mergePage(this._messages, page.messages ?? []);
      // Where earlier pages are held, the latest page's has_more says nothing of them.
      if (!held) this._hasMore = page.has_more === true;
      if (first || atEnd) this._scrollToEnd = true;
      this._threadError = null;
    } catch (error) {
      if (generation === this._threadGeneration) this._threadError = errorMessage(error);
    } finally {
      if (generation === this._threadGeneration) this._loadingThread = false;
    }
  }

  private async _loadEarlier(): Promise<void> {
    const hass = this._hass;
    const number = this._open;
    const oldest = this._messages[0];
    if (!hass || number === null || !oldest || this._loadingEarlier) return;
    const generation = this._threadGeneration;
    this._loadingEarlier = true;
    try {
      const page = await hass.callWS<ThreadPage>({
        type: "esendex/messages/thread",
        ...this._target(),
        number,
        limit: PAGE_SIZE,
        before: oldest.id,
      });
      if (generation !== this._threadGeneration) return;
      const scroller = this._scroller();
      if (scroller) this._keepFromEnd = scroller.scrollHeight - scroller.scrollTop;
      this._messages = mergePage(this._messages, page.messages ?? []);
      this._hasMore = page.has_more === true;
    } catch (error) {
      if (generation === this._threadGeneration) this._threadError = errorMessage(error);
    } finally {
      if (generation === this._threadGeneration) this._loadingEarlier = false;
    }
  }

  private _scroller(): HTMLElement | null {
    return this.renderRoot?.querySelector<HTMLElement>(".messages") ?? null;
  }

  private _atEnd(): boolean {
    const scroller = this._scroller();
    if (!scroller) return true;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= BOTTOM_SLACK;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    const scroller = this._scroller();
    if (!scroller) return;
    if (this._keepFromEnd !== null) {
      scroller.scrollTop = scroller.scrollHeight - this._keepFromEnd;
      this._keepFromEnd = null;
    } else if (this._scrollToEnd) {
      scroller.scrollTop = scroller.scrollHeight;
    }
    this._scrollToEnd = false;
  }

  // Replying.

  private _canReply(): boolean {
    return (
      this._config?.show_reply !== false &&
      this._canSend &&
      Boolean(this._entryId) &&
      this._open !== null &&
      canReplyTo(this._open)
    );
  }

  private _draft(): string {
    return this._open === null ? "" : (this._drafts[this._open] ?? "");
  }

  private _onInput(event: Event): void {
    const textarea = event.target as HTMLTextAreaElement;
    if (this._open === null) return;
    this._drafts = { ...this._drafts, [this._open]: textarea.value };
    if (this._sendError?.number === this._open) this._sendError = null;
  }

  private _onKeyDown(event: KeyboardEvent): void {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) {
      return;
    }
    event.preventDefault();
    void this._send();
  }

  private async _send(): Promise<void> {
    const hass = this._hass;
    const number = this._open;
    const entryId = this._entryId;
    if (!hass || number === null || !entryId || this._sending) return;
    const text = (this._drafts[number] ?? "").trim();
    if (!text) return;
    this._sending = true;
    this._sendError = null;
    try {
      await hass.callService(
        "esendex",
        "send_sms",
        { config_entry_id: entryId, to: [formatNumber(number)], message: text },
        undefined,
        false,
        true,
      );
      // The message itself comes as the subscription's `message` event.
      this._drafts = { ...this._drafts, [number]: "" };
      if (this._open === number) this._scrollToEnd = true;
    } catch (error) {
      this._sendError = { number, message: errorMessage(error) };
    } finally {
      this._sending = false;
    }
    await this.updateComplete;
    if (this._open === number) {
      this.renderRoot.querySelector<HTMLTextAreaElement>("textarea")?.focus();
    }
  }

  // Drawing.

  private _strings(): Strings {
    return stringsFor(this._hass?.locale?.language ?? this._hass?.language);
  }

  private _locale(): string {
    return intlLocale(this._hass?.locale?.language || this._hass?.language);
  }

  protected override render(): TemplateResult | typeof nothing {
    if (!this._config) return nothing;
    const strings = this._strings();
    return html`<ha-card .header=${this._config.title}>
      <div class="content">${this._renderBody(strings)}</div>
    </ha-card>`;
  }

  private _renderBody(strings: Strings): TemplateResult {
    if (this._status === "loading") {
      return html`<div class="state" role="status">${strings.loading}</div>`;
    }
    if (this._status === "unavailable" || this._status === "unauthorized") {
      return html`<div class="state" data-testid="not-available" role="status">
        ${this._status === "unauthorized" ? strings.not_allowed : strings.not_available}
        <span class="sub">${strings.retrying}</span>
      </div>`;
    }
    return this._open === null ? this._renderList(strings) : this._renderThread(strings, this._open);
  }

  private _renderList(strings: Strings): TemplateResult {
    const shown = this._threads.slice(0, this._config!.threads);
    if (!shown.length) {
      return html`<div class="state">${strings.no_messages}</div>`;
    }
    const now = new Date(this._now);
    const locale = this._locale();
    const hour12 = hour12Of(this._hass?.locale?.time_format);
    return html`<ul class="threads" role="list">
      ${shown.map((thread) => {
        const name = threadName(thread);
        const last = thread.last;
        const preview = !last
          ? ""
          : last.kind === "opt_out"
            ? strings.opted_out
            : `${last.direction === "out" ? strings.you : ""}${last.text}`;
        const time = last ? new Date(last.time) : null;
        const unread = thread.unread > 0 ? format(strings.unread, { n: thread.unread }) : "";
        const label = [name, preview, unread].filter(Boolean).join(", ");
        return html`<li>
          <button
            class="thread ${thread.unread > 0 ? "unread" : ""}"
            data-testid="thread-item"
            data-number=${thread.number}
            aria-label=${label}
            @click=${() => this._openThread(thread.number)}
          >
            <span class="avatar" aria-hidden="true"
              >${thread.contact ? Array.from(thread.contact.trim())[0]?.toUpperCase() : icon(ACCOUNT)}</span
            >
            <span class="main">
              <span class="row">
                <span class="name">${name}</span>
                ${time
                  ? html`<time
                      class="when"
                      datetime=${last.time}
                      title=${exactTime(time, locale, hour12)}
                      >${listTime(time, now, locale, strings, hour12)}</time
                    >`
                  : nothing}
              </span>
              <span class="row">
                <span class="preview">${preview}</span>
                ${thread.unread > 0
                  ? html`<span class="badge" data-testid="unread-badge" aria-hidden="true"
                      >${thread.unread}</span
                    >`
                  : nothing}
              </span>
            </span>
          </button>
        </li>`;
      })}
    </ul>`;
  }

  private _renderThread(strings: Strings, number: string): TemplateResult {
    const thread = this._threads.find((item) => item.number === number);
    const name = thread ? threadName(thread) : formatNumber(number);
    const reply = this._canReply();
    return html`<div class="thread-view">
      <div class="thread-header">
        <button
          class="icon-button"
          data-testid="back"
          aria-label=${strings.back}
          title=${strings.back}
          @click=${() => this._closeThread()}
        >
          ${icon(ARROW_LEFT)}
        </button>
        <div class="who">
          <span class="name">${name}</span>
          ${thread?.contact ? html`<span class="number">${formatNumber(number)}</span>` : nothing}
        </div>
      </div>
      <div class="messages" role="log">
        ${this._hasMore
          ? html`<button
              class="load-earlier"
              data-testid="load-earlier"
              ?disabled=${this._loadingEarlier}
              @click=${() => this._loadEarlier()}
            >
              ${this._loadingEarlier ? strings.loading : strings.load_earlier}
            </button>`
          : nothing}
        ${this._loadingThread && !this._messages.length
          ? html`<div class="state" role="status">${strings.loading}</div>`
          : nothing}
        ${this._threadError
          ? html`<div class="state error" role="alert">${this._threadError}</div>`
          : nothing}
        ${this._renderMessages(strings)}
      </div>
      ${reply
        ? this._renderReply(strings, number)
        : this._config!.show_reply && !this._canSend
          ? html`<div class="receive-only">${strings.receive_only}</div>`
          : nothing}
    </div>`;
  }

  private _renderMessages(strings: Strings): TemplateResult[] {
    const now = new Date(this._now);
    const locale = this._locale();
    const hour12 = hour12Of(this._hass?.locale?.time_format);
    const items: TemplateResult[] = [];
    let day: string | null = null;
    for (const message of this._messages) {
      const time = new Date(message.time);
      const valid = !Number.isNaN(time.getTime());
      const key = valid ? dayKey(time) : "";
      if (valid && key !== day) {
        items.push(
          html`<div class="divider" role="separator">${dividerLabel(time, now, locale, strings)}</div>`,
        );
        day = key;
      }
      const when = valid
        ? html`<time datetime=${message.time} title=${exactTime(time, locale, hour12)}
            >${relativeTime(time, now, locale, hour12)}</time
          >`
        : nothing;
      if (message.kind === "opt_out") {
        items.push(html`<div
          class="message system"
          data-testid="message"
          data-id=${message.id}
          data-direction=${message.direction}
          data-status=${message.status}
        >
          <span>${strings.opted_out_line}</span>${valid ? " · " : ""}${when}
        </div>`);
        continue;
      }
      const tick = tickFor(message, strings);
      const shown = tick?.state === "failed" && this._reasonShown === message.id;
      items.push(html`<div
        class="message ${message.direction === "out" ? "out" : "in"} ${message.status}"
        data-testid="message"
        data-id=${message.id}
        data-direction=${message.direction}
        data-status=${message.status}
      >
        <div class="bubble">${message.text}</div>
        <div class="meta">
          ${message.assist ? html`<span class="assist">${strings.assist}</span>` : nothing} ${when}
          ${tick === null
            ? nothing
            : tick.state === "failed"
              ? html`<button
                  class="tick failed"
                  data-testid="tick"
                  data-status="failed"
                  title=${tick.reason ?? ""}
                  aria-label=${tick.label}
                  aria-expanded=${shown ? "true" : "false"}
                  @click=${() => {
                    this._reasonShown = shown ? null : message.id;
                  }}
                >
                  ${tick.symbol}
                </button>`
              : html`<span
                  class="tick ${tick.state}"
                  data-testid="tick"
                  data-status=${tick.state}
                  role="img"
                  aria-label=${tick.label}
                  title=${tick.label}
                  >${tick.symbol}</span
                >`}
        </div>
        ${shown ? html`<div class="reason" role="status">${tick?.reason}</div>` : nothing}
      </div>`);
    }
    return items;
  }

  private _renderReply(strings: Strings, number: string): TemplateResult {
    const draft = this._draft();
    const text = draft.trim();
    const count = countSegments(text);
    const error = this._sendError?.number === number ? this._sendError.message : null;
    return html`<div class="reply">
      <div class="reply-row">
        <textarea
          data-testid="reply-input"
          rows="1"
          .value=${draft}
          placeholder=${strings.placeholder}
          aria-label=${strings.placeholder}
          ?readonly=${this._sending}
          aria-busy=${this._sending ? "true" : "false"}
          @input=${this._onInput}
          @keydown=${this._onKeyDown}
        ></textarea>
        <button
          class="icon-button send"
          data-testid="reply-send"
          aria-label=${this._sending ? strings.sending : strings.send}
          title=${strings.send}
          ?disabled=${!text || this._sending}
          @click=${() => this._send()}
        >
          ${icon(SEND)}
        </button>
      </div>
      <div class="reply-info">
        <span data-testid="reply-counter"
          >${`${format(strings.left, { n: count.remaining })} · ${format(strings.parts, { n: count.parts })}`}</span
        >
        ${count.encoding === "ucs2"
          ? html`<span class="encoding" data-testid="reply-encoding" title=${strings.unicode_hint}
              >${strings.unicode}</span
            >`
          : nothing}
        ${this._sending ? html`<span role="status">${strings.sending}</span>` : nothing}
      </div>
      ${error ? html`<div class="error" data-testid="reply-error" role="alert">${error}</div>` : nothing}
    </div>`;
  }
}


