// Draws the extension icon (128×128) and one icon per task (32×32) as PNGs, with no image tools:
// a rounded tile in the task's colour with a simple white glyph. Run once; the PNGs are committed.
import { writeFileSync, existsSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, pixel) {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x / size, y / size);
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
const inTile = (x, y) => {
  const r = 0.18, cx = Math.min(Math.max(x, r), 1 - r), cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
const glyphs = {
  // a rising training curve
  TrainModel: (x, y) => Math.abs(y - (0.78 - 0.55 * Math.sqrt(Math.max(0, (x - 0.2) / 0.6)))) < 0.07 && x > 0.2 && x < 0.82,
  // a check mark (the quality gate)
  RegisterModel: (x, y) => (Math.abs(y - (0.55 + (x - 0.25))) < 0.07 && x > 0.25 && x < 0.45) || (Math.abs(y - (0.75 - (x - 0.45) * 1.2)) < 0.07 && x >= 0.43 && x < 0.8),
  // a box (the image)
  CreateImage: (x, y) => x > 0.25 && x < 0.75 && y > 0.25 && y < 0.75 && !(x > 0.35 && x < 0.65 && y > 0.35 && y < 0.65),
  // an arrow up (deploy)
  DeployToACI: (x, y) => (Math.abs(x - 0.5) < 0.07 && y > 0.35 && y < 0.8) || (y > 0.2 && y < 0.45 && Math.abs(x - 0.5) < (y - 0.2) * 1.1),
  // bars (latency histogram)
  ProbeEndpoint: (x, y) => [[0.22, 0.6], [0.4, 0.35], [0.58, 0.5], [0.76, 0.7]].some(([bx, top]) => x > bx - 0.06 && x < bx + 0.06 && y > top && y < 0.8),
  // two deployments, the new one taking over (blue/green)
  DeployOnlineEndpoint: (x, y) => (x > 0.22 && x < 0.42 && y > 0.55 && y < 0.8) || (x > 0.58 && x < 0.78 && y > 0.25 && y < 0.8) || (Math.abs(y - (0.5 - (x - 0.3) * 0.6)) < 0.05 && x > 0.3 && x < 0.55),
  // a pulse line (monitoring)
  MonitorModel: (x, y) => x > 0.18 && x < 0.82 && Math.abs(y - (x < 0.38 || x > 0.62 ? 0.55 : x < 0.46 ? 0.55 - (x - 0.38) * 4.4 : x < 0.54 ? 0.2 + (x - 0.46) * 7.5 : 0.8 - (x - 0.54) * 3.1)) < 0.07,
};
const colours = { TrainModel: [0, 120, 212], RegisterModel: [16, 124, 16], CreateImage: [135, 100, 184], DeployToACI: [0, 153, 188], ProbeEndpoint: [202, 80, 16], DeployOnlineEndpoint: [0, 120, 100], MonitorModel: [196, 43, 28] };
function icon(size, colour, glyph) {
  return png(size, (x, y) => {
    if (!inTile(x, y)) return [0, 0, 0, 0];
    if (glyph(x, y)) return [255, 255, 255, 255];
    const shade = 1 - 0.25 * y;
    return [...colour.map((c) => Math.round(c * shade)), 255];
  });
}
for (const [task, glyph] of Object.entries(glyphs)) {
  const dir = join(root, 'tasks', task);
  if (existsSync(dir)) writeFileSync(join(dir, 'icon.png'), icon(32, colours[task], glyph));
  // a larger copy for the marketplace page and docs
  writeFileSync(join(root, 'images', `task-${task}.png`), icon(64, colours[task], glyph));
}
const all = (x, y) => {
  const q = (x < 0.5 ? 0 : 1) + (y < 0.5 ? 0 : 2);
  const names = ['TrainModel', 'RegisterModel', 'CreateImage', 'ProbeEndpoint'];
  return glyphs[names[q]]((x % 0.5) * 2, (y % 0.5) * 2);
};
writeFileSync(join(root, 'images', 'extension-icon.png'), icon(128, [0, 90, 158], all));
console.log('icons written');
