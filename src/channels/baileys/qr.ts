// QR codes of a connecting instance: rendered as PNG data URLs, counted against QRCODE_LIMIT across reconnects (a
// QR that is never scanned makes the socket close with 408 and reconnect, which must not go on forever).
import QRCode from 'qrcode';
import type { QrCode } from '../../ports/channel.js';

/** The QR payload as a `data:image/png;base64,…` URL (what Evolution's `base64` field holds). */
export function renderQr(code: string): Promise<string> {
  return QRCode.toDataURL(code, { errorCorrectionLevel: 'L', margin: 3, scale: 4, type: 'image/png' });
}

export class QrTracker {
  private count = 0;
  private current: QrCode | undefined;

  constructor(private readonly limit: number) {}

  /** Registers a new QR; `undefined` when the limit is passed (the caller gives up). */
  async next(code: string, pairingCode: string | null): Promise<QrCode | undefined> {
    if (this.count >= this.limit) return undefined;
    this.count += 1;
    this.current = { pairingCode, code, base64: await renderQr(code), count: this.count };
    return this.current;
  }

  /** The newest QR (with a pairing code once one was requested). */
  latest(): QrCode | undefined {
    return this.current;
  }

  setPairingCode(pairingCode: string): void {
    if (this.current !== undefined) this.current = { ...this.current, pairingCode };
  }

  /** Logged in, closed or refused: the next connect starts counting again. */
  reset(): void {
    this.count = 0;
    this.current = undefined;
  }
}
