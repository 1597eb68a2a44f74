/** The roles that may work orders: hold, release, tag, note, move, create (core.accounts.roles.ORDER_WORKERS). */
export const ORDER_WORKERS = ["operator", "supervisor", "admin"];
