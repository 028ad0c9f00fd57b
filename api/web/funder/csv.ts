/** CSV as spreadsheets read it (RFC 4180): every cell quoted, quotes doubled, lines ended CRLF. */

/** A cell, quoted; one that a spreadsheet would run as a formula (= + - @ tab CR) is kept as text (OWASP CSV injection). */
export function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvFile(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
