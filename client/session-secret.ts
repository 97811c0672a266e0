/** A string held in a closure: no property of any object holds it, so `Object.keys`, `JSON.stringify` and console dumps never show it. */
export interface Secret {
  get(): string;
  set(value: string): void;
}

export function secret(): Secret {
  let value = '';
  return {
    get: () => value,
    set: (next: string) => {
      value = next;
    },
  };
}
