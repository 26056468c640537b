package dev.registryetcd.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.registryetcd.discovery.Instance;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class InstanceCodecPropertiesTest {

  /**
   * Any text Go can hold: every code point but lone surrogates, controls and HTML characters
   * included.
   */
  private static Arbitrary<String> goText() {
    Arbitrary<Integer> codePoint =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(0, 0x7F)),
            net.jqwik.api.Tuple.of(
                2, Arbitraries.of(0x2028, 0x2029, (int) '<', (int) '>', (int) '&', 0xFFFD, 0xFEFF)),
            net.jqwik.api.Tuple.of(
                3,
                Arbitraries.integers()
                    .between(0x80, 0x10FFFF)
                    .filter(cp -> cp < 0xD800 || cp > 0xDFFF)));
    return codePoint
        .list()
        .ofMaxSize(24)
        .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
  }

  @Provide
  Arbitrary<Instance> instances() {
    Arbitrary<Map<String, String>> tags =
        Arbitraries.maps(goText(), goText()).ofMaxSize(6).injectNull(0.3);
    return Combinators.combine(goText(), goText(), Arbitraries.longs(), tags).as(Instance::new);
  }

  @Property(tries = 2000)
  void decodingWhatWasEncodedGivesTheSameInstanceAndTheSameBytes(
      @ForAll("instances") Instance info) {
    byte[] bytes = InstanceCodec.encode(info);
    Instance back = InstanceCodec.decode(bytes);

    assertThat(back).isEqualTo(info);
    assertThat(back.hasNullTags()).isEqualTo(info.hasNullTags());
    assertThat(InstanceCodec.encode(back)).isEqualTo(bytes);
  }

  @Property(tries = 2000)
  void encodingIsValidUtf8WithoutRawHtmlOrLineSeparators(@ForAll("instances") Instance info) {
    String json = new String(InstanceCodec.encode(info), StandardCharsets.UTF_8);
    assertThat(json).doesNotContain("<", ">", "&", "\u2028", "\u2029");
    assertThat(json.chars()).noneMatch(c -> c < 0x20);
  }

  @Property(tries = 1000)
  void javaTextWithLoneSurrogatesComesBackWithReplacementCharacters(@ForAll String text) {
    Instance info = new Instance("tcp", text, 1, Map.of("k", text));
    Instance back = InstanceCodec.decode(InstanceCodec.encode(info));

    assertThat(back.address()).isEqualTo(InstanceCodec.wellFormed(text));
    assertThat(back.tags()).containsEntry("k", InstanceCodec.wellFormed(text));
  }
}
