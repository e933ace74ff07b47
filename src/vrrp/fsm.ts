// The VRRP state machine (RFC 3768 6.4, RFC 5798 6.4) as a pure step function:
// step(state, event) -> { state, actions }. No clock and no I/O: timers are actions the runtime arms,
// and their expiry comes back as events.
import { compareAddresses } from '../net/address-bytes.js';

export type VrrpStateName = 'initialize' | 'backup' | 'master' | 'fault';
export type TimerName = 'masterDown' | 'advert' | 'preemptDelay';

export const PRIORITY_STOP = 0;
export const PRIORITY_OWNER = 255;

export interface FsmConfig {
  version: 2 | 3;
  /** Configured priority; 255 only for the address owner. */
  priority: number;
  advertIntervalMs: number;
  preempt: boolean;
  preemptDelayMs: number;
  /**
   * keepalived's vrrp_startup_delay: the first Master_Down after a start waits this much longer, so a
   * host whose daemon came up before its higher-priority peers' does not take the VIP just to lose it.
   */
  startupDelayMs: number;
  /** keepalived's `state MASTER` hint: take over after one interval instead of three when nobody speaks. */
  initialState: 'backup' | 'master';
  /** Our primary (or unicast source) address: the tie-breaker at equal priority. */
  ownAddress: string;
}

export interface FsmState {
  name: VrrpStateName;
  /** Effective priority: configured priority moved by tracker weights (RFC's "Priority"). */
  priority: number;
  /** A weight-0 tracker or the interface is failing: the instance must not be master. */
  faulted: boolean;
  /** RFC 5798 Master_Adver_Interval: learned from the master's adverts (v3), our own in v2. */
  masterAdverIntervalMs: number;
  masterAddress: string | null;
  /** keepalived's preempt_delay: set once the delay has run since we first saw a lower-priority master. */
  preemptDelay: 'idle' | 'running' | 'elapsed';
}

export type FsmEvent =
  | { type: 'startup' }
  | { type: 'shutdown' }
  | { type: 'advert'; source: string; priority: number; adverIntervalMs: number }
  | { type: 'timerExpired'; timer: TimerName }
  | { type: 'priorityChanged'; priority: number }
  | { type: 'faultChanged'; faulted: boolean }
  /** Someone removed a VIP from our interface while we are master (a network manager restart). */
  | { type: 'vipsLost' };

export type TransitionReason =
  | 'startup'
  | 'address owner'
  | 'master down timer'
  | 'higher priority advert'
  | 'fault'
  | 'fault cleared'
  | 'shutdown';

export type FsmAction =
  | { type: 'sendAdvert'; priority: number }
  | { type: 'armTimer'; timer: TimerName; afterMs: number }
  | { type: 'cancelTimer'; timer: TimerName }
  | { type: 'addVips' }
  | { type: 'removeVips' }
  | { type: 'sendGarp'; reason: 'became master' | 'lower priority heard' | 'vips restored' }
  | { type: 'transition'; from: VrrpStateName; to: VrrpStateName; reason: TransitionReason };

export interface StepResult {
  state: FsmState;
  actions: FsmAction[];
}

/** RFC 5798 6.1: Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256. */
export function skewMs(priority: number, masterAdverIntervalMs: number): number {
  return ((256 - priority) * masterAdverIntervalMs) / 256;
}

/** RFC 5798 6.1: Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time. */
export function masterDownMs(priority: number, masterAdverIntervalMs: number): number {
  return 3 * masterAdverIntervalMs + skewMs(priority, masterAdverIntervalMs);
}

/** Effective priority as keepalived: the owner stays 255; others move by weights, clamped to 1..254. */
export function effectivePriority(configured: number, weightSum: number): number {
  if (configured === PRIORITY_OWNER) return PRIORITY_OWNER;
  return Math.min(254, Math.max(1, configured + weightSum));
}

export function initialFsmState(config: FsmConfig): FsmState {
  return {
    name: 'initialize',
    priority: config.priority,
    faulted: false,
    masterAdverIntervalMs: config.advertIntervalMs,
    masterAddress: null,
    preemptDelay: 'idle',
  };
}

function transition(from: FsmState, to: VrrpStateName, reason: TransitionReason): FsmAction {
  return { type: 'transition', from: from.name, to, reason };
}

function becomeMaster(config: FsmConfig, state: FsmState, reason: TransitionReason): StepResult {
  return {
    state: { ...state, name: 'master', masterAddress: config.ownAddress, preemptDelay: 'idle' },
    actions: [
      { type: 'cancelTimer', timer: 'masterDown' },
      { type: 'cancelTimer', timer: 'preemptDelay' },
      { type: 'addVips' },
      { type: 'sendAdvert', priority: state.priority },
      { type: 'sendGarp', reason: 'became master' },
      { type: 'armTimer', timer: 'advert', afterMs: config.advertIntervalMs },
      transition(state, 'master', reason),
    ],
  };
}

function becomeBackup(state: FsmState, options: { reason: TransitionReason; downAfterMs: number; masterAddress: string | null; masterAdverIntervalMs: number }): StepResult {
  const leavingMaster = state.name === 'master';
  return {
    state: { ...state, name: 'backup', masterAddress: options.masterAddress, masterAdverIntervalMs: options.masterAdverIntervalMs, preemptDelay: 'idle' },
    actions: [
      ...(leavingMaster ? [{ type: 'cancelTimer', timer: 'advert' } as const, { type: 'removeVips' } as const] : []),
      { type: 'armTimer', timer: 'masterDown', afterMs: options.downAfterMs },
      transition(state, 'backup', options.reason),
    ],
  };
}

function enterFault(state: FsmState): StepResult {
  const wasMaster = state.name === 'master';
  return {
    state: { ...state, name: 'fault', masterAddress: null, preemptDelay: 'idle' },
    actions: [
      ...(wasMaster ? [{ type: 'sendAdvert', priority: PRIORITY_STOP } as const, { type: 'removeVips' } as const] : []),
      { type: 'cancelTimer', timer: 'advert' },
      { type: 'cancelTimer', timer: 'masterDown' },
      { type: 'cancelTimer', timer: 'preemptDelay' },
      transition(state, 'fault', 'fault'),
    ],
  };
}

function startup(config: FsmConfig, state: FsmState): StepResult {
  if (state.faulted) return enterFault(state);
  if (state.priority === PRIORITY_OWNER) return becomeMaster(config, state, 'address owner');
  const interval = config.advertIntervalMs;
  // keepalived's `state MASTER`: listen for one interval (plus skew) before taking over, not three.
  const downAfterMs = (config.initialState === 'master' ? interval + skewMs(state.priority, interval) : masterDownMs(state.priority, interval)) + config.startupDelayMs;
  return becomeBackup(state, { reason: 'startup', downAfterMs, masterAddress: null, masterAdverIntervalMs: interval });
}

/** RFC 5798 6.4.2, with keepalived's nopreempt and preempt_delay. */
function backupHearsAdvert(config: FsmConfig, state: FsmState, advert: Extract<FsmEvent, { type: 'advert' }>): StepResult {
  if (advert.priority === PRIORITY_STOP) {
    return { state, actions: [{ type: 'armTimer', timer: 'masterDown', afterMs: skewMs(state.priority, state.masterAdverIntervalMs) }] };
  }
  const lower = advert.priority < state.priority;
  const delayHolds = config.preempt && config.preemptDelayMs > 0 && state.preemptDelay !== 'elapsed';
  if (lower && config.preempt && !delayHolds) {
    // Preempt: let the Master_Down_Timer run out and take over.
    return { state, actions: [] };
  }
  const actions: FsmAction[] = [];
  let preemptDelay = state.preemptDelay;
  if (lower && delayHolds && preemptDelay === 'idle') {
    preemptDelay = 'running';
    actions.push({ type: 'armTimer', timer: 'preemptDelay', afterMs: config.preemptDelayMs });
  } else if (!lower && preemptDelay !== 'idle') {
    preemptDelay = 'idle';
    actions.push({ type: 'cancelTimer', timer: 'preemptDelay' });
  }
  const masterAdverIntervalMs = config.version === 3 ? advert.adverIntervalMs : state.masterAdverIntervalMs;
  actions.push({ type: 'armTimer', timer: 'masterDown', afterMs: masterDownMs(state.priority, masterAdverIntervalMs) });
  return { state: { ...state, masterAddress: advert.source, masterAdverIntervalMs, preemptDelay }, actions };
}

/**
 * RFC 5798 6.4.3, with keepalived's split-brain repair: a lower priority heard makes the master
 * advertise at once and re-send gratuitous ARP (docs/vrrp-state-machine.md).
 */
function masterHearsAdvert(config: FsmConfig, state: FsmState, advert: Extract<FsmEvent, { type: 'advert' }>): StepResult {
  const readvertise: FsmAction[] = [
    { type: 'sendAdvert', priority: state.priority },
    { type: 'armTimer', timer: 'advert', afterMs: config.advertIntervalMs },
  ];
  if (advert.priority === PRIORITY_STOP) {
    // The other master just gave up: clients may still point at it, so announce ourselves too.
    return { state, actions: [...readvertise, { type: 'sendGarp', reason: 'lower priority heard' }] };
  }
  const theyWin =
    state.priority !== PRIORITY_OWNER &&
    (advert.priority > state.priority || (advert.priority === state.priority && compareAddresses(advert.source, config.ownAddress) > 0));
  if (!theyWin) {
    // Two masters (a healed partition): assert ourselves at once and fix the LAN's ARP caches.
    return { state, actions: [...readvertise, { type: 'sendGarp', reason: 'lower priority heard' }] };
  }
  const masterAdverIntervalMs = config.version === 3 ? advert.adverIntervalMs : state.masterAdverIntervalMs;
  const stepDown = becomeBackup(state, {
    reason: 'higher priority advert',
    downAfterMs: masterDownMs(state.priority, masterAdverIntervalMs),
    masterAddress: advert.source,
    masterAdverIntervalMs,
  });
  // Priority 0 as we leave: the winner answers with an advert and gratuitous ARP, so clients that still
  // point at our MAC move over even when the winner's advert reached us first and it never heard ours.
  return { state: stepDown.state, actions: [...stepDown.actions, { type: 'sendAdvert', priority: PRIORITY_STOP }] };
}

function onTimer(config: FsmConfig, state: FsmState, timer: TimerName): StepResult {
  switch (timer) {
    case 'masterDown':
      return state.name === 'backup' ? becomeMaster(config, state, 'master down timer') : { state, actions: [] };
    case 'advert':
      return state.name === 'master'
        ? { state, actions: [{ type: 'sendAdvert', priority: state.priority }, { type: 'armTimer', timer: 'advert', afterMs: config.advertIntervalMs }] }
        : { state, actions: [] };
    case 'preemptDelay':
      return state.preemptDelay === 'running' ? { state: { ...state, preemptDelay: 'elapsed' }, actions: [] } : { state, actions: [] };
    default: {
      const unreachable: never = timer;
      throw new Error(`unknown timer ${String(unreachable)}`);
    }
  }
}

export function step(config: FsmConfig, state: FsmState, event: FsmEvent): StepResult {
  switch (event.type) {
    case 'startup':
      return state.name === 'initialize' ? startup(config, state) : { state, actions: [] };
    case 'shutdown': {
      const wasMaster = state.name === 'master';
      return {
        state: { ...state, name: 'initialize', masterAddress: null, preemptDelay: 'idle' },
        actions: [
          { type: 'cancelTimer', timer: 'advert' },
          { type: 'cancelTimer', timer: 'masterDown' },
          { type: 'cancelTimer', timer: 'preemptDelay' },
          ...(wasMaster ? [{ type: 'sendAdvert', priority: PRIORITY_STOP } as const, { type: 'removeVips' } as const] : []),
          ...(state.name === 'initialize' ? [] : [transition(state, 'initialize', 'shutdown')]),
        ],
      };
    }
    case 'advert':
      if (state.name === 'backup') return backupHearsAdvert(config, state, event);
      if (state.name === 'master') return masterHearsAdvert(config, state, event);
      return { state, actions: [] };
    case 'timerExpired':
      return onTimer(config, state, event.timer);
    case 'priorityChanged': {
      const next = { ...state, priority: event.priority };
      // A master whose priority changed says so at once, so a better backup can preempt without waiting.
      return { state: next, actions: state.name === 'master' && event.priority !== state.priority ? [{ type: 'sendAdvert', priority: event.priority }] : [] };
    }
    case 'faultChanged': {
      const next = { ...state, faulted: event.faulted };
      if (event.faulted && (state.name === 'backup' || state.name === 'master')) return enterFault(next);
      if (!event.faulted && state.name === 'fault') {
        return becomeBackup(next, { reason: 'fault cleared', downAfterMs: masterDownMs(next.priority, config.advertIntervalMs), masterAddress: null, masterAdverIntervalMs: config.advertIntervalMs });
      }
      return { state: next, actions: [] };
    }
    case 'vipsLost':
      return state.name === 'master' ? { state, actions: [{ type: 'addVips' }, { type: 'sendGarp', reason: 'vips restored' }] } : { state, actions: [] };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
    }
  }
}
