/* Fuzz target: SCIM filters and PATCH paths (iam_scim.h, issue 17).
 *
 * A filter comes from any identity provider (GET Users?filter=...), a path
 * from any PATCH body: the input, as text, is parsed as both. What parses
 * is matched against a user and a group written as RFC 7643 writes them;
 * a parse that fails must say why and give nothing, and one that succeeds
 * must give a tree. Nothing may crash, read past the input or recurse
 * without bound. */
#include "iam_scim.h"

#include <apr_general.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;
static json_t *resources[2];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    apr_initialize();
    apr_pool_create(&root, NULL);
    resources[0] = json_loads(
        "{\"id\":\"2819c223\",\"externalId\":\"00u1\",\"userName\":\"bjensen@example.com\","
        "\"name\":{\"givenName\":\"Barbara\",\"familyName\":\"Jensen\"},\"active\":true,"
        "\"emails\":[{\"value\":\"bjensen@example.com\",\"type\":\"work\",\"primary\":true}],"
        "\"meta\":{\"created\":\"2026-01-01T00:00:00Z\"},\"logins\":3,"
        "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"manager\":"
        "{\"value\":\"26118915\"}}}",
        0, NULL);
    resources[1] = json_loads("{\"id\":\"g1\",\"displayName\":\"Data Analysts\",\"members\":"
                              "[{\"value\":\"2819c223\"},{\"value\":\"902c246b\"}]}",
                              0, NULL);
    if (!resources[0] || !resources[1])
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const iam_scim_filter_t *f;
    iam_scim_path_t path;
    const char *e;
    apr_pool_t *p;
    char *text;
    size_t i;

    if (size > IAM_SCIM_FILTER_MAX + 16)
        return 0;
    apr_pool_create(&p, root);
    text = apr_pcalloc(p, size + 1);
    memcpy(text, data, size); /* a NUL inside ends the text, as in a query */
    e = iam_scim_filter_parse(p, text, &f);
    if ((e == NULL) != (f != NULL))
        abort();
    for (i = 0; f && i < 2; i++)
        (void)iam_scim_filter_match(f, resources[i]);
    if (f)
        (void)iam_scim_filter_eq(f, "username");
    e = iam_scim_path_parse(p, text, &path);
    if ((e == NULL) != (path.attr != NULL))
        abort();
    for (i = 0; path.filter && i < 2; i++)
        (void)iam_scim_filter_match(path.filter, resources[i]);
    apr_pool_destroy(p);
    return 0;
}
