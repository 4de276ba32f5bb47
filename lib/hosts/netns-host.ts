/**
 * Host whose commands run inside one network namespace: a LocalHost
 * whose command lines are prefixed with `ip netns exec <ns>`. ip netns exec
 * execs the command in place, so a spawned process keeps the pid and process
 * group LocalHost reports. Files are the machine's own (a network namespace
 * does not change the filesystem).
 */
import type { ExecOptions, ExecResult, Host, ProcessHandle, SpawnOptions } from './host.ts';
import { LocalHost } from './local-host.ts';
import { shellQuote } from './shell-quote.ts';

export class NetnsHost implements Host {
  readonly name: string;
  readonly address: string;
  readonly runTag: string;
  readonly ownerTag: string;
  private readonly local: LocalHost;

  constructor(
    readonly namespace: string,
    runTag: string,
  ) {
    this.name = namespace;
    this.address = `netns:${namespace}`;
    this.runTag = runTag;
    this.local = new LocalHost({ name: namespace, runTag });
    this.ownerTag = this.local.ownerTag;
  }

  private inNamespace(command: string): string {
    return `ip netns exec ${shellQuote(this.namespace)} /bin/sh -c ${shellQuote(command)}`;
  }

  exec(command: string, opts?: ExecOptions): Promise<ExecResult> {
    return this.local.exec(this.inNamespace(command), opts);
  }

  spawn(command: string, opts: SpawnOptions): Promise<ProcessHandle> {
    return this.local.spawn(this.inNamespace(command), opts);
  }

  put(localPath: string, remotePath: string): Promise<void> {
    return this.local.put(localPath, remotePath);
  }

  get(remotePath: string, localPath: string): Promise<void> {
    return this.local.get(remotePath, localPath);
  }

  writeFile(remotePath: string, content: string | Uint8Array): Promise<void> {
    return this.local.writeFile(remotePath, content);
  }

  readFile(remotePath: string): Promise<Buffer> {
    return this.local.readFile(remotePath);
  }

  close(): Promise<void> {
    return this.local.close();
  }
}
