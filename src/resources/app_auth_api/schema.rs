//! The schema of `modelarts_app_auth_api`: required keys, the app set, what is computed.

use tf_provider::schema::{AttributeConstraint, AttributeType, Block, Description, Schema};

use crate::resources::attribute;
use crate::resources::timeouts::{Operation, Timeouts};

/// The operations the `timeouts` block bounds.
pub const TIMED_OPERATIONS: [Operation; 4] = [
    Operation::Create,
    Operation::Read,
    Operation::Update,
    Operation::Delete,
];

/// The resource schema.
pub fn schema() -> Schema {
    use AttributeConstraint::{Computed, OptionalComputed, Required};
    use AttributeType::{Bool, Set, String};
    let attributes = [
        (
            "service_id",
            attribute(
                String,
                Required,
                "ID of the real-time service. Changing it replaces \
             the resource.",
            ),
        ),
        (
            "api_id",
            attribute(
                String,
                Required,
                "ID of the service's app-authentication API. \
             Changing it replaces the resource.",
            ),
        ),
        (
            "app_ids",
            attribute(
                Set(Box::new(String)),
                Required,
                "IDs of the apps the API is \
             authorized to; at least one. Order and repetition do not matter. IDs may come \
             from resources created in the same apply.",
            ),
        ),
        (
            "workspace_id",
            attribute(
                String,
                OptionalComputed,
                "Workspace of the service. Default: the \
             provider's `workspace_id` (`0`, the default workspace, unless set). Changing it \
             replaces the resource.",
            ),
        ),
        (
            "project_id",
            attribute(
                String,
                OptionalComputed,
                "Project of the service. Default: the \
             provider's `project_id`. Changing it replaces the resource.",
            ),
        ),
        (
            "exclusive",
            attribute(
                Bool,
                OptionalComputed,
                "Default `false`: the resource manages only \
             the apps in `app_ids`, and apps authorized to the API by other means are left \
             alone. `true`: `app_ids` is the complete list: each refresh records every app \
             authorized to the API, so any other app shows in the next plan as one to \
             remove, and is removed when that plan is applied. Apply never cancels an app \
             its plan did not show: on create, and on the update that turns `exclusive` \
             on, apps authorized by other means are left alone, and the plan after it \
             shows them as ones to remove. Turning it off keeps the apps the state \
             holds: those it drops from `app_ids` are cancelled, and the plan warns.",
            ),
        ),
        (
            "id",
            attribute(
                String,
                Computed,
                "`<service_id>/<api_id>` in the default workspace \
             `0`, `<workspace_id>/<service_id>/<api_id>` in any other. The import ID.",
            ),
        ),
    ]
    .into_iter()
    .map(|(name, attribute)| (name.to_string(), attribute))
    .collect();

    Schema {
        version: 0,
        block: Block {
            version: 0,
            attributes,
            blocks: [("timeouts".to_string(), Timeouts::block(&TIMED_OPERATIONS))]
                .into_iter()
                .collect(),
            description: Description::markdown(
                "Authorizes one app-authentication API of a ModelArts real-time service to a \
                 set of apps, so that those apps can call it.",
            ),
            deprecated: false,
        },
    }
}
