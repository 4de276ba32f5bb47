/**
 * How frame sizes map to bytes on veth and to the shaper's count.
 *
 * Frame sizes follow RFC 2544 / vsperf: Ethernet frames including the 4-byte FCS. veth carries no FCS and
 * no preamble or inter-frame gap, so a frame of `size` leaves the sender as size - 4 bytes (14-byte
 * Ethernet header included). A TBF/HTB shaper counts skb->len on egress: those size - 4 bytes, Ethernet
 * header included. Configured with `overhead 24` (FCS 4 + preamble 8 + IFG 12), it counts size + 20 bytes
 * per frame: exactly the L1 bytes vsperf's Mbps and line-rate % use, so a shaper of R Mbit/s passes
 * R Mbit/s "with L1 overhead" at every frame size, as an R Mbit/s Ethernet link would.
 */
import { L1_OVERHEAD_BYTES } from '../trafficgen/line-rate.ts';

export const FCS_BYTES = 4;
/** What the shaper adds to skb->len so that it counts L1 bytes: FCS + preamble + IFG. */
export const SHAPER_OVERHEAD_BYTES = FCS_BYTES + L1_OVERHEAD_BYTES;

/** Bytes a frame of `frameSize` (with FCS) occupies on veth. */
export function vethBytes(frameSize: number): number {
  return frameSize - FCS_BYTES;
}

/** Frames per second a shaper of `mbit` (counting L1 bytes) passes at `frameSize`. */
export function shapedFps(mbit: number, frameSize: number): number {
  return (mbit * 1e6) / ((frameSize + L1_OVERHEAD_BYTES) * 8);
}
