// FAMILIES is public and frozen at the family level; its slot descriptions must be frozen too, so no
// caller can change what the registry reports for every other caller.
import { describe, expect, it } from "vitest";
import { FAMILIES, FAMILY_IDS } from "../../src/index.js";

describe("registry immutability", () => {
  it.each(FAMILY_IDS)("%s: slots and their descriptions are frozen", (id) => {
    const family = FAMILIES[id];
    expect(Object.isFrozen(family.slots)).toBe(true);
    for (const slot of family.slots) expect(Object.isFrozen(slot)).toBe(true);
  });
});
