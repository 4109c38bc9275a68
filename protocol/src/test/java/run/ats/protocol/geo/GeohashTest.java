package run.ats.protocol.geo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import run.ats.protocol.ContractVectors;
import run.ats.protocol.ContractVectors.GeohashCase;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class GeohashTest {

    static List<GeohashCase> contractVectors() {
        return ContractVectors.geohashes();
    }

    @ParameterizedTest
    @MethodSource("contractVectors")
    void encodesTheContractVectors(GeohashCase vector) {
        assertThat(Geohash.encode(vector.lat(), vector.lon(), vector.geohash().length())).isEqualTo(vector.geohash());
    }

    @ParameterizedTest
    @MethodSource("contractVectors")
    void decodesTheContractVectorsToABoxHoldingThePoint(GeohashCase vector) {
        assertThat(Geohash.decode(vector.geohash()).contains(vector.lat(), vector.lon())).isTrue();
    }

    @ParameterizedTest(name = "({0}, {1}) at {2} -> {3}")
    @CsvSource(textBlock = """
            57.64911,   10.40744, 11, u4pruydqqvj
            42.6,       -5.6,      5, ezs42
            38.8977,    -77.0365,  4, dqcj
            0,          0,         1, s
            -0.000001,  -0.000001, 1, 7
            -90,        -180,     12, 000000000000
            90,         180,      12, zzzzzzzzzzzz
            90,         -180,      1, b
            -90,        180,       1, p
            """)
    void encodesKnownPoints(double lat, double lon, int precision, String expected) {
        assertThat(Geohash.encode(lat, lon, precision)).isEqualTo(expected);
    }

    @Test
    void aShorterGeohashIsAPrefixOfALongerOne() {
        String full = Geohash.encode(57.64911, 10.40744, 12);
        for (int precision = 1; precision <= 12; precision++) {
            assertThat(Geohash.encode(57.64911, 10.40744, precision)).isEqualTo(full.substring(0, precision));
        }
    }

    @ParameterizedTest(name = "lat {0}, lon {1}, precision {2}: {3}")
    @CsvSource(textBlock = """
            90.000001,  0,          4, 90.000001
            -91,        0,          4, -91.0
            NaN,        0,          4, NaN
            0,          180.5,      4, 180.5
            0,          -180.000001,4, -180.000001
            0,          NaN,        4, NaN
            0,          0,          0, 0
            0,          0,         13, 13
            """)
    void encodeRefusesInvalidInputNamingTheValue(double lat, double lon, int precision, String named) {
        assertThatThrownBy(() -> Geohash.encode(lat, lon, precision))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was " + named);
    }

    @Test
    void decodesToTheExactBox() {
        // ezs42: 12 latitude and 13 longitude bits, so steps of 180/4096 and 360/8192 degrees.
        BoundingBox box = Geohash.decode("ezs42");

        assertThat(box).isEqualTo(new BoundingBox(42.5830078125, -5.625, 42.626953125, -5.5810546875));
        assertThat(Geohash.decode("0")).isEqualTo(new BoundingBox(-90, -180, -45, -135));
        assertThat(Geohash.decode("z")).isEqualTo(new BoundingBox(45, 135, 90, 180));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "z", "dqcj", "u4pr", "ezs42", "bpbpbp", "u4pruydqqvj", "zzzzzzzzzzzz", "000000000000"})
    void theCentreOfADecodedBoxEncodesBackToTheSameGeohash(String geohash) {
        BoundingBox box = Geohash.decode(geohash);

        assertThat(Geohash.encode(box.centreLat(), box.centreLon(), geohash.length())).isEqualTo(geohash);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "i", "l", "o", "EZS42", "ezs4 ", "ez-42", "u4pruydqqvjq0"})
    void decodeRefusesWhatIsNotAGeohash(String geohash) {
        assertThatThrownBy(() -> Geohash.decode(geohash)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Geohash.neighbours(geohash)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decodeNamesTheBadCharacterAndTheLength() {
        assertThatThrownBy(() -> Geohash.decode("ezsa2")).hasMessageContaining("'a' at index 3");
        assertThatThrownBy(() -> Geohash.decode("u4pruydqqvjq0")).hasMessageContaining("had 13");
    }

    @ParameterizedTest
    @ValueSource(strings = {"u4pr", "ezs42", "dqcj", "s", "7", "kkkkkkkkkkkk", "u4pruydqqvj",
            "zzzz", "pbpb", "bpbp", "0000", "xbpb", "8000", "b", "p"})
    void neighboursAreTheCellsOneStepAwayInEachDirection(String geohash) {
        assertThat(Geohash.neighbours(geohash)).isEqualTo(neighboursByStepping(geohash));
    }

    @Test
    void aCellAwayFromPolesHasEightDistinctNeighbours() {
        List<String> neighbours = Geohash.neighbours("u4pr");

        assertThat(neighbours).hasSize(8).doesNotHaveDuplicates().doesNotContain("u4pr").allMatch(n -> n.length() == 4);
        // N and S neighbours share the column, E and W the row.
        assertThat(Geohash.decode(neighbours.get(0)).west()).isEqualTo(Geohash.decode("u4pr").west());
        assertThat(Geohash.decode(neighbours.get(2)).south()).isEqualTo(Geohash.decode("u4pr").south());
    }

    @Test
    void eastAndWestWrapAroundTheAntimeridian() {
        String eastmost = Geohash.encode(10, 179.99, 4);
        String westmost = Geohash.encode(10, -179.99, 4);

        assertThat(Geohash.neighbours(eastmost).get(2)).isEqualTo(westmost);
        assertThat(Geohash.neighbours(westmost).get(6)).isEqualTo(eastmost);
    }

    @Test
    void cellsAtThePolesHaveNoNeighboursBeyondThePole() {
        String north = Geohash.encode(89.99, 20, 4);
        String south = Geohash.encode(-89.99, 20, 4);
        BoundingBox northBox = Geohash.decode(north);

        // Left: E, SE, S, SW, W in that order; all of them south of or beside the cell.
        List<String> ofNorth = Geohash.neighbours(north);
        assertThat(ofNorth).hasSize(5);
        assertThat(ofNorth).allSatisfy(n -> assertThat(Geohash.decode(n).north()).isLessThanOrEqualTo(northBox.north()));
        assertThat(ofNorth.get(0)).isEqualTo(Geohash.encode(89.99, northBox.east() + 0.001, 4));
        assertThat(Geohash.neighbours(south)).hasSize(5);
    }

    @Test
    void distanceFromParisToLondon() {
        assertThat(Geohash.distanceMeters(48.8566, 2.3522, 51.5074, -0.1278)).isCloseTo(343_500, within(1_000.0));
    }

    @ParameterizedTest(name = "({0}, {1}) to ({2}, {3}) = {4} m")
    @CsvSource(textBlock = """
            0,    0,       0,    0,      0
            0,    0,       1,    0,      111195.0802335329
            0,    179.5,   0,    -179.5, 111195.0802335329
            0,    0,       0,    180,    20015114.442035925
            90,   0,       -90,  0,      20015114.442035925
            90,   0,       90,   123,    0
            60,   0,       60,   1,      55597.5
            """)
    void distanceOnTheSphere(double lat1, double lon1, double lat2, double lon2, double expected) {
        // One degree of a great circle is R * pi / 180 = 111195.08 m; at latitude 60 a degree of
        // longitude is about half of that (the parallel is not a great circle, hence the tolerance).
        assertThat(Geohash.distanceMeters(lat1, lon1, lat2, lon2)).isCloseTo(expected, within(1.0));
        assertThat(Geohash.distanceMeters(lat2, lon2, lat1, lon1)).isCloseTo(expected, within(1.0));
    }

    @Test
    void distanceRefusesInvalidCoordinates() {
        assertThatThrownBy(() -> Geohash.distanceMeters(91, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("91.0");
        assertThatThrownBy(() -> Geohash.distanceMeters(0, 0, 0, -181)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-181.0");
    }

    /**
     * The expected neighbours, computed without grid indices: step from the centre by one cell
     * height or width, wrap longitude by hand, and encode; skip steps past a pole.
     */
    private static List<String> neighboursByStepping(String geohash) {
        BoundingBox box = Geohash.decode(geohash);
        double height = box.north() - box.south();
        double width = box.east() - box.west();
        int[][] steps = {{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
        List<String> expected = new ArrayList<>();
        for (int[] step : steps) {
            double lat = box.centreLat() + step[0] * height;
            double lon = box.centreLon() + step[1] * width;
            if (lat > 90 || lat < -90) {
                continue;
            }
            if (lon > 180) {
                lon -= 360;
            } else if (lon < -180) {
                lon += 360;
            }
            expected.add(Geohash.encode(lat, lon, geohash.length()));
        }
        return expected;
    }
}
