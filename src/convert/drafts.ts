// What the keepalived and haproxy readers hand to the emitter: vip.yaml objects in the order they are
// written, with the comments that say where each part came from.
import type { Recognized } from './check-script.js';
import type { SourceLine } from './findings.js';

export type Fields = Record<string, unknown>;

export interface Commented {
  /** Written above the object: where it came from. */
  header: string;
  /** Trailing comments for some of its keys (`preempt` -> "nopreempt at keepalived.conf:14"). */
  notes: Record<string, string>;
}

export interface ScriptTiming {
  interval: string;
  timeout: string;
  rise: number;
  fall: number;
}

export type TrackDraft =
  | { kind: 'ready'; tracker: Fields; comment: string }
  | {
      /** A check script that only asks whether the local apiserver or haproxy answers. */
      kind: 'local';
      recognized: Recognized;
      timing: ScriptTiming;
      weight: number;
      /** The script tracker to fall back to when no built-in one fits. */
      fallback: Fields;
      fallbackComment: string;
      label: string;
      source: SourceLine;
    };

export interface InstanceDraft extends Commented {
  source: SourceLine;
  /** Every key but `track`, in vip.yaml order. */
  fields: Fields;
  tracks: TrackDraft[];
}

export interface LoadBalancerDraft extends Commented {
  source: SourceLine;
  fields: Fields;
  bindPort: number;
}
