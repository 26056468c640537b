package dev.registryetcd.spring.grpc.server;

import java.util.Objects;
import org.springframework.cloud.client.serviceregistry.AutoServiceRegistration;

/**
 * Says to Spring Cloud, and to the starter, that this application registers itself as its gRPC
 * server: with this bean the starter does not register the web server, and the application's {@code
 * Registration} (the {@code serviceregistry} actuator endpoint's) is the gRPC server's. The work is
 * its {@link EtcdGrpcServerRegistration}'s.
 */
public final class EtcdGrpcAutoServiceRegistration implements AutoServiceRegistration {
  private final EtcdGrpcServerRegistration registration;

  public EtcdGrpcAutoServiceRegistration(EtcdGrpcServerRegistration registration) {
    this.registration = Objects.requireNonNull(registration, "registration");
  }

  /** What registers the gRPC server. */
  public EtcdGrpcServerRegistration registration() {
    return registration;
  }

  @Override
  public String toString() {
    return "EtcdGrpcAutoServiceRegistration{" + registration.registration().getInstanceId() + "}";
  }
}
