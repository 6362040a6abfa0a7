/**
 * Encryption at rest for the few values the server must be able to read back (apps' secret
 * keys: bce-auth-v1 signatures are HMACs keyed by them, so a hash will not do).
 *
 * AES-256-GCM under a 32-byte server key. The key comes from BODYLENS_SERVER_KEY (64 hex
 * characters or base64 of 32 bytes), or from `<dataDir>/server.key`, generated on first open
 * with mode 0600. Without that key the database's secrets are useless, so keep the two apart in
 * backups. A sealed value reads `enc1:<iv>:<tag>:<ciphertext>` (base64url parts).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SERVER_KEY_FILENAME = 'server.key';
const PREFIX = 'enc1:';

export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the server key must be 32 bytes');
    this.key = Buffer.from(key);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${ct.toString('base64url')}`;
  }

  /** The plain value; throws when the value was sealed under another key or was altered. */
  open(sealed: string): string {
    if (!SecretBox.isSealed(sealed)) throw new Error('value is not sealed');
    const [iv, tag, ct] = sealed.slice(PREFIX.length).split(':').map((p) => Buffer.from(p, 'base64url'));
    if (!iv || !tag || !ct) throw new Error('sealed value is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('a secret in the database cannot be decrypted: wrong server key (BODYLENS_SERVER_KEY or server.key)');
    }
  }
}

/** 64 hex characters or base64(32 bytes) → the key. */
export function parseServerKey(text: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (key.length !== 32) throw new Error('the server key must be 64 hex characters or base64 of 32 bytes');
  return key;
}

/**
 * The configured key, else `<dataDir>/server.key` (created 0600 with a random key if absent).
 * In-memory databases without a configured key get a random one for their lifetime.
 */
export function loadServerKey(dataDir: string, configured?: string): Buffer {
  if (configured) return parseServerKey(configured);
  if (dataDir === ':memory:') return randomBytes(32);
  const file = join(dataDir, SERVER_KEY_FILENAME);
  try {
    return parseServerKey(readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the server key ${file}: ${(err as Error).message}`);
  }
  const key = randomBytes(32);
  try {
    // 'wx': two processes starting together cannot both write one.
    writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return parseServerKey(readFileSync(file, 'utf8'));
    throw err;
  }
}

const boxes = new WeakMap<object, SecretBox>();

/** Binds the box that seals this connection's secrets (openDatabase does it). */
export function bindSecretBox(db: object, box: SecretBox): void {
  boxes.set(db, box);
}

export function secretBoxOf(db: object): SecretBox {
  const box = boxes.get(db);
  if (!box) throw new Error('no server key bound to this database (open it with openDatabase)');
  return box;
}
