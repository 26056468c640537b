package dev.registryetcd.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.registryetcd.discovery.Instance;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The codec's Go rules beyond the golden vectors. */
class InstanceCodecTest {
  @Test
  void randomBytesAreEitherAnInstanceOrAMalformedInstanceNeverAnotherFailure() {
    Random random = new Random(20261125L);
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes = new byte[random.nextInt(64)];
      random.nextBytes(bytes);
      if (i % 3 == 0 && bytes.length > 0) {
        bytes[0] = '{'; // get past the first character more often
      }
      try {
        InstanceCodec.decode(bytes);
      } catch (MalformedInstanceException expected) {
        // fine: Go would skip it too
      }
    }
  }

  /** A resolver holds thousands of instances: what most of them repeat is held once. */
  @Test
  void decodedInstancesShareTheirNetworkNameAndAnEmptyTagsMap() {
    byte[] value =
        "{\"network\":\"tcp\",\"address\":\"10.0.0.1:1\",\"weight\":1,\"tags\":{}}"
            .getBytes(StandardCharsets.UTF_8);

    Instance one = InstanceCodec.decode(value);
    Instance other = InstanceCodec.decode(value);

    assertThat(one.network()).isSameAs(other.network());
    assertThat(one.tags()).isSameAs(other.tags()).isEmpty();
    assertThat(one.hasNullTags()).isFalse();
    assertThat(InstanceCodec.encode(one)).isEqualTo(value);
  }

  @Test
  void nestingUpToGosLimitInAnUnknownFieldIsAcceptedAndBeyondItRefused() {
    assertThat(InstanceCodec.decode(nested(10_000)).address()).isEqualTo("127.0.0.1:1");
    assertThatThrownBy(() -> InstanceCodec.decode(nested(10_001)))
        .isInstanceOf(MalformedInstanceException.class);
  }

  /** {@code json}, written in UTF-8, decoded. */
  private static Instance decode(String json) {
    return InstanceCodec.decode(json.getBytes(StandardCharsets.UTF_8));
  }

  /** An instance whose unknown field nests arrays so the document is {@code depth} levels deep. */
  private static byte[] nested(int depth) {
    int arrays = depth - 1; // the top-level object is one level
    return ("{\"address\":\"127.0.0.1:1\",\"x\":" + "[".repeat(arrays) + "]".repeat(arrays) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void fieldNamesMatchAsGoMatchesThemIncludingKelvinSignAndLongS() {
    Instance info =
        decode("{\"NETWOR\u212A\":\"unix\",\"addre\u017Fs\":\"/a\",\"WeIgHt\":3,\"weıght\":9}");

    assertThat(info).isEqualTo(new Instance("unix", "/a", 3, null));
  }

  @Test
  void aRepeatedTagsObjectMergesIntoTheFirstAsGoDecodesIntoAnExistingMap() {
    Instance info = decode("{\"tags\":{\"a\":\"1\"},\"tags\":{\"b\":\"2\",\"c\":null}}");

    assertThat(info.tags()).isEqualTo(Map.of("a", "1", "b", "2", "c", ""));
  }

  @Test
  void invalidUtf8IsReplacedByteByByteAsGoDoes() {
    byte[] value = "{\"address\":\"a\u0000b\"}".getBytes(StandardCharsets.UTF_8);
    List<byte[]> broken =
        List.of(new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xC0, (byte) 0x80});
    for (byte[] bad : broken) {
      byte[] withBad =
          new String(value, StandardCharsets.UTF_8)
              .replace("\u0000", "\\u0000")
              .getBytes(StandardCharsets.UTF_8);
      int at = indexOf(withBad, (byte) 'b');
      byte[] spliced = new byte[withBad.length + bad.length];
      System.arraycopy(withBad, 0, spliced, 0, at);
      System.arraycopy(bad, 0, spliced, at, bad.length);
      System.arraycopy(withBad, at, spliced, at + bad.length, withBad.length - at);

      assertThat(InstanceCodec.decode(spliced).address())
          .isEqualTo("a\u0000" + "\uFFFD".repeat(bad.length) + "b");
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b && i > 12) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  @Test
  void mapKeysAreSortedByCodePointLikeGoNotByUtf16() {
    // U+FF61 sorts before U+1F600 by code point (and by UTF-8 bytes) but after it in UTF-16 order.
    Instance info = new Instance("tcp", "a:1", 1, Map.of("\uFF61", "x", "\uD83D\uDE00", "y"));

    assertThat(new String(InstanceCodec.encode(info), StandardCharsets.UTF_8))
        .contains("{\"\uFF61\":\"x\",\"\uD83D\uDE00\":\"y\"}");
  }

  @Test
  void decodeInstanceRefusesAValueThatNamesNoAddressWhichGoWouldDecode() {
    for (String noAddress :
        List.of(
            "null",
            "{}",
            "{\"network\":\"tcp\",\"address\":\"\",\"weight\":10,\"tags\":null}",
            "{\"network\":\"tcp\",\"address\":null,\"weight\":10}",
            "{\"network\":\"tcp\",\"weight\":10}")) {
      byte[] value = noAddress.getBytes(StandardCharsets.UTF_8);
      assertThat(InstanceCodec.decode(value).address()).as("Go decodes %s", noAddress).isEmpty();
      assertThatThrownBy(() -> InstanceCodec.decodeInstance(value))
          .as(noAddress)
          .isInstanceOf(MalformedInstanceException.class)
          .hasMessageContaining("names no address");
    }
  }

  @Test
  void decodeInstanceReadsAValueWithAnAddressAsDecodeDoes() {
    byte[] value =
        "{\"network\":\"tcp\",\"address\":\"10.0.0.1:8888\",\"weight\":0,\"tags\":null}"
            .getBytes(StandardCharsets.UTF_8);

    assertThat(InstanceCodec.decodeInstance(value))
        .isEqualTo(InstanceCodec.decode(value))
        .isEqualTo(new Instance("tcp", "10.0.0.1:8888", 0, null));
  }

  @Test
  void decodeInstanceRefusesWhatDecodeRefuses() {
    assertThatThrownBy(() -> InstanceCodec.decodeInstance("[]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(MalformedInstanceException.class)
        .hasMessageContaining("expected a JSON object");
  }
}
