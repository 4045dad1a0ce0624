/* libFuzzer: calendar files from outside (holiday-cn JSON and iCalendar).
 * Whatever is accepted must be well formed: known dates, each once, in the
 * declared years. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/date.h"
#include "domain/calendar.h"

static void check(const struct calendar_import *imp)
{
    for (int i = 0; i < imp->ndays; i++) {
        int y = date_year(imp->days[i].day), known = 0;
        for (int k = 0; k < imp->nyears; k++)
            known |= imp->years[k] == y;
        if (!known || imp->days[i].is_off < 0 || imp->days[i].is_off > 1)
            abort();
        for (int j = 0; j < i; j++)
            if (imp->days[j].day == imp->days[i].day)
                abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct calendar_import imp;
    struct err e = {0};
    if (calendar_parse_json(text, size, &imp, &e) == 0) {
        check(&imp);
        calendar_import_free(&imp);
    }
    if (calendar_parse_ics(text, size, &imp, &e) == 0) {
        check(&imp);
        calendar_import_free(&imp);
    }
    free(text);
    return 0;
}
