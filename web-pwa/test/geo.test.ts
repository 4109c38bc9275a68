import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { bounds, cellOf, cellsCovering, distanceMeters, encode } from '../src/shared/geo';

const contract = JSON.parse(readFileSync(new URL('./vectors/ats-contract.json', import.meta.url), 'utf8'));

describe('geohash', () => {
  it.each(contract.geohash as { lat: number; lon: number; geohash: string }[])('$lat,$lon is $geohash', ({ lat, lon, geohash }) => {
    expect(encode(lat, lon, geohash.length)).toBe(geohash);
    const cell = bounds(geohash);
    expect(lat).toBeGreaterThanOrEqual(cell.latMin);
    expect(lat).toBeLessThanOrEqual(cell.latMax);
    expect(lon).toBeGreaterThanOrEqual(cell.lonMin);
    expect(lon).toBeLessThanOrEqual(cell.lonMax);
  });

  it('refuses what is not a position', () => {
    expect(() => encode(91, 0, 4)).toThrow();
    expect(() => encode(Number.NaN, 0, 4)).toThrow();
    expect(() => bounds('dqca')).toThrow(); // 'a' is not in the alphabet
  });
});

describe('cells a radius touches', () => {
  const washington = { lat: 38.8977, lon: -77.0365 };

  it('a small circle well inside one cell touches that cell alone', () => {
    const cell = bounds(cellOf(washington));
    const middle = { lat: (cell.latMin + cell.latMax) / 2, lon: (cell.lonMin + cell.lonMax) / 2 };
    expect(cellsCovering(middle, 1000)).toEqual([cellOf(middle)]);
  });

  it('a circle over a corner touches the four cells that meet there', () => {
    const cell = bounds('dqcj');
    const corner = { lat: cell.latMax, lon: cell.lonMax };
    const cells = cellsCovering({ lat: corner.lat - 0.001, lon: corner.lon - 0.001 }, 2000);
    expect(cells).toHaveLength(4);
    expect(cells).toContain('dqcj');
  });

  it('contains every cell that holds a point within the radius, and no cell without one', () => {
    const radius = 30_000;
    const cells = new Set(cellsCovering(washington, radius));
    // Sample points on a grid around the centre: each within the radius must lie in a covered cell.
    for (let i = -40; i <= 40; i++) {
      for (let j = -40; j <= 40; j++) {
        const p = { lat: washington.lat + i * 0.008, lon: washington.lon + j * 0.01 };
        if (distanceMeters(washington, p) <= radius) expect(cells.has(cellOf(p))).toBe(true);
      }
    }
    // And each covered cell holds a point within the radius (sampled; 300 m for the sampling step).
    for (const hash of cells) {
      const cell = bounds(hash);
      let nearest = Infinity;
      for (let i = 0; i <= 60; i++) {
        for (let j = 0; j <= 60; j++) {
          const p = { lat: cell.latMin + ((cell.latMax - cell.latMin) * i) / 60, lon: cell.lonMin + ((cell.lonMax - cell.lonMin) * j) / 60 };
          nearest = Math.min(nearest, distanceMeters(washington, p));
        }
      }
      expect(nearest, hash).toBeLessThanOrEqual(radius + 300);
    }
  });

  it('refuses a radius past the cap', () => {
    expect(() => cellsCovering(washington, 50_001)).toThrow();
    expect(() => cellsCovering(washington, 0)).toThrow();
  });

  it('measures distance', () => {
    // One degree of latitude is about 111.2 km.
    expect(distanceMeters({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111_195, -2);
  });
});
