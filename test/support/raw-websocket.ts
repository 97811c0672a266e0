import type { Handshake } from '../../protocol/index.js';
import { RawConnection } from './raw-http.js';

export interface FrameShape {
  fin?: boolean;
  /** RSV1..3 as the bits 0x40, 0x20, 0x10 of the first byte. */
  rsv?: number;
  masked?: boolean;
}

/** One WebSocket frame as a client writes it (masked unless told otherwise); payload under 126 bytes. */
export function clientFrame(opcode: number, payload: Buffer, shape: FrameShape = {}): Buffer {
  const { fin = true, rsv = 0, masked = true } = shape;
  if (payload.length >= 126) throw new RangeError('clientFrame writes short frames only');
  const head = Buffer.from([(fin ? 0x80 : 0) | rsv | opcode, (masked ? 0x80 : 0) | payload.length]);
  if (!masked) return Buffer.concat([head, payload]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  return Buffer.concat([head, mask, body]);
}

/**
 * A direct WebSocket session opened over a raw TCP socket: the upgrade done by hand, its `open`
 * frame read, so a test can then write any bytes, well-formed or not.
 */
export async function rawWebSocketSession(port: number): Promise<{ conn: RawConnection; handshake: Handshake }> {
  const conn = new RawConnection(port);
  await conn.write(
    'GET /ferry/v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  const text = (): Buffer | null => {
    const at = conn.received.indexOf('\r\n\r\n');
    if (at === -1) return null;
    const frame = conn.received.subarray(at + 4);
    if (frame.length < 2) return null;
    let length = frame[1] & 0x7f;
    let start = 2;
    if (length === 126) {
      if (frame.length < 4) return null;
      length = frame.readUInt16BE(2);
      start = 4;
    }
    return frame.length >= start + length ? frame.subarray(start, start + length) : null;
  };
  if (!(await conn.until(() => text() !== null, 5000))) throw new Error('no open frame: ' + conn.received.toString('latin1'));
  const [[type, handshake]] = JSON.parse(text()!.toString('utf8')) as [[string, Handshake]];
  if (type !== 'open') throw new Error('expected an open frame, got ' + type);
  return { conn, handshake };
}
