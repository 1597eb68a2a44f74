/**
 * The channels the filter offers. There is no channel list endpoint; the KPI answer names every
 * channel it counts (`series.by_channel`, with zh/en names), so the page keeps each channel it has
 * seen, across ranges, to offer it by name (天猫, not tmall).
 */
import type { ChannelPoint, Names } from "./types";

export interface KnownChannel {
  code: string;
  name: Names;
}

/** `known` with the channels of `points` added or renamed; the same array when nothing changed. */
export function mergeChannels(known: KnownChannel[], points: Pick<ChannelPoint, "channel" | "name">[]): KnownChannel[] {
  let next = known;
  for (const point of points) {
    const index = next.findIndex((channel) => channel.code === point.channel);
    const same = index >= 0 && next[index].name.zh === point.name.zh && next[index].name.en === point.name.en;
    if (same) continue;
    if (next === known) next = [...known];
    if (index >= 0) next[index] = { code: point.channel, name: point.name };
    else next.push({ code: point.channel, name: point.name });
  }
  return next;
}
