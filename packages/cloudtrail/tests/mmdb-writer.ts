/**
 * Writes a small MaxMind DB (MMDB format 2.0, IPv4, 24-bit records) holding one record
 * per network, so tests read a City or ASN database through the real `maxmind` reader
 * without shipping MaxMind's files (their licence does not allow it).
 * Format: https://maxmind.github.io/MaxMind-DB/
 */
import { writeFileSync } from 'node:fs';

type Value = string | number | { double: number } | Value[] | { [key: string]: Value };

function control(type: number, size: number): Buffer {
  const extended = type > 7;
  const head = (extended ? 0 : type << 5) | (size < 29 ? size : size < 285 ? 29 : 30);
  const parts = [head];
  if (extended) parts.push(type - 7);
  if (size >= 29 && size < 285) parts.push(size - 29);
  else if (size >= 285) parts.push(((size - 285) >> 8) & 0xff, (size - 285) & 0xff);
  return Buffer.from(parts);
}

function uint(type: number, value: number): Buffer {
  const bytes: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Buffer.concat([control(type, bytes.length), Buffer.from(bytes)]);
}

function encode(value: Value): Buffer {
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, text.length), text]);
  }
  if (typeof value === 'number') return uint(6, value);
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encode)]);
  if ('double' in value && typeof value.double === 'number' && Object.keys(value).length === 1) {
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value.double);
    return Buffer.concat([control(3, 8), bytes]);
  }
  const entries = Object.entries(value);
  return Buffer.concat([
    control(7, entries.length),
    ...entries.flatMap(([key, item]) => [encode(key), encode(item)]),
  ]);
}

function record24(value: number): Buffer {
  return Buffer.from([(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff]);
}

/** Writes `file`: `networks` maps an IPv4 CIDR (e.g. `81.2.69.0/24`) to its record. */
export function writeMmdb(
  file: string,
  databaseType: string,
  networks: Record<string, Value>,
): void {
  const data: Buffer[] = [];
  const offsets: number[] = [];
  let size = 0;
  for (const value of Object.values(networks)) {
    offsets.push(size);
    const encoded = encode(value);
    data.push(encoded);
    size += encoded.length;
  }
  // One path of nodes per network; every other branch leads to "no data".
  const nodes: [number | 'data', number | 'data'][] = [];
  const targets: { node: number; side: 0 | 1; offset: number }[] = [];
  const paths = Object.keys(networks).map((cidr, index) => {
    const [ip = '', bits = '32'] = cidr.split('/');
    const value = ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
    return { value, bits: Number(bits), offset: offsets[index] ?? 0 };
  });
  // Node 0 is the root; nodes are shared where prefixes are.
  const children = new Map<string, number>();
  nodes.push([-1, -1]);
  for (const path of paths) {
    let node = 0;
    for (let depth = 0; depth < path.bits; depth++) {
      const bit = ((path.value >>> (31 - depth)) & 1) as 0 | 1;
      if (depth === path.bits - 1) {
        targets.push({ node, side: bit, offset: path.offset });
        break;
      }
      const key = `${node}:${bit}`;
      let next = children.get(key);
      if (next === undefined) {
        next = nodes.length;
        nodes.push([-1, -1]);
        children.set(key, next);
        (nodes[node] as [number | 'data', number | 'data'])[bit] = next;
      }
      node = next;
    }
  }
  const nodeCount = nodes.length;
  const tree = Buffer.concat(
    nodes.map((pair, index) =>
      Buffer.concat(
        ([0, 1] as const).map((side) => {
          const target = targets.find((t) => t.node === index && t.side === side);
          if (target) return record24(nodeCount + 16 + target.offset);
          const child = pair[side];
          return record24(typeof child === 'number' && child >= 0 ? child : nodeCount);
        }),
      ),
    ),
  );
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_795_000_000,
    description: { en: `Authwatch test ${databaseType}` },
  });
  // uint16 fields: the reader takes them by value, so uint32 encoding reads the same.
  writeFileSync(
    file,
    Buffer.concat([
      tree,
      Buffer.alloc(16),
      ...data,
      Buffer.from([0xab, 0xcd, 0xef]),
      Buffer.from('MaxMind.com', 'ascii'),
      metadata,
    ]),
  );
}
