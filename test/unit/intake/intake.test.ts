import { test, describe } from 'node:test';
import { baiduCode } from '../../../src/api/baidu/errors.js';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { encode as bmpTsEncode } from 'bmp-ts';
import { ServiceError, type ErrorKind } from '../../../src/errors.js';
import {
  BAIDU_FORMATS, KAKAO_FORMATS, DEFAULT_MAX_BASE64_BYTES,
  decodeBase64Field, decodeBase64Image, decodeBmp, decodeImage, probeImage, readBmpHeader, sniffFormat,
  type ImageFormat,
} from '../../../src/intake/index.js';
import { fixture } from '../../helpers/helpers.js';

// ---------- helpers ----------

const BAIDU_CODE: Partial<Record<ErrorKind, number>> = {
  missing_param: 216101, image_empty: 216200, image_format: 216201, image_unsupported: 216201, image_size: 216202, image_base64: 216203,
};

/** Assert a ServiceError of `kind` (and its Baidu code) with an optional detail pattern. */
function isError(kind: ErrorKind, detail?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
    assert.equal(err.kind, kind, `kind (${err.message})`);
    if (BAIDU_CODE[kind]) assert.equal(baiduCode(err.kind), BAIDU_CODE[kind]);
    if (detail) assert.match(err.detail ?? '', detail);
    return true;
  };
}
const rejectsWith = (p: Promise<unknown>, kind: ErrorKind, detail?: RegExp) => assert.rejects(p, isError(kind, detail));
const throwsWith = (f: () => unknown, kind: ErrorKind, detail?: RegExp) => assert.throws(f, isError(kind, detail));

/** RGB raw buffer from a pixel function. */
function rawRgb(w: number, h: number, px: (x: number, y: number) => [number, number, number]): Buffer {
  const b = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) b.set(px(x, y), (y * w + x) * 3);
  return b;
}
const fromRaw = (w: number, h: number, px: (x: number, y: number) => [number, number, number]) =>
  sharp(rawRgb(w, h, px), { raw: { width: w, height: h, channels: 3 } });
const solid = (w: number, h: number, rgb: [number, number, number]) => fromRaw(w, h, () => rgb);

function pixel(img: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const i = (y * img.width + x) * 3;
  return [img.data[i], img.data[i + 1], img.data[i + 2]];
}
function near(actual: number[], expected: number[], tol: number, what = '') {
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(actual[c] - expected[c]) <= tol, `${what} got [${actual}] expected [${expected}] ±${tol}`);
  }
}

/**
 * Hand-built BMP with a 40-byte BITMAPINFOHEADER (or V4 108-byte for alpha masks). `row` gives the
 * encoded bytes of one image row (top row is y = 0); padding and row order are handled here.
 */
function makeBmp(o: {
  width: number; height: number; bpp: number; topDown?: boolean; compression?: number;
  palette?: [number, number, number][]; masks?: number[]; v4?: boolean;
  row?: (y: number) => number[]; rle?: number[]; colorsUsed?: number;
}): Buffer {
  const dib = o.v4 ? 108 : 40;
  const masksAfter = !o.v4 && o.masks ? o.masks.length * 4 : 0;
  const pal = o.palette ?? [];
  const offset = 14 + dib + masksAfter + pal.length * 4;
  const stride = Math.ceil((o.width * o.bpp) / 32) * 4;
  let pixels: Buffer;
  if (o.rle) {
    pixels = Buffer.from(o.rle);
  } else {
    pixels = Buffer.alloc(stride * o.height);
    for (let y = 0; y < o.height; y++) {
      const fileRow = o.topDown ? y : o.height - 1 - y;
      pixels.set(o.row!(y), fileRow * stride);
    }
  }
  const b = Buffer.alloc(offset + pixels.length);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(offset, 10);
  b.writeUInt32LE(dib, 14);
  b.writeInt32LE(o.width, 18);
  b.writeInt32LE(o.topDown ? -o.height : o.height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(o.bpp, 28);
  b.writeUInt32LE(o.compression ?? 0, 30);
  b.writeUInt32LE(pixels.length, 34);
  b.writeUInt32LE(o.colorsUsed ?? pal.length, 46);
  (o.masks ?? []).forEach((m, i) => b.writeUInt32LE(m >>> 0, 54 + 4 * i));
  pal.forEach(([r, g, bl], i) => b.set([bl, g, r, 0], 14 + dib + masksAfter + 4 * i));
  pixels.copy(b, offset);
  return b;
}

// Known-pixel pattern used by the BMP tests (distinct in every channel, row and column).
const pat = (x: number, y: number): [number, number, number] => [(x * 5) & 255, (y * 7) & 255, (x * 3 + y * 11) & 255];

function assertPattern(img: { width: number; height: number; data: Uint8Array }, w: number, h: number) {
  assert.equal(img.width, w);
  assert.equal(img.height, h);
  assert.equal(img.data.length, w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    assert.deepEqual(pixel(img, x, y), pat(x, y), `pixel ${x},${y}`);
  }
}

/** Minimal ISO-BMFF ftyp box: enough for sniffing, not a decodable image. */
function ftyp(major: string, compatible: string[]): Buffer {
  const b = Buffer.alloc(16 + 4 * compatible.length + 8);
  b.writeUInt32BE(16 + 4 * compatible.length, 0);
  b.write('ftyp', 4, 'latin1');
  b.write(major, 8, 'latin1');
  compatible.forEach((c, i) => b.write(c, 16 + 4 * i, 'latin1'));
  b.writeUInt32BE(8, b.length - 8);
  b.write('meta', b.length - 4, 'latin1');
  return b;
}

const KAKAO = { formats: KAKAO_FORMATS };
const ALL: { formats: ImageFormat[] } = { formats: ['jpeg', 'png', 'bmp', 'webp', 'gif', 'tiff', 'avif', 'heic'] };

// ---------- base64 ----------

describe('decodeBase64Field', () => {
  const bytes = randomBytes(3000);
  const b64 = bytes.toString('base64');

  test('missing field → missing_param (216101)', () => {
    throwsWith(() => decodeBase64Field(undefined), 'missing_param');
    throwsWith(() => decodeBase64Field(null), 'missing_param');
  });

  test('empty or whitespace-only field → image_empty (216200)', () => {
    throwsWith(() => decodeBase64Field(''), 'image_empty');
    throwsWith(() => decodeBase64Field('  \r\n\t '), 'image_empty');
    throwsWith(() => decodeBase64Field('data:image/jpeg;base64,'), 'image_empty');
  });

  test('repeated field (array) → invalid_param', () => {
    throwsWith(() => decodeBase64Field([b64, b64]), 'invalid_param');
  });

  test('plain, padded and unpadded base64 decode to the exact bytes', () => {
    assert.deepEqual(decodeBase64Field(b64), bytes);
    assert.deepEqual(decodeBase64Field('QUI='), Buffer.from('AB'));
    assert.deepEqual(decodeBase64Field('QUI'), Buffer.from('AB'));
    assert.deepEqual(decodeBase64Field('QQ'), Buffer.from('A'));
  });

  test('data: header is tolerated, any case', () => {
    assert.deepEqual(decodeBase64Field(`data:image/png;base64,${b64}`), bytes);
    assert.deepEqual(decodeBase64Field(`DATA:IMAGE/JPEG;BASE64,${b64}`), bytes);
    assert.deepEqual(decodeBase64Field(`data:;base64,${b64}`), bytes);
    throwsWith(() => decodeBase64Field('data:image/png,%89PNG'), 'image_base64', /not base64/);
  });

  test('line breaks, surrounding whitespace and URL-safe alphabet are tolerated', () => {
    const wrapped = b64.replace(/.{76}/g, '$&\r\n');
    assert.deepEqual(decodeBase64Field(`\n  ${wrapped}\n`), bytes);
    const urlSafe = b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    assert.deepEqual(decodeBase64Field(urlSafe), bytes);
  });

  test("'+' turned into ' ' by a client that did not urlencode is repaired", () => {
    assert.ok(b64.includes('+'));
    assert.deepEqual(decodeBase64Field(b64.replace(/\+/g, ' ')), bytes);
  });

  test('characters outside the alphabet → image_base64 (216203)', () => {
    throwsWith(() => decodeBase64Field('QUJD$EFG'), 'image_base64', /invalid character 0x24 at offset 4/);
    throwsWith(() => decodeBase64Field(b64.slice(0, 100) + '中' + b64.slice(100)), 'image_base64', /invalid character/);
    throwsWith(() => decodeBase64Field('QUJD%2BEF'), 'image_base64'); // urlencoded twice
    throwsWith(() => decodeBase64Field('not base64 at all!'), 'image_base64');
  });

  test('wrong padding and impossible lengths → image_base64', () => {
    throwsWith(() => decodeBase64Field('QUJDR'), 'image_base64', /length/); // length % 4 == 1
    throwsWith(() => decodeBase64Field('QUJD='), 'image_base64');
    throwsWith(() => decodeBase64Field('QU='), 'image_base64', /padding/);
    throwsWith(() => decodeBase64Field('Q==='), 'image_base64');
    throwsWith(() => decodeBase64Field('QQ==QQ=='), 'image_base64', /padding/);
    throwsWith(() => decodeBase64Field('===='), 'image_base64');
  });

  test('non-zero unused bits in the last character are accepted (valid alphabet and length)', () => {
    assert.deepEqual(decodeBase64Field('QR=='), Buffer.from('A'));
  });

  test('over 4 MB of base64 → image_size (216202); exactly 4 MB passes, line breaks not counted', () => {
    assert.equal(DEFAULT_MAX_BASE64_BYTES, 4 * 1024 * 1024);
    const atLimit = 'A'.repeat(DEFAULT_MAX_BASE64_BYTES);
    assert.equal(decodeBase64Field(atLimit).length, (DEFAULT_MAX_BASE64_BYTES / 4) * 3);
    throwsWith(() => decodeBase64Field(atLimit + 'AAAA'), 'image_size');
    throwsWith(() => decodeBase64Field('A'.repeat(20 * 1024 * 1024)), 'image_size');
    assert.equal(decodeBase64Field(atLimit.replace(/.{76}/g, '$&\r\n')).length, (DEFAULT_MAX_BASE64_BYTES / 4) * 3);
    throwsWith(() => decodeBase64Field('QUJD'.repeat(10), { maxEncodedLength: 39 }), 'image_size');
  });
});

// ---------- sniff ----------

describe('sniffFormat', () => {
  test('recognises every format by magic bytes', async () => {
    const img = solid(60, 60, [10, 20, 30]);
    assert.equal(sniffFormat(await img.clone().jpeg().toBuffer()), 'jpeg');
    assert.equal(sniffFormat(await img.clone().png().toBuffer()), 'png');
    assert.equal(sniffFormat(await img.clone().webp().toBuffer()), 'webp');
    assert.equal(sniffFormat(await img.clone().gif().toBuffer()), 'gif');
    assert.equal(sniffFormat(await img.clone().tiff().toBuffer()), 'tiff');
    assert.equal(sniffFormat(await img.clone().avif().toBuffer()), 'avif');
    assert.equal(sniffFormat(makeBmp({ width: 1, height: 1, bpp: 24, row: () => [1, 2, 3] })), 'bmp');
    assert.equal(sniffFormat(ftyp('heic', ['mif1', 'heic'])), 'heic');
    assert.equal(sniffFormat(ftyp('mif1', ['mif1', 'heic', 'miaf'])), 'heic');
    assert.equal(sniffFormat(ftyp('mif1', ['mif1', 'avif', 'miaf'])), 'avif');
  });

  test('unknown content → undefined', () => {
    assert.equal(sniffFormat(new Uint8Array(0)), undefined);
    assert.equal(sniffFormat(Buffer.from('hello world, not an image')), undefined);
    assert.equal(sniffFormat(ftyp('isom', ['isom', 'mp41'])), undefined);
    assert.equal(sniffFormat(Buffer.from('BM')), undefined); // too short to be a BMP
  });
});

// ---------- decodeImage: formats and errors ----------

describe('decodeImage: formats', () => {
  test('JPEG decodes to packed RGB', async () => {
    const jpg = await solid(320, 240, [200, 40, 60]).jpeg({ quality: 95 }).toBuffer();
    const img = await decodeImage(jpg);
    assert.equal(img.format, 'jpeg');
    assert.equal(img.width, 320);
    assert.equal(img.height, 240);
    assert.equal(img.data.length, 320 * 240 * 3);
    assert.equal(img.orientationApplied, false);
    assert.equal(img.hadAlpha, false);
    near(pixel(img, 160, 120), [200, 40, 60], 4);
  });

  test('PNG bytes arriving under a .bmp name still decode as PNG (content is sniffed)', async () => {
    // The intake has no file name at all: what matters is that PNG bytes are not read as BMP.
    const png = await fromRaw(64, 50, pat).png().toBuffer();
    const img = await decodeImage(png, { formats: BAIDU_FORMATS });
    assert.equal(img.format, 'png');
    assertPattern(img, 64, 50);
  });

  test('zero bytes → image_empty (216200)', async () => {
    await rejectsWith(decodeImage(new Uint8Array(0)), 'image_empty');
  });

  test('random bytes → image_format (216201)', async () => {
    await rejectsWith(decodeImage(randomBytes(10_000)), 'image_format', /unrecognised/);
  });

  test('JPEG magic followed by garbage → image_format', async () => {
    await rejectsWith(decodeImage(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(5000)])), 'image_format');
  });

  test('truncated JPEG (cut in half) → image_format', async () => {
    const jpg = await fromRaw(400, 300, pat).jpeg().toBuffer();
    await rejectsWith(decodeImage(jpg.subarray(0, jpg.length >> 1)), 'image_format');
  });

  test('truncated PNG → image_format', async () => {
    const png = await fromRaw(400, 300, pat).png().toBuffer();
    await rejectsWith(decodeImage(png.subarray(0, png.length >> 1)), 'image_format');
  });

  test('GIF is not allowed under Baidu but decodes when allowed', async () => {
    const gif = await solid(60, 60, [255, 0, 0]).gif().toBuffer();
    await rejectsWith(decodeImage(gif), 'image_unsupported', /GIF is not accepted/);
    const img = await decodeImage(gif, ALL);
    assert.equal(img.format, 'gif');
    near(pixel(img, 30, 30), [255, 0, 0], 2);
  });

  test('WebP: rejected under Baidu, decoded under Kakao', async () => {
    const webp = await solid(80, 60, [0, 128, 255]).webp({ lossless: true }).toBuffer();
    await rejectsWith(decodeImage(webp), 'image_unsupported', /WebP/);
    const img = await decodeImage(webp, KAKAO);
    assert.equal(img.format, 'webp');
    assert.deepEqual(pixel(img, 40, 30), [0, 128, 255]);
  });

  test('HEIC: rejected under Baidu, decoded under Kakao (same picture as the JPEG)', async () => {
    const heic = await readFile(fixture('coco-000000000785.heic'));
    await rejectsWith(decodeImage(heic), 'image_unsupported', /HEIC is not accepted/);
    const img = await decodeImage(heic, KAKAO);
    const jpeg = await decodeImage(await readFile(fixture('coco-000000000785.jpg')));
    assert.equal(img.format, 'heic');
    assert.deepEqual([img.width, img.height], [jpeg.width, jpeg.height]);
    let diff = 0;
    for (let i = 0; i < img.data.length; i++) diff += Math.abs(img.data[i] - jpeg.data[i]);
    assert.ok(diff / img.data.length < 8, `mean abs difference ${diff / img.data.length}`);
    assert.deepEqual(await probeImage(heic, KAKAO), { format: 'heic', width: img.width, height: img.height, orientation: 1, orientationApplied: false });
  });

  test('HEIC: size limits are checked from the container, and corrupt files are image_format', async () => {
    const heic = await readFile(fixture('coco-000000000785.heic'));
    await rejectsWith(decodeImage(heic, { ...KAKAO, maxSide: 400 }), 'image_size');
    await rejectsWith(decodeImage(ftyp('heic', ['mif1', 'heic']), KAKAO), 'image_format', /HEIC/);
    await rejectsWith(decodeImage(heic.subarray(0, heic.length / 2), KAKAO), 'image_format', /HEIC/);
  });

  test('TIFF and AVIF are not in either dialect', async () => {
    const tif = await solid(60, 60, [1, 2, 3]).tiff().toBuffer();
    await rejectsWith(decodeImage(tif), 'image_unsupported');
    await rejectsWith(decodeImage(tif, KAKAO), 'image_unsupported');
  });
});

describe('decodeImage: size limits', () => {
  const sizes: [number, number, boolean][] = [
    [1, 1, false], [49, 100, false], [5000, 10, false], [60, 5000, false], [4097, 50, false], [50, 4097, false],
    [50, 50, true], [4096, 50, true], [50, 4096, true],
  ];
  for (const [w, h, ok] of sizes) {
    test(`${w}x${h} PNG → ${ok ? 'accepted' : 'image_size (216202)'}`, async () => {
      const png = await solid(w, h, [9, 9, 9]).png().toBuffer();
      if (ok) {
        const img = await decodeImage(png);
        assert.equal(img.width, w);
        assert.equal(img.height, h);
      } else {
        await rejectsWith(decodeImage(png), 'image_size', new RegExp(`${w}x${h}`));
        await rejectsWith(probeImage(png), 'image_size');
      }
    });
  }

  test('pixel cap stops a decompression bomb before decoding', async () => {
    // 8000x8000 of one colour: under 1 MB of PNG that would be 192 MB of RGB.
    const bomb = await sharp({ create: { width: 8000, height: 8000, channels: 3, background: '#000' } }).png().toBuffer();
    assert.ok(bomb.length < 1_000_000);
    await rejectsWith(decodeImage(bomb, { maxSide: 10_000 }), 'image_size', /pixels/);
    await rejectsWith(decodeImage(bomb), 'image_size', /longest side/);
  });

  test('custom limits', async () => {
    const png = await solid(100, 100, [0, 0, 0]).png().toBuffer();
    await rejectsWith(decodeImage(png, { minSide: 101 }), 'image_size');
    await rejectsWith(decodeImage(png, { maxSide: 99 }), 'image_size');
    await rejectsWith(decodeImage(png, { maxPixels: 9999 }), 'image_size');
    assert.equal((await decodeImage(png, { minSide: 100, maxSide: 100, maxPixels: 10000 })).width, 100);
  });
});

describe('decodeImage: colour handling', () => {
  test('greyscale PNG → 3 equal channels', async () => {
    const g8 = Buffer.alloc(60 * 60);
    for (let i = 0; i < g8.length; i++) g8[i] = (i % 60) * 4;
    const grey = await sharp(g8, { raw: { width: 60, height: 60, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    assert.equal((await sharp(grey).metadata()).channels, 1);
    const img = await decodeImage(grey);
    assert.equal(img.data.length, 60 * 60 * 3);
    near(pixel(img, 10, 5), [40, 40, 40], 1);
    near(pixel(img, 59, 59), [236, 236, 236], 1);
    const [r, g, b] = pixel(img, 33, 3);
    assert.ok(r === g && g === b);
  });

  test('16-bit PNG (RGB and grey) → 8-bit', async () => {
    const w = 60, h = 60;
    const rgb16 = new Uint16Array(w * h * 3);
    for (let i = 0; i < w * h; i++) rgb16.set([0xffff, 0x8000, 0x1234], i * 3);
    const png16 = await sharp(rgb16, { raw: { width: w, height: h, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    assert.equal((await sharp(png16).metadata()).depth, 'ushort');
    const img = await decodeImage(png16);
    assert.equal(img.data.length, w * h * 3);
    near(pixel(img, 7, 7), [255, 128, 0x12], 1);

    const grey16 = new Uint16Array(w * h).fill(0x4000);
    const pngG16 = await sharp(grey16, { raw: { width: w, height: h, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    near(pixel(await decodeImage(pngG16), 3, 3), [64, 64, 64], 1);
  });

  test('alpha is composited onto white', async () => {
    const rgba = Buffer.alloc(60 * 60 * 4);
    for (let i = 0; i < 60 * 60; i++) rgba.set(i < 1800 ? [255, 0, 0, 255] : i < 3000 ? [255, 0, 0, 128] : [0, 0, 0, 0], i * 4);
    const png = await sharp(rgba, { raw: { width: 60, height: 60, channels: 4 } }).png().toBuffer();
    const img = await decodeImage(png);
    assert.equal(img.hadAlpha, true);
    assert.equal(img.data.length, 60 * 60 * 3);
    assert.deepEqual(pixel(img, 0, 0), [255, 0, 0]); // opaque red
    near(pixel(img, 0, 40), [255, 127, 127], 1); // half-transparent red over white
    assert.deepEqual(pixel(img, 59, 59), [255, 255, 255]); // fully transparent (stored black) → white
  });

  test('palette PNG (with and without transparency) → RGB', async () => {
    const pal = await fromRaw(60, 60, (x) => (x < 30 ? [255, 0, 0] : [0, 0, 255])).png({ palette: true }).toBuffer();
    const img = await decodeImage(pal);
    assert.deepEqual(pixel(img, 5, 5), [255, 0, 0]);
    assert.deepEqual(pixel(img, 55, 5), [0, 0, 255]);

    const rgba = Buffer.alloc(60 * 60 * 4);
    for (let i = 0; i < 3600; i++) rgba.set(i % 60 < 30 ? [0, 255, 0, 255] : [0, 0, 0, 0], i * 4);
    const palA = await sharp(rgba, { raw: { width: 60, height: 60, channels: 4 } }).png({ palette: true }).toBuffer();
    const imgA = await decodeImage(palA);
    assert.deepEqual(pixel(imgA, 5, 5), [0, 255, 0]);
    assert.deepEqual(pixel(imgA, 55, 5), [255, 255, 255]);
  });

  test('CMYK JPEG → RGB', async () => {
    const cmyk = await solid(80, 80, [220, 30, 30]).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    const meta = await sharp(cmyk).metadata();
    assert.equal(meta.space, 'cmyk');
    assert.equal(meta.channels, 4);
    const img = await decodeImage(cmyk);
    assert.equal(img.data.length, 80 * 80 * 3);
    const [r, g, b] = pixel(img, 40, 40);
    assert.ok(r > 170 && g < 90 && b < 90, `reddish, got ${[r, g, b]}`);
  });
});

describe('decodeImage: EXIF orientation', () => {
  // Stored 200x100: left half red, right half blue, a green marker in the stored top-left corner.
  const stored = () => fromRaw(200, 100, (x, y) => (x < 20 && y < 20 ? [0, 255, 0] : x < 100 ? [255, 0, 0] : [0, 0, 255]));

  test('orientation 6 is applied: dimensions swap and pixels are upright', async () => {
    const jpg = await stored().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    assert.equal((await sharp(jpg).metadata()).orientation, 6);
    const info = await probeImage(jpg);
    assert.deepEqual([info.width, info.height, info.orientation, info.orientationApplied], [100, 200, 6, true]);
    const img = await decodeImage(jpg);
    assert.equal(img.width, 100);
    assert.equal(img.height, 200);
    assert.equal(img.orientation, 6);
    assert.equal(img.orientationApplied, true);
    // Orientation 6 = rotate 90° clockwise to view: stored left column becomes the top row,
    // stored top-left corner becomes the top-right corner.
    near(pixel(img, 50, 40), [255, 0, 0], 40, 'top half');
    near(pixel(img, 50, 160), [0, 0, 255], 40, 'bottom half');
    near(pixel(img, 90, 10), [0, 255, 0], 40, 'marker top-right');
    near(pixel(img, 10, 10), [255, 0, 0], 40, 'top-left is red');
  });

  test('orientation 3 (180°) keeps dimensions and flips pixels', async () => {
    const jpg = await stored().jpeg({ quality: 95 }).withMetadata({ orientation: 3 }).toBuffer();
    const img = await decodeImage(jpg);
    assert.deepEqual([img.width, img.height, img.orientationApplied], [200, 100, true]);
    near(pixel(img, 190, 90), [0, 255, 0], 40, 'marker bottom-right');
    near(pixel(img, 50, 50), [0, 0, 255], 40, 'left is blue');
  });

  test('autoOrient: false leaves the stored pixels', async () => {
    const jpg = await stored().jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const img = await decodeImage(jpg, { autoOrient: false });
    assert.deepEqual([img.width, img.height, img.orientation, img.orientationApplied], [200, 100, 6, false]);
    near(pixel(img, 10, 10), [0, 255, 0], 40, 'marker top-left');
  });

  test('size limits are checked on the upright dimensions', async () => {
    // Rotation never changes the shortest/longest side, but the reported dimensions must be upright.
    const jpg = await solid(4096, 60, [5, 5, 5]).jpeg().withMetadata({ orientation: 8 }).toBuffer();
    const info = await probeImage(jpg);
    assert.deepEqual([info.width, info.height], [60, 4096]);
  });
});

// ---------- BMP ----------

describe('BMP', () => {
  const W = 51, H = 50; // odd width: 24-bit rows need padding

  for (const topDown of [false, true]) {
    test(`24-bit BI_RGB ${topDown ? 'top-down' : 'bottom-up'}: exact pixels through decodeImage`, async () => {
      const bmp = makeBmp({ width: W, height: H, bpp: 24, topDown, row: (y) => Array.from({ length: W }, (_, x) => { const [r, g, b] = pat(x, y); return [b, g, r]; }).flat() });
      const img = await decodeImage(bmp);
      assert.equal(img.format, 'bmp');
      assert.equal(img.orientationApplied, false);
      assertPattern(img, W, H);
    });

    test(`32-bit BI_RGB ${topDown ? 'top-down' : 'bottom-up'}: exact pixels, reserved byte ignored`, async () => {
      const bmp = makeBmp({ width: W, height: H, bpp: 32, topDown, row: (y) => Array.from({ length: W }, (_, x) => { const [r, g, b] = pat(x, y); return [b, g, r, 0x5a]; }).flat() });
      const img = await decodeImage(bmp);
      assert.equal(img.hadAlpha, false);
      assertPattern(img, W, H);
    });
  }

  test('agrees with an independent encoder (bmp-ts, 24 and 32-bit)', () => {
    const w = 7, h = 5;
    const abgr = Buffer.alloc(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const [r, g, b] = pat(x, y); abgr.set([255, b, g, r], (y * w + x) * 4); }
    for (const bitPP of [24, 32]) assertPattern(decodeBmp(bmpTsEncode({ width: w, height: h, data: abgr, bitPP }).data), w, h);
  });

  test('8-, 4- and 1-bit palettes', () => {
    const colours: [number, number, number][] = Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 16, (i * 37) & 255]);
    const w = 9, h = 3;
    const idx = (x: number, y: number) => (x + y * 3) % 16;
    const img8 = decodeBmp(makeBmp({ width: w, height: h, bpp: 8, palette: colours, row: (y) => Array.from({ length: w }, (_, x) => idx(x, y)) }));
    const pack4 = (y: number) => { const out: number[] = []; for (let x = 0; x < w; x += 2) out.push((idx(x, y) << 4) | (x + 1 < w ? idx(x + 1, y) : 0)); return out; };
    const img4 = decodeBmp(makeBmp({ width: w, height: h, bpp: 4, palette: colours, row: pack4 }));
    for (const img of [img8, img4]) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) assert.deepEqual(pixel(img, x, y), colours[idx(x, y)]);

    const bw: [number, number, number][] = [[0, 0, 0], [255, 255, 255]];
    const img1 = decodeBmp(makeBmp({ width: 10, height: 2, bpp: 1, palette: bw, row: (y) => (y === 0 ? [0b10110000, 0b01000000] : [0xff, 0xc0]) }));
    assert.deepEqual([0, 1, 2, 3, 4, 8, 9].map((x) => pixel(img1, x, 0)[0]), [255, 0, 255, 255, 0, 0, 255]);
    assert.ok([...img1.data.subarray(30)].every((v) => v === 255));
  });

  test('16-bit 555 (BI_RGB) and 565 (BI_BITFIELDS)', () => {
    const img555 = decodeBmp(makeBmp({ width: 2, height: 1, bpp: 16, row: () => [0x00, 0x7c, 0x1f, 0x00] })); // red, blue
    assert.deepEqual(pixel(img555, 0, 0), [255, 0, 0]);
    assert.deepEqual(pixel(img555, 1, 0), [0, 0, 255]);
    const img565 = decodeBmp(makeBmp({ width: 2, height: 1, bpp: 16, compression: 3, masks: [0xf800, 0x07e0, 0x001f], row: () => [0xe0, 0x07, 0x10, 0x84] }));
    assert.deepEqual(pixel(img565, 0, 0), [0, 255, 0]);
    assert.deepEqual(pixel(img565, 1, 0), [132, 130, 132]); // 0x8410 = 16/31, 32/63, 16/31
  });

  test('32-bit BI_BITFIELDS with alpha (V4 header) is composited onto white', () => {
    const masks = [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000];
    const bmp = makeBmp({ width: 3, height: 1, bpp: 32, compression: 3, v4: true, masks, row: () => [0, 0, 255, 255, 0, 0, 255, 128, 0, 0, 0, 0] });
    const img = decodeBmp(bmp);
    assert.equal(img.hadAlpha, true);
    assert.deepEqual(pixel(img, 0, 0), [255, 0, 0]);
    assert.deepEqual(pixel(img, 1, 0), [255, 127, 127]);
    assert.deepEqual(pixel(img, 2, 0), [255, 255, 255]);
    // Alpha mask present but every alpha zero: the writer did not use alpha, so pixels are opaque.
    const unused = decodeBmp(makeBmp({ width: 2, height: 1, bpp: 32, compression: 3, v4: true, masks, row: () => [1, 2, 3, 0, 4, 5, 6, 0] }));
    assert.equal(unused.hadAlpha, false);
    assert.deepEqual(pixel(unused, 1, 0), [6, 5, 4]);
  });

  test('RLE8 with runs, absolute mode, delta and end-of-bitmap', () => {
    const palette: [number, number, number][] = [[0, 0, 0], [255, 0, 0], [0, 255, 0], [0, 0, 255]];
    // 4x3, bottom row first: [1,1,2,3] / delta to (1, row 2) / run of 3 → 3.
    const rle = [2, 1, 0, 3, 2, 3, 0, /* pad */ 0, 0, 0, 0, 2, 1, 1, 3, 3, 0, 1];
    const img = decodeBmp(makeBmp({ width: 4, height: 3, bpp: 8, compression: 1, palette, rle }));
    const rows = [0, 1, 2].map((y) => [0, 1, 2, 3].map((x) => palette.findIndex((c) => c.join() === pixel(img, x, y).join())));
    assert.deepEqual(rows, [[0, 3, 3, 3], [0, 0, 0, 0], [1, 1, 2, 3]]);
    throwsWith(() => decodeBmp(makeBmp({ width: 4, height: 3, bpp: 8, compression: 1, palette, rle: rle.slice(0, 5) })), 'image_format', /truncated/);
  });

  test('header claiming more rows than the file holds → image_format', async () => {
    const good = makeBmp({ width: 60, height: 60, bpp: 24, row: () => new Array(180).fill(7) });
    const lying = Buffer.from(good);
    lying.writeInt32LE(600, 22); // height 600, data for 60
    await rejectsWith(decodeImage(lying), 'image_format', /truncated/);
    await rejectsWith(decodeImage(good.subarray(0, good.length - 500)), 'image_format', /truncated/);
  });

  test('giant dimensions in a tiny file → image_format without allocating', async () => {
    const lying = makeBmp({ width: 60, height: 60, bpp: 24, row: () => new Array(180).fill(7) });
    lying.writeInt32LE(100_000, 18);
    lying.writeInt32LE(-100_000, 22);
    await rejectsWith(decodeImage(lying), 'image_format');
    await rejectsWith(decodeImage(lying, { maxSide: 1e9, maxPixels: 1e12 }), 'image_format');
  });

  test('other lying headers → image_format', async () => {
    const base = () => makeBmp({ width: 60, height: 60, bpp: 24, row: () => new Array(180).fill(7) });
    const cases: [string, (b: Buffer) => void][] = [
      ['pixel offset past the end', (b) => b.writeUInt32LE(b.length + 10, 10)],
      ['unknown DIB size', (b) => b.writeUInt32LE(999, 14)],
      ['zero width', (b) => b.writeInt32LE(0, 18)],
      ['negative width', (b) => b.writeInt32LE(-60, 18)],
      ['zero height', (b) => b.writeInt32LE(0, 22)],
      ['bit depth 7', (b) => b.writeUInt16LE(7, 28)],
      ['embedded PNG', (b) => b.writeUInt32LE(5, 30)],
      ['unknown compression', (b) => b.writeUInt32LE(77, 30)],
      ['bitfields on 24-bit', (b) => b.writeUInt32LE(3, 30)],
    ];
    for (const [what, mutate] of cases) {
      const b = base();
      mutate(b);
      await rejectsWith(decodeImage(b), 'image_format', undefined).catch((e) => { throw new Error(`${what}: ${e.message}`); });
    }
    await rejectsWith(decodeImage(base().subarray(0, 40)), 'image_format');
    await rejectsWith(decodeImage(Buffer.concat([Buffer.from('BM'), randomBytes(2000)])), 'image_format');
  });

  test('palette BMP whose palette is cut off → image_format', () => {
    const b = makeBmp({ width: 60, height: 1, bpp: 8, palette: [[1, 2, 3]], row: () => new Array(60).fill(0) });
    throwsWith(() => readBmpHeader(b.subarray(0, 14 + 40 + 2)), 'image_format');
  });

  test('mutated headers never escape as anything but image_format/image_size', async () => {
    let seed = 1234567;
    const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const sources = [
      makeBmp({ width: 60, height: 60, bpp: 8, palette: Array.from({ length: 256 }, (_, i): [number, number, number] => [i, i, i]), row: (y) => Array.from({ length: 60 }, (_, x) => (x + y) & 255) }),
      makeBmp({ width: 60, height: 60, bpp: 32, compression: 3, v4: true, masks: [0xff0000, 0xff00, 0xff, 0xff000000], row: (y) => new Array(240).fill(y) }),
      makeBmp({ width: 60, height: 60, bpp: 8, compression: 1, palette: [[1, 2, 3]], rle: [60, 0, 0, 0, 0, 2, 5, 5, 0, 1] }),
    ];
    for (const src of sources) {
      for (let i = 0; i < 300; i++) {
        const b = Buffer.from(src);
        for (let k = 0; k < 1 + (i % 4); k++) b[Math.floor(rnd() * Math.min(b.length, 140))] = Math.floor(rnd() * 256);
        const input = i % 5 === 0 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
        try {
          const img = await decodeImage(input, { minSide: 1 });
          assert.equal(img.data.length, img.width * img.height * 3);
        } catch (err) {
          assert.ok(err instanceof ServiceError && (err.kind === 'image_format' || err.kind === 'image_size' || err.kind === 'image_empty'), String(err));
        }
      }
    }
  });

  test('genuine BMP over the size limits → image_size', async () => {
    const wide = makeBmp({ width: 5000, height: 60, bpp: 24, row: () => [] });
    await rejectsWith(decodeImage(wide), 'image_size');
    const tiny = makeBmp({ width: 10, height: 10, bpp: 24, row: () => [] });
    await rejectsWith(decodeImage(tiny), 'image_size');
  });
});

// ---------- end to end and error-code coverage ----------

describe('decodeBase64Image (Baidu intake in one call)', () => {
  test('base64 PNG with a data: header decodes', async () => {
    const png = await fromRaw(64, 50, pat).png().toBuffer();
    const img = await decodeBase64Image(`data:image/png;base64,${png.toString('base64')}`);
    assertPattern(img, 64, 50);
  });

  test('every Baidu image error code is reachable through the one call', async () => {
    const gif = (await solid(60, 60, [0, 0, 0]).gif().toBuffer()).toString('base64');
    const tiny = (await solid(10, 10, [0, 0, 0]).png().toBuffer()).toString('base64');
    await rejectsWith(decodeBase64Image(undefined), 'missing_param'); // 216101
    await rejectsWith(decodeBase64Image('   '), 'image_empty'); // 216200
    await rejectsWith(decodeBase64Image(gif), 'image_unsupported'); // 216201
    await rejectsWith(decodeBase64Image(tiny), 'image_size'); // 216202
    await rejectsWith(decodeBase64Image('A'.repeat(DEFAULT_MAX_BASE64_BYTES + 4)), 'image_size'); // 216202
    await rejectsWith(decodeBase64Image('@@@@'), 'image_base64'); // 216203
  });
});

const COCO = '/work/shared/fixtures/coco-000000000785.jpg';
test('real photo fixture (skipped when ../shared is absent)', { skip: !existsSync(COCO) }, async () => {
  const bytes = readFileSync(COCO);
  const meta = await sharp(bytes).metadata();
  const img = await decodeImage(bytes);
  assert.equal(img.format, 'jpeg');
  assert.equal(img.width, meta.autoOrient.width);
  assert.equal(img.height, meta.autoOrient.height);
  assert.equal(img.data.length, img.width * img.height * 3);
});
