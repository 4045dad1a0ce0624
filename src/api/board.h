/* board.h - board.changed events for the hall screens, coalesced per hall
 * (see board.c). */
#ifndef CK_BOARD_H
#define CK_BOARD_H

#include <stdint.h>

struct app;

/* A hall's board is rendered at most this often (ms); the environment
 * variable CHUANGKOU_BOARD_COALESCE_MS (0-5000) overrides it. */
#define BOARD_COALESCE_MS 100

/* Start the rendering thread (after the SSE hub). 0 or ERR_NOMEM. */
int board_start(struct app *app);

/* Stop it (before the SSE hub stops); marks after this are ignored. */
void board_stop(void);

/* The hall's board may have changed (after a commit): board.changed goes
 * out within BOARD_COALESCE_MS if what the screens show differs. Any
 * thread. */
void board_touch(int64_t hall_id);

#endif
