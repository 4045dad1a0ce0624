/* test_metrics.c - the Prometheus text of base/metrics.c. Each test runs in
 * its own process, so the counters start at zero every time. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/metrics.h"

static char *text;
static size_t text_len;

static void fini(void)
{
    free(text);
    text = NULL;
}

TestSuite(metrics, .fini = fini);

static void render(void)
{
    free(text);
    text = NULL;
    cr_assert_eq(metrics_render(&text, &text_len), 0);
    cr_assert_not_null(text);
    cr_assert_eq(strlen(text), text_len);
}

/* the exact line (without newline) must appear as a whole line */
static void expect_line(const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++) {
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return;
    }
    cr_expect_fail("missing line: %s", line);
}

static void expect_no(const char *needle)
{
    cr_expect_null(strstr(text, needle), "unexpected: %s", needle);
}

Test(metrics, empty_render_has_the_fixed_series)
{
    render();
    expect_line("# TYPE ck_http_requests_total counter");
    expect_line("# TYPE ck_http_request_duration_seconds histogram");
    expect_line("ck_db_commit_batch_size_bucket{le=\"1\"} 0");
    expect_line("ck_db_commit_batch_size_count 0");
    expect_line("ck_sse_streams_open 0");
    expect_no("ck_http_requests_total{");
    cr_assert_eq(text[text_len - 1], '\n');
}

Test(metrics, requests_by_route_and_status)
{
    int r0 = metrics_route("GET /api/org/nodes");
    int r1 = metrics_route("POST /api/staff");
    cr_assert_eq(r0, 0);
    cr_assert_eq(r1, 1);
    metrics_observe_request(r0, 200, 0.003);
    metrics_observe_request(r0, 200, 0.2);
    metrics_observe_request(r0, 404, 3.0);
    metrics_observe_request(r1, 418, 0.0001); /* not in the table: "other" */
    metrics_observe_request(-1, 404, 0.001);  /* unmatched */
    metrics_observe_request(99, 500, 0.001);  /* unknown index: unmatched too */
    render();
    expect_line("ck_http_requests_total{route=\"GET /api/org/nodes\",status=\"200\"} 2");
    expect_line("ck_http_requests_total{route=\"GET /api/org/nodes\",status=\"404\"} 1");
    expect_line("ck_http_requests_total{route=\"POST /api/staff\",status=\"other\"} 1");
    expect_line("ck_http_requests_total{route=\"unmatched\",status=\"404\"} 1");
    expect_line("ck_http_requests_total{route=\"unmatched\",status=\"500\"} 1");
    expect_no("status=\"201\"");
}

Test(metrics, latency_histogram_is_cumulative)
{
    int r = metrics_route("GET /x");
    metrics_observe_request(r, 200, 0.003);
    metrics_observe_request(r, 200, 0.2);
    metrics_observe_request(r, 200, 3.0);
    render();
    expect_line("ck_http_request_duration_seconds_bucket{route=\"GET /x\",le=\"0.0025\"} 0");
    expect_line("ck_http_request_duration_seconds_bucket{route=\"GET /x\",le=\"0.005\"} 1");
    expect_line("ck_http_request_duration_seconds_bucket{route=\"GET /x\",le=\"0.25\"} 2");
    expect_line("ck_http_request_duration_seconds_bucket{route=\"GET /x\",le=\"2.5\"} 2");
    expect_line("ck_http_request_duration_seconds_bucket{route=\"GET /x\",le=\"+Inf\"} 3");
    expect_line("ck_http_request_duration_seconds_count{route=\"GET /x\"} 3");
    expect_line("ck_http_request_duration_seconds_sum{route=\"GET /x\"} 3.203000");
}

Test(metrics, batches)
{
    metrics_observe_batch(1);
    metrics_observe_batch(3);
    metrics_observe_batch(256);
    metrics_observe_batch(300);
    render();
    expect_line("ck_db_commit_batch_size_bucket{le=\"1\"} 1");
    expect_line("ck_db_commit_batch_size_bucket{le=\"2\"} 1");
    expect_line("ck_db_commit_batch_size_bucket{le=\"4\"} 2");
    expect_line("ck_db_commit_batch_size_bucket{le=\"128\"} 2");
    expect_line("ck_db_commit_batch_size_bucket{le=\"256\"} 3");
    expect_line("ck_db_commit_batch_size_bucket{le=\"+Inf\"} 4");
    expect_line("ck_db_commit_batch_size_sum 560");
    expect_line("ck_db_commit_batch_size_count 4");
}

Test(metrics, streams_gauge)
{
    metrics_stream_open();
    metrics_stream_open();
    metrics_stream_open();
    metrics_stream_close();
    render();
    expect_line("ck_sse_streams_open 2");
}

Test(metrics, route_table_is_bounded)
{
    static char labels[METRICS_MAX_ROUTES][32];
    for (int i = 0; i < METRICS_MAX_ROUTES; i++) {
        snprintf(labels[i], sizeof(labels[i]), "GET /r%d", i);
        cr_assert_eq(metrics_route(labels[i]), i);
    }
    cr_assert_eq(metrics_route("GET /one-too-many"), -1);
}

Test(metrics, large_render_grows_the_buffer)
{
    static char labels[METRICS_MAX_ROUTES][48];
    for (int i = 0; i < METRICS_MAX_ROUTES; i++) {
        snprintf(labels[i], sizeof(labels[i]), "GET /api/some/long/route/%d", i);
        int r = metrics_route(labels[i]);
        metrics_observe_request(r, 200, 0.01);
        metrics_observe_request(r, 201, 0.01);
    }
    render();
    cr_assert_gt(text_len, 8192, "render should be past the first buffer");
    expect_line("ck_http_requests_total{route=\"GET /api/some/long/route/127\",status=\"201\"} 1");
    expect_line("ck_http_request_duration_seconds_count{route=\"GET /api/some/long/route/0\"} 2");
    expect_line("ck_sse_streams_open 0");
}
