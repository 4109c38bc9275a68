package run.ats.protocol.geo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CellsTouchingTest {

    private static final int SAMPLES_PER_EDGE = 400;
    /** A sample is at most half a step from the true nearest point; a degree is at most 111.2 km. */
    private static final double SAMPLING_ERROR_PER_DEGREE = 111_200.0 / SAMPLES_PER_EDGE;

    @ParameterizedTest
    @ValueSource(strings = {"u4pr", "dqcj", "ezs42", "s000", "kkkk", "u4pruyd"})
    void aOneMetreCircleAtACellCentreTouchesOnlyThatCell(String geohash) {
        BoundingBox box = Geohash.decode(geohash);

        assertThat(Geohash.cellsTouching(box.centreLat(), box.centreLon(), 1, geohash.length())).containsExactly(geohash);
    }

    @Test
    void aCircleOverACornerTouchesTheFourCellsThatMeetThere() {
        BoundingBox box = Geohash.decode("u4pr");
        // About 70 m from the north-east corner of u4pr, inside it; 500 m reaches across both borders.
        double lat = box.north() - 0.0005;
        double lon = box.east() - 0.0005;

        Set<String> cells = Geohash.cellsTouching(lat, lon, 500, 4);

        assertThat(cells).containsExactlyInAnyOrder(
                "u4pr",
                Geohash.encode(box.north() + 0.001, lon, 4),
                Geohash.encode(lat, box.east() + 0.001, 4),
                Geohash.encode(box.north() + 0.001, box.east() + 0.001, 4));
    }

    @Test
    void aCircleShortOfTheCornerStaysInItsCell() {
        BoundingBox box = Geohash.decode("u4pr");

        assertThat(Geohash.cellsTouching(box.north() - 0.0005, box.east() - 0.0005, 20, 4)).containsExactly("u4pr");
    }

    @Test
    void aCircleCrossingTheAntimeridianTouchesCellsOnBothSides() {
        Set<String> cells = Geohash.cellsTouching(10, 179.99, 20_000, 4);

        assertThat(cells).anySatisfy(c -> assertThat(Geohash.decode(c).east()).isEqualTo(180));
        assertThat(cells).anySatisfy(c -> assertThat(Geohash.decode(c).west()).isEqualTo(-180));
        assertThat(cells).contains(Geohash.encode(10, 179.99, 4), Geohash.encode(10, -179.99, 4));
        assertAgreesWithBruteForce(10, 179.99, 20_000, 4);
        assertAgreesWithBruteForce(-45, -179.999, 50_000, 4);
    }

    @Test
    void aCircleHoldingAPoleTouchesTheWholePolarRow() {
        Set<String> cells = Geohash.cellsTouching(89.95, 30, 20_000, 4);

        // 2^10 columns at precision 4; the pole is within reach, so every polar cell is.
        Set<String> polarRow = new HashSet<>();
        for (int column = 0; column < 1024; column++) {
            polarRow.add(Geohash.encode(89.99, -180 + (column + 0.5) * 360.0 / 1024, 4));
        }
        assertThat(cells).containsAll(polarRow);
        assertThat(cells).allSatisfy(c -> assertThat(nearestBySampling(Geohash.decode(c), 89.95, 30)).isLessThanOrEqualTo(20_000 + 200));
        assertThat(Geohash.cellsTouching(-89.95, 30, 20_000, 4)).hasSizeGreaterThanOrEqualTo(1024);
        assertThat(Geohash.cellsTouching(90, 0, 0, 4)).isEqualTo(polarRow);
    }

    @Test
    void aZeroRadiusOnABorderTouchesTheCellsOnBothSides() {
        BoundingBox box = Geohash.decode("u4pr");

        assertThat(Geohash.cellsTouching(box.centreLat(), box.centreLon(), 0, 4)).containsExactly("u4pr");
        assertThat(Geohash.cellsTouching(box.north(), box.centreLon(), 0, 4))
                .containsExactlyInAnyOrder("u4pr", Geohash.neighbours("u4pr").get(0));
    }

    static List<double[]> randomCircles() {
        // Seeded, so a failure reproduces; up to 80 degrees, beyond which the test's brute-force
        // window would grow large (the poles have their own test).
        Random random = new Random(20261123);
        return IntStream.range(0, 60)
                .mapToObj(i -> new double[] {
                        -80 + 160 * random.nextDouble(),
                        -180 + 360 * random.nextDouble(),
                        50_000 * random.nextDouble() * random.nextDouble()})
                .toList();
    }

    @ParameterizedTest(name = "({0}, {1}) radius {2} m")
    @MethodSource("randomCircles")
    void findsExactlyTheCellsABruteForceScanFinds(double[] circle) {
        assertAgreesWithBruteForce(circle[0], circle[1], circle[2], 4);
    }

    @ParameterizedTest(name = "({0}, {1}) radius {2} m at precision {3}")
    @CsvSource(textBlock = """
            38.8977,   -77.0365,  50000, 4
            57.64911,  10.40744,  50000, 4
            0,         0,         30000, 4
            -33.8688,  151.2093,  10000, 5
            64.1466,   -21.9426,  99999, 4
            79.9,      179.9,     50000, 3
            """)
    void findsExactlyTheCellsABruteForceScanFindsAtKnownPlaces(double lat, double lon, double radius, int precision) {
        assertAgreesWithBruteForce(lat, lon, radius, precision);
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1, 100_000.001, 1e9, Double.NaN, Double.POSITIVE_INFINITY})
    void refusesRadiiOutsideTheLimit(double radius) {
        assertThatThrownBy(() -> Geohash.cellsTouching(0, 0, radius, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was " + radius);
    }

    @Test
    void acceptsTheLargestRadius() {
        assertThatCode(() -> Geohash.cellsTouching(0, 0, Geohash.MAX_RADIUS_METERS, 4)).doesNotThrowAnyException();
        assertThatCode(() -> Geohash.cellsTouching(89.9, 0, Geohash.MAX_RADIUS_METERS, 4)).doesNotThrowAnyException();
    }

    @Test
    void refusesToExamineTooManyCells() {
        assertThatThrownBy(() -> Geohash.cellsTouching(0, 0, 50_000, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("precision 7")
                .hasMessageContaining("more than " + Geohash.MAX_CELLS_EXAMINED);
    }

    @Test
    void refusesInvalidPointsAndPrecisions() {
        assertThatThrownBy(() -> Geohash.cellsTouching(-90.5, 0, 1, 4)).hasMessageContaining("-90.5");
        assertThatThrownBy(() -> Geohash.cellsTouching(0, 200, 1, 4)).hasMessageContaining("200.0");
        assertThatThrownBy(() -> Geohash.cellsTouching(0, 0, 1, 0)).hasMessageContaining("was 0");
    }

    @Test
    void theResultIsUnmodifiable() {
        Set<String> cells = Geohash.cellsTouching(0, 0, 1000, 4);

        assertThatThrownBy(() -> cells.add("u4pr")).isInstanceOf(UnsupportedOperationException.class);
    }

    /**
     * Compares with an independent scan: every cell of a generous window around the circle,
     * found by stepping in degrees and encoding (no grid indices), judged by sampling its edges.
     * A cell whose sampled distance is within the radius must be returned; a returned cell must
     * be within the radius up to the sampling error.
     */
    private static void assertAgreesWithBruteForce(double lat, double lon, double radius, int precision) {
        Set<String> cells = Geohash.cellsTouching(lat, lon, radius, precision);
        BoundingBox here = Geohash.decode(Geohash.encode(lat, lon, precision));
        double height = here.north() - here.south();
        double width = here.east() - here.west();
        double radiusDegrees = Math.toDegrees(radius / Geohash.EARTH_RADIUS_METERS);
        double halfWidthDegrees = radiusDegrees / Math.cos(Math.toRadians(Math.min(89, Math.abs(lat) + radiusDegrees)));
        int rowsAround = (int) Math.ceil(radiusDegrees / height) + 2;
        int columnsAround = (int) Math.ceil(halfWidthDegrees / width) + 2;
        double tolerance = 2 * SAMPLING_ERROR_PER_DEGREE * Math.max(height, width);

        Set<String> window = new HashSet<>();
        for (int i = -rowsAround; i <= rowsAround; i++) {
            for (int j = -columnsAround; j <= columnsAround; j++) {
                double cellLat = here.centreLat() + i * height;
                double cellLon = here.centreLon() + j * width;
                cellLon = ((cellLon + 180) % 360 + 360) % 360 - 180;
                if (cellLat >= -90 && cellLat <= 90) {
                    window.add(Geohash.encode(cellLat, cellLon, precision));
                }
            }
        }
        for (String cell : window) {
            if (nearestBySampling(Geohash.decode(cell), lat, lon) <= radius) {
                assertThat(cells).as("cells touching (%s, %s) radius %s", lat, lon, radius).contains(cell);
            }
        }
        assertThat(cells).isNotEmpty().allSatisfy(cell -> {
            assertThat(cell).hasSize(precision);
            assertThat(window).as("the window holds every cell near the circle").contains(cell);
            assertThat(nearestBySampling(Geohash.decode(cell), lat, lon)).isLessThanOrEqualTo(radius + tolerance);
        });
    }

    /** The closest of a few hundred points on each edge, or 0 inside. */
    private static double nearestBySampling(BoundingBox box, double lat, double lon) {
        if (box.contains(lat, lon)) {
            return 0;
        }
        double nearest = Double.MAX_VALUE;
        for (int i = 0; i <= SAMPLES_PER_EDGE; i++) {
            double t = (double) i / SAMPLES_PER_EDGE;
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
