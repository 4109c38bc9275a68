package run.ats.protocol.geo;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Geohash cells as ATS uses them (ATS-DESIGN section 3): a ping is published to the cell that
 * holds it, and a PWA subscribes to every cell its radius touches, then filters by exact
 * distance. Standard geohash: bits interleaved starting with longitude, base32 alphabet
 * {@code 0123456789bcdefghjkmnpqrstuvwxyz}, lowercase only (the relay protocol's cell pattern
 * is lowercase, so an uppercase geohash is refused rather than silently accepted).
 */
public final class Geohash {

    /** The longest geohash accepted: 60 bits, about 3.7 cm x 1.9 cm. */
    public static final int MAX_PRECISION = 12;

    /**
     * The mean Earth radius (IUGG R1 = (2a + b) / 3 of WGS 84), the usual choice for a spherical
     * model; every party must use the same value so that all agree on who is inside a radius.
     */
    public static final double EARTH_RADIUS_METERS = 6_371_008.8;

    /** The largest radius {@link #cellsTouching} accepts; ATS radii go up to about 50 km. */
    public static final double MAX_RADIUS_METERS = 100_000;

    /**
     * The most cells {@link #cellsTouching} examines. A circle around a pole touches every column
     * of the polar rows, so the radius limit alone does not bound the work at high precision.
     * Precision 4 (what ATS uses) stays far below this anywhere on Earth.
     */
    public static final int MAX_CELLS_EXAMINED = 1 << 16;

    /** The order of {@link #neighbours}: {rows north, columns east}. */
    private static final int[][] NEIGHBOUR_OFFSETS = {
            {1, 0},   // N
            {1, 1},   // NE
            {0, 1},   // E
            {-1, 1},  // SE
            {-1, 0},  // S
            {-1, -1}, // SW
            {0, -1},  // W
            {1, -1},  // NW
    };

    private Geohash() {
    }

    /**
     * The geohash of the cell holding the point. A point on a border belongs to the cell north
     * or east of it (the standard rule), except on the north pole and at longitude 180, which
     * belong to the northernmost and easternmost cells.
     *
     * <p>Requires {@code -90 <= lat <= 90}, {@code -180 <= lon <= 180} and
     * {@code 1 <= precision <= 12}.
     */
    public static String encode(double lat, double lon, int precision) {
        requireLatitude(lat);
        requireLongitude(lon);
        requirePrecision(precision);
        return GridCell.containing(lat, lon, precision).geohash();
    }

    /**
     * The area of a cell. Requires 1 to 12 characters of the geohash alphabet, lowercase.
     */
    public static BoundingBox decode(String geohash) {
        return parse(geohash).box();
    }

    /**
     * The cells around one of the same precision, in the order N, NE, E, SE, S, SW, W, NW.
     * East and west wrap around the antimeridian. A cell in the northernmost row has no N, NE
     * or NW (and one in the southernmost row no S, SE or SW): these would lie beyond the pole,
     * and the cells "across" the pole are not adjacent in any useful sense, so they are left
     * out and the list is shorter (5 entries). Requires a valid geohash, as for {@link #decode}.
     */
    public static List<String> neighbours(String geohash) {
        GridCell cell = parse(geohash);
        List<String> neighbours = new ArrayList<>(NEIGHBOUR_OFFSETS.length);
        for (int[] offset : NEIGHBOUR_OFFSETS) {
            cell.offset(offset[0], offset[1]).ifPresent(n -> neighbours.add(n.geohash()));
        }
        return List.copyOf(neighbours);
    }

    /**
     * Every cell of the given precision whose area comes within {@code radiusMeters} of the
     * point (great-circle distance to the nearest point of the cell, see
     * {@link BoundingBox#distanceMetersFrom}): the cells a subscriber with that radius must
     * follow. Circles crossing the antimeridian or holding a pole are handled. The result is
     * sorted and unmodifiable.
     *
     * <p>Requires a valid point and precision (as for {@link #encode}),
     * {@code 0 <= radiusMeters <= MAX_RADIUS_METERS}, and that the cells to examine (the grid
     * rectangle around the circle) number at most {@link #MAX_CELLS_EXAMINED}.
     */
    public static Set<String> cellsTouching(double lat, double lon, double radiusMeters, int precision) {
        requireLatitude(lat);
        requireLongitude(lon);
        requirePrecision(precision);
        if (!(radiusMeters >= 0 && radiusMeters <= MAX_RADIUS_METERS)) {
            throw new IllegalArgumentException(
                    "radius must be in [0, " + MAX_RADIUS_METERS + "] m, was " + radiusMeters);
        }

        // The circle's latitude range; if it reaches a pole, it spans every longitude.
        double radiusRadians = radiusMeters / EARTH_RADIUS_METERS;
        double radiusDegrees = Math.toDegrees(radiusRadians);
        boolean holdsPole = lat + radiusDegrees >= 90 || lat - radiusDegrees <= -90;

        // The grid rectangle to examine. One extra row and column on each side absorbs any
        // rounding in these bounds; the exact test below discards cells that do not touch.
        double height = GridCell.height(precision);
        double width = GridCell.width(precision);
        int columns = GridCell.columns(precision);
        int firstRow = Math.max(0, (int) Math.floor((lat - radiusDegrees + 90) / height) - 1);
        int lastRow = Math.min(GridCell.rows(precision) - 1, (int) Math.floor((lat + radiusDegrees + 90) / height) + 1);
        long firstColumn = 0;
        long columnCount = columns;
        if (!holdsPole) {
            // The meridians tangent to a spherical cap: sin(halfWidth) = sin(radius) / cos(lat).
            // Column indices may run past either end of the grid: they wrap at the antimeridian.
            double ratio = Math.sin(radiusRadians) / Math.cos(Math.toRadians(lat));
            double halfWidth = Math.toDegrees(Math.asin(Math.min(1, ratio)));
            firstColumn = (long) Math.floor((lon - halfWidth + 180) / width) - 1;
            long lastColumn = (long) Math.floor((lon + halfWidth + 180) / width) + 1;
            columnCount = Math.min(columns, lastColumn - firstColumn + 1);
        }
        long examined = (lastRow - firstRow + 1L) * columnCount;
        if (examined > MAX_CELLS_EXAMINED) {
            throw new IllegalArgumentException("a radius of " + radiusMeters + " m around (" + lat + ", " + lon
                    + ") at precision " + precision + " spans " + examined + " cells, more than "
                    + MAX_CELLS_EXAMINED + "; use a lower precision");
        }

        // Keep the cells that the circle reaches
        Set<String> touching = new TreeSet<>();
        for (int row = firstRow; row <= lastRow; row++) {
            for (long i = 0; i < columnCount; i++) {
                GridCell cell = new GridCell(precision, row, (int) Math.floorMod(firstColumn + i, (long) columns));
                if (cell.box().distanceMetersFrom(lat, lon) <= radiusMeters) {
                    touching.add(cell.geohash());
                }
            }
        }
        return Collections.unmodifiableSet(touching);
    }

    /**
     * The great-circle distance in metres between two points on a sphere of radius
     * {@link #EARTH_RADIUS_METERS}, by the haversine formula (well conditioned for the short
     * distances ATS cares about). The sphere errs by up to about 0.5 % against the WGS 84
     * ellipsoid, which no ATS radius needs to beat; what matters is that all parties compute
     * the same number.
     *
     * <p>Requires latitudes in {@code [-90, 90]} and longitudes in {@code [-180, 180]}.
     */
    public static double distanceMeters(double lat1, double lon1, double lat2, double lon2) {
        requireLatitude(lat1);
        requireLongitude(lon1);
        requireLatitude(lat2);
        requireLongitude(lon2);
        return haversineMeters(lat1, lat2, lon2 - lon1);
    }

    /** The haversine distance, given the difference of longitudes in degrees; unchecked. */
    static double haversineMeters(double lat1, double lat2, double dLonDegrees) {
        double phi1 = Math.toRadians(lat1);
        double phi2 = Math.toRadians(lat2);
        double sinHalfDLat = Math.sin((phi2 - phi1) / 2);
        double sinHalfDLon = Math.sin(Math.toRadians(dLonDegrees) / 2);
        double h = sinHalfDLat * sinHalfDLat + Math.cos(phi1) * Math.cos(phi2) * sinHalfDLon * sinHalfDLon;
        // Rounding can push h a hair above 1 for antipodal points; asin would then give NaN.
        return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
    }

    static void requireLatitude(double lat) {
        if (!(lat >= -90 && lat <= 90)) {
            throw new IllegalArgumentException("latitude must be in [-90, 90], was " + lat);
        }
    }

    static void requireLongitude(double lon) {
        if (!(lon >= -180 && lon <= 180)) {
            throw new IllegalArgumentException("longitude must be in [-180, 180], was " + lon);
        }
    }

    static void requirePrecision(int precision) {
        if (precision < 1 || precision > MAX_PRECISION) {
            throw new IllegalArgumentException("precision must be in [1, " + MAX_PRECISION + "], was " + precision);
        }
    }

    private static GridCell parse(String geohash) {
        Objects.requireNonNull(geohash, "geohash");
        if (geohash.isEmpty() || geohash.length() > MAX_PRECISION) {
            throw new IllegalArgumentException(
                    "geohash must have 1 to " + MAX_PRECISION + " characters, had " + geohash.length());
        }
        for (int i = 0; i < geohash.length(); i++) {
            if (GridCell.ALPHABET.indexOf(geohash.charAt(i)) < 0) {
                throw new IllegalArgumentException("geohash '" + geohash + "' has '" + geohash.charAt(i) + "' at index " + i
                        + ", not in the alphabet " + GridCell.ALPHABET);
            }
        }
        return GridCell.parse(geohash);
    }
}
