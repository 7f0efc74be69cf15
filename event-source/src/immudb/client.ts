/**
 * A small ImmuDB client on its gRPC API (@grpc/grpc-js + the server's own proto). It covers
 * what the event store needs: sessions, ExecAll with preconditions, Scan, TxScan and state, and the
 * verifiable reads whose proofs ./verify checks on this side.
 * The published Node client (immudb-node 1.1.1) is not used: see docs/architecture.md.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { verifiableEntryFromProto, verifiableTxFromProto } from './verify/from-proto';
import type { ImmuState, VerifiableEntry, VerifiableTx } from './verify/types';

const PROTO = path.join(__dirname, '..', '..', 'proto', 'immudb.proto');
const KEEPALIVE_MS = 30_000;

export type ImmuOptions = { address: string; user: string; password: string; database: string; timeoutMs?: number };

export type KV = { key: Buffer; value: Buffer };
export type Precondition = { keyMustExist: { key: Buffer } } | { keyMustNotExist: { key: Buffer } };
export type TxHeader = { id: number; ts: number; nentries: number };
export type Entry = { tx: number; key: Buffer; value: Buffer; revision: number };
export type Tx = { header: TxHeader; kvEntries: Entry[] };
/** Per-database settings ImmuDB takes at creation (see ../log-database.ts). */
export type DatabaseSettings = { syncFrequencyMs: number; preallocFiles: boolean };

/** Raised when an ExecAll's preconditions did not hold; nothing was written. */
export class PreconditionFailed extends Error {
  override readonly name = 'PreconditionFailed';
}

type Raw = Record<string, unknown>;
type UnaryFn = (
  req: unknown,
  md: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res: Raw) => void,
) => void;

export class ImmuClient {
  private readonly service: grpc.Client & Record<string, UnaryFn>;
  private sessionId: string | undefined;
  private opening: Promise<void> | undefined;
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ImmuOptions) {
    const def = protoLoader.loadSync(PROTO, {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      immudb: { schema: { ImmuService: grpc.ServiceClientConstructor } };
    };
    // gRPC's default 4 MiB per message is less than a scan of a few large transactions carries.
    this.service = new pkg.immudb.schema.ImmuService(opts.address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    }) as never;
  }

  /** Opens a session (ImmuDB 1.2+), kept alive until close(). */
  async open(): Promise<void> {
    this.opening ??= (async () => {
      const res = await this.unary(
        'OpenSession',
        {
          username: Buffer.from(this.opts.user),
          password: Buffer.from(this.opts.password),
          databaseName: this.opts.database,
        },
        false,
      );
      this.sessionId = String(res.sessionID);
      clearInterval(this.keepAlive);
      this.keepAlive = setInterval(() => {
        this.unary('KeepAlive', {}).catch(() => undefined);
      }, KEEPALIVE_MS);
      this.keepAlive.unref();
    })().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  async close(): Promise<void> {
    clearInterval(this.keepAlive);
    if (this.sessionId) await this.unary('CloseSession', {}).catch(() => undefined);
    this.sessionId = undefined;
    this.service.close();
  }

  /** Writes all KVs in one transaction, only if every precondition holds. */
  async execAll(kvs: KV[], preconditions: Precondition[]): Promise<TxHeader> {
    try {
      const res = await this.call('ExecAll', { Operations: kvs.map((kv) => ({ kv })), preconditions });
      return toHeader(res);
    } catch (err) {
      if (isPreconditionFailure(err)) throw new PreconditionFailed((err as Error).message);
      throw err;
    }
  }

  /**
   * Writes all KVs in one transaction, only if every precondition holds: the same all-or-nothing
   * commit as execAll, but through `Set`, which holds the database lock shared (ExecAll holds it
   * exclusively, so every read queues behind it). The commit is synced before this resolves;
   * with `noWait` it does not also wait for the index to include it (the next conditional
   * commit and every Scan wait for that themselves, so no read or precondition sees less).
   */
  async set(kvs: KV[], preconditions: Precondition[], opts: { noWait?: boolean } = {}): Promise<TxHeader> {
    try {
      const res = await this.call('Set', { KVs: kvs, preconditions, noWait: opts.noWait ?? true });
      return toHeader(res);
    } catch (err) {
      if (isPreconditionFailure(err)) throw new PreconditionFailed((err as Error).message);
      throw err;
    }
  }

  /**
   * Creates a database with these settings unless it exists (needs a session of a user allowed
   * to create databases). Returns whether it existed and the sync frequency it has.
   */
  async createDatabase(
    name: string,
    settings: DatabaseSettings,
  ): Promise<{ alreadyExisted: boolean; syncFrequencyMs: number | undefined }> {
    const res = await this.call('CreateDatabaseV2', {
      name,
      ifNotExists: true,
      settings: {
        syncFrequency: { value: String(settings.syncFrequencyMs) },
        preallocFiles: { value: settings.preallocFiles },
      },
    });
    const current = (res.settings as Raw | undefined)?.syncFrequency as Raw | undefined;
    return {
      alreadyExisted: Boolean(res.alreadyExisted),
      syncFrequencyMs: current ? Number(current.value) : undefined,
    };
  }

  /**
   * Creates a user with `permission` (1 read, 2 read and write) on one database; needs an admin's
   * session. Returns false when the user exists already (nothing changed).
   */
  async createUser(user: string, password: string, permission: 1 | 2, database: string): Promise<boolean> {
    try {
      await this.call('CreateUser', { user: Buffer.from(user), password: Buffer.from(password), permission, database });
      return true;
    } catch (err) {
      if (/already exists/i.test((err as Error)?.message ?? '')) return false;
      throw err;
    }
  }

  /** Grants a user a permission on a database (1 read, 2 read-write); a system admin's session. */
  async grant(user: string, permission: 1 | 2, database: string): Promise<void> {
    await this.call('ChangePermission', { action: 'GRANT', username: user, database, permission });
  }

  /** Sets another user's password (a system admin's session; the old one is not needed). */
  async setPassword(user: string, password: string): Promise<void> {
    await this.call('ChangePassword', {
      user: Buffer.from(user),
      oldPassword: Buffer.alloc(0),
      newPassword: Buffer.from(password),
    });
  }

  /** Keys in order under `prefix`, from `seekKey` (inclusive). Waits until the index has caught up. */
  async scan(prefix: Buffer, opts: { seekKey?: Buffer; limit: number; desc?: boolean }): Promise<Entry[]> {
    const res = await this.call('Scan', {
      prefix,
      seekKey: opts.seekKey ?? Buffer.alloc(0),
      inclusiveSeek: true,
      limit: String(opts.limit),
      desc: opts.desc ?? false,
    });
    return ((res.entries as Raw[]) ?? []).map(toEntry);
  }

  /**
   * Transactions from `initialTx` on, with their key-values (read from the transactions
   * themselves: no reference is resolved, so the index is not needed).
   *
   * ImmuDB takes an index snapshot for every TxScan, by default one that includes the latest
   * transaction; when the index has changed since its last snapshot on disk, that means flushing
   * the index first. A relay reading right behind the appends would then flush once per append.
   * `sinceTx: 1` accepts any snapshot, so no flush and no wait; 0 only while the log is empty.
   */
  async txScan(initialTx: number, limit: number): Promise<Tx[]> {
    const scan = (sinceTx: number) =>
      this.call('TxScan', {
        initialTx: String(initialTx),
        limit,
        entriesSpec: { kvEntriesSpec: { action: 'RESOLVE' } },
        sinceTx: String(sinceTx),
        noWait: true,
      });
    let res: Raw;
    try {
      res = await scan(1);
    } catch (err) {
      if (!/illegal arguments/i.test((err as Error).message)) throw err;
      res = await scan(0); // an empty database has no transaction 1 to be "since"
    }
    return ((res.txs as Raw[]) ?? []).map((tx) => ({
      header: toHeader(tx.header as Raw),
      kvEntries: ((tx.kvEntries as Raw[]) ?? []).map(toEntry),
    }));
  }

  /** The database's current state: last transaction id and its accumulated hash. Unverified. */
  async currentState(): Promise<ImmuState> {
    const res = await this.call('CurrentState', {});
    return { txId: Number(res.txId), txHash: res.txHash as Buffer };
  }

  /**
   * A key's value at transaction `atTx` with the proofs that it is in that transaction and that
   * the transaction is an ancestor of (or descends from) transaction `proveSinceTx`.
   */
  async verifiableGet(key: Buffer, atTx: number, proveSinceTx: number): Promise<VerifiableEntry> {
    const res = await this.call('VerifiableGet', {
      keyRequest: { key, atTx: String(atTx) },
      proveSinceTx: String(proveSinceTx),
    });
    return verifiableEntryFromProto(res);
  }

  /** Transaction `tx`'s header with the dual proof linking it to transaction `proveSinceTx`. */
  async verifiableTxById(tx: number, proveSinceTx: number): Promise<VerifiableTx> {
    const exclude = { action: 'EXCLUDE' };
    const res = await this.call('VerifiableTxById', {
      tx: String(tx),
      proveSinceTx: String(proveSinceTx),
      entriesSpec: { kvEntriesSpec: exclude, zEntriesSpec: exclude, sqlEntriesSpec: exclude },
    });
    return verifiableTxFromProto(res);
  }

  /** Calls with the session; re-opens it once if the server forgot it (restart, inactivity). */
  private async call(method: string, req: unknown): Promise<Raw> {
    if (!this.sessionId) await this.open();
    try {
      return await this.unary(method, req);
    } catch (err) {
      if (!isSessionLost(err)) throw err;
      this.sessionId = undefined;
      await this.open();
      return this.unary(method, req);
    }
  }

  private unary(method: string, req: unknown, withSession = true): Promise<Raw> {
    const md = new grpc.Metadata();
    if (withSession && this.sessionId) md.set('sessionid', this.sessionId);
    const deadline = Date.now() + (this.opts.timeoutMs ?? 10_000);
    const fn = this.service[method];
    if (!fn) throw new Error(`unknown ImmuDB method ${method}`);
    return new Promise((resolve, reject) => {
      fn.call(this.service, req, md, { deadline }, (err, res) => (err ? reject(err) : resolve(res)));
    });
  }
}

function toHeader(raw: Raw): TxHeader {
  return { id: Number(raw.id), ts: Number(raw.ts), nentries: Number(raw.nentries) };
}

function toEntry(raw: Raw): Entry {
  return { tx: Number(raw.tx), key: raw.key as Buffer, value: raw.value as Buffer, revision: Number(raw.revision) };
}

function isPreconditionFailure(err: unknown): boolean {
  return /precondition/i.test((err as Error)?.message ?? '');
}

function isSessionLost(err: unknown): boolean {
  const e = err as grpc.ServiceError;
  return e?.code === grpc.status.UNAUTHENTICATED || /session not found|no sessions/i.test(e?.message ?? '');
}
