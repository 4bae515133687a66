import { describe, expect, it } from "vitest";
import { ByteLruCache, TtlCache } from "../../../hooks/sources/cache.js";

describe("ByteLruCache", () => {
  const cache = () => new ByteLruCache<string, string>(10, (value) => value.length);

  it("evicts the least recently used entries once over the byte budget", () => {
    const lru = cache();
    lru.set("a", "aaaa");
    lru.set("b", "bbbb");
    expect(lru.get("a")).toBe("aaaa");
    lru.set("c", "cccc");
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe("aaaa");
    expect(lru.get("c")).toBe("cccc");
    expect(lru.bytes).toBe(8);
  });

  it("does not keep a value larger than the whole budget", () => {
    const lru = cache();
    lru.set("a", "aaaa");
    lru.set("huge", "x".repeat(11));
    expect(lru.get("huge")).toBeUndefined();
    expect(lru.get("a")).toBe("aaaa");
  });

  it("accounts for a replaced value once", () => {
    const lru = cache();
    lru.set("a", "aaaa");
    lru.set("a", "aaaaaa");
    expect(lru.bytes).toBe(6);
    expect(lru.size).toBe(1);
  });
});

describe("TtlCache", () => {
  it("forgets an entry once its time to live has passed on the injected clock", () => {
    let now = 1_000;
    const ttl = new TtlCache<string, number>(100, () => now);
    ttl.set("main", 1);
    now += 99;
    expect(ttl.get("main")).toBe(1);
    now += 1;
    expect(ttl.get("main")).toBeUndefined();
  });

  it("keeps nothing with a time to live of zero", () => {
    const ttl = new TtlCache<string, number>(0, () => 0);
    ttl.set("main", 1);
    expect(ttl.get("main")).toBeUndefined();
  });

  it("drops the oldest entries past its entry bound", () => {
    const ttl = new TtlCache<string, number>(1_000, () => 0, 2);
    ttl.set("a", 1);
    ttl.set("b", 2);
    ttl.set("c", 3);
    expect([ttl.get("a"), ttl.get("b"), ttl.get("c")]).toEqual([undefined, 2, 3]);
  });
});
