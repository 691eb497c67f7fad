import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME, type OperationalMetrics } from '../../ports/operational-metrics';
import { logger } from '../logger';

/** The container's Powertools Metrics: CloudWatch embedded metric format (EMF) lines on stdout. */
export const powertoolsMetrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/**
 * {@link OperationalMetrics} as EMF. Plain counts are stored and published together at the end of the
 * invocation ({@link publishMetrics}); a count with extra dimensions needs its own EMF document, so it
 * is published at once.
 */
export const emfMetrics: OperationalMetrics = {
  count(metric, dimensions) {
    try {
      if (!dimensions) {
        powertoolsMetrics.addMetric(metric, MetricUnit.Count, 1);
        return;
      }
      const single = powertoolsMetrics.singleMetric();
      single.addDimensions({ ...dimensions });
      single.addMetric(metric, MetricUnit.Count, 1);
    } catch (error) {
      // A metric must never fail the outcome it counts.
      logger.warn('metric not recorded', { metric, error: error as Error });
    }
  },
};

/** Publishes the invocation's stored metrics, if any (Powertools warns on an empty flush). */
export function publishMetrics(): void {
  if (powertoolsMetrics.hasStoredMetrics()) powertoolsMetrics.publishStoredMetrics();
}
