// Replaces sys/koffi-loader.ts in the single executable's bundle: koffi is bundled, and its native part
// comes from the executable's assets (koffi-native.ts). The require is inside the function, so koffi
// still loads on the first libc call only.
import type * as Koffi from 'koffi';

declare const require: (id: string) => unknown;

export function loadKoffi(): typeof Koffi {
  return require('koffi') as typeof Koffi;
}
