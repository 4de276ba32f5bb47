/**
 * Ethernet line-rate arithmetic. Every frame on the wire also occupies 8 B of
 * preamble and 12 B of inter-frame gap, so rates "with L1 overhead" add 20 B
 * to the frame size (which already includes the CRC).
 */

export const L1_OVERHEAD_BYTES = 20;

/** Link speeds real labs use, in Gbit/s. */
export const LINK_SPEEDS_GBPS = [1, 10, 25, 40, 100] as const;
export type LinkSpeedGbps = (typeof LINK_SPEEDS_GBPS)[number];

/** RFC 2544 standard Ethernet frame sizes. */
export const RFC2544_FRAME_SIZES = [64, 128, 256, 512, 1024, 1280, 1518] as const;

/** Frames per second one direction of a link carries at 100 % load. */
export function lineRateFps(linkGbps: number, frameSize: number): number {
  return (linkGbps * 1e9) / ((frameSize + L1_OVERHEAD_BYTES) * 8);
}

export function lineRateMpps(linkGbps: number, frameSize: number): number {
  return lineRateFps(linkGbps, frameSize) / 1e6;
}

/** Megabits per second on the wire (L1) for a frame rate in Mpps. */
export function mppsToL1Mbps(mpps: number, frameSize: number): number {
  return mpps * (frameSize + L1_OVERHEAD_BYTES) * 8;
}

/** Parses "10G", "10", "25g", "100G" into a supported link speed. */
export function parseLinkSpeed(text: string): LinkSpeedGbps {
  const m = /^\s*(\d+)\s*(g|gb|gbe|gbps)?\s*$/i.exec(text);
  const n = m ? Number(m[1]) : NaN;
  const found = LINK_SPEEDS_GBPS.find((s) => s === n);
  if (found === undefined) {
    throw new Error(`link speed: expected one of ${LINK_SPEEDS_GBPS.join('G, ')}G, found "${text}"`);
  }
  return found;
}
