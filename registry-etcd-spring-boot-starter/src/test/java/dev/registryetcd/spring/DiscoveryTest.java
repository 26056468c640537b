package dev.registryetcd.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.registryetcd.etcd.EtcdRegistry;
import dev.registryetcd.registry.Info;
import dev.registryetcd.spring.discovery.EtcdDiscoveryClient;
import dev.registryetcd.testkit.junit.EtcdExtension;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.DiscoveryClient;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;

/**
 * A Spring Boot application that only discovers (registration off) finds instances registered by
 * the library's registry, the way a Kitex service would, and instances written as raw Go-format
 * JSON; changes reach it without a restart, and load-balanced calls follow the registered weights.
 */
class DiscoveryTest {
  @RegisterExtension static final EtcdExtension etcd = EtcdExtension.single();

  @RegisterExtension static final EtcdKeys keys = new EtcdKeys(etcd);

  private static final List<HttpServer> backends = new ArrayList<>();
  private static EtcdRegistry registry;
  private static ConfigurableApplicationContext app;

  @BeforeAll
  static void start() {
    registry = EtcdRegistry.newEtcdRegistry(etcd.clientEndpointsAsHostPort());
    app =
        TestApp.start(
            List.of(),
            "spring.application.name=caller",
            keys.endpointsProperty(),
            "registry.etcd.registration.enabled=false",
            "spring.cloud.loadbalancer.configurations=weighted");
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    registry.close();
    backends.forEach(server -> server.stop(0));
  }

  @Test
  void findsInstancesRegisteredByTheLibraryWithTagsAndWeight() {
    registry.register(
        Info.builder()
            .serviceName("kitex-echo")
            .address(new InetSocketAddress("127.0.0.1", 8888))
            .weight(20)
            .tag("zone", "b")
            .build());
    DiscoveryClient discovery = app.getBean(EtcdDiscoveryClient.class);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(discovery.getInstances("kitex-echo"))
                    .singleElement()
                    .satisfies(
                        instance -> {
                          assertThat(instance.getServiceId()).isEqualTo("kitex-echo");
                          assertThat(instance.getHost()).isEqualTo("127.0.0.1");
                          assertThat(instance.getPort()).isEqualTo(8888);
                          assertThat(instance.getUri()).hasToString("http://127.0.0.1:8888");
                          assertThat(instance.getMetadata())
                              .containsExactlyInAnyOrderEntriesOf(
                                  Map.of("zone", "b", "weight", "20"));
                        }));
  }

  @Test
  void followsRawGoFormatPutsAndDeletesWithoutARestart() throws Exception {
    DiscoveryClient discovery =
        app.getBean(DiscoveryClient.class); // Spring Cloud's composite of all clients
    String key = "kitex/registry-etcd/go-echo/127.0.0.1:9001";
    keys.put(
        key,
        "{\"network\":\"tcp\",\"address\":\"127.0.0.1:9001\",\"weight\":3,\"tags\":{\"lang\":\"go\"}}");

    awaitMetadata(discovery, "go-echo", Map.of("lang", "go", "weight", "3"));
    EtcdDiscoveryClient etcdDiscovery = app.getBean(EtcdDiscoveryClient.class);
    List<ServiceInstance> before = etcdDiscovery.getInstances("go-echo");
    assertThat(etcdDiscovery.getInstances("go-echo"))
        .as("nothing changed: the same list")
        .isSameAs(before);

    keys.put(
        key, "{\"network\":\"tcp\",\"address\":\"127.0.0.1:9001\",\"weight\":5,\"tags\":null}");
    awaitMetadata(discovery, "go-echo", Map.of("weight", "5"));
    assertThat(etcdDiscovery.getInstances("go-echo")).isNotSameAs(before);

    keys.delete(key);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(discovery.getInstances("go-echo")).isEmpty());
  }

  @Test
  void listsEveryServiceWithAnInstanceAndAnswersReactively() throws Exception {
    keys.put(
        "kitex/registry-etcd/listed-go/127.0.0.1:9101",
        "{\"network\":\"tcp\",\"address\":\"127.0.0.1:9101\",\"weight\":10,\"tags\":null}");
    registry.register(
        Info.builder()
            .serviceName("listed-java")
            .address(new InetSocketAddress("127.0.0.1", 9102))
            .build());
    DiscoveryClient discovery = app.getBean(EtcdDiscoveryClient.class);
    ReactiveDiscoveryClient reactive = app.getBean(ReactiveDiscoveryClient.class);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(discovery.getServices()).contains("listed-go", "listed-java");
              assertThat(reactive.getServices().collectList().block(Duration.ofSeconds(5)))
                  .contains("listed-go", "listed-java");
              assertThat(
                      reactive
                          .getInstances("listed-java")
                          .collectList()
                          .block(Duration.ofSeconds(5)))
                  .extracting(ServiceInstance::getPort)
                  .containsExactly(9102);
            });
    assertThat(discovery.getInstances("no-such-service")).isEmpty();
  }

  @Test
  void loadBalancedCallsReachRegisteredInstancesInProportionToTheirWeights() {
    int light = startBackend();
    int heavy = startBackend();
    registry.register(
        Info.builder()
            .serviceName("weighted")
            .address(new InetSocketAddress("127.0.0.1", light))
            .weight(1)
            .build());
    registry.register(
        Info.builder()
            .serviceName("weighted")
            .address(new InetSocketAddress("127.0.0.1", heavy))
            .weight(4)
            .build());
    DiscoveryClient discovery = app.getBean(EtcdDiscoveryClient.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> discovery.getInstances("weighted").size() == 2);
    RestClient rest = app.getBean(RestClient.Builder.class).build();

    Map<String, Integer> hits = new TreeMap<>();
    for (int i = 0; i < 250; i++) {
      hits.merge(
          rest.get().uri("http://weighted/port").retrieve().body(String.class), 1, Integer::sum);
    }

    assertThat(hits.keySet())
        .containsExactlyInAnyOrder(Integer.toString(light), Integer.toString(heavy));
    double ratio = hits.get(Integer.toString(heavy)) / (double) hits.get(Integer.toString(light));
    assertThat(ratio).as("heavy:light hits %s", hits).isBetween(3.0, 5.0);
  }

  /** Waits until {@code service}'s only instance has exactly {@code metadata}. */
  private static void awaitMetadata(
      DiscoveryClient discovery, String service, Map<String, String> metadata) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(discovery.getInstances(service))
                    .extracting(ServiceInstance::getMetadata)
                    .containsExactly(metadata));
  }

  /** A plain HTTP server on a free loopback port answering {@code /port} with its port. */
  private static int startBackend() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      int port = server.getAddress().getPort();
      server.createContext(
          "/port",
          exchange -> {
            byte[] body = Integer.toString(port).getBytes(UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
      backends.add(server);
      return port;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
