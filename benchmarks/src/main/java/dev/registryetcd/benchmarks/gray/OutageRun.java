package dev.registryetcd.benchmarks.gray;

/** What the outage did; times in nanoseconds from etcd serving again, -1 for not in bound. */
record OutageRun(
    int registrations,
    long serving,
    long oursBack,
    int oursPresent,
    long plainBack,
    int plainPresent,
    long oursResolversEqual,
    long plainWatchesEqual,
    long oursFirstBack,
    long plainFirstBack,
    int oursLostInOutage,
    int plainLostInOutage) {}
