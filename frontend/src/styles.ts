// The card's looks: Home Assistant's theme variables only, so light and dark both work.

import { css } from "lit";

export const cardStyles = css`
  :host {
    display: block;
  }
  ha-card {
    height: 100%;
    display: flex;
    flex-direction: column;
    overflow: hidden;
  }
  .content {
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
    color: var(--primary-text-color);
  }
  button {
    font: inherit;
    color: inherit;
  }
  button:focus-visible,
  textarea:focus-visible {
    outline: 2px solid var(--primary-color);
    outline-offset: -2px;
  }
  svg {
    width: 24px;
    height: 24px;
    fill: currentColor;
    flex: none;
  }
  .state {
    padding: 24px 16px;
    text-align: center;
    color: var(--secondary-text-color);
  }
  .state .sub {
    display: block;
    margin-top: 4px;
    font-size: 12px;
  }

  /* The list of threads. */
  .threads {
    list-style: none;
    margin: 0;
    padding: 0 0 8px;
    overflow-y: auto;
    min-height: 0;
  }
  .threads li + li {
    border-top: 1px solid var(--divider-color);
  }
  .thread {
    display: flex;
    align-items: center;
    gap: 12px;
    width: 100%;
    box-sizing: border-box;
    padding: 10px 16px;
    border: 0;
    background: none;
    text-align: start;
    cursor: pointer;
  }
  .thread:hover {
    background: var(--secondary-background-color);
  }
  .avatar {
    flex: none;
    width: 40px;
    height: 40px;
    border-radius: 50%;
    display: flex;
    align-items: center;
    justify-content: center;
    background: var(--secondary-background-color);
    color: var(--secondary-text-color);
    font-weight: 500;
    font-size: 16px;
  }
  .main {
    flex: 1;
    min-width: 0;
    display: flex;
    flex-direction: column;
    gap: 2px;
  }
  .row {
    display: flex;
    align-items: baseline;
    gap: 8px;
    min-width: 0;
  }
  .name {
    flex: 1;
    min-width: 0;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    font-weight: 500;
    color: var(--primary-text-color);
  }
  .when {
    flex: none;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .preview {
    flex: 1;
    min-width: 0;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
    font-size: 14px;
    color: var(--secondary-text-color);
  }
  .thread.unread .name,
  .thread.unread .preview {
    font-weight: 600;
    color: var(--primary-text-color);
  }
  .thread.unread .when {
    color: var(--primary-color);
  }
  .badge {
    flex: none;
    align-self: center;
    min-width: 20px;
    height: 20px;
    box-sizing: border-box;
    padding: 0 6px;
    border-radius: 10px;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    background: var(--primary-color);
    color: var(--text-primary-color);
    font-size: 12px;
    font-weight: 600;
  }

  /* One thread. */
  .thread-view {
    flex: 1;
    min-height: 0;
    display: flex;
    flex-direction: column;
  }
  .thread-header {
    display: flex;
    align-items: center;
    gap: 4px;
    padding: 4px 8px;
    border-bottom: 1px solid var(--divider-color);
  }
  .who {
    flex: 1;
    min-width: 0;
  }
  .who .name {
    display: block;
  }
  .who .number {
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .icon-button {
    flex: none;
    width: 40px;
    height: 40px;
    padding: 0;
    border: 0;
    border-radius: 50%;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    background: none;
    color: var(--primary-text-color);
    cursor: pointer;
  }
  .messages {
    flex: 1;
    min-height: 120px;
    max-height: var(--esendex-messages-height, 420px);
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 8px 12px;
    display: flex;
    flex-direction: column;
    gap: 4px;
  }
  .load-earlier {
    align-self: center;
    margin-bottom: 4px;
    padding: 4px 12px;
    border: 1px solid var(--divider-color);
    border-radius: 16px;
    background: none;
    color: var(--primary-color);
    font-size: 13px;
    cursor: pointer;
  }
  .load-earlier[disabled] {
    cursor: default;
    color: var(--secondary-text-color);
  }
  .divider {
    align-self: stretch;
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 8px 0 4px;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .divider::before,
  .divider::after {
    content: "";
    flex: 1;
    border-top: 1px solid var(--divider-color);
  }
  .message {
    display: flex;
    flex-direction: column;
    max-width: 80%;
    min-width: 0;
  }
  .message.in {
    align-self: flex-start;
    align-items: flex-start;
  }
  .message.out {
    align-self: flex-end;
    align-items: flex-end;
  }
  .bubble {
    max-width: 100%;
    box-sizing: border-box;
    padding: 8px 12px;
    border-radius: 18px;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    line-height: 1.35;
    font-size: 14px;
  }
  .in .bubble {
    background: var(--secondary-background-color);
    color: var(--primary-text-color);
    border-bottom-left-radius: 4px;
  }
  .out .bubble {
    background: var(--primary-color);
    color: var(--text-primary-color);
    border-bottom-right-radius: 4px;
  }
  .out.failed .bubble {
    box-shadow: 0 0 0 1px var(--error-color);
  }
  .meta {
    display: flex;
    align-items: center;
    gap: 6px;
    padding: 2px 6px 0;
    font-size: 11px;
    color: var(--secondary-text-color);
  }
  .assist {
    padding: 0 6px;
    border: 1px solid var(--divider-color);
    border-radius: 8px;
  }
  .tick {
    font-size: 12px;
    line-height: 1;
  }
  .tick.delivered {
    color: var(--primary-color);
    letter-spacing: -0.3em;
    padding-right: 0.3em;
  }
  .tick.failed {
    padding: 0 2px;
    border: 0;
    background: none;
    color: var(--error-color);
    font-size: 14px;
    cursor: pointer;
  }
  .reason {
    padding: 2px 6px 4px;
    font-size: 12px;
    color: var(--error-color);
    overflow-wrap: anywhere;
  }
  .message.system {
    display: block;
    align-self: center;
    max-width: 90%;
    padding: 4px 8px;
    text-align: center;
    font-size: 12px;
    color: var(--secondary-text-color);
  }

  /* The reply box. */
  .reply {
    padding: 8px 12px 12px;
    border-top: 1px solid var(--divider-color);
  }
  .reply-row {
    display: flex;
    align-items: flex-end;
    gap: 8px;
  }
  textarea {
    flex: 1;
    min-width: 0;
    box-sizing: border-box;
    min-height: 40px;
    max-height: 140px;
    field-sizing: content;
    resize: none;
    overflow-y: auto;
    padding: 9px 14px;
    border: 1px solid var(--divider-color);
    border-radius: 20px;
    background: var(--ha-card-background, var(--card-background-color));
    color: var(--primary-text-color);
    font: inherit;
    font-size: 14px;
    line-height: 20px;
  }
  textarea:focus {
    border-color: var(--primary-color);
  }
  textarea::placeholder {
    color: var(--secondary-text-color);
  }
  .send {
    background: var(--primary-color);
    color: var(--text-primary-color);
  }
  .send[disabled] {
    background: var(--secondary-background-color);
    color: var(--secondary-text-color);
    cursor: default;
  }
  .reply-info {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 8px;
    padding: 4px 14px 0;
    font-size: 12px;
    color: var(--secondary-text-color);
  }
  .encoding {
    color: var(--primary-color);
  }
  .error {
    padding: 4px 14px 0;
    font-size: 13px;
    color: var(--error-color);
    overflow-wrap: anywhere;
  }
  .receive-only {
    padding: 8px 16px 12px;
    border-top: 1px solid var(--divider-color);
    font-size: 12px;
    color: var(--secondary-text-color);
    text-align: center;
  }
`;
