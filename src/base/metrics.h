/* metrics.h - process counters exported at GET /metrics (Prometheus text).
 *
 * Routes are registered once at start-up (before threads run) and observed by
 * index; all observation functions are lock-free and thread-safe.
 */
#ifndef CK_METRICS_H
#define CK_METRICS_H

#include <stddef.h>

#define METRICS_MAX_ROUTES 128

/* Register a route label (static string, e.g. "GET /api/org/nodes/{id}");
 * returns its index or -1 when the table is full. Not thread-safe: call at
 * start-up. */
int metrics_route(const char *label);

/* One request done: route index (-1 for unmatched), HTTP status, seconds. */
void metrics_observe_request(int route, unsigned status, double seconds);

/* One committed batch of n jobs. */
void metrics_observe_batch(int n);

/* Open event streams go up and down. */
void metrics_stream_open(void);
void metrics_stream_close(void);

/* Render everything into a malloc'd NUL-terminated buffer (*out, length
 * *len). Returns 0 or ERR_NOMEM. */
int metrics_render(char **out, size_t *len);

#endif
