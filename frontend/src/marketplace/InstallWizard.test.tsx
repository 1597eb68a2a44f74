import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { FlowDocument } from "../api/types";
import { I18nProvider } from "../i18n/i18n";
import type { Need, TemplateDetail } from "./api";
import { InstallWizard } from "./InstallWizard";

const sms: Need = {
  key: "sms",
  connector: "aliyun_sms",
  connector_title: { zh: "阿里云短信", en: "Aliyun SMS" },
  title: { zh: "发短信用的连接", en: "The SMS connection" },
  present: false,
  options: [],
  connect_url: "/app/connections/new/aliyun_sms",
  explanation: { zh: "需要先接入「阿里云短信」。", en: "Connect Aliyun SMS first." },
};

const template = (needs: Need[]): TemplateDetail => ({
  key: "signed-complete-sms",
  recipe: 1,
  version: 1,
  title: { zh: "签收后自动完成订单并短信通知", en: "Signed" },
  description: { zh: "", en: "" },
  category: "logistics",
  category_title: { zh: "物流", en: "Logistics" },
  tags: [],
  connectors: needs.map((need) => need.connector),
  connector_titles: needs.map((need) => need.connector_title),
  trigger: "event",
  nodes: 2,
  parameters: [
    {
      key: "template_code",
      type: "text",
      title: { zh: "短信模板编号", en: "SMS template code" },
      help: {},
      default: "SMS_ORDER_SIGNED",
      required: true,
      "x-picker": "message_template",
    },
    {
      key: "priority",
      type: "enum",
      title: { zh: "优先级", en: "Priority" },
      help: {},
      default: "high",
      required: true,
      enum: ["normal", "high"],
      "x-enum-labels": { normal: { zh: "普通", en: "Normal" }, high: { zh: "高", en: "High" } },
    },
  ],
  ready: needs.every((need) => need.present),
  missing_connectors: needs.filter((need) => !need.present).map((need) => need.connector),
  changelog: [],
  needs,
  document: {} as FlowDocument,
});

const render = (detail: TemplateDetail) =>
  renderToStaticMarkup(
    <I18nProvider>
      <InstallWizard template={detail} onDone={() => undefined} />
    </I18nProvider>,
  );

describe("the install wizard", () => {
  it("explains a missing connection and links to the Connections page instead of failing", () => {
    const markup = render(template([sms]));
    expect(markup).toContain("需要先接入「阿里云短信」。");
    expect(markup).toContain('href="/app/connections/new/aliyun_sms"');
    expect(markup).toContain("去「连接」页面接入");
  });

  it("offers the present connections, the sandbox first", () => {
    const present = { ...sms, present: true, explanation: null, options: [{ id: 7, name: "短信沙箱", sandbox: true }] };
    const markup = render(template([present]));
    expect(markup).toMatch(/<select id="connection-sms"><option value="7" selected="">短信沙箱<\/option><\/select>/);
  });

  it("asks the parameters with a picker's suggestions and an enum's labels, never raw JSON", () => {
    const markup = render(template([]));
    expect(markup).toMatch(
      /<input id="param-template_code" list="param-template_code-options" value="SMS_ORDER_SIGNED"\/>/,
    );
    expect(markup).toContain('<option value="high" selected="">高</option>');
    expect(markup).not.toContain("textarea");
  });
});
