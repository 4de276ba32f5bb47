/**
 * Limits the channels open at once on one SSH connection. OpenSSH refuses
 * session channels beyond MaxSessions (default 10); every exec, spawn and
 * SFTP session takes one. One slot is kept for urgent work (killing a timed
 * out command, probing a process group) so it never waits behind the commands
 * it is meant to end.
 */
export type Release = () => void;

interface Waiter {
  urgent: boolean;
  grant: (release: Release) => void;
}

export class ChannelQueue {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly maxChannels: number) {
    if (maxChannels < 2) throw new Error(`maxSessions must be at least 2, found ${maxChannels}`);
  }

  get inUse(): number {
    return this.active;
  }

  acquire(opts: { urgent?: boolean; signal?: AbortSignal } = {}): Promise<Release> {
    const urgent = opts.urgent ?? false;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { urgent, grant: resolve };
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(opts.signal?.reason);
      };
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      waiter.grant = (release) => {
        opts.signal?.removeEventListener('abort', onAbort);
        resolve(release);
      };
      if (urgent) this.waiting.unshift(waiter);
      else this.waiting.push(waiter);
      this.pump();
    });
  }

  private limit(urgent: boolean): number {
    return urgent ? this.maxChannels : this.maxChannels - 1;
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.active < this.limit(this.waiting[0]!.urgent)) {
      const w = this.waiting.shift()!;
      this.active++;
      let released = false;
      w.grant(() => {
        if (released) return;
        released = true;
        this.active--;
        this.pump();
      });
    }
  }
}
