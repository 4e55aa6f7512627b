/**
 * What Ctrl-C does in the console, as a pure function of the console's state (the console
 * applies the action; see sql-console.ts).
 */

/** The console's state when Ctrl-C is pressed. */
export interface InterruptState {
  /** A statement is running. */
  running: boolean;
  /** Text on the current input line. */
  line: string;
  /** Earlier lines of an unfinished statement. */
  buffer: string;
  /** The previous key was a Ctrl-C on an empty input (the hint was shown). */
  armed: boolean;
}

/**
 * - `cancel-query`: interrupt the running statement;
 * - `clear-input`: drop the current line and the unfinished statement, new prompt with the cursor at its start;
 * - `hint`: the input was already empty: say how to leave (Ctrl-C again, `.quit` or Ctrl-D);
 * - `exit`: a second Ctrl-C in a row on an empty input leaves the console.
 */
export type InterruptAction = 'cancel-query' | 'clear-input' | 'hint' | 'exit';

/**
 * Decides what a Ctrl-C does and whether the next one on an empty input exits (`armed`).
 * Any other key disarms (the console sets `armed` false on every other keypress and line).
 *
 * @example
 * onInterrupt({ running: false, line: 'select 1', buffer: '', armed: false }); // { action: 'clear-input', armed: false }
 * onInterrupt({ running: false, line: '', buffer: '', armed: false }); // { action: 'hint', armed: true }
 * onInterrupt({ running: false, line: '', buffer: '', armed: true }); // { action: 'exit', armed: false }
 */
export function onInterrupt(s: InterruptState): { action: InterruptAction; armed: boolean } {
  if (s.running) return { action: 'cancel-query', armed: false };
  if (s.line !== '' || s.buffer !== '') return { action: 'clear-input', armed: false };
  if (s.armed) return { action: 'exit', armed: false };
  return { action: 'hint', armed: true };
}

/** Shown after a Ctrl-C on an empty input. */
export const EXIT_HINT = '(press Ctrl-C again, type .quit or press Ctrl-D to leave)';
