// Loaded first by index.ts: OpenTelemetry, when OTEL_EXPORTER_OTLP_ENDPOINT turns it on, must
// patch http and express before anything loads them (docs/operations.md#traces).
import { startTracing } from '@bank/service-kit/dist/tracing';

startTracing('event-source');
