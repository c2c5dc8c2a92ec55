//! A replacement on the same API: Terraform replaces an object whose create failed
//! part way (it is tainted), or one named in `-replace`, by deleting it and then
//! creating the new object with the same ID. A delete that cancelled every app would
//! revoke, for the length of the apply, apps that the new object authorizes again a
//! moment later, and a create failing in between would leave them revoked.
//!
//! Terraform plans the new object as a create, and hands the private bytes of that
//! plan to both halves of the replacement. So the create's plan records the API and
//! the apps it will authorize (when all are known); the delete that receives that
//! record for its own API cancels only the apps the new object drops, and hands the
//! rest over to the create that follows in the same process. That create authorizes
//! its whole set (the handed-over apps too, since the deleted object's state may be
//! out of date, and authorizing an authorized app succeeds) and records a handed-over
//! app unless the service shows it gone.

// TODO(#4): when the create half never runs (the apply stops between the two halves,
// or an error elsewhere skips it), the apps handed over stay authorized with no object
// in the state until the next apply creates the resource again. The mark can go when
// Terraform tells a provider that a delete is the first half of a replacement, or lets
// the delete return a state.

use std::collections::BTreeSet;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::recent::Private;
use super::state::AppAuthApiState;
use crate::modelarts::ApiRef;

/// The create a plan makes: its API and the apps it will authorize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Successor {
    /// The project of the API.
    pub project_id: String,
    /// The workspace of the API.
    pub workspace_id: String,
    /// The service of the API.
    pub service_id: String,
    /// The API.
    pub api_id: String,
    /// The apps the create will leave authorized.
    pub apps: BTreeSet<String>,
}

impl Successor {
    /// The record of a planned create, when its API and every app are known; a plan
    /// with anything unknown records nothing, and a delete receiving nothing cancels
    /// every app of its state.
    pub fn of_plan(planned: &AppAuthApiState) -> Option<Successor> {
        let api = planned.api_ref()?;
        Some(Successor {
            project_id: api.project_id,
            workspace_id: api.workspace_id,
            service_id: api.service_id,
            api_id: api.api_id,
            apps: planned.known_app_ids()?,
        })
    }

    /// Whether the create replaces an object of `api`.
    pub fn is_on(&self, api: &ApiRef) -> bool {
        self.project_id == api.project_id
            && self.workspace_id == api.workspace_id
            && self.service_id == api.service_id
            && self.api_id == api.api_id
    }
}

/// The private bytes Terraform keeps for `modelarts_app_auth_api`: in a state, the
/// record of recent writes ([`Private`]); in the plan of a create, the [`Successor`]
/// it plans. A create's plan is never stored in a state: Terraform stores what the
/// create returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carried {
    /// The record of recent writes.
    pub recent: Private,
    /// The create planned, in the private bytes of a create's plan only.
    pub successor: Option<Successor>,
}

impl From<Private> for Carried {
    fn from(recent: Private) -> Self {
        Carried {
            recent,
            successor: None,
        }
    }
}

/// How a planned create is written: a map, which no record of writes ever is.
#[derive(Serialize, Deserialize)]
struct Planned {
    successor: Successor,
}

impl Serialize for Carried {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.successor {
            Some(successor) => Planned {
                successor: successor.clone(),
            }
            .serialize(serializer),
            None => self.recent.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Carried {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Stored {
            Planned(Planned),
            Recent(Private),
        }
        Ok(match Stored::deserialize(deserializer)? {
            Stored::Planned(planned) => Carried {
                recent: Private::default(),
                successor: Some(planned.successor),
            },
            Stored::Recent(recent) => recent.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::app_auth_api::fixtures::{api, set};
    use crate::resources::app_auth_api::recent::RecentWrite;

    fn successor() -> Successor {
        let api = api();
        Successor {
            project_id: api.project_id,
            workspace_id: api.workspace_id,
            service_id: api.service_id,
            api_id: api.api_id,
            apps: set(&["a", "b"]),
        }
    }

    fn round_trip(carried: &Carried) -> Carried {
        let bytes = rmp_serde::to_vec_named(carried).expect("serialises");
        rmp_serde::from_slice(&bytes).expect("deserialises")
    }

    /// Both forms survive the trip through Terraform's private bytes (MessagePack, as
    /// the protocol layer writes them), and neither reads as the other.
    #[test]
    fn a_planned_create_and_a_record_of_writes_round_trip_apart() {
        let planned = Carried {
            recent: Private::default(),
            successor: Some(successor()),
        };
        assert_eq!(round_trip(&planned), planned);

        let recent: Carried = Private(Some(RecentWrite {
            written_at_ms: 1_700_000_000_000,
            cancelled: set(&["c"]),
        }))
        .into();
        assert_eq!(round_trip(&recent), recent);
        assert_eq!(round_trip(&Carried::default()), Carried::default());
    }

    /// States written before a planned create could be recorded, and bytes of any other
    /// shape, read as no successor, so a delete given them cancels every app.
    #[test]
    fn other_bytes_never_read_as_a_successor() {
        for bytes in [
            rmp_serde::to_vec_named(&serde_json::json!({"apps": ["a"]})).unwrap(),
            rmp_serde::to_vec_named(&serde_json::json!({"successor": "svc-1/api-1"})).unwrap(),
            rmp_serde::to_vec_named(&1_700_000_000_000u64).unwrap(),
            rmp_serde::to_vec_named(&()).unwrap(),
        ] {
            let carried: Carried = rmp_serde::from_slice(&bytes).expect("deserialises");
            assert_eq!(carried.successor, None, "{bytes:?}");
        }
    }

    /// A plan records its create only when the API and every app are known: with an
    /// app still unknown, the delete before it cannot tell which apps to keep.
    #[test]
    fn a_plan_with_unknown_apps_or_keys_records_no_successor() {
        use crate::resources::app_auth_api::state::app_set;
        use tf_provider::value::Value;

        let api = api();
        let known = AppAuthApiState {
            project_id: Value::Value(api.project_id.clone()),
            workspace_id: Value::Value(api.workspace_id.clone()),
            service_id: Value::Value(api.service_id.clone()),
            api_id: Value::Value(api.api_id.clone()),
            app_ids: app_set(["a".to_string(), "b".to_string()]),
            ..AppAuthApiState::default()
        };
        assert_eq!(Successor::of_plan(&known), Some(successor()));

        let mut one_unknown = known.clone();
        if let Value::Value(apps) = &mut one_unknown.app_ids {
            apps.push(Value::Unknown);
        }
        for planned in [
            AppAuthApiState {
                app_ids: Value::Unknown,
                ..known.clone()
            },
            one_unknown,
            AppAuthApiState {
                workspace_id: Value::Unknown,
                ..known.clone()
            },
        ] {
            assert_eq!(Successor::of_plan(&planned), None, "{planned:?}");
        }
    }

    /// Only a create on the very same API is a successor: another project, workspace,
    /// service or API is a different object.
    #[test]
    fn a_successor_is_on_its_own_api_only() {
        let successor = successor();
        assert!(successor.is_on(&api()));
        for other in [
            ApiRef {
                project_id: "q".into(),
                ..api()
            },
            ApiRef {
                workspace_id: "ws-2".into(),
                ..api()
            },
            ApiRef {
                service_id: "svc-2".into(),
                ..api()
            },
            ApiRef {
                api_id: "api-2".into(),
                ..api()
            },
        ] {
            assert!(!successor.is_on(&other), "{other:?}");
        }
    }
}
