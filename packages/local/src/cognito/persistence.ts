/**
 * Writing the emulator's state: the state file (atomically, `saveDelayMs` after a change)
 * and the append-only refresh-token log (a sign-in appends a line instead of rewriting the
 * state). Reading them is `state.ts`.
 */
import {
  appendTokenLog,
  type RefreshTokenRecord,
  type State,
  type TokenLogLine,
  tokenLogFile,
  writeState,
} from './state.js';

export class Persistence {
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private stateDirty = false;
  private tokenLines: string[] = [];

  constructor(
    private readonly stateFile: string | undefined,
    private readonly saveDelayMs: number,
    private readonly state: State,
  ) {}

  changed(): void {
    this.stateDirty = true;
    this.scheduleSave();
  }

  /** Records a refresh token's issue or revocation in the append-only token log. */
  tokenChanged(hash: string, token: RefreshTokenRecord): void {
    if (!this.stateFile) return;
    const line: TokenLogLine = token.revoked ? { h: hash, revoked: true } : { h: hash, t: token };
    this.tokenLines.push(`${JSON.stringify(line)}\n`);
    this.scheduleSave();
  }

  /** Writes the state file and the token log now (atomically); resolves when written. */
  save(): Promise<void> {
    return this.flush(true);
  }

  private scheduleSave(): void {
    if (!this.stateFile || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.flush(false).catch(() => undefined);
    }, this.saveDelayMs);
    this.saveTimer.unref?.();
  }

  private flush(force: boolean): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    const file = this.stateFile;
    if (!file) return Promise.resolve();
    // The snapshot is taken when this write's turn comes, not now: while a large state is
    // being written, changes go on and flushes queue up, and each queued flush holding its
    // own copy of the whole state would pile copies up in memory. A flush that finds
    // nothing new by its turn writes nothing.
    this.saving = this.saving.then(async () => {
      const writeMain = force || this.stateDirty;
      this.stateDirty = false;
      const lines = this.tokenLines;
      this.tokenLines = [];
      // Refresh tokens are in the token log, not in the state file.
      if (writeMain) await writeState(file, JSON.stringify({ ...this.state, refreshTokens: {} }));
      if (lines.length) await appendTokenLog(tokenLogFile(file), lines);
    });
    return this.saving;
  }
}
