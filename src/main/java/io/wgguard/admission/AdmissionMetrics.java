package io.wgguard.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.wgguard.Names;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admission metrics: {@code wgguard_admission_requests_total{webhook,operation,decision}} and the
 * latency histogram {@code wgguard_admission_duration_seconds{webhook}}.
 */
@ApplicationScoped
public class AdmissionMetrics {

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  public AdmissionMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts one request and records how long it took. */
  public void record(String webhook, String operation, String decision, long nanos) {
    counters
        .computeIfAbsent(
            webhook + '|' + operation + '|' + decision,
            k ->
                Counter.builder(Names.METRIC_ADMISSION_REQUESTS)
                    .description("Admission requests by webhook, operation and decision")
                    .tag("webhook", webhook)
                    .tag("operation", operation)
                    .tag("decision", decision)
                    .register(registry))
        .increment();
    timers
        .computeIfAbsent(
            webhook,
            k ->
                Timer.builder(Names.METRIC_ADMISSION_DURATION)
                    .description("Time to decode, judge and encode an admission request")
                    .tag("webhook", webhook)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(10_000))
                    .maximumExpectedValue(Duration.ofSeconds(1))
                    .register(registry))
        .record(Duration.ofNanos(nanos));
  }
}
