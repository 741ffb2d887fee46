// A zip of a folder, with Node's own zlib: no tool to install. Files are deflated, sorted by
// path and dated 1980-01-01, so the same folder always gives the same bytes.
//
//   import { zipFolder } from "./zip.mjs";
//   writeFileSync("site.zip", zipFolder("dist", { skip: ["site.zip"] }));

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";

/// Every file under `dir`, as paths relative to it with "/" between folders, sorted.
function files(dir, root = dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path, root) : [relative(root, path).split(sep).join("/")];
    });
}

/// The zip of every file under `dir` but those in `skip` (paths relative to `dir`).
export function zipFolder(dir, { skip = [] } = {}) {
  const local = [];
  const central = [];
  let offset = 0;
  const names = files(dir).filter((f) => !skip.includes(f));
  for (const name of names) {
    const data = readFileSync(join(dir, name));
    const packed = deflateRawSync(data, { level: 9 });
    const nameBytes = Buffer.from(name, "utf8");
    const crc = crc32(data);
    // Version 2.0, UTF-8 names (flag bit 11), deflate (8), DOS time 0 and date 1980-01-01 (0x21).
    const fields = (head) => {
      head.writeUInt16LE(20, 0);
      head.writeUInt16LE(0x0800, 2);
      head.writeUInt16LE(8, 4);
      head.writeUInt16LE(0, 6);
      head.writeUInt16LE(0x21, 8);
      head.writeUInt32LE(crc, 10);
      head.writeUInt32LE(packed.length, 14);
      head.writeUInt32LE(data.length, 18);
      head.writeUInt16LE(nameBytes.length, 22);
      head.writeUInt16LE(0, 24);
      return head;
    };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    fields(header.subarray(4));
    local.push(header, nameBytes, packed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(0x0314, 4); // made by: Unix, 2.0 (so the mode below is read)
    fields(entry.subarray(6));
    // comment length, disk, internal attributes: 0; external: a regular file, rw-r--r--.
    entry.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, nameBytes);
    offset += header.length + nameBytes.length + packed.length;
  }
  const size = central.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...local, ...central, end]);
}
