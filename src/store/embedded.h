/* embedded.h - text files compiled into the binary (migrations, data). */
#ifndef CK_EMBEDDED_H
#define CK_EMBEDDED_H

struct embedded_file {
    const char *name; /* base name, e.g. "0001_init.sql" */
    const char *text; /* whole file, NUL-terminated */
};

/* Ends with {NULL, NULL}; sorted by name as the build passed them. */
extern const struct embedded_file embedded_files[];

#endif
