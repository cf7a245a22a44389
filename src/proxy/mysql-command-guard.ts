import { COM_CHANGE_USER } from './mysql-packets.js';

/** A payload this long is continued in the next packet. */
const MAX_PAYLOAD = 0xffffff;
const EMPTY: Buffer = Buffer.alloc(0);

/**
 * Follows the client's packets after the handshake and takes out each COM_CHANGE_USER command (the token is for
 * one user, and the proxy cannot sign in as another), calling `refuse` so the client gets an error packet instead;
 * everything else passes unchanged, and a chunk with nothing taken out is returned as is (no copy). A command is a
 * packet with sequence id 0 that neither continues a 16 MB packet nor belongs to a LOAD DATA LOCAL upload (which
 * runs from a packet with a sequence id other than 0 to an empty one, and whose sequence ids wrap through 0).
 */
export function changeUserGuard(refuse: () => void): (chunk: Buffer) => Buffer {
  /** The start of a packet whose header (and command byte) had not all arrived: held back until it has. */
  let held: Buffer = EMPTY;
  /** Bytes of the current packet's payload still to come. */
  let remaining = 0;
  let dropping = false;
  let continued = false;
  let uploading = false;
  return (input) => {
    const chunk = held.length > 0 ? Buffer.concat([held, input]) : input;
    held = EMPTY;
    /** Where each dropped part of this chunk starts and ends, in order. */
    const dropped: number[] = [];
    const drop = (from: number, to: number) => {
      if (dropped.at(-1) === from) dropped[dropped.length - 1] = to;
      else dropped.push(from, to);
    };
    let at = 0;
    let end = chunk.length;
    while (at < end) {
      if (remaining > 0) {
        const n = Math.min(remaining, end - at);
        if (dropping) drop(at, at + n);
        remaining -= n;
        at += n;
        continue;
      }
      // A packet starts: its 4-byte header and, for a command, the command byte decide what it is.
      const length = end - at >= 4 ? chunk.readUIntLE(at, 3) : -1;
      if (length < 0 || (length > 0 && end - at < 5)) {
        held = chunk.subarray(at);
        end = at;
        break;
      }
      const continuing = continued;
      continued = length === MAX_PAYLOAD;
      // The rest of a long packet is neither a command nor the end of an upload: it goes where its start went.
      if (!continuing) {
        const command = !uploading && chunk[at + 3] === 0;
        if (!command) uploading = length !== 0;
        dropping = command && length > 0 && chunk[at + 4] === COM_CHANGE_USER;
        if (dropping) refuse();
      }
      if (dropping) drop(at, at + 4);
      at += 4;
      remaining = length;
    }
    if (dropped.length === 0) return end === chunk.length ? chunk : chunk.subarray(0, end);
    const kept: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < dropped.length; i += 2) {
      if (dropped[i]! > from) kept.push(chunk.subarray(from, dropped[i]));
      from = dropped[i + 1]!;
    }
    if (end > from) kept.push(chunk.subarray(from, end));
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  };
}
