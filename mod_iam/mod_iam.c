/* mod_iam: the module declaration. It only wires hooks; each concern
 * lives in its own file or folder (config.c, lifecycle.c, authz.c,
 * admin.c, console/, api/, web.c, html.c, store.c, policy.c, roles.c,
 * present.c). */
#define IAM_DECLARES_MODULE
#include "mod_iam.h"

#include "http_config.h"

static void iam_register_hooks(apr_pool_t *p)
{
    ap_hook_post_config(iam_post_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(iam_child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_handler(iam_admin_handler, NULL, NULL, APR_HOOK_MIDDLE);
    iam_authz_register(p);
    iam_denied_register(p);
    iam_identity_register(p);
}

AP_DECLARE_MODULE(iam) = {
    STANDARD20_MODULE_STUFF,
    iam_create_dir_conf,
    iam_merge_dir_conf,
    iam_create_server_conf,
    iam_merge_server_conf, /* one workspace; IAMAutoProvision per virtual host */
    iam_cmds,
    iam_register_hooks,
};
