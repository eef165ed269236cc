import { describe, expect, it } from "vitest";
import { Fifo } from "../src/index.js";
import { seededRandom, testSeed } from "./support/seed.js";

const seed = testSeed("fifo");

describe("Fifo", () => {
  it("gives back entries in the order they came, undefined when empty", () => {
    const q = new Fifo<number>();
    expect(q.shift()).toBeUndefined();
    expect(q.peek()).toBeUndefined();
    q.push(1);
    q.push(2);
    expect(q.length).toBe(2);
    expect(q.peek()).toBe(1);
    expect(q.shift()).toBe(1);
    expect(q.shift()).toBe(2);
    expect(q.shift()).toBeUndefined();
    expect(q.length).toBe(0);
  });

  it("agrees with a plain array under random pushes, shifts, drains and clears across compactions", () => {
    const random = seededRandom(seed);
    const q = new Fifo<number>();
    const model: number[] = [];
    let next = 0;
    for (let step = 0; step < 30_000; step++) {
      const r = random();
      if (r < 0.55) {
        q.push(next);
        model.push(next++);
      } else if (r < 0.999) {
        expect(q.shift()).toBe(model.shift());
      } else if (r < 0.9995) {
        expect(q.takeAll()).toEqual(model.splice(0));
      } else {
        q.clear();
        model.length = 0;
      }
      expect(q.length).toBe(model.length);
      expect(q.peek()).toBe(model[0]);
    }
    expect([...q]).toEqual(model);
  });

  it("keeps order when 100,000 entries are queued and then taken one by one", () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 100_000; i++) q.push(i);
    for (let i = 0; i < 50_000; i++) expect(q.shift()).toBe(i);
    q.push(100_000);
    expect(q.length).toBe(50_001);
    expect([...q].slice(0, 2)).toEqual([50_000, 50_001]);
    const rest = q.takeAll();
    expect(rest.length).toBe(50_001);
    expect(rest[rest.length - 1]).toBe(100_000);
    expect(q.length).toBe(0);
  });
});
