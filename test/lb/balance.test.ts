// The backend picker against naive references: exact weighted counts per round robin
// cycle, nginx's documented order, and leastconn's minimum of active/weight with round robin among
// equals.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_BALANCE_STATE, pickBackend, type BalanceState, type Candidate } from '../../src/lb/balance.js';

const names = ['a', 'b', 'c', 'd', 'e', 'f'];

function candidatesOf(weights: readonly number[], overrides: Partial<Candidate>[] = []): Candidate[] {
  return weights.map((weight, index) => ({ name: names[index] ?? `x${index}`, weight, up: true, active: 0, ...overrides[index] }));
}

function pickMany(candidates: readonly Candidate[], count: number, exclude: ReadonlySet<string> = new Set()): (string | null)[] {
  let state: BalanceState = INITIAL_BALANCE_STATE;
  const picks: (string | null)[] = [];
  for (let i = 0; i < count; i++) {
    const result = pickBackend('roundrobin', state, candidates, exclude);
    state = result.state;
    picks.push(result.index === null ? null : (candidates[result.index]?.name ?? null));
  }
  return picks;
}

/** Smooth weighted round robin written the obvious way, with arrays, as nginx's comment describes it. */
function naiveSmoothRoundRobin(weights: readonly number[], eligible: readonly boolean[], count: number): (number | null)[] {
  const current = weights.map(() => 0);
  const picks: (number | null)[] = [];
  for (let n = 0; n < count; n++) {
    const indexes = weights.map((_, i) => i).filter((i) => eligible[i] === true && (weights[i] ?? 0) > 0);
    if (indexes.length === 0) {
      picks.push(null);
      continue;
    }
    for (const i of indexes) current[i] = (current[i] ?? 0) + (weights[i] ?? 0);
    const best = indexes.reduce((b, i) => ((current[i] ?? 0) > (current[b] ?? 0) ? i : b));
    current[best] = (current[best] ?? 0) - indexes.reduce((sum, i) => sum + (weights[i] ?? 0), 0);
    picks.push(best);
  }
  return picks;
}

describe('roundrobin (smooth weighted, as nginx)', () => {
  it('gives nginx documented order for weights 5, 1, 1', () => {
    expect(pickMany(candidatesOf([5, 1, 1]), 7)).toEqual(['a', 'a', 'b', 'a', 'c', 'a', 'a']);
  });

  it('cycles through equal weights in list order', () => {
    expect(pickMany(candidatesOf([1, 1, 1]), 6)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('picks each backend exactly `weight` times in every cycle of sum(weights) picks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 4 }), (weights, cycles) => {
        const candidates = candidatesOf(weights);
        const total = weights.reduce((sum, w) => sum + w, 0);
        const picks = pickMany(candidates, total * cycles);
        for (let cycle = 0; cycle < cycles; cycle++) {
          const slice = picks.slice(cycle * total, (cycle + 1) * total);
          candidates.forEach((candidate) => {
            expect(slice.filter((name) => name === candidate.name).length).toBe(candidate.weight);
          });
        }
      }),
    );
  });

  it('agrees with the naive reference, skipping down, weight-0 and excluded backends', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ weight: fc.integer({ min: 0, max: 10 }), up: fc.boolean(), excluded: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 60 }),
        (backends, count) => {
          const candidates = candidatesOf(
            backends.map((b) => b.weight),
            backends.map((b) => ({ up: b.up })),
          );
          const exclude = new Set(candidates.filter((_, i) => backends[i]?.excluded === true).map((c) => c.name));
          const eligible = backends.map((b) => b.up && !b.excluded);
          const expected = naiveSmoothRoundRobin(
            backends.map((b) => b.weight),
            eligible,
            count,
          ).map((i) => (i === null ? null : (candidates[i]?.name ?? null)));
          expect(pickMany(candidates, count, exclude)).toEqual(expected);
        },
      ),
    );
  });

  it('forgets backends no longer listed and never picks them', () => {
    let state = INITIAL_BALANCE_STATE;
    for (let i = 0; i < 3; i++) state = pickBackend('roundrobin', state, candidatesOf([2, 1, 1])).state;
    const after = candidatesOf([1, 1]);
    for (let i = 0; i < 4; i++) {
      const result = pickBackend('roundrobin', state, after);
      state = result.state;
      expect([0, 1]).toContain(result.index);
    }
    expect([...state.current.keys()].sort()).toEqual(['a', 'b']);
  });
});

describe('leastconn', () => {
  const backendArb = fc.record({
    weight: fc.integer({ min: 0, max: 8 }),
    active: fc.integer({ min: 0, max: 30 }),
    up: fc.boolean(),
    excluded: fc.boolean(),
  });

  it('always picks a minimum of active/weight among eligible backends, or null when none is', () => {
    fc.assert(
      fc.property(fc.array(backendArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: -1, max: 6 }), (backends, lastIndex) => {
        const candidates = candidatesOf(
          backends.map((b) => b.weight),
          backends.map((b) => ({ up: b.up, active: b.active })),
        );
        const exclude = new Set(candidates.filter((_, i) => backends[i]?.excluded === true).map((c) => c.name));
        const state: BalanceState = { current: new Map(), lastIndex };
        const { index } = pickBackend('leastconn', state, candidates, exclude);
        const eligible = backends.map((b, i) => ({ ...b, i })).filter((b) => b.up && !b.excluded && b.weight > 0);
        if (eligible.length === 0) {
          expect(index).toBeNull();
          return;
        }
        const minimum = Math.min(...eligible.map((b) => b.active / b.weight));
        expect(index).not.toBeNull();
        const chosen = eligible.find((b) => b.i === index);
        expect(chosen).toBeDefined();
        expect((chosen?.active ?? 0) / (chosen?.weight ?? 1)).toBe(minimum);
        // Round robin among equals: the first tied backend after the last pick, cyclically.
        const tied = eligible.filter((b) => b.active / b.weight === minimum).map((b) => b.i);
        const expected = tied.find((i) => i > lastIndex) ?? tied[0];
        expect(index).toBe(expected);
      }),
    );
  });

  it('after the list shrank below the last pick, round robin among equals resumes at the first backend', () => {
    const candidates = candidatesOf([8, 2], [{ active: 20 }, { active: 5 }]);
    const state: BalanceState = { current: new Map(), lastIndex: 6 };
    expect(pickBackend('leastconn', state, candidates).index).toBe(0);
  });

  it('rotates among equally loaded backends', () => {
    let state = INITIAL_BALANCE_STATE;
    const candidates = candidatesOf([1, 1, 1], [{ active: 2 }, { active: 2 }, { active: 2, up: false }]);
    const picks: (number | null)[] = [];
    for (let i = 0; i < 4; i++) {
      const result = pickBackend('leastconn', state, candidates);
      state = result.state;
      picks.push(result.index);
    }
    expect(picks).toEqual([0, 1, 0, 1]);
  });

  it('weighs load: 4 connections on weight 2 is less loaded than 3 on weight 1', () => {
    const candidates = candidatesOf([1, 2], [{ active: 3 }, { active: 4 }]);
    expect(pickBackend('leastconn', INITIAL_BALANCE_STATE, candidates).index).toBe(1);
  });
});
