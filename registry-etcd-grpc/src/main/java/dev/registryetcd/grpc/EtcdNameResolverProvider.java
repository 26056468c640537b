package dev.registryetcd.grpc;

import dev.registryetcd.discovery.LiveDiscovery;
import dev.registryetcd.etcd.EtcdResolver;
import dev.registryetcd.etcd.Option;
import dev.registryetcd.grpc.internal.EtcdNameResolver;
import dev.registryetcd.grpc.internal.ProviderConfiguration;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@code etcd:///echo} to the instances registered in etcd for service {@code echo}, in
 * the Kitex etcd extension's format, and keeps the channel up to date as they come and go: each
 * change is pushed from {@link EtcdResolver}'s live cache, never polled.
 *
 * <p>Every address group carries the instance's registry weight ({@link EtcdAttributes#WEIGHT}) and
 * tags ({@link EtcdAttributes#TAGS}); select {@value
 * EtcdWeightedRoundRobinLoadBalancerProvider#POLICY_NAME} to balance by weight (gRPC's default
 * {@code pick_first} works too). A service with no instance is reported as {@code UNAVAILABLE} "no
 * instance remains for echo"; the channel then keeps the addresses it had.
 *
 * <p><b>From configuration (service loader).</b> This class is registered in {@code
 * META-INF/services}, so {@code ManagedChannelBuilder.forTarget("etcd:///echo")} works with no
 * code: that instance reads etcd's endpoints from the environment variable {@value #ENDPOINTS_ENV}
 * (comma-separated {@code host:port} or URLs), else the system property {@value
 * #ENDPOINTS_PROPERTY}, else {@value #DEFAULT_ENDPOINT}; and the key prefix from {@value
 * #PREFIX_ENV}, else {@value #PREFIX_PROPERTY}, else the library's default ({@code
 * kitex/registry-etcd}). Both are read once, when the first channel resolves.
 *
 * <p><b>Programmatically</b> (TLS, auth, a resolver you already have): make a provider with {@link
 * #forEndpoints} or {@link #forResolver} and hand it to the channel:
 *
 * <pre>{@code
 * EtcdNameResolverProvider etcd = EtcdNameResolverProvider.forEndpoints(
 *     List.of("https://10.0.0.1:2379"), Option.withTLSOpt(null, null, "/etc/etcd/ca.pem"));
 * ManagedChannel channel = ManagedChannelBuilder.forTarget("etcd:///echo")
 *     .nameResolverFactory(etcd)          // this channel resolves through etcd only
 *     .defaultLoadBalancingPolicy(EtcdWeightedRoundRobinLoadBalancerProvider.POLICY_NAME)
 *     .usePlaintext()
 *     .build();
 * }</pre>
 *
 * <p>{@code nameResolverFactory} is deprecated in gRPC but is the per-channel way; to use the
 * provider for every channel instead, register it the standard way, {@code
 * NameResolverRegistry.getDefaultRegistry().register(etcd)}, or call {@link #registerAsDefault()}.
 * Either takes effect over the service-loaded provider: that one has priority 4, a fallback, and a
 * provider you make has priority 5, gRPC's default, as DNS has, so that {@code dns} stays the
 * default scheme for targets without one.
 *
 * <p>Targets: {@code etcd:///service}, or {@code etcd://host:2379,host:2380/service} to name etcd's
 * endpoints in the target itself (not for a provider made {@link #forResolver}); the service name
 * is also the calls' authority.
 *
 * <p><b>Lifecycle.</b> One {@link EtcdResolver} per provider (and per endpoints named in a target)
 * serves all its channels. A resolver given to {@link #forResolver} stays the caller's: the
 * provider never closes it. A resolver the provider makes is its own: {@link #close()} closes it,
 * and so does a JVM shutdown hook if nobody called {@code close()} (the service-loaded instance is
 * never closed otherwise). Close the provider after the channels that use it; their channels then
 * keep their last addresses. Threads: none of its own; see {@link EtcdResolver} for the resolver's.
 */
public final class EtcdNameResolverProvider extends NameResolverProvider implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EtcdNameResolverProvider.class);

  /** The target scheme: {@code etcd}. */
  public static final String SCHEME = "etcd";

  /** The environment variable naming etcd's endpoints, comma-separated. */
  public static final String ENDPOINTS_ENV = "ETCD_ENDPOINTS";

  /**
   * The system property naming etcd's endpoints, comma-separated, read when {@value #ENDPOINTS_ENV}
   * is unset.
   */
  public static final String ENDPOINTS_PROPERTY = "registry.etcd.endpoints";

  /**
   * The endpoint used when neither {@value #ENDPOINTS_ENV} nor {@value #ENDPOINTS_PROPERTY} is set.
   */
  public static final String DEFAULT_ENDPOINT = "127.0.0.1:2379";

  /** The environment variable holding the key prefix. */
  public static final String PREFIX_ENV = "ETCD_PREFIX";

  /** The system property holding the key prefix, read when {@value #PREFIX_ENV} is unset. */
  public static final String PREFIX_PROPERTY = "registry.etcd.prefix";

  /** A provider made by code: gRPC's default priority, as DNS has. */
  private static final int PRIORITY = 5;

  /**
   * The service-loaded provider: below {@link #PRIORITY}, so that a provider the application makes
   * and registers wins for {@code etcd:} (ties go to the first registered, and the service-loaded
   * one is always first).
   */
  private static final int FALLBACK_PRIORITY = 4;

  private final ProviderConfiguration configuration;
  private final LiveDiscovery given;
  private final List<String> endpoints;
  private final List<Option> options;

  private final Object lock = new Object();
  private EtcdResolver own; // guarded by lock
  private final Map<String, EtcdResolver> byAuthority = new LinkedHashMap<>(); // guarded by lock
  private Thread shutdownHook; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * The provider the service loader makes: configured from the environment and system properties
   * (see the class comment) when the first channel resolves. Never throws: a bad configuration
   * reaches the channel as {@code UNAVAILABLE}.
   */
  public EtcdNameResolverProvider() {
    this(System::getenv, System::getProperty);
  }

  EtcdNameResolverProvider(Function<String, String> env, Function<String, String> properties) {
    this.configuration = new ProviderConfiguration(env, properties);
    this.given = null;
    this.endpoints = null;
    this.options = null;
  }

  private EtcdNameResolverProvider(
      LiveDiscovery given, List<String> endpoints, List<Option> options) {
    this.configuration = null;
    this.given = given;
    this.endpoints = endpoints;
    this.options = options;
  }

  /**
   * A provider that subscribes on {@code resolver}, shared with whoever else uses it. The caller
   * keeps ownership: closing the provider does not close the resolver; close the resolver after the
   * channels that use it.
   */
  public static EtcdNameResolverProvider forResolver(EtcdResolver resolver) {
    return forDiscovery(resolver);
  }

  /**
   * A provider that subscribes on {@code discovery} (an {@link EtcdResolver} or any other {@link
   * LiveDiscovery}), shared with whoever else uses it; as {@link #forResolver}, the caller keeps
   * ownership.
   */
  public static EtcdNameResolverProvider forDiscovery(LiveDiscovery discovery) {
    return new EtcdNameResolverProvider(Objects.requireNonNull(discovery, "resolver"), null, null);
  }

  /**
   * A provider with its own {@link EtcdResolver} for {@code endpoints} ({@code host:port} or URLs)
   * and {@code options} (TLS, auth, prefix, dial timeout, default weight), made now so that bad
   * options fail here; it connects when the first channel resolves. {@link #close()} closes it.
   *
   * @throws IllegalArgumentException for no endpoints, bad endpoints or options, or TLS files that
   *     do not load
   */
  public static EtcdNameResolverProvider forEndpoints(List<String> endpoints, Option... options) {
    Objects.requireNonNull(endpoints, "endpoints");
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException(
          "endpoints must name at least one etcd endpoint, e.g. 127.0.0.1:2379");
    }
    EtcdNameResolverProvider provider =
        new EtcdNameResolverProvider(
            null, List.copyOf(endpoints), List.copyOf(Arrays.asList(options)));
    provider.defaultResolver();
    return provider;
  }

  /**
   * Makes this provider the one {@link NameResolverRegistry#getDefaultRegistry()} uses for {@code
   * etcd:} targets, deregistering any other {@link EtcdNameResolverProvider} there (the
   * service-loaded one). Channels built afterwards use it; built ones keep theirs.
   */
  public void registerAsDefault() {
    NameResolverRegistry registry = NameResolverRegistry.getDefaultRegistry();
    // The registry's own monitor: its methods lock it too, so the swap is one step for other
    // callers.
    synchronized (registry) {
      for (NameResolverProvider current = registry.getProviderForScheme(SCHEME);
          current instanceof EtcdNameResolverProvider && current != this;
          current = registry.getProviderForScheme(SCHEME)) {
        registry.deregister(current);
      }
      registry.register(this);
    }
  }

  /**
   * A resolver for {@code targetUri} when its scheme is {@code etcd}, else {@code null}.
   *
   * @throws IllegalArgumentException when the target does not name one service, as in {@code
   *     etcd:///echo}, or names endpoints while this provider was made {@link #forResolver}
   */
  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String path = targetUri.getPath();
    if (path == null || path.length() < 2 || path.charAt(0) != '/' || path.indexOf('/', 1) >= 0) {
      throw new IllegalArgumentException(
          "an etcd target names one service, as in etcd:///echo or "
              + "etcd://127.0.0.1:2379,127.0.0.1:2380/echo, not "
              + targetUri);
    }
    String service = path.substring(1);
    String authority = targetUri.getAuthority();
    if (authority == null || authority.isEmpty()) {
      return new EtcdNameResolver(service, this::defaultResolver, args);
    }
    List<String> named = ProviderConfiguration.splitEndpoints(authority);
    if (named.isEmpty()) {
      throw new IllegalArgumentException(
          "the authority of " + targetUri + " names no etcd endpoint");
    }
    if (given != null) {
      throw new IllegalArgumentException(
          "this provider resolves through the EtcdResolver it was given: use "
              + "etcd:///"
              + service
              + " without endpoints, not "
              + targetUri);
    }
    return new EtcdNameResolver(service, () -> resolverForAuthority(authority, named), args);
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  /**
   * 5 for a provider made by code, as gRPC's own DNS provider ({@code dns} stays the default scheme
   * for targets without one); 4 for the service-loaded one, so that a provider made by code and
   * registered the standard way takes its place.
   */
  @Override
  protected int priority() {
    return given == null && endpoints == null ? FALLBACK_PRIORITY : PRIORITY;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return Set.of(InetSocketAddress.class);
  }

  /**
   * Closes the resolvers this provider made (never one given to {@link #forResolver}). Channels
   * that still use the provider keep their last addresses and get {@code UNAVAILABLE} when they
   * resolve again. Idempotent, never throws.
   */
  @Override
  public void close() {
    List<EtcdResolver> toClose = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      collectOwned(toClose);
      if (shutdownHook != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDownAlready) {
          // the hook runs or ran: closing twice is harmless
        }
        shutdownHook = null;
      }
    }
    toClose.forEach(EtcdResolver::close);
  }

  // ---- resolvers ----

  private LiveDiscovery defaultResolver() {
    if (given != null) {
      return given;
    }
    synchronized (lock) {
      checkOpen();
      if (own == null) {
        own =
            adopt(
                endpoints != null
                    ? EtcdResolver.newEtcdResolver(endpoints, options.toArray(new Option[0]))
                    : newResolverFromConfiguration(configuredEndpoints()));
      }
      return own;
    }
  }

  private EtcdResolver resolverForAuthority(String authority, List<String> named) {
    synchronized (lock) {
      checkOpen();
      EtcdResolver resolver = byAuthority.get(authority);
      if (resolver == null) {
        resolver =
            adopt(
                endpoints != null
                    ? EtcdResolver.newEtcdResolver(named, options.toArray(new Option[0]))
                    : newResolverFromConfiguration(named));
        byAuthority.put(authority, resolver);
      }
      return resolver;
    }
  }

  private EtcdResolver newResolverFromConfiguration(List<String> resolverEndpoints) {
    String prefix = configuration.prefix();
    Option[] prefixOption =
        prefix == null ? new Option[0] : new Option[] {Option.withEtcdServicePrefix(prefix)};
    try {
      return EtcdResolver.newEtcdResolver(resolverEndpoints, prefixOption);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "etcd endpoints "
              + resolverEndpoints
              + " (from "
              + configuration.endpointSources()
              + ") are not usable: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The endpoints configured by {@value #ENDPOINTS_ENV}, else {@value #ENDPOINTS_PROPERTY}, else
   * the default.
   */
  List<String> configuredEndpoints() {
    return configuration.endpoints();
  }

  /** The configured prefix, or {@code null} for the library's default. */
  String configuredPrefix() {
    return configuration.prefix();
  }

  private EtcdResolver adopt(EtcdResolver resolver) {
    if (shutdownHook == null) {
      Thread hook = new Thread(this::closeAtExit, "registry-etcd-grpc-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      shutdownHook = hook;
    }
    return resolver;
  }

  private void closeAtExit() {
    List<EtcdResolver> toClose = new ArrayList<>();
    synchronized (lock) {
      closed = true;
      collectOwned(toClose);
    }
    for (EtcdResolver resolver : toClose) {
      try {
        resolver.close();
      } catch (RuntimeException e) {
        log.debug("Closing {} at JVM exit failed", resolver, e);
      }
    }
  }

  private void collectOwned(List<EtcdResolver> into) {
    if (own != null) {
      into.add(own);
      own = null;
    }
    into.addAll(byAuthority.values());
    byAuthority.clear();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("this EtcdNameResolverProvider is closed");
    }
  }

  @Override
  public String toString() {
    return "EtcdNameResolverProvider{"
        + (given != null
            ? "resolver=" + given
            : endpoints != null ? "endpoints=" + endpoints : "from configuration")
        + "}";
  }
}
