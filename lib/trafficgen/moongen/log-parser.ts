/**
 * Reads the log MoonGen's RFC 2544 script (opnfv-vsperf.lua / trafficgen.lua)
 * prints. Accepts every variant seen in the wild: PARAMETERS before, after or
 * missing; total line with or without "Tx Mpps"; %f, %.8f or %.2f numbers;
 * progress noise around the report. A log without a REPORT total is an error,
 * never a row of zeros.
 */

export interface MoonGenParameters {
  startRate?: number;
  nrFlows?: number;
  frameSize?: number;
  runBidirec?: boolean;
  searchRunTime?: number;
  validationRunTime?: number;
  latencyRunTime?: number;
  acceptableLossPct?: number;
  ports?: string;
}

export interface MoonGenDirectionReport {
  from: number;
  to: number;
  txFrames: number;
  rxFrames: number;
  lossFrames: number;
  lossPct: number;
  rxMpps: number;
}

export interface MoonGenTotalReport {
  txFrames: number;
  rxFrames: number;
  lossFrames: number;
  lossPct: number;
  /** Missing in the older script's total line. */
  txMpps: number | null;
  rxMpps: number;
}

/** One trial of the script's own search, as its progress lines tell it. */
export interface MoonGenScriptTrial {
  rateMpps: number;
  finalValidation: boolean;
  passed: boolean;
  /** Highest per-direction loss % the script printed for this trial (null when it printed none). */
  maxLossPct: number | null;
}

export interface MoonGenLog {
  parameters: MoonGenParameters | null;
  directions: MoonGenDirectionReport[];
  total: MoonGenTotalReport;
  trials: MoonGenScriptTrial[];
  /** [ERROR] lines and the script's abort messages, for context in reports. */
  errors: string[];
}

export class MoonGenLogError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'MoonGenLogError';
  }
}

// printf %f, %.8f and %.2f all match; LuaJIT prints nan/inf for 0/0 and x/0.
const NUM = String.raw`([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|[-+]?nan|[-+]?inf)`;
const INT = String.raw`([-+]?\d+)`;

const TOTAL_RE = new RegExp(
  String.raw`\[REPORT\]\s*total:\s*Tx frames:\s*${INT}\s+Rx Frames:\s*${INT}\s+frame loss:\s*${INT},\s*${NUM}%` +
    String.raw`(?:\s+Tx Mpps:\s*${NUM})?\s+Rx Mpps:\s*${NUM}`,
  'i',
);
const DEVICE_RE = new RegExp(
  String.raw`\[REPORT\]\s*Device\s+${INT}\s*->\s*${INT}:\s*Tx frames:\s*${INT}\s+Rx Frames:\s*${INT}\s+` +
    String.raw`frame loss:\s*${INT},\s*${NUM}%\s+Rx Mpps:\s*${NUM}`,
  'i',
);
const PARAMETERS_RE = /\[PARAMETERS\]\s*(.*)$/i;
const TESTING_RE = new RegExp(String.raw`Testing\s+${NUM}\s+Mfps`, 'i');
const VERDICT_RE = /Test Result:\s*(PASSED|FAILED)/i;
const DEVICE_VERDICT_RE = new RegExp(
  String.raw`Device\s+\d+\s*->\s*\d+:?\s+(?:PASSED|FAILED)\s+-\s+frame loss\s+\(${INT},\s*${NUM}%`,
  'i',
);

function num(text: string): number {
  const t = text.toLowerCase().replace(/^\+/, '');
  if (t.endsWith('nan')) return NaN;
  if (t.endsWith('inf')) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(t);
}

function parseParameters(body: string): MoonGenParameters {
  const p: MoonGenParameters = {};
  // "key: value" pairs separated by spaces; values never contain spaces.
  for (const m of body.matchAll(/(\w+):\s*(\S+)/g)) {
    const [, key, value] = m as unknown as [string, string, string];
    switch (key) {
      case 'startRate':
      case 'nrFlows':
      case 'frameSize':
      case 'searchRunTime':
      case 'validationRunTime':
      case 'latencyRunTime':
      case 'acceptableLossPct':
        p[key] = num(value);
        break;
      case 'runBidirec':
        p.runBidirec = value === 'true';
        break;
      case 'ports':
        p.ports = value;
        break;
    }
  }
  return p;
}

export function parseMoonGenLog(text: string, source = 'MoonGen log'): MoonGenLog {
  let parameters: MoonGenParameters | null = null;
  let pendingDirections: MoonGenDirectionReport[] = [];
  let report: { directions: MoonGenDirectionReport[]; total: MoonGenTotalReport } | null = null;
  const trials: MoonGenScriptTrial[] = [];
  const errors: string[] = [];
  let rate: number | null = null;
  let finalValidation = false;
  let maxLossPct: number | null = null;

  for (const line of text.split(/\r?\n/)) {
    let m: RegExpExecArray | null;
    if ((m = PARAMETERS_RE.exec(line))) {
      parameters = parseParameters(m[1] ?? '');
    } else if ((m = DEVICE_RE.exec(line))) {
      pendingDirections.push({
        from: Number(m[1]),
        to: Number(m[2]),
        txFrames: Number(m[3]),
        rxFrames: Number(m[4]),
        lossFrames: Number(m[5]),
        lossPct: num(m[6]!),
        rxMpps: num(m[7]!),
      });
    } else if ((m = TOTAL_RE.exec(line))) {
      // A log may hold several reports (appended runs): the last one wins, with its own device lines.
      report = {
        directions: pendingDirections,
        total: {
          txFrames: Number(m[1]),
          rxFrames: Number(m[2]),
          lossFrames: Number(m[3]),
          lossPct: num(m[4]!),
          txMpps: m[5] === undefined ? null : num(m[5]),
          rxMpps: num(m[6]!),
        },
      };
      pendingDirections = [];
    } else if ((m = TESTING_RE.exec(line))) {
      // Printed once per transmitting device as a trial starts; verdicts follow it.
      rate = num(m[1]!);
      maxLossPct = null;
    } else if (/Starting final validation/i.test(line)) {
      finalValidation = true;
    } else if ((m = DEVICE_VERDICT_RE.exec(line))) {
      const pct = num(m[2]!);
      maxLossPct = maxLossPct === null ? pct : Math.max(maxLossPct, pct);
    } else if ((m = VERDICT_RE.exec(line))) {
      if (rate !== null) {
        trials.push({
          rateMpps: rate,
          finalValidation,
          passed: m[1]!.toUpperCase() === 'PASSED',
          maxLossPct,
        });
      }
      rate = null;
      finalValidation = false;
      maxLossPct = null;
    } else if (/\[ERROR\]|ABORT TEST|Could not even pass/i.test(line)) {
      errors.push(line.trim());
    }
  }

  if (!report) {
    const why = errors.length ? ` (last error: ${errors[errors.length - 1]})` : '';
    throw new MoonGenLogError(
      source,
      `no "[REPORT]      total: Tx frames: ... Rx Mpps: ..." line found: MoonGen did not finish a report${why}`,
    );
  }
  return { parameters, directions: report.directions, total: report.total, trials, errors };
}
