/** Something that is pinged on a schedule. */
export interface Pingable {
  ping(): void;
}

/** Each interval is cut into this many slots, ticked in turn, so members are not all pinged at once. */
const SLOTS = 8;

interface Group {
  timer: NodeJS.Timeout;
  slots: Set<Pingable>[];
  next: number;
  size: number;
}

/**
 * One timer per heartbeat interval for all sessions on it, instead of a timer per session: 10,000
 * idle sessions cost 10,000 set entries rather than 10,000 timers and closures. Members are spread
 * over `SLOTS` slots, one ticked every interval / SLOTS, so 5,000 held polls are not all answered
 * in the same instant. A member's first ping comes at most one interval after it joins, and then
 * one every interval.
 */
export class Heartbeats {
  readonly #groups = new Map<number, Group>();

  add(interval: number, member: Pingable): void {
    let group = this.#groups.get(interval);
    if (!group) {
      const slots: Set<Pingable>[] = [];
      for (let i = 0; i < SLOTS; i++) slots.push(new Set());
      const created: Group = { timer: setInterval(() => tick(created), interval / SLOTS), slots, next: 0, size: 0 };
      created.timer.unref();
      group = created;
      this.#groups.set(interval, group);
    }
    let emptiest = group.slots[0];
    for (const slot of group.slots) {
      if (slot.has(member)) return;
      if (slot.size < emptiest.size) emptiest = slot;
    }
    emptiest.add(member);
    group.size++;
  }

  remove(interval: number, member: Pingable): void {
    const group = this.#groups.get(interval);
    if (!group) return;
    for (const slot of group.slots) if (slot.delete(member)) group.size--;
    if (group.size > 0) return;
    clearInterval(group.timer);
    this.#groups.delete(interval);
  }

  stop(): void {
    for (const group of this.#groups.values()) clearInterval(group.timer);
    this.#groups.clear();
  }
}

function tick(group: Group): void {
  const slot = group.slots[group.next];
  group.next = (group.next + 1) % SLOTS;
  for (const member of slot) member.ping();
}
