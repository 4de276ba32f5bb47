import { describe, expect, it } from 'vitest';
import { GeneratorShortfallError, judgeDirection } from '../../lib/dataplane/offered-rate.ts';

const opts = { pacingTolerancePct: 1, calibratedFps: 500_000, where: 'test' };

describe('offered vs achieved', () => {
  it('counts only tx - rx when the sender achieved the offered rate', () => {
    const j = judgeDirection({ offeredFps: 100_000, sent: 100_000, elapsedS: 1.005, received: 99_000 }, opts);
    expect(j).toMatchObject({ backPressure: false, tx: 100_000, rx: 99_000 });
  });

  it('counts a shortfall the generator alone would not have as DUT back-pressure: loss', () => {
    // 100 kpps offered, 50 kpps achieved, nothing dropped: the DUT carried half of what was offered.
    const j = judgeDirection({ offeredFps: 100_000, sent: 50_000, elapsedS: 1, received: 50_000 }, opts);
    expect(j.backPressure).toBe(true);
    expect(j.tx).toBe(100_000);
    expect(j.rx).toBe(50_000);
  });

  it('fails the trial when the generator alone cannot offer the rate', () => {
    expect(() =>
      judgeDirection({ offeredFps: 900_000, sent: 450_000, elapsedS: 1, received: 450_000 }, opts),
    ).toThrow(GeneratorShortfallError);
    expect(() =>
      judgeDirection({ offeredFps: 900_000, sent: 450_000, elapsedS: 1, received: 450_000 }, opts),
    ).toThrow('generator could not offer 900.00 kpps (achieved 450.00 kpps)');
  });
});
