// A line diff for comparing two versions of a proxy's config (as YAML). Configs share
// most lines, so the common head and tail are cut first and only the middle goes through
// a longest-common-subsequence table; a middle too large for that is shown as replaced.

export interface DiffLine {
  op: ' ' | '+' | '-';
  text: string;
}

/** Above this many cells (middle lengths multiplied) the LCS table is not built. */
const MAX_CELLS = 4_000_000;

export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const same = (lines: readonly string[]): DiffLine[] => lines.map((text) => ({ op: ' ', text }));
  return [...same(a.slice(0, head)), ...diffMiddle(midA, midB), ...same(a.slice(a.length - tail))];
}

function diffMiddle(a: readonly string[], b: readonly string[]): DiffLine[] {
  const removed = (): DiffLine[] => a.map((text) => ({ op: '-', text }));
  const added = (): DiffLine[] => b.map((text) => ({ op: '+', text }));
  if (a.length === 0 || b.length === 0 || a.length * b.length > MAX_CELLS) return [...removed(), ...added()];
  // lcs[i][j] = length of the LCS of a[i..] and b[j..], in one flat array.
  const w = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * w + j] = a[i] === b[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: ' ', text: a[i++]! });
      j++;
    } else if (lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!) {
      out.push({ op: '-', text: a[i++]! });
    } else {
      out.push({ op: '+', text: b[j++]! });
    }
  }
  while (i < a.length) out.push({ op: '-', text: a[i++]! });
  while (j < b.length) out.push({ op: '+', text: b[j++]! });
  return out;
}

export interface Hunk {
  /** 1-based line in the old and new text where the hunk starts. */
  oldStart: number;
  newStart: number;
  lines: DiffLine[];
}

/** Groups a diff into hunks: each change with up to `context` unchanged lines around it. */
export function hunks(diff: readonly DiffLine[], context = 3): Hunk[] {
  // A line is shown when a change lies within `context` lines before or after it.
  const shown = new Array<boolean>(diff.length).fill(false);
  diff.forEach((d, i) => {
    if (d.op === ' ') return;
    for (let k = Math.max(0, i - context); k <= Math.min(diff.length - 1, i + context); k++) shown[k] = true;
  });
  const out: Hunk[] = [];
  let current: Hunk | undefined;
  let oldLine = 1;
  let newLine = 1;
  diff.forEach((d, i) => {
    if (!shown[i]) current = undefined;
    else {
      if (!current) {
        current = { oldStart: oldLine, newStart: newLine, lines: [] };
        out.push(current);
      }
      current.lines.push(d);
    }
    if (d.op !== '+') oldLine++;
    if (d.op !== '-') newLine++;
  });
  return out;
}
