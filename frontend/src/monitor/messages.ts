/** The strings of the monitor pages, in Simplified Chinese and English (merged into i18n/messages.ts). */
export const monitorMessages = {} as const;
