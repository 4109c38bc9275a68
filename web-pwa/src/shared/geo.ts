// Geohash cells (ATS-DESIGN section 3): a ping's cell is the precision-4 geohash of its spot;
// a reader subscribes to exactly the cells its radius circle touches and filters by distance.

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';
export const CELL_PRECISION = 4;
export const CELL_PATTERN = /^[0-9bcdefghjkmnpqrstuvwxyz]{4}$/;
const EARTH_RADIUS_M = 6_371_008.8;

export interface LatLon {
  lat: number;
  lon: number;
}

export interface Bounds {
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

export function encode(lat: number, lon: number, precision: number): string {
  if (!(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180)) {
    throw new RangeError(`not a position: ${lat}, ${lon}`);
  }
  let latMin = -90, latMax = 90, lonMin = -180, lonMax = 180;
  let hash = '';
  let bits = 0, value = 0, even = true;
  while (hash.length < precision) {
    if (even) {
      const mid = (lonMin + lonMax) / 2;
      if (lon >= mid) { value = value * 2 + 1; lonMin = mid; } else { value *= 2; lonMax = mid; }
    } else {
      const mid = (latMin + latMax) / 2;
      if (lat >= mid) { value = value * 2 + 1; latMin = mid; } else { value *= 2; latMax = mid; }
    }
    even = !even;
    if (++bits === 5) {
      hash += BASE32[value];
      bits = 0;
      value = 0;
    }
  }
  return hash;
}

export function bounds(hash: string): Bounds {
  let latMin = -90, latMax = 90, lonMin = -180, lonMax = 180;
  let even = true;
  for (const char of hash) {
    const value = BASE32.indexOf(char);
    if (value < 0) throw new RangeError(`not a geohash: ${hash}`);
    for (let bit = 4; bit >= 0; bit--) {
      const on = (value >> bit) & 1;
      if (even) {
        const mid = (lonMin + lonMax) / 2;
        if (on) lonMin = mid; else lonMax = mid;
      } else {
        const mid = (latMin + latMax) / 2;
        if (on) latMin = mid; else latMax = mid;
      }
      even = !even;
    }
  }
  return { latMin, latMax, lonMin, lonMax };
}

export function cellOf(position: LatLon): string {
  return encode(position.lat, position.lon, CELL_PRECISION);
}

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The point of a cell nearest to {@code p} (clamped per axis; good for cells far smaller than the earth). */
function nearestPoint(cell: Bounds, p: LatLon): LatLon {
  const lat = Math.min(Math.max(p.lat, cell.latMin), cell.latMax);
  let lon = p.lon;
  if (lon < cell.lonMin || lon > cell.lonMax) {
    const toMin = Math.abs(wrap(p.lon - cell.lonMin));
    const toMax = Math.abs(wrap(p.lon - cell.lonMax));
    lon = toMin < toMax ? cell.lonMin : cell.lonMax;
  }
  return { lat, lon };
}

function wrap(lon: number): number {
  return ((lon + 540) % 360) - 180;
}

/** Largest radius the app lets people choose: keeps the cover to a handful of cells. */
export const MAX_RADIUS_M = 50_000;

/**
 * Every precision-4 cell that the circle around {@code center} touches, sorted: walks the grid
 * over the circle's bounding box and keeps the cells whose nearest point lies within the radius.
 */
export function cellsCovering(center: LatLon, radiusM: number): string[] {
  if (!(radiusM > 0) || radiusM > MAX_RADIUS_M) throw new RangeError(`radius must be in (0, ${MAX_RADIUS_M}] m`);
  const cellHeight = 180 / 2 ** 10;
  const cellWidth = 360 / 2 ** 10;
  const dLat = (radiusM / EARTH_RADIUS_M) * (180 / Math.PI);
  const latMin = Math.max(-90, center.lat - dLat);
  const latMax = Math.min(90, center.lat + dLat);
  const widest = Math.max(Math.abs(latMin), Math.abs(latMax));
  const cos = Math.cos((Math.min(widest, 89) * Math.PI) / 180);
  const dLon = Math.min(180, dLat / cos);
  const found = new Set<string>();
  for (let lat = latMin; lat <= latMax + cellHeight; lat += cellHeight) {
    for (let lon = center.lon - dLon; lon <= center.lon + dLon + cellWidth; lon += cellWidth) {
      const hash = encode(Math.min(lat, latMax), wrap(Math.min(lon, center.lon + dLon)), CELL_PRECISION);
      if (!found.has(hash) && distanceMeters(center, nearestPoint(bounds(hash), center)) <= radiusM) {
        found.add(hash);
      }
    }
  }
  return [...found].sort();
}
