import { describe, expect, it } from 'vitest';
import { barChartSvg, lineChartSvg, seriesToChartPoints } from '../../lib/report/charts.ts';

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
});
