/** The notification log on a notification connection's page. */
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { NotificationLog } from "../api/connections";
import { I18nProvider } from "../i18n/i18n";
import { NotificationsTable } from "./ConnectionDetailPage";

const sent: NotificationLog = {
  id: 3,
  channel: "sms",
  connection: 9,
  recipient_masked: "138****5678",
  template: "SMS_ORDER_SIGNED",
  rendered_length: 24,
  marketing: false,
  status: "sent",
  provider_message_id: "biz-1",
  provider_response: {},
  attempts: 1,
  max_retries: 3,
  next_attempt_at: null,
  last_error: "",
  order: 41,
  sent_at: "2026-03-01T09:00:00Z",
  created_at: "2026-03-01T09:00:00Z",
  updated_at: "2026-03-01T09:00:00Z",
};
const dead: NotificationLog = {
  ...sent,
  id: 4,
  status: "dead",
  attempts: 4,
  order: null,
  last_error: "isv.MOBILE_NUMBER_ILLEGAL",
};

const render = (rows: NotificationLog[]) =>
  renderToStaticMarkup(
    <I18nProvider>
      <NotificationsTable rows={rows} />
    </I18nProvider>,
  );

describe("the notification log", () => {
  it("shows each message masked, with its status in words and its order linked", () => {
    const markup = render([sent]);
    expect(markup).toContain("138****5678");
    expect(markup).toContain("已发送");
    expect(markup).toContain('href="/app/orders/41"');
  });

  it("marks a message given up, with the provider's error", () => {
    const markup = render([dead]);
    expect(markup).toContain("已放弃");
    expect(markup).toMatch(/<td class="danger">isv.MOBILE_NUMBER_ILLEGAL<\/td>/);
  });
});
