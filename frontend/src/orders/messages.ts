/** The strings of the orders pages, in Simplified Chinese and English (merged into i18n/messages.ts). */
export const ordersMessages = {} as const;
