/** Numbers as a Vietnamese reader writes them: "98,9%", "20.969" (the report uses the same conventions). */
const PERCENT = new Intl.NumberFormat('vi-VN', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const INTEGER = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });

export function formatPercentVi(value: number): string {
  return `${PERCENT.format(value)}%`;
}

export function formatIntegerVi(value: number): string {
  return INTEGER.format(value);
}

/** "8 (66,7%)": a count with its share, for tables. */
export function countWithPercent(count: number, percent: number): string {
  return `${formatIntegerVi(count)} (${formatPercentVi(percent)})`;
}
