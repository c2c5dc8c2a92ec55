//! Diagnostics for the two refusals of an app change that the user must act on: a delete
//! while an API is still authorized to the app, and a create past the app quota.

use tf_provider::Diagnostics;

use crate::diagnostics::{client_error, root_error};
use crate::modelarts::ClientError;

/// Reports a refused delete of the app `app_id`. A 403 `ModelArts.0105` means an API is
/// still authorized to it: Terraform 1.0 deletes a removed or replaced app before it
/// updates the `modelarts_app_auth_api` resources that list it, so the detail says how to
/// get past that order. Any other failure keeps the client's own wording.
pub(super) fn delete_refused(d: &mut Diagnostics, app_id: &str, error: &ClientError) {
    let Some(answer) = error.answer().filter(|_| error.is_not_allowed()) else {
        return client_error(d, "Failed to delete app", error);
    };
    root_error(
        d,
        "Failed to delete app",
        format!(
            "ModelArts refused to delete the app {app_id:?} because an API is still \
             authorized to it ({answer}). Terraform deletes an app before it updates the \
             modelarts_app_auth_api resources that list it, so applying again fails the \
             same way. If the app is being replaced, add `lifecycle {{ \
             create_before_destroy = true }}` to this modelarts_app and apply again. If it \
             was removed from the configuration, remove it from the app_ids of every \
             modelarts_app_auth_api that lists it, run `terraform apply \
             -target=<address>` for each of those resources, then apply again to delete \
             the app; cancel in the console any authorization made outside Terraform. To \
             avoid this next time, set `lifecycle {{ create_before_destroy = true }}` on \
             each modelarts_app and apply that before removing one."
        ),
    );
}

/// Reports a refused create; for a refused name (`ModelArts.0107`) the detail says how
/// to adopt the app that has it, and past the app quota (`ModelArts.0116`) how to make
/// room.
pub(super) fn create_refused(d: &mut Diagnostics, error: &ClientError) {
    if let Some(answer) = error.answer().filter(|_| error.is_invalid_parameter()) {
        return root_error(
            d,
            "Failed to create app",
            format!(
                "ModelArts refused the app's name or description ({answer}). App names \
                 must be unique within a workspace: if an app of this name already \
                 exists, for example one an earlier apply created but could not record, \
                 adopt it with `terraform import modelarts_app.<name> <app_id>` (its ID \
                 is in the ModelArts console or the modelarts_apps data source), or set \
                 another name."
            ),
        );
    }
    let Some(answer) = error.answer().filter(|_| error.is_quota_exceeded()) else {
        return client_error(d, "Failed to create app", error);
    };
    root_error(
        d,
        "Failed to create app",
        format!(
            "ModelArts refused to create the app: the project already holds as many apps \
             as its quota allows ({answer}). Delete apps that are no longer used (remove \
             their modelarts_app, or delete them in the ModelArts console), or ask for a \
             higher app quota in the Huawei Cloud console, then apply again."
        ),
    );
}
