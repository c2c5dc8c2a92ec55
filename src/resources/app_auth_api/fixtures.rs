//! Values the unit tests of this resource share.

use std::collections::BTreeSet;

use crate::modelarts::ApiRef;

/// api-1 of svc-1 in the default workspace of project `p`.
pub fn api() -> ApiRef {
    ApiRef {
        project_id: "p".into(),
        workspace_id: "0".into(),
        service_id: "svc-1".into(),
        api_id: "api-1".into(),
    }
}

/// A set of app IDs.
pub fn set(apps: &[&str]) -> BTreeSet<String> {
    apps.iter().map(|s| s.to_string()).collect()
}
