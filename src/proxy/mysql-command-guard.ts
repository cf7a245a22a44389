import { COM_CHANGE_USER } from './mysql-packets.js';

/** A payload this long is continued in the next packet. */
const MAX_PAYLOAD = 0xffffff;

/**
 * Follows the client's packets after the handshake and takes out each COM_CHANGE_USER command (the token is for
 * one user, and the proxy cannot sign in as another), calling `refuse` so the client gets an error packet instead;
 * everything else passes unchanged. A command is a packet with sequence id 0 that neither continues a 16 MB
 * packet nor belongs to a LOAD DATA LOCAL upload (which runs from a packet with a sequence id other than 0 to an
 * empty one, and whose sequence ids wrap through 0).
 */
export function changeUserGuard(refuse: () => void): (chunk: Buffer) => Buffer {
  let header = Buffer.alloc(0);
  /** Bytes of the current packet's payload still to come. */
  let remaining = 0;
  let dropping = false;
  let continued = false;
  let uploading = false;
  return (chunk) => {
    const kept: Buffer[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (remaining > 0) {
        const n = Math.min(remaining, chunk.length - at);
        if (!dropping) kept.push(chunk.subarray(at, at + n));
        remaining -= n;
        at += n;
        continue;
      }
      // A packet starts: its 4-byte header and, for a command, the command byte decide what it is.
      const need = 5 - header.length;
      header = Buffer.concat([header, chunk.subarray(at, at + need)]);
      at += Math.min(need, chunk.length - at);
      const length = header.length >= 4 ? header.readUIntLE(0, 3) : -1;
      if (length < 0 || (length > 0 && header.length < 5)) continue;
      const sequenceId = header[3]!;
      const packetHead = header.subarray(0, length === 0 ? 4 : 5);
      // An empty packet takes only the 4 header bytes: a fifth byte read belongs to the next packet.
      if (length === 0 && header.length === 5) at -= 1;
      header = Buffer.alloc(0);
      const continuing = continued;
      continued = length === MAX_PAYLOAD;
      let command = false;
      // The rest of a long packet is neither a command nor the end of an upload.
      if (!continuing) {
        if (uploading || sequenceId !== 0) uploading = length !== 0;
        else command = true;
      }
      dropping = command && packetHead[4] === COM_CHANGE_USER;
      if (dropping) refuse();
      else kept.push(packetHead);
      remaining = length - (packetHead.length - 4);
    }
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  };
}
