/* libFuzzer: the CSV reader (catalogue import). It must never read or write
 * out of bounds, and what it returns must stay within its limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "report/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a = {0};
    struct csv_limits lim = {.max_bytes = 8192, .max_rows = 50, .max_field = 512, .max_cols = 40};
    struct csv_table t;
    struct csv_error e = {0};
    if (csv_read((const char *)data, size, &lim, &a, &t, &e) == 0) {
        if (t.nrows > lim.max_rows)
            abort();
        for (int r = 0; r < t.nrows; r++) {
            if (t.rows[r].n > lim.max_cols)
                abort();
            for (int f = 0; f < t.rows[r].n; f++)
                if (strlen(t.rows[r].fields[f]) > lim.max_field)
                    abort();
        }
    }
    arena_reset(&a);
    return 0;
}
