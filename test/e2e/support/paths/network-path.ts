// One network path between the browser and the app server. Each path is a real process
// or socket listener on 127.0.0.1 that the suite starts once and stops when done.

export type PathName =
  | 'direct'
  | 'squid-no-connect'
  | 'nginx-no-upgrade-buffering'
  | 'nginx-idle-timeout'
  | 'ws-blackhole'
  | 'random-cut';

export interface RunningPath {
  /** Origin the browser navigates to: the app server itself, or a reverse proxy in front of it. */
  readonly pageOrigin: string;
  /** `--proxy-server` value when the browser must reach the app through a forward proxy. */
  readonly browserProxy?: string;
  /** Proxy-side evidence (logs, counters) to attach to a failing cell. */
  diagnostics(): string;
  /** Running totals of what the proxy did (connections cut, frames dropped...), if it counts. */
  counters?(): Readonly<Record<string, number>>;
  stop(): Promise<void>;
}

export interface NetworkPath {
  readonly name: PathName;
  start(appPort: number): Promise<RunningPath>;
}
