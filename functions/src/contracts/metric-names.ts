// Names the functions publish metrics under and the observability stack's dashboard and alarms read.

/** The CloudWatch namespace every Orrery metric is published under. */
export const METRICS_NAMESPACE = 'Orrery';

/** The metric a tripped cull breaker emits (namespace Orrery, no dimensions, Count); an alarm watches it. */
export const CULL_BREAKER_METRIC = 'CullBreakerTripped';
