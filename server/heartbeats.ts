/** Something that is pinged on a schedule. */
export interface Pingable {
  ping(): void;
}

/**
 * One timer per heartbeat interval for all sessions on it, instead of a timer per session: 10,000
 * idle sessions cost 10,000 set entries rather than 10,000 timers and closures. A session's first
 * ping comes at most one interval after it joins.
 */
export class Heartbeats {
  readonly #groups = new Map<number, { timer: NodeJS.Timeout; members: Set<Pingable> }>();

  add(interval: number, member: Pingable): void {
    let group = this.#groups.get(interval);
    if (!group) {
      const members = new Set<Pingable>();
      const timer = setInterval(() => {
        for (const m of members) m.ping();
      }, interval);
      timer.unref();
      group = { timer, members };
      this.#groups.set(interval, group);
    }
    group.members.add(member);
  }

  remove(interval: number, member: Pingable): void {
    const group = this.#groups.get(interval);
    if (!group || !group.members.delete(member) || group.members.size > 0) return;
    clearInterval(group.timer);
    this.#groups.delete(interval);
  }

  stop(): void {
    for (const group of this.#groups.values()) clearInterval(group.timer);
    this.#groups.clear();
  }
}
