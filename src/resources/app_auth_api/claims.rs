//! Ownership conflicts in one configuration. Each resource owns the apps it lists, so
//! two resources listing the same app of an API undo each other (deleting either one
//! cancels the app the other still lists), and an `exclusive` resource beside another
//! resource on its API cancels the other's apps on every apply. Terraform plans every
//! resource of a configuration in one provider process, so the plans of this process
//! record what each API is claimed for, and a plan that conflicts with an earlier one
//! gets a warning.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tf_provider::value::Value;
use tf_provider::{AttributePath, Diagnostics};

use super::state::{describe_api, AppAuthApiState};
use crate::diagnostics::{abridged, attribute_warning};
use crate::modelarts::ApiRef;

/// What the plans of this process claimed on each API. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct PlanClaims(Arc<Mutex<HashMap<ApiRef, ApiClaims>>>);

/// The claims of the plans so far on one API.
#[derive(Debug, Default)]
struct ApiClaims {
    /// Whether one of them is exclusive.
    exclusive: bool,
    /// Every app they list.
    apps: BTreeSet<String>,
}

/// How one plan's claim conflicts with the claims before it.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Conflict {
    /// Apps an earlier plan lists for the same API too.
    pub shared_apps: Vec<String>,
    /// True when this plan or an earlier one on the same API is exclusive.
    pub exclusive: bool,
}

impl PlanClaims {
    /// Records that a plan wants `apps` authorized to `api` (owning every app of the
    /// API when `exclusive`), and returns how that conflicts with the plans before it.
    pub fn claim(&self, api: &ApiRef, apps: &BTreeSet<String>, exclusive: bool) -> Conflict {
        let mut claims = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(earlier) = claims.get_mut(api) else {
            claims.insert(
                api.clone(),
                ApiClaims {
                    exclusive,
                    apps: apps.clone(),
                },
            );
            return Conflict::default();
        };
        let conflict = Conflict {
            shared_apps: apps.intersection(&earlier.apps).cloned().collect(),
            exclusive: exclusive || earlier.exclusive,
        };
        earlier.exclusive |= exclusive;
        earlier.apps.extend(apps.iter().cloned());
        conflict
    }
}

/// Records the claim of `planned`, when its API is known, and warns about its
/// conflicts with the plans before it. Apps known only after apply (an app created in
/// the same run) are left out: an exclusive resource conflicts whatever its apps are.
pub fn check(diags: &mut Diagnostics, claims: &PlanClaims, planned: &AppAuthApiState) {
    let Some(api) = planned.api_ref() else {
        return;
    };
    let apps: BTreeSet<String> = match &planned.app_ids {
        Value::Value(set) => set
            .iter()
            .filter_map(|app| app.as_ref_option().cloned())
            .collect(),
        _ => BTreeSet::new(),
    };
    let conflict = claims.claim(&api, &apps, planned.is_exclusive());
    warn(diags, &api, &conflict);
}

/// Adds the warnings a conflict deserves: on `exclusive` when an exclusive resource
/// shares its API, else on `app_ids` naming the apps two resources list.
pub fn warn(diags: &mut Diagnostics, api: &ApiRef, conflict: &Conflict) {
    let subject = describe_api(api);
    if conflict.exclusive {
        attribute_warning(
            diags,
            AttributePath::new("exclusive"),
            "Exclusive resource shares its API",
            format!(
                "Another modelarts_app_auth_api in this configuration also manages \
                 {subject}, and one of the two has exclusive = true: each apply of that one \
                 cancels the apps the other lists, and the next plan adds them again. Keep \
                 an exclusive resource the only one on its API, or set exclusive = false."
            ),
        );
    } else if !conflict.shared_apps.is_empty() {
        let apps = conflict.shared_apps.iter().map(|app| format!("{app:?}"));
        attribute_warning(
            diags,
            AttributePath::new("app_ids"),
            "Another resource lists the same apps",
            format!(
                "app_ids holds {}, which another modelarts_app_auth_api in this \
                 configuration also lists for {subject}. Each resource owns the apps it \
                 lists, so deleting either one, or removing an app from either, cancels \
                 an app the other still lists. List each app of an API in one resource.",
                abridged(apps)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::app_auth_api::fixtures::{api, set};
    use crate::resources::app_auth_api::state::AppIdSet;

    /// Only a later plan on the same API conflicts, by the apps both list or by
    /// either being exclusive.
    #[test]
    fn a_claim_conflicts_only_with_earlier_claims_on_its_api() {
        let other_api = ApiRef {
            api_id: "api-2".into(),
            ..api()
        };
        let claims = PlanClaims::default();
        assert_eq!(
            claims.claim(&api(), &set(&["a", "b"]), false),
            Conflict::default()
        );
        assert_eq!(
            claims.claim(&other_api, &set(&["a"]), false),
            Conflict::default()
        );
        assert_eq!(
            claims.claim(&api(), &set(&["c"]), false),
            Conflict::default()
        );
        assert_eq!(
            claims.claim(&api(), &set(&["b", "c", "d"]), false),
            Conflict {
                shared_apps: vec!["b".into(), "c".into()],
                exclusive: false
            }
        );
        assert!(claims.claim(&other_api, &set(&["z"]), true).exclusive);
        assert!(claims.claim(&other_api, &set(&["y"]), false).exclusive);
    }

    /// Apps known only after apply are left out of a claim, and an exclusive resource
    /// still conflicts with another on its API.
    #[test]
    fn a_plan_with_unknown_apps_still_claims_its_api() {
        let state = |apps: Value<AppIdSet>, exclusive: bool| AppAuthApiState {
            service_id: Value::Value(api().service_id),
            api_id: Value::Value(api().api_id),
            workspace_id: Value::Value(api().workspace_id),
            project_id: Value::Value(api().project_id),
            app_ids: apps,
            exclusive: Value::Value(exclusive),
            ..Default::default()
        };
        let partly = || Value::Value([Value::Unknown, Value::Value("b".to_string())].into());
        let claims = PlanClaims::default();
        let mut diags = Diagnostics::default();
        check(&mut diags, &claims, &state(Value::Unknown, false));
        check(&mut diags, &claims, &state(partly(), false));
        assert!(diags.warnings.is_empty(), "{:?}", diags.warnings);
        check(&mut diags, &claims, &state(partly(), false));
        assert_eq!(diags.warnings.len(), 1, "b is listed twice");
        check(&mut diags, &claims, &state(Value::Unknown, true));
        assert_eq!(diags.warnings.len(), 2);
        assert_eq!(diags.warnings[1].attribute, AttributePath::new("exclusive"));
    }

    /// Each conflict warns on the attribute that causes it; none warns without one.
    #[test]
    fn each_conflict_warns_on_its_attribute() {
        let cases = [
            ("none", Conflict::default(), None),
            (
                "shared apps",
                Conflict {
                    shared_apps: vec!["b".into()],
                    exclusive: false,
                },
                Some(("app_ids", "\"b\"")),
            ),
            (
                "exclusive",
                Conflict {
                    shared_apps: vec![],
                    exclusive: true,
                },
                Some(("exclusive", "exclusive = true")),
            ),
        ];
        for (name, conflict, expected) in cases {
            let mut diags = Diagnostics::default();
            warn(&mut diags, &api(), &conflict);
            match expected {
                None => assert!(diags.warnings.is_empty(), "{name}"),
                Some((attribute, needle)) => {
                    assert_eq!(diags.warnings.len(), 1, "{name}");
                    let warning = &diags.warnings[0];
                    assert_eq!(warning.attribute, AttributePath::new(attribute), "{name}");
                    assert!(
                        warning.detail.contains(needle),
                        "{name}: {}",
                        warning.detail
                    );
                }
            }
        }
    }
}
