package run.ats.protocol.geo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BoundingBoxTest {

    private static final double METERS_PER_DEGREE = Geohash.EARTH_RADIUS_METERS * Math.PI / 180;

    @ParameterizedTest(name = "({0}, {1}, {2}, {3})")
    @CsvSource(textBlock = """
            1,    0,    0,   1
            -91,  0,    0,   1
            0,    0,    91,  1
            0,    1,    1,   0
            0,    -181, 1,   0
            0,    0,    1,   180.1
            NaN,  0,    1,   1
            """)
    void refusesBoxesOutsideTheGlobeOrInsideOut(double south, double west, double north, double east) {
        assertThatThrownBy(() -> new BoundingBox(south, west, north, east))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("were");
    }

    @Test
    void containsItsEdges() {
        BoundingBox box = new BoundingBox(10, 20, 11, 22);

        assertThat(box.contains(10, 20)).isTrue();
        assertThat(box.contains(11, 22)).isTrue();
        assertThat(box.contains(10.5, 21)).isTrue();
        assertThat(box.contains(9.999, 21)).isFalse();
        assertThat(box.contains(10.5, 22.001)).isFalse();
        assertThat(box.centreLat()).isEqualTo(10.5);
        assertThat(box.centreLon()).isEqualTo(21);
    }

    @ParameterizedTest(name = "from ({0}, {1})")
    @CsvSource(textBlock = """
            10.5,  21,     0
            10,    20,     0
            12,    21,     1
            9,     21,     1
            8.5,   20,     1.5
            """)
    void distanceAlongAMeridianToTheBox(double lat, double lon, double expectedDegrees) {
        BoundingBox box = new BoundingBox(10, 20, 11, 22);

        assertThat(box.distanceMetersFrom(lat, lon)).isCloseTo(expectedDegrees * METERS_PER_DEGREE, within(0.001));
    }

    @Test
    void distanceAcrossTheAntimeridian() {
        BoundingBox box = new BoundingBox(0, 179, 1, 180);

        assertThat(box.distanceMetersFrom(0, -179.5)).isCloseTo(0.5 * METERS_PER_DEGREE, within(0.001));
        assertThat(box.distanceMetersFrom(0.5, -179.5)).isCloseTo(nearestBySampling(box, 0.5, -179.5), within(0.01));
        assertThat(box.distanceMetersFrom(0.5, -180)).isZero();
    }

    @Test
    void thePoleTouchesEveryCellOfThePolarRow() {
        BoundingBox box = new BoundingBox(89.8, 10, 90, 20);

        assertThat(box.contains(90, 0)).isTrue();
        assertThat(box.distanceMetersFrom(90, 0)).isZero();
        assertThat(box.distanceMetersFrom(90, -170)).isZero();
        assertThat(new BoundingBox(-90, 10, -89.8, 20).contains(-90, 123)).isTrue();
        assertThat(new BoundingBox(89, 10, 89.8, 20).contains(90, 15)).isFalse();
    }

    @ParameterizedTest(name = "from ({0}, {1}) to [{2}, {3}] x [{4}, {5}]")
    @CsvSource(textBlock = """
            80.25,  5,       80,    80.5,  0,      1
            -80.25, 5,       -80.5, -80,   0,      1
            60,     10,      59.5,  60.5,  0,      0.5
            45,     -100,    40,    50,    -90,    -80
            70,     178,     69.5,  70.5,  -179,   -178
            0.3,    1,       0,     1,     0,      0.5
            85,     100,     84,    84.5,  0,      10
            """)
    void distanceIsToTheTrulyNearestPointOfTheBox(double lat, double lon, double south, double north, double west, double east) {
        BoundingBox box = new BoundingBox(south, west, north, east);

        assertThat(box.distanceMetersFrom(lat, lon)).isCloseTo(nearestBySampling(box, lat, lon), within(0.01));
    }

    @Test
    void theNearestPointOnASideEdgeLiesPolewardOfThePoint() {
        // Great circles bulge towards the pole: clamping the latitude alone would overestimate.
        BoundingBox box = new BoundingBox(80, 0, 80.5, 1);
        double sameLatitude = Geohash.distanceMeters(80.25, 5, 80.25, 1);

        assertThat(box.distanceMetersFrom(80.25, 5)).isLessThan(sameLatitude - 10);
    }

    @Test
    void refusesInvalidPoints() {
        BoundingBox box = new BoundingBox(0, 0, 1, 1);

        assertThatThrownBy(() -> box.distanceMetersFrom(90.5, 0)).hasMessageContaining("90.5");
        assertThatThrownBy(() -> box.distanceMetersFrom(0, Double.NaN)).hasMessageContaining("NaN");
    }

    /** An independent estimate: the closest of 200,000 points on the box's four edges. */
    private static double nearestBySampling(BoundingBox box, double lat, double lon) {
        int samples = 50_000;
        double nearest = Double.MAX_VALUE;
        for (int i = 0; i <= samples; i++) {
            double t = (double) i / samples;
            double edgeLat = box.south() + t * (box.north() - box.south());
            double edgeLon = box.west() + t * (box.east() - box.west());
            nearest = Math.min(nearest, Geohash.distanceMeters(lat, lon, edgeLat, box.west()));
            nearest = Math.min(nearest, Geohash.distanceMeters(lat, lon, edgeLat, box.east()));
            nearest = Math.min(nearest, Geohash.distanceMeters(lat, lon, box.south(), edgeLon));
            nearest = Math.min(nearest, Geohash.distanceMeters(lat, lon, box.north(), edgeLon));
        }
        return nearest;
    }
}
