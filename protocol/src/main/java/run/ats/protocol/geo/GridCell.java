package run.ats.protocol.geo;

import java.util.Optional;

/**
 * A geohash cell as its row and column in the grid of all cells of one precision. Working on
 * integer indices keeps neighbours and grid walks exact: no floating-point step can land a
 * hair's breadth inside the wrong cell.
 *
 * <p>A geohash of {@code p} characters carries {@code 5p} bits, interleaved starting with
 * longitude, so the grid has {@code 2^ceil(5p/2)} columns and {@code 2^floor(5p/2)} rows.
 * Row 0 is the southernmost, column 0 starts at longitude -180.
 *
 * <p>Requires {@code 1 <= precision <= 12}, {@code 0 <= row < rows(precision)} and
 * {@code 0 <= column < columns(precision)}.
 */
record GridCell(int precision, int row, int column) {

    static final String ALPHABET = "0123456789bcdefghjkmnpqrstuvwxyz";

    private static final int BITS_PER_CHARACTER = 5;

    GridCell {
        Geohash.requirePrecision(precision);
        if (row < 0 || row >= rows(precision) || column < 0 || column >= columns(precision)) {
            throw new IllegalArgumentException("cell (row " + row + ", column " + column + ") is outside the "
                    + rows(precision) + " x " + columns(precision) + " grid of precision " + precision);
        }
    }

    static int rows(int precision) {
        return 1 << latitudeBits(precision);
    }

    static int columns(int precision) {
        return 1 << longitudeBits(precision);
    }

    /** The height of a cell in degrees of latitude; a power of two fraction of 180, so exact. */
    static double height(int precision) {
        return Math.scalb(180.0, -latitudeBits(precision));
    }

    /** The width of a cell in degrees of longitude; a power of two fraction of 360, so exact. */
    static double width(int precision) {
        return Math.scalb(360.0, -longitudeBits(precision));
    }

    /** The cell holding the point; a point on a border belongs to the cell north or east of it. */
    static GridCell containing(double lat, double lon, int precision) {
        return new GridCell(precision,
                bisect(lat, -90, 90, latitudeBits(precision)),
                bisect(lon, -180, 180, longitudeBits(precision)));
    }

    /** Requires a well-formed geohash (checked by the caller, which knows how to report it). */
    static GridCell parse(String geohash) {
        int row = 0;
        int column = 0;
        int bit = 0;
        for (int i = 0; i < geohash.length(); i++) {
            int value = ALPHABET.indexOf(geohash.charAt(i));
            for (int shift = BITS_PER_CHARACTER - 1; shift >= 0; shift--, bit++) {
                int b = (value >>> shift) & 1;
                if (bit % 2 == 0) {
                    column = (column << 1) | b;
                } else {
                    row = (row << 1) | b;
                }
            }
        }
        return new GridCell(geohash.length(), row, column);
    }

    String geohash() {
        StringBuilder geohash = new StringBuilder(precision);
        int columnBit = longitudeBits(precision) - 1;
        int rowBit = latitudeBits(precision) - 1;
        int bit = 0;
        for (int i = 0; i < precision; i++) {
            int value = 0;
            for (int j = 0; j < BITS_PER_CHARACTER; j++, bit++) {
                int b = bit % 2 == 0 ? (column >>> columnBit--) & 1 : (row >>> rowBit--) & 1;
                value = (value << 1) | b;
            }
            geohash.append(ALPHABET.charAt(value));
        }
        return geohash.toString();
    }

    BoundingBox box() {
        double height = height(precision);
        double width = width(precision);
        // Multiples of a power-of-two step, so south/north of adjacent cells match exactly.
        return new BoundingBox(-90 + row * height, -180 + column * width, -90 + (row + 1) * height, -180 + (column + 1) * width);
    }

    /**
     * The cell {@code rows} north and {@code columns} east of this one. Longitude wraps around
     * the antimeridian; a latitude beyond a pole has no cell, so that gives empty.
     */
    Optional<GridCell> offset(int rows, int columns) {
        long newRow = (long) row + rows;
        if (newRow < 0 || newRow >= rows(precision)) {
            return Optional.empty();
        }
        int newColumn = (int) Math.floorMod((long) column + columns, (long) columns(precision));
        return Optional.of(new GridCell(precision, (int) newRow, newColumn));
    }

    private static int latitudeBits(int precision) {
        return BITS_PER_CHARACTER * precision / 2;
    }

    private static int longitudeBits(int precision) {
        return BITS_PER_CHARACTER * precision - latitudeBits(precision);
    }

    /**
     * The index of the value's slot among {@code 2^bits} equal slots of {@code [lo, hi]}, by the
     * halving the geohash definition uses. Midpoints of a power-of-two split of 180 or 360 are
     * exact in a double, so this agrees with every other faithful implementation, even on borders.
     */
    private static int bisect(double value, double lo, double hi, int bits) {
        int index = 0;
        for (int i = 0; i < bits; i++) {
            double mid = (lo + hi) / 2;
            if (value >= mid) {
                index = (index << 1) | 1;
                lo = mid;
            } else {
                index <<= 1;
                hi = mid;
            }
        }
        return index;
    }
}
