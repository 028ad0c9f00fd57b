/** CSV as spreadsheets read it (RFC 4180): every cell quoted, quotes doubled, lines ended CRLF (the audit trail's, a cycle's outcomes). */

/** A cell, quoted; one that a spreadsheet would run as a formula (= + - @ tab CR) is kept as text (OWASP CSV injection). */
export function csvCell(value: unknown): string {
  const given = String(value ?? '');
  const text = /^[=+\-@\t\r]/.test(given) ? `'${given}` : given;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvFile(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
