/** The strings of the stock pages, in Simplified Chinese and English (merged into i18n/messages.ts). */
export const stockMessages = {} as const;
