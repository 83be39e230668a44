// Module-level state: per VM in preload mode, fresh per call in reeval mode.
let count = 0;
let loads = 0;
loads++;

export function inc() {
  count++;
  return { count, loads };
}

export function spin() {
  count += 100; // half-mutated state that an interrupt must not leak
  for (;;) {}
}

export const notAFunction = 42;
