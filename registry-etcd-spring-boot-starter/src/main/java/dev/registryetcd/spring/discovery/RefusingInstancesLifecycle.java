package dev.registryetcd.spring.discovery;

import java.net.ConnectException;
import java.util.Objects;
import org.springframework.cloud.client.ServiceInstance;
import org.springframework.cloud.client.loadbalancer.CompletionContext;
import org.springframework.cloud.client.loadbalancer.LoadBalancerLifecycle;
import org.springframework.cloud.client.loadbalancer.Request;
import org.springframework.cloud.client.loadbalancer.Response;

/**
 * Tells {@link RefusingInstances} about every load-balanced call that failed because its instance
 * refused the connection ({@link ConnectException} in the cause chain), for blocking and reactive
 * clients alike. Spring Cloud LoadBalancer finds it among the application's beans.
 */
public final class RefusingInstancesLifecycle
    implements LoadBalancerLifecycle<Object, Object, ServiceInstance> {
  private final RefusingInstances refusing;

  public RefusingInstancesLifecycle(RefusingInstances refusing) {
    this.refusing = Objects.requireNonNull(refusing, "refusing");
  }

  @Override
  public void onStart(Request<Object> request) {}

  @Override
  public void onStartRequest(Request<Object> request, Response<ServiceInstance> lbResponse) {}

  @Override
  public void onComplete(CompletionContext<Object, ServiceInstance, Object> completion) {
    if (completion.status() != CompletionContext.Status.FAILED
        || completion.getLoadBalancerResponse() == null
        || !completion.getLoadBalancerResponse().hasServer()
        || !refusedConnection(completion.getThrowable())) {
      return;
    }
    refusing.refused(completion.getLoadBalancerResponse().getServer());
  }

  private static boolean refusedConnection(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return true;
      }
    }
    return false;
  }
}
