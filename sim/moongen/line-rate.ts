/**
 * Ethernet line rate as opnfv-vsperf.lua computes it (getLineRateMpps):
 * every frame also occupies 64 bits of preamble and 96 bits of inter-frame
 * gap on the wire, 20 bytes in all on top of the frame (which includes CRC).
 */

const PREAMBLE_BYTES = 8;
const INTER_FRAME_GAP_BYTES = 12;
export const L1_OVERHEAD_BYTES = PREAMBLE_BYTES + INTER_FRAME_GAP_BYTES;

/** Frames per second, in millions, that one direction of a link of `linkBitsPerS` carries. */
export function lineRateMpps(linkBitsPerS: number, frameSize: number): number {
  return linkBitsPerS / ((frameSize + L1_OVERHEAD_BYTES) * 8) / 1e6;
}
