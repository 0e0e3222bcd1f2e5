/**
 * What the detector remembers of each finding, so that an attack that goes on is one
 * finding updated (not one per run) and a re-run never alerts twice: the last state
 * per (rule, group), saved with an optimistic revision check. Three stores: memory
 * (tests, one-off CLI runs), a JSON file (the local stack, CLI `--state`), DynamoDB
 * (AWS, `store-dynamodb.ts`).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Episode } from './episodes.js';

export interface FindingState extends Episode {
  /** The finding's deterministic uid (`finding_info.uid`). */
  uid: string;
  severityId: number;
  /** Peak event count when the last alert went out (escalation doubles it). */
  alertedPeak: number;
  /** Bumped on every save; the store refuses a save based on an older one. */
  revision: number;
  /** Response actions already taken for this finding. */
  responded: string[];
  updatedAt: number;
  /**
   * Set while this revision's delivery (audit, alert, responses) is outstanding: the
   * run that saved it delivers, then clears it; a run that finds it still set (the
   * delivering run failed) delivers again. Alerts are at least once, never lost.
   */
  pending?: 'new' | 'updated' | 'escalated';
}

export interface FindingStore {
  /** The latest finding of a rule for a group, if any. */
  latest(ruleId: string, groupKey: string): Promise<FindingState | undefined>;
  /**
   * Saves `state` if the stored revision is still `previousRevision` (undefined: none
   * stored). Returns false when another run saved first.
   */
  save(state: FindingState, previousRevision: number | undefined): Promise<boolean>;
  /** The end of the last run whose every rule succeeded (epoch ms). */
  watermark(): Promise<number | undefined>;
  setWatermark(ms: number): Promise<void>;
}

const keyOf = (ruleId: string, groupKey: string) => `${ruleId}#${groupKey}`;

export class MemoryFindingStore implements FindingStore {
  readonly states = new Map<string, FindingState>();
  private mark?: number;
  async watermark() {
    return this.mark;
  }
  async setWatermark(ms: number) {
    this.mark = ms;
  }
  async latest(ruleId: string, groupKey: string) {
    const state = this.states.get(keyOf(ruleId, groupKey));
    return state ? structuredClone(state) : undefined;
  }
  async save(state: FindingState, previousRevision: number | undefined) {
    const key = keyOf(state.ruleId, state.groupKey);
    if (this.states.get(key)?.revision !== previousRevision) return false;
    this.states.set(key, structuredClone(state));
    return true;
  }
}

/**
 * A JSON file of states (one process at a time: the local stack's timer, or a CLI run).
 * Written to a temporary file and renamed, so a crash leaves the old file whole; states
 * whose last event is older than `keepMs` (default 30 days) are dropped on save.
 */
export class FileFindingStore implements FindingStore {
  private cache?: Map<string, FindingState>;
  private mark?: number;
  constructor(
    private readonly path: string,
    private readonly keepMs = 30 * 86_400_000,
  ) {}

  private async load(): Promise<Map<string, FindingState>> {
    if (this.cache) return this.cache;
    try {
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as {
        states?: FindingState[];
        watermark?: number;
      };
      if (typeof parsed.watermark === 'number') this.mark = parsed.watermark;
      this.cache = new Map(
        (parsed.states ?? []).map((state) => [keyOf(state.ruleId, state.groupKey), state]),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError))
        throw error;
      // Missing or unreadable: start afresh (the worst case is one repeated alert).
      this.cache = new Map();
    }
    return this.cache;
  }

  async latest(ruleId: string, groupKey: string) {
    const state = (await this.load()).get(keyOf(ruleId, groupKey));
    return state ? structuredClone(state) : undefined;
  }

  async save(state: FindingState, previousRevision: number | undefined) {
    const states = await this.load();
    const key = keyOf(state.ruleId, state.groupKey);
    if (states.get(key)?.revision !== previousRevision) return false;
    states.set(key, structuredClone(state));
    const oldest = state.updatedAt - this.keepMs;
    for (const [k, s] of states) if (s.lastSeen < oldest) states.delete(k);
    await this.write();
    return true;
  }

  async watermark() {
    await this.load();
    return this.mark;
  }

  async setWatermark(ms: number) {
    await this.load();
    this.mark = ms;
    await this.write();
  }

  private async write(): Promise<void> {
    const states = await this.load();
    await mkdir(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    const body = {
      ...(this.mark !== undefined ? { watermark: this.mark } : {}),
      states: [...states.values()],
    };
    await writeFile(temporary, `${JSON.stringify(body)}\n`, { mode: 0o600 });
    await rename(temporary, this.path);
  }
}
