/** Small pieces of the board: an order's status, channel, amount and flags, by their names. */
import { Link } from "../../app/router";
import { useI18n } from "../../i18n/i18n";
import type { MessageKey } from "../../i18n/messages";
import type { Order } from "./api";

/** A status by its name (已支付), never its code. */
export function OrderStatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const key = `orderStatus.${status}` as MessageKey;
  const name = t(key);
  return <span className={`badge order-status order-status-${status}`}>{name === key ? status : name}</span>;
}

/** A channel's name (天猫旗舰店) from the channels list; its code only while that list is loading or for one it lacks. */
export function channelName(names: ReadonlyMap<string, string>, code: string): string {
  return names.get(code) ?? code;
}

export function money(amount: string, currency: string): string {
  const symbol = currency === "CNY" ? "¥" : `${currency} `;
  return `${symbol}${amount}`;
}

/** The "held" and "overdue" flags of an order, when it has them. */
export function OrderFlags({ order }: { order: Pick<Order, "on_hold" | "hold_reason" | "overdue"> }) {
  const { t } = useI18n();
  return (
    <>
      {order.on_hold && (
        <span className="badge board-flag board-held" title={order.hold_reason}>
          {t("orders.board.held")}
        </span>
      )}
      {order.overdue && <span className="badge board-flag board-overdue">{t("orders.board.overdue")}</span>}
    </>
  );
}

export function OrderLink({ order }: { order: Pick<Order, "id" | "number"> }) {
  return (
    <Link to={`/orders/${order.id}`} className="order-number">
      {order.number}
    </Link>
  );
}
