package run.ats.protocol.geo;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Geohash properties over generated points (a fixed seed: a failure names its case), borders,
 * poles and the antimeridian included: a point's cell holds it, the cell's centre names the same
 * cell (one spelling per cell), a shorter geohash is a prefix, and neighbours are distinct cells
 * of the same precision that have the cell among their own neighbours.
 */
class GeohashPropertiesTest {

    private static final int CASES = 400;

    record Point(double lat, double lon, int precision) {
    }

    static Stream<Named<Point>> points() {
        Random random = new Random(0x6E0);
        return IntStream.range(0, CASES).mapToObj(i -> {
            Point p = switch (i % 8) {
                case 0 -> new Point(random.nextBoolean() ? 90 : -90, lon(random), precision(random));      // a pole
                case 1 -> new Point(lat(random), random.nextBoolean() ? 180 : -180, precision(random));    // the antimeridian
                case 2 -> new Point(Math.round(lat(random)), Math.round(lon(random)), precision(random));  // on many borders
                default -> new Point(lat(random), lon(random), precision(random));
            };
            return Named.of("case " + i + ": " + p, p);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("points")
    void aPointsCellHoldsItAndItsCentreNamesTheSameCell(Point p) {
        String geohash = Geohash.encode(p.lat(), p.lon(), p.precision());
        BoundingBox box = Geohash.decode(geohash);

        assertThat(geohash).hasSize(p.precision()).matches("[0-9b-hjkmnp-z]+");
        assertThat(box.contains(p.lat(), p.lon())).isTrue();
        assertThat(Geohash.encode(box.centreLat(), box.centreLon(), p.precision())).isEqualTo(geohash);
        if (p.precision() > 1) {
            assertThat(geohash).startsWith(Geohash.encode(p.lat(), p.lon(), p.precision() - 1));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("points")
    void neighboursAreDistinctCellsThatCountTheCellAsTheirNeighbour(Point p) {
        String geohash = Geohash.encode(p.lat(), p.lon(), p.precision());
        List<String> neighbours = Geohash.neighbours(geohash);

        assertThat(neighbours).doesNotContain(geohash).doesNotHaveDuplicates();
        assertThat(neighbours.size()).as("8, or 5 in a polar row").isIn(5, 8);
        for (String neighbour : neighbours) {
            assertThat(neighbour).hasSize(p.precision());
            assertThat(Geohash.neighbours(neighbour)).as("neighbours of %s", neighbour).contains(geohash);
        }
    }

    private static double lat(Random random) {
        return random.nextDouble() * 180 - 90;
    }

    private static double lon(Random random) {
        return random.nextDouble() * 360 - 180;
    }

    private static int precision(Random random) {
        return 1 + random.nextInt(Geohash.MAX_PRECISION);
    }
}
