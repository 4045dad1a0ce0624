/* sse.h - the server-sent events hub: live events for hall screens, window
 * tablets and staff consoles (DESIGN.md §3).
 *
 * A channel ("hall:12", "window:34") keeps its last SSE_RING events (at
 * most SSE_RING_BYTES of them: a minute or so of a busy hall) so a
 * reconnect with Last-Event-ID gets what it missed; when the gap cannot be
 * filled (the ring moved on, or the server restarted) the subscriber gets a
 * `board.changed` event with {"resync":true} and refetches the state; so
 * does a subscriber too slow to keep up with the ring. Events are
 * formatted once and shared: a stream costs a cursor, not a buffer. Event
 * ids grow across restarts (seeded from the clock). Every subscriber gets a
 * `ping` event (no id) every SSE_HEARTBEAT_S seconds, which also finds dead
 * peers.
 *
 * Threads: sse_publish may be called from any thread; subscribers are served
 * by the HTTP threads (their connections are suspended while idle). Publish
 * only after the write's commit (from an api `after` callback).
 */
#ifndef CK_SSE_H
#define CK_SSE_H

#include <stddef.h>
#include <stdint.h>

#include "http/req.h"

#define SSE_RING 256                       /* events kept per channel for a reconnect */
#define SSE_RING_BYTES ((size_t)64 * 1024) /* and at most these bytes of them */
#define SSE_HEARTBEAT_S 15
#define SSE_CHANNEL_MAX 48

/* Start the heartbeat thread. Returns 0 or ERR_NOMEM. */
int sse_start(void);

/* End every stream (so no connection stays suspended) and stop the
 * heartbeat thread; call before stopping the HTTP daemon. */
void sse_stop(void);

/* Send an event to a channel: type is the SSE event name, data one line of
 * JSON (copied). */
void sse_publish(const char *channel, const char *type, const char *data);

/* Answer r with an event stream of channel, replaying after last_id (0: no
 * replay). Returns REQ_DONE (the response is set up; events flow after). */
int sse_subscribe(struct req *r, const char *channel, uint64_t last_id);

/* Open streams now (for tests and metrics). */
int sse_stream_count(void);

/* 1 when channel has a subscriber on this node now (an event nobody would
 * receive need not be built). */
int sse_listening(const char *channel);

/* For server.c: the MHD response serving a stream set up by sse_subscribe
 * (it takes the stream), and dropping a stream whose response was never
 * created. */
struct MHD_Response *sse_response(void *stream);
void sse_discard(void *stream);

/* Free the channels and their rings; after the HTTP daemon has stopped. */
void sse_free_all(void);

#endif
