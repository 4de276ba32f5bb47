/**
 * Splits a process's stdout and stderr into lines as they arrive, tells
 * listeners, and keeps the last lines for output().
 */
type Stream = 'stdout' | 'stderr';
type Listener = (line: string, stream: Stream) => void;

const DEFAULT_KEEP_LINES = 2000;

export class OutputLines {
  private readonly partial: Record<Stream, string> = { stdout: '', stderr: '' };
  private readonly kept: string[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(private readonly keepLines = DEFAULT_KEEP_LINES) {}

  push(stream: Stream, text: string): void {
    const parts = (this.partial[stream] + text).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const line of parts) this.emit(line, stream);
  }

  /** Emits unterminated last lines (at process exit). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream]) this.emit(this.partial[stream], stream);
      this.partial[stream] = '';
    }
  }

  onLine(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  text(): string {
    return this.kept.map((l) => l + '\n').join('');
  }

  private emit(line: string, stream: Stream): void {
    this.kept.push(line);
    if (this.kept.length > this.keepLines) this.kept.shift();
    for (const l of this.listeners) l(line, stream);
  }
}
