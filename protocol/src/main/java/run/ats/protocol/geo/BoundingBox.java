package run.ats.protocol.geo;

/**
 * The area of one geohash cell: the latitudes {@code [south, north]} and longitudes
 * {@code [west, east]}, in degrees. A geohash box never crosses the antimeridian, so
 * {@code west <= east} always holds.
 *
 * <p>Requires {@code -90 <= south <= north <= 90} and {@code -180 <= west <= east <= 180}.
 */
public record BoundingBox(double south, double west, double north, double east) {

    public BoundingBox {
        if (!(-90 <= south && south <= north && north <= 90)) {
            throw new IllegalArgumentException(
                    "latitudes must satisfy -90 <= south <= north <= 90, were south=" + south + ", north=" + north);
        }
        if (!(-180 <= west && west <= east && east <= 180)) {
            throw new IllegalArgumentException(
                    "longitudes must satisfy -180 <= west <= east <= 180, were west=" + west + ", east=" + east);
        }
    }

    /**
     * Whether the point lies in the box, edges included. A pole is one point whatever the
     * longitude, so it lies in every box that reaches it.
     */
    public boolean contains(double lat, double lon) {
        boolean atPole = (lat == 90 && north == 90) || (lat == -90 && south == -90);
        return atPole || (south <= lat && lat <= north && west <= lon && lon <= east);
    }

    public double centreLat() {
        return (south + north) / 2;
    }

    public double centreLon() {
        return (west + east) / 2;
    }

    /**
     * The great-circle distance in metres (see {@link Geohash#distanceMeters}) from the point to
     * the nearest point of this box; 0 when the point is inside. Requires a valid latitude and
     * longitude.
     */
    public double distanceMetersFrom(double lat, double lon) {
        Geohash.requireLatitude(lat);
        Geohash.requireLongitude(lon);
        if (contains(lat, lon)) {
            return 0;
        }
        // Whatever latitude the nearest point has, the haversine term cos(lat1)cos(lat2)hav(dLon)
        // only grows with |dLon|, so the nearest point lies on the point's own meridian when that
        // crosses the box, and otherwise on the closer of the two edge meridians.
        double dLon = west <= lon && lon <= east ? 0 : Math.min(angleBetween(lon, west), angleBetween(lon, east));

        // Along a meridian, cos(distance) = sin(lat1)sin(lat2) + cos(lat1)cos(lat2)cos(dLon),
        // a sinusoid in lat2 whose peak is at atan2(sin lat1, cos lat1 cos dLon). That peak is not
        // the point's own latitude once dLon > 0: great circles bulge towards the pole, so
        // clamping the latitude alone would overestimate the distance. The nearest point is the
        // peak if it lies within the edge, else one of the edge's ends.
        double phi = Math.toRadians(lat);
        double peak = Math.toDegrees(Math.atan2(Math.sin(phi), Math.cos(phi) * Math.cos(Math.toRadians(dLon))));
        double nearest = Math.min(Geohash.haversineMeters(lat, south, dLon), Geohash.haversineMeters(lat, north, dLon));
        if (south <= peak && peak <= north) {
            nearest = Math.min(nearest, Geohash.haversineMeters(lat, peak, dLon));
        }
        return nearest;
    }

    /** The angle in degrees, in [0, 180], between two meridians. */
    private static double angleBetween(double lon1, double lon2) {
        double d = Math.abs(lon1 - lon2) % 360;
        return d > 180 ? 360 - d : d;
    }
}
