// Column-aligned text tables in the style of istioctl's (Go tabwriter): upper-case
// headers, columns padded to the widest cell plus a gap, no trailing spaces.

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[], gap = 3): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd((widths[i] ?? 0) + gap)))
      .join('')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}
