/* mod_iam: HTML output. Every value printed into a page goes through
 * iam_h() (text and attributes) or iam_url_*() then iam_h() (links). */
#ifndef IAM_HTML_H
#define IAM_HTML_H

#include "iam_web.h"

/* Escapes & < > " ' for text and quoted attributes. */
const char *iam_h(apr_pool_t *p, const char *s);
/* A path segment ("/" escaped too) and a query value. */
const char *iam_url_segment(apr_pool_t *p, const char *s);
const char *iam_url_query(apr_pool_t *p, const char *s);

/* The page shell: head, the tab bar (`tab` is marked current), a notice
 * (`notice` is shown escaped; `error` selects its style), then the body. */
void iam_page_begin(iam_web_t *w, const char *title, const char *tab, const char *notice,
                    int error);
void iam_page_end(iam_web_t *w);

/* The one short HTML page of an error outside the console's pages (a
 * refusal before the owner is known, a refused access request): `title`
 * as heading, `message` as a paragraph and, if `back` is set, a link
 * back to it; every value escaped. */
const char *iam_html_error_page(apr_pool_t *p, const char *title, const char *message,
                                const char *back);

/* The console's stylesheet, served at BASE/static/console.css. */
extern const char iam_console_css[];

#endif
