// Choosing a backend for a new connection: pure functions of (state, candidates, exclude), no sockets,
// no timers, no health lookups (pool.ts gathers the candidates). The state is a value: each pick
// returns the next one, so a property test can run the picker against a naive reference.
//
// roundrobin is the smooth weighted round robin of nginx (ngx_http_upstream_get_peer): every eligible
// backend's current weight grows by its weight, the largest current weight wins and gives back the
// total. Over any run of W picks (W = the sum of the eligible weights, the set unchanged) each backend
// is picked exactly `weight` times, spread out rather than in bursts (weights 5,1,1 give a a b a c a a,
// not a a a a a b c). haproxy's map-based roundrobin spreads differently but gives the same counts.
//
// leastconn is haproxy's: the fewest active connections relative to weight (compared as
// active_a * weight_b < active_b * weight_a, no floating point); among equals, round robin from the
// backend after the last one picked.

export type BalanceAlgorithm = 'roundrobin' | 'leastconn';

export interface Candidate {
  readonly name: string;
  /** haproxy's server weight; 0 takes no new connections. */
  readonly weight: number;
  readonly up: boolean;
  /** Connections open or opening to this backend (leastconn's load). */
  readonly active: number;
}

export interface BalanceState {
  /** roundrobin: each backend's current weight, by name. */
  readonly current: ReadonlyMap<string, number>;
  /** leastconn: the index of the last backend picked, where round robin among equals resumes. */
  readonly lastIndex: number;
}

export const INITIAL_BALANCE_STATE: BalanceState = { current: new Map(), lastIndex: -1 };

export interface BalancePick {
  /** The chosen candidate's index, or null when no candidate is eligible. */
  readonly index: number | null;
  readonly state: BalanceState;
}

/** Up, weight above 0, and not already tried for this client. */
export function isEligible(candidate: Candidate, exclude: ReadonlySet<string>): boolean {
  return candidate.up && candidate.weight > 0 && !exclude.has(candidate.name);
}

export function pickBackend(
  algorithm: BalanceAlgorithm,
  state: BalanceState,
  candidates: readonly Candidate[],
  exclude: ReadonlySet<string> = new Set(),
): BalancePick {
  switch (algorithm) {
    case 'roundrobin':
      return pickRoundRobin(state, candidates, exclude);
    case 'leastconn':
      return pickLeastConn(state, candidates, exclude);
    default: {
      const never: never = algorithm;
      throw new Error(`unknown balance algorithm ${String(never)}`);
    }
  }
}

export function pickRoundRobin(state: BalanceState, candidates: readonly Candidate[], exclude: ReadonlySet<string>): BalancePick {
  // Backends no longer listed are forgotten; those not eligible now keep their current weight.
  const current = new Map<string, number>();
  let total = 0;
  let best: number | null = null;
  let bestWeight = 0;
  candidates.forEach((candidate, index) => {
    const previous = state.current.get(candidate.name) ?? 0;
    if (!isEligible(candidate, exclude)) {
      current.set(candidate.name, previous);
      return;
    }
    const weight = previous + candidate.weight;
    current.set(candidate.name, weight);
    total += candidate.weight;
    if (best === null || weight > bestWeight) {
      best = index;
      bestWeight = weight;
    }
  });
  if (best === null) return { index: null, state };
  const chosen = candidates[best];
  if (chosen) current.set(chosen.name, bestWeight - total);
  return { index: best, state: { current, lastIndex: best } };
}

export function pickLeastConn(state: BalanceState, candidates: readonly Candidate[], exclude: ReadonlySet<string>): BalancePick {
  const count = candidates.length;
  let best: number | null = null;
  let bestCandidate: Candidate | null = null;
  // Visiting from the backend after the last pick and keeping the first strict minimum is round
  // robin among equals. When the list has shrunk below the last pick, the visit starts at the first.
  const first = state.lastIndex + 1 >= 0 && state.lastIndex + 1 < count ? state.lastIndex + 1 : 0;
  for (let step = 0; step < count; step++) {
    const index = (first + step) % count;
    const candidate = candidates[index];
    if (!candidate || !isEligible(candidate, exclude)) continue;
    if (bestCandidate === null || candidate.active * bestCandidate.weight < bestCandidate.active * candidate.weight) {
      best = index;
      bestCandidate = candidate;
    }
  }
  if (best === null) return { index: null, state };
  return { index: best, state: { current: state.current, lastIndex: best } };
}
