import { describe, expect, it } from "vitest";

import type { CatalogAction, FlowDocument } from "../api/types";
import { withoutSecrets } from "./files";

const http = {
  key: "http.request",
  params_schema: {
    type: "object",
    properties: { url: { type: "string" }, sign_secret: { type: "string", writeOnly: true, format: "password" } },
  },
} as unknown as CatalogAction;

const document_: FlowDocument = {
  format: "orderflow.flow/v1",
  name: "Signed call",
  trigger: { type: "webhook", hmac_secret: "********", position: { x: 0, y: 0 } },
  nodes: [
    {
      id: "call",
      type: "action",
      action: "http.request",
      params: { url: "https://example.com/", sign_secret: "plain-typed-secret" },
    },
    { id: "check", type: "condition", rule: { "==": [1, 1] } },
  ],
  edges: [{ from: "trigger", to: "call" }],
};

describe("withoutSecrets", () => {
  it("drops the webhook secret and every writeOnly param, masked or typed, and keeps the rest", () => {
    const exported = withoutSecrets(document_, new Map([[http.key, http]]));

    expect(exported.trigger).toEqual({ type: "webhook", position: { x: 0, y: 0 } });
    expect(exported.nodes[0]).toEqual({
      id: "call",
      type: "action",
      action: "http.request",
      params: { url: "https://example.com/" },
    });
    expect(exported.nodes[1]).toBe(document_.nodes[1]);
    expect(JSON.stringify(exported)).not.toContain("secret");
  });

  it("keeps params of an action the catalog does not know", () => {
    const exported = withoutSecrets(document_, new Map());

    expect(exported.nodes[0]).toEqual(document_.nodes[0]);
  });
});
