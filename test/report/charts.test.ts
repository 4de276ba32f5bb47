import { describe, expect, it } from 'vitest';
import { barChartSvg, lineChartSvg, seriesToChartPoints, trendChartSvg } from '../../lib/report/charts.ts';

describe('charts', () => {
  it('draws a line chart as SVG naming every series and the titles', async () => {
    const svg = await lineChartSvg({
      title: 'Peers and prefixes',
      xTitle: 'seconds since start',
      yTitle: 'count',
      series: [
        {
          name: 'peers up',
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 10 },
          ],
        },
        {
          name: 'prefixes total',
          points: [
            { x: 0, y: 0 },
            { x: 2, y: 1000 },
          ],
        },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['peers up', 'prefixes total', 'Peers and prefixes', 'seconds since start']) {
      expect(svg).toContain(text);
    }
    // One path per line mark.
    expect(svg.match(/<path[^>]*aria-roledescription="line mark"/g)?.length).toBe(2);
  });

  it('draws grouped bars', async () => {
    const svg = await barChartSvg({
      title: 'Times per iteration',
      xTitle: 'iteration',
      yTitle: 's',
      bars: [
        { label: '1', value: 1.5, group: 'add' },
        { label: '1', value: 0.7, group: 'delete' },
        { label: '2', value: 2.5, group: 'add' },
      ],
    });
    expect(svg).toContain('Times per iteration');
    expect(svg).toContain('delete');
    expect(svg.match(/aria-roledescription="bar"/g)?.length).toBe(3);
  });

  it('draws no bar for a missing value, never a 0, and keeps its label on the axis', async () => {
    const svg = await barChartSvg({
      title: 'Rx vs frame size',
      xTitle: 'frame size',
      yTitle: '%',
      bars: [
        { label: '64', value: 67 },
        { label: '128', value: undefined },
        { label: '256', value: NaN },
        { label: '512', value: null },
        { label: '1518', value: 100 },
      ],
    });
    const bars = svg.match(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="bar"/g) ?? [];
    expect(bars.map((b) => /frame size: (\d+); %: (\S+)"/.exec(b)?.slice(1))).toEqual([
      ['64', '67'],
      ['1518', '100'],
    ]);
    for (const label of ['64', '128', '256', '512', '1518']) expect(svg).toContain(`>${label}</text>`);
  });

  it('leaves missing values out of a line instead of drawing them at 0', async () => {
    const svg = await lineChartSvg({
      title: 'Bounds',
      xTitle: 'trial',
      yTitle: 'Mpps',
      series: [
        {
          name: 'lower',
          points: [
            { x: 1, y: null },
            { x: 2, y: 5 },
            { x: 3, y: NaN },
            { x: 4, y: 6 },
          ],
        },
      ],
    });
    const points =
      svg.match(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="point"/g) ?? [];
    expect(points.map((p) => /trial: (\d+); Mpps: (\S+);/.exec(p)?.slice(1))).toEqual([
      ['2', '5'],
      ['4', '6'],
    ]);
  });

  it('turns series points into seconds since the first point', () => {
    const pts = seriesToChartPoints([
      { t: 5000, wall: 0, v: 1 },
      { t: 6500, wall: 0, v: 2 },
    ]);
    expect(pts).toEqual([
      { x: 0, y: 1 },
      { x: 1.5, y: 2 },
    ]);
  });

  it('draws a trend: runs in the given order, the highlighted one larger in its own colour, the band across the chart', async () => {
    const svg = await trendChartSvg({
      title: 'prefix_add_time',
      subtitle: 'band: baseline 8.1 s',
      xTitle: 'run',
      yTitle: 's',
      points: [
        { label: 'night-01', y: 8.1 },
        { label: 'night-02', y: 8.2 },
        { label: 'night-03', y: undefined },
        { label: 'night-04', y: 8 },
        { label: 'tonight', y: 9.8, highlighted: true },
      ],
      band: { lo: 7.85, hi: 8.35, centre: 8.1 },
      highlightedName: 'this run',
      othersName: 'earlier runs',
      width: 500,
    });
    const points = [
      ...svg.matchAll(
        /<path aria-label="run: ([^;]+); s: ([^;]+); kind: ([^"]+)" role="graphics-symbol" aria-roledescription="point" transform="translate\(([\d.]+),[^"]*" d="M([\d.]+),[^"]*" fill="([^"]+)"/g,
      ),
    ].map(([, run, y, kind, x, radius, fill]) => ({
      run,
      y,
      kind,
      x: Number(x),
      radius: Number(radius),
      fill,
    }));
    expect(points.map((p) => [p.run, p.y, p.kind])).toEqual([
      ['night-01', '8.1', 'earlier runs'],
      ['night-02', '8.2', 'earlier runs'],
      ['night-04', '8', 'earlier runs'],
      ['tonight', '9.8', 'this run'],
    ]);
    // In run order from left to right; the missing night keeps its place on the axis.
    expect(points.map((p) => p.x)).toEqual([...points.map((p) => p.x)].sort((a, b) => a - b));
    expect(svg).toContain('>night-03</text>');
    const tonight = points.at(-1)!;
    expect(new Set(points.slice(0, -1).map((p) => p.fill))).not.toContain(tonight.fill);
    expect(tonight.radius).toBeGreaterThan(Math.max(...points.slice(0, -1).map((p) => p.radius)));
    // The band: one strip from lo to hi over the whole width, a rule at its centre.
    expect(svg).toMatch(
      /aria-label="s: 7\.85; hi: 8\.35" role="graphics-symbol" aria-roledescription="rect mark" d="M0,[\d.]+h500v[\d.]+h-500Z"/,
    );
    expect(svg).toContain('aria-label="s: 8.1" role="graphics-symbol" aria-roledescription="rule mark"');
    for (const text of ['prefix_add_time', 'band: baseline 8.1 s', 'this run', 'earlier runs']) {
      expect(svg).toContain(`>${text}</text>`);
    }
  });

  it('draws a trend without a band when there is none', async () => {
    const svg = await trendChartSvg({
      title: 'peers_up_time',
      xTitle: 'run',
      yTitle: 's',
      points: [{ label: 'tonight', y: 1.5, highlighted: true }],
    });
    expect(svg).not.toContain('aria-roledescription="rect mark"');
    expect(svg).not.toContain('aria-roledescription="rule mark"');
    expect(svg.match(/aria-roledescription="point"/g)).toHaveLength(1);
  });
});
