// CRC-32 as zlib computes it (IEEE 802.3: reflected, polynomial 0xEDB88320, initial and final
// XOR 0xFFFFFFFF), the checksum of saved states. Our own, so the package has no CommonJS
// dependency and loads as plain ES modules in browsers without a bundler.

/** The byte-at-a-time table: TABLE[n] is the CRC register after shifting byte n through. */
const TABLE = makeTable();

function makeTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    table[n] = c;
  }
  return table;
}

/** The CRC-32 of `bytes`, as an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
