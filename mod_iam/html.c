/* mod_iam: HTML escaping and the console's page shell and stylesheet. */
#include "iam_html.h"

#include "apr_strings.h"
#include "http_protocol.h"

const char *iam_h(apr_pool_t *p, const char *s)
{
    apr_size_t n = 0;
    const char *c;
    char *out, *o;

    if (!s)
        return "";
    for (c = s; *c; c++)
        n += (*c == '&') ? 5 : (*c == '<' || *c == '>') ? 4 : (*c == '"' || *c == '\'') ? 6 : 1;
    o = out = apr_palloc(p, n + 1);
    for (c = s; *c; c++) {
        switch (*c) {
        case '&':
            memcpy(o, "&amp;", 5);
            o += 5;
            break;
        case '<':
            memcpy(o, "&lt;", 4);
            o += 4;
            break;
        case '>':
            memcpy(o, "&gt;", 4);
            o += 4;
            break;
        case '"':
            memcpy(o, "&quot;", 6);
            o += 6;
            break;
        case '\'':
            memcpy(o, "&#x27;", 6);
            o += 6;
            break;
        default: *o++ = *c;
        }
    }
    *o = '\0';
    return out;
}

const char *iam_url_segment(apr_pool_t *p, const char *s)
{
    return ap_escape_path_segment(p, s ? s : "");
}

const char *iam_url_query(apr_pool_t *p, const char *s)
{
    return ap_escape_urlencoded(p, s ? s : "");
}

static const struct {
    const char *tab, *path, *label;
} tabs[] = {
    {"home", "/", "Overview"},       {"users", "/members", "Users"},
    {"groups", "/groups", "Groups"}, {"resources", "/resources", "Resources"},
    {"labels", "/labels", "Labels"}, {"roles", "/roles", "Roles"},
    {"tokens", "/tokens", "Tokens"}, {"audit", "/audit", "Audit"},
};

void iam_page_begin(iam_web_t *w, const char *title, const char *tab, const char *notice, int error)
{
    request_rec *r = w->r;
    apr_pool_t *p = r->pool;
    size_t i;

    ap_set_content_type(r, "text/html; charset=utf-8");
    ap_rprintf(r,
               "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<title>%s · Access management</title>"
               "<link rel=\"stylesheet\" href=\"%s/static/console.css\"></head>\n<body>\n"
               "<a class=\"skip\" href=\"#main\">Skip to the main content</a>\n"
               "<header><div class=\"brand\">Access management</div>"
               "<div class=\"who\">%s · <span class=\"plan\">%s plan</span></div></header>\n"
               "<nav aria-label=\"Console\">",
               iam_h(p, title), iam_h(p, w->base), iam_h(p, r->user),
               iam_h(p, iam_plan_name(iam_ws_plan(w->ws))));
    for (i = 0; !w->resource_admin && i < sizeof(tabs) / sizeof(tabs[0]); i++)
        ap_rprintf(r, "<a href=\"%s%s\"%s>%s</a>", iam_h(p, w->base), tabs[i].path,
                   !strcmp(tab, tabs[i].tab) ? " class=\"current\" aria-current=\"page\"" : "",
                   tabs[i].label);
    ap_rprintf(r, "</nav>\n<main id=\"main\" tabindex=\"-1\">\n<h1>%s</h1>\n", iam_h(p, title));
    if (notice && *notice)
        ap_rprintf(r, "<p class=\"notice%s\" role=\"%s\">%s</p>\n", error ? " error" : "",
                   error ? "alert" : "status", iam_h(p, notice));
}

const char *iam_html_error_page(apr_pool_t *p, const char *title, const char *message,
                                const char *back)
{
    return apr_pstrcat(
        p,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>",
        iam_h(p, title), "</title></head><body><h1>", iam_h(p, title), "</h1><p>",
        iam_h(p, message), "</p>",
        back ? apr_pstrcat(p, "<p><a href=\"", iam_h(p, back), "\">Back</a></p>", NULL) : "",
        "</body></html>\n", NULL);
}

void iam_page_end(iam_web_t *w)
{
    ap_rputs("</main>\n</body></html>\n", w->r);
}

const char iam_console_css[] =
    ":root{--ink:#1f2430;--muted:#687084;--line:#e3e6ee;--bg:#f6f7fb;--card:#fff;"
    "--accent:#3b5bdb;--danger:#c92a2a;--ok:#2b8a3e}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:var(--ink);background:var(--bg)}\n"
    "header{display:flex;justify-content:space-between;align-items:center;padding:12px 24px;"
    "background:#111827;color:#fff}\n"
    ".brand{font-weight:600}.who{color:#cbd2e1;font-size:14px}.plan{text-transform:capitalize}\n"
    "nav{display:flex;gap:4px;padding:0 24px;background:#fff;border-bottom:1px solid var(--line)}\n"
    "nav a{padding:12px 14px;color:var(--muted);text-decoration:none;border-bottom:2px solid "
    "transparent}\n"
    "nav a.current{color:var(--ink);border-bottom-color:var(--accent);font-weight:600}\n"
    "main{max-width:1100px;margin:0 auto;padding:24px}\n"
    "h1{font-size:24px;margin:0 0 16px}h2{font-size:17px;margin:24px 0 8px}\n"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:16px;"
    "margin:0 0 16px}\n"
    ".cols{display:grid;grid-template-columns:2fr 1fr;gap:16px}\n"
    "@media(max-width:800px){.cols{grid-template-columns:1fr}}\n"
    "table{width:100%;border-collapse:collapse;background:var(--card)}\n"
    "th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);"
    "vertical-align:top}\n"
    "th{font-size:13px;color:var(--muted);font-weight:600}\n"
    "a{color:var(--accent)}\n"
    ".notice{padding:10px 14px;border-radius:6px;background:#e7f5ff;border:1px solid #a5d8ff}\n"
    ".notice.error{background:#fff5f5;border-color:#ffa8a8;color:var(--danger)}\n"
    ".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;"
    "background:#edf0f7;color:var(--muted)}\n"
    ".badge.owner{background:#fff3bf;color:#7c5e00}.badge.invited{background:#e7f5ff;"
    "color:#1864ab}\n"
    ".muted{color:var(--muted)}.unavailable{color:#9aa1b1}\n"
    "label{display:block;margin:8px 0 4px;font-weight:500}\n"
    "input[type=text],input[type=email],input[type=search],select{padding:7px 9px;"
    "border:1px solid #cfd4e0;border-radius:6px;font:inherit;min-width:220px}\n"
    "button,.button{display:inline-block;padding:7px 14px;border-radius:6px;border:1px solid "
    "var(--accent);background:var(--accent);color:#fff;font:inherit;cursor:pointer;"
    "text-decoration:none}\n"
    "button.secondary,.button.secondary{background:#fff;color:var(--accent)}\n"
    "button.danger,.button.danger{background:var(--danger);border-color:var(--danger)}\n"
    "a[aria-current]{color:var(--ink);font-weight:600;text-decoration:none}\n"
    "button:disabled{opacity:.5;cursor:not-allowed}\n"
    "form.inline{display:inline}\n"
    ".row{display:flex;gap:8px;align-items:end;flex-wrap:wrap;margin:6px 0}\n"
    ".toolbar{display:flex;justify-content:space-between;align-items:center;margin:0 0 12px}\n"
    ".pager{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:8px 0}\n"
    ".pager p{margin:0 auto 0 0}\n"
    ".empty{padding:24px;text-align:center;color:var(--muted)}\n"
    "fieldset{border:1px solid var(--line);border-radius:8px;margin:12px 0;padding:8px 14px}\n"
    "legend{font-weight:600;padding:0 6px}\n"
    ".default-action{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}\n"
    /* keyboard users see where they are; the skip link shows when focused */
    ":focus-visible{outline:3px solid var(--accent);outline-offset:2px}\n"
    ".skip{position:absolute;left:-10000px;top:0;background:#fff;padding:8px 12px;z-index:10}\n"
    ".skip:focus{left:8px}\n"
    "main:focus{outline:none}\n"
    /* in-page tabs (Users by status, a group's members and permissions) */
    ".tabs{display:flex;flex-wrap:wrap;gap:4px;margin:0 0 12px;border-bottom:1px solid "
    "var(--line)}\n"
    ".tabs a{padding:8px 12px;color:var(--muted);text-decoration:none;border-bottom:2px solid "
    "transparent}\n"
    ".tabs a.current{color:var(--ink);border-bottom-color:var(--accent);font-weight:600}\n"
    /* nothing a value holds (an email, a long name, an audit text) widens the page */
    "td,li,p,code,.notice{overflow-wrap:anywhere}\n"
    "ul.chosen{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:6px}\n"
    "ul.chosen li{background:#edf0f7;border-radius:14px;padding:2px 4px 2px 12px}\n"
    "button.link{background:none;border:0;color:var(--accent);padding:2px 6px;"
    "text-decoration:underline}\n"
    "details.edit{display:inline-block}details.edit summary{cursor:pointer;color:var(--accent)}\n"
    "details.edit form{margin:6px 0}\n"
    /* the audit trail: one entry a line, what changed beneath */
    "ol.audit{list-style:none;padding:0;margin:0 0 12px;background:var(--card);"
    "border:1px solid var(--line);border-radius:8px}\n"
    "ol.audit>li{padding:8px 12px;border-bottom:1px solid var(--line)}"
    "ol.audit>li:last-child{border-bottom:0}\n"
    "ol.audit time{color:var(--muted);font-size:13px;margin-right:6px}\n"
    "ul.changes{margin:4px 0 0;padding-left:20px;color:var(--muted);font-size:13px}\n"
    ".filters label{display:inline-block;font-weight:500;margin:0 8px 0 0}\n"
    /* a phone: the tab bar wraps, tables become stacked cards, fields fit */
    "@media(max-width:640px){header{flex-wrap:wrap;gap:4px;padding:10px 14px}"
    "nav{flex-wrap:wrap;padding:0 8px}nav a{padding:8px 10px}main{padding:14px}"
    "table,tbody,tr,td{display:block;width:100%}tr:has(>th){display:none}"
    "tr{border:1px solid var(--line);border-radius:8px;margin:0 0 10px;background:var(--card)}"
    "td{border:0;padding:4px 12px}"
    "td[data-label]::before{content:attr(data-label);display:block;font-size:12px;"
    "color:var(--muted);font-weight:600}"
    "input[type=text],input[type=email],input[type=search],select,textarea{min-width:0;"
    "width:100%}.toolbar{flex-wrap:wrap;gap:8px}.toolbar form{width:100%}"
    ".row{align-items:stretch}.cols{grid-template-columns:1fr}}\n";
