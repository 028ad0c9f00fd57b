/**
 * The virus-scanning hook point. Every document passes through it after its bytes are stored and before its record
 * is written, which is what makes it visible (listed, downloadable, linked on decision pages). The default does not
 * scan. A deployment plugs a scanner in (ClamAV's clamd INSTREAM, a cloud scanning API, a bucket scanner's verdict)
 * by passing its own `VirusScan` to `Documents` (storage/documents.ts); a refusal is a 400 naming the reason, and
 * the stored bytes are removed unless another document already holds the same bytes.
 */
export interface ScanSubject {
  bytes: Buffer;
  sha256: string;
  /** Named from the bytes. */
  contentType: string;
  filename: string;
  projectId: string;
  /** Where the bytes are in the document store (a scanner that reads the bucket itself). */
  storageKey: string;
}

export type ScanVerdict = { clean: true } | { clean: false; reason: string };

export type VirusScan = (subject: ScanSubject) => Promise<ScanVerdict>;

/** The default: no scanner runs here, every document is taken. */
export const noVirusScan: VirusScan = async () => ({ clean: true });
