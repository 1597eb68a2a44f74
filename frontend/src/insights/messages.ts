/** The strings of the insights pages, in Simplified Chinese and English (merged into i18n/messages.ts). */
export const insightsMessages = {} as const;
