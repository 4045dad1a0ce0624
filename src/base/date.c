#include "base/date.h"

#include <stdio.h>
#include <string.h>

#include "base/err.h"

/* days_from_civil / civil_from_days after Howard Hinnant's algorithms */
int32_t date_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_to_civil(int32_t z, int *year, int *month, int *mday)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int y = yoe + era * 400;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    int d = doy - (153 * mp + 2) / 5 + 1;
    int m = mp + (mp < 10 ? 3 : -9);
    *year = y + (m <= 2);
    *month = m;
    *mday = d;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int check(int y, int m, int d, int32_t *day)
{
    if (y < DATE_MIN_YEAR || y > DATE_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
        d > days_in_month(y, m))
        return ERR_INVALID;
    *day = date_from_civil(y, m, d);
    return 0;
}

int date_parse(const char *s, int32_t *day)
{
    int y, m, d;
    if (!s || strnlen(s, 11) != 10 || s[4] != '-' || s[7] != '-')
        return ERR_INVALID;
    if (digits(s, 4, &y) < 0 || digits(s + 5, 2, &m) < 0 || digits(s + 8, 2, &d) < 0)
        return ERR_INVALID;
    return check(y, m, d, day);
}

int date_parse_compact(const char *s, int32_t *day)
{
    int y, m, d;
    if (!s || strnlen(s, 9) != 8)
        return ERR_INVALID;
    if (digits(s, 4, &y) < 0 || digits(s + 4, 2, &m) < 0 || digits(s + 6, 2, &d) < 0)
        return ERR_INVALID;
    return check(y, m, d, day);
}

void date_format(int32_t day, char *out)
{
    int y, m, d;
    date_to_civil(day, &y, &m, &d);
    if (y < 0 || y > 9999) {
        snprintf(out, DATE_TEXT, "%04d-%02d-%02d", y, m, d);
        return;
    }
    /* by hand: every queue action asks for its service day several times */
    out[0] = (char)('0' + y / 1000);
    out[1] = (char)('0' + y / 100 % 10);
    out[2] = (char)('0' + y / 10 % 10);
    out[3] = (char)('0' + y % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int date_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday (4) */
    int w = (int)((day % 7 + 7 + 3) % 7); /* 0 = Monday */
    return w + 1;
}

int date_year(int32_t day)
{
    int y, m, d;
    date_to_civil(day, &y, &m, &d);
    return y;
}
