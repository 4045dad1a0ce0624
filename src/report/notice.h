/* notice.h - the one-time notice (一次性告知书) and the hall's handbook
 * (便民服务手册), rendered from catalogue versions.
 *
 * The notice tells a citizen everything at once (DOMAIN.md §5): basis,
 * conditions, every material (form, copies, issuer, required or optional),
 * procedure, time limits, fees, places, phone, and the remedies against a
 * refusal; optionally addressed to a named citizen, and with the materials
 * still to be supplied (补正) marked and listed with the legal basis. One
 * model feeds two outputs: a self-contained printable HTML page and a PDF.
 * Places are printed from v->places as catalog reads fill them (a window
 * with its hall's name, the hall's address).
 *
 * The handbook is one PDF for a hall: a cover, a table of contents with page
 * numbers, then every item given, each starting on a new page.
 *
 * Every function here is pure rendering: no database, no global state. They
 * may run on any thread; the PDF ones are slow work (see pdf.h).
 */
#ifndef CK_NOTICE_H
#define CK_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "domain/catalog.h"
#include "report/outbuf.h"

#define NOTICE_NAME_MAX 50    /* a citizen's name, in characters */
#define NOTICE_MISSING_MAX 60 /* = CATALOG_MAX_MATERIALS */

/* Who, when and where a notice is given. Every pointer is borrowed for the
 * call; NULL or "" means "not given" unless said otherwise. */
struct notice_info {
    const char *citizen_name; /* the salutation; none: a notice to anyone */
    const int64_t *missing;   /* material ids of v still to supply; n 0: no list */
    int nmissing;
    const char *issuer;    /* 告知人 (staff name); none: a line to sign on */
    int64_t issued_at;     /* epoch seconds; 0: now */
    int64_t notice_id;     /* the recorded notice's id (printed); 0: none */
    const char *hall_name; /* the issuing hall (告知单位) and its phone */
    const char *hall_phone;
};

/* 0 when every id in ids[0..n) is the id of one of v's materials and none
 * repeats; else ERR_INVALID with *bad (if not NULL) the index at fault. */
int notice_check_missing(const struct catalog_version *v, const int64_t *ids, int n, int *bad);

/* The notice as a printable HTML page (UTF-8, <html lang="zh-CN">, A4 print
 * CSS, no scripts, every text HTML-escaped). On success *out is malloc'd
 * (free with free()) with *len bytes. Returns 0, ERR_NOMEM or ERR_TOOLARGE. */
int notice_html(const struct catalog_version *v, const struct notice_info *in, char **out,
                size_t *len);

/* The same notice as a PDF (A4). *out malloc'd as above; *pages (may be
 * NULL) gets the page count. Returns 0 or an error from pdf_render. */
int notice_pdf(const struct catalog_version *v, const struct notice_info *in, char **out,
               size_t *len, int *pages);

/* The hall a handbook is for. */
struct handbook_info {
    const char *hall_name;
    const char *address; /* "" or NULL: not printed */
    const char *phone;
    int64_t at; /* the date printed on the cover, epoch seconds; 0: now */
};

/* The handbook of items[0..n): cover, contents, one item per page onwards.
 * *out malloc'd as above; *pages (may be NULL) the page count; item_page
 * (may be NULL, n entries) gets the page each item starts on. */
int notice_handbook_pdf(const struct handbook_info *h, const struct catalog_version *items, int n,
                        char **out, size_t *len, int *pages, int *item_page);

/* Append s HTML-escaped (& < > " ' as entities; invalid UTF-8 as U+FFFD;
 * control characters dropped, except newline, which becomes <br> when
 * newlines is set and a space otherwise, and tab). Safe in element content
 * and in quoted attribute values. Returns 0 or the buffer's error. */
int notice_html_escape(struct outbuf *b, const char *s, int newlines);

/* A date as 中文 "2026年3月5日" in China Standard Time (UTC+8) into out
 * (at least 32 bytes). */
void notice_format_date(int64_t epoch, char *out, size_t len);

#endif
