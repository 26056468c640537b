package dev.registryetcd.spring.discovery;

import java.util.Objects;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.discovery.ReactiveDiscoveryClient;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Spring Cloud's {@link ReactiveDiscoveryClient} on the same live cache as {@link
 * EtcdDiscoveryClient}. Cached answers come at once; the first read of a service may wait for etcd
 * (bounded by the dial timeout), so it runs on Reactor's bounded-elastic scheduler, never on an
 * event loop.
 */
public final class EtcdReactiveDiscoveryClient implements ReactiveDiscoveryClient {
  private final EtcdDiscoveryClient blocking;

  public EtcdReactiveDiscoveryClient(EtcdDiscoveryClient blocking) {
    this.blocking = Objects.requireNonNull(blocking, "blocking");
  }

  @Override
  public String description() {
    return "registry-etcd reactive discovery client";
  }

  @Override
  public Flux<ServiceInstance> getInstances(String serviceId) {
    return Flux.defer(() -> Flux.fromIterable(blocking.getInstances(serviceId)))
        .subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public Flux<String> getServices() {
    return Flux.defer(() -> Flux.fromIterable(blocking.getServices()))
        .subscribeOn(Schedulers.boundedElastic());
  }

  @Override
  public int getOrder() {
    return blocking.getOrder();
  }
}
