//! Tests of the recent-write record: how it is stored, how each hook treats it, and
//! how a read waits for apps a lagging service does not show yet.

use std::cell::RefCell;
use std::collections::VecDeque;

use tf_provider::value::{StructEmpty, Value, ValueEmpty};
use tf_provider::{Diagnostics, DynamicResource, Resource};

use super::super::state::{app_set, AppAuthApiState};
use super::super::AppAuthApiResource;
use super::*;
use crate::modelarts::{ClientConfig, Credentials, ModelArtsClient, Secret};
use crate::provider::shared::{ProviderData, SharedProvider};
use crate::resources::strict::Strict;

fn set(apps: &[&str]) -> BTreeSet<String> {
    apps.iter().map(|s| s.to_string()).collect()
}

fn written(apps: &[&str], age_ms: i64) -> RecentWrite {
    RecentWrite {
        app_ids: set(apps),
        written_at_ms: unix_ms().saturating_add_signed(-age_ms),
    }
}

fn msgpack<T: Serialize>(value: &T) -> Vec<u8> {
    rmp_serde::to_vec_named(value).expect("serialisable")
}

/// A record survives the trip through Terraform's private bytes; what older states
/// hold, or anything else that is not a record, reads as no record.
#[test]
fn private_state_round_trips_and_old_states_read_as_none() {
    let record = Private(Some(written(&["a", "b"], 0)));
    let decoded: Private = rmp_serde::from_slice(&msgpack(&record)).expect("a record");
    assert_eq!(decoded, record, "round trip");

    let empty = ValueEmpty::Null;
    let empty_object = Value::Value(StructEmpty {});
    let cases = [
        ("nil, as states before the record hold", msgpack(&empty)),
        ("an empty object", msgpack(&empty_object)),
        ("no record", msgpack(&Private(None))),
        (
            "a map of other fields",
            msgpack(&serde_json::json!({"v": 2})),
        ),
        ("a string", msgpack(&"x")),
        (
            "a record missing its time",
            msgpack(&serde_json::json!({"app_ids": ["a"]})),
        ),
    ];
    for (name, bytes) in cases {
        let decoded: Private = rmp_serde::from_slice(&bytes).expect(name);
        assert_eq!(decoded, Private(None), "{name}");
    }
}

/// Only a write that authorized something leaves a record, stamped now.
#[test]
fn a_write_records_what_it_authorized() {
    assert_eq!(Private::after_write(set(&[])), Private(None));
    let Private(Some(write)) = Private::after_write(set(&["a"])) else {
        panic!("a write that authorized an app leaves a record");
    };
    assert_eq!(write.app_ids, set(&["a"]));
    assert!(write.window_left(GRACE_WINDOW) > Duration::ZERO);
}

fn resource() -> AppAuthApiResource {
    AppAuthApiResource::new(SharedProvider::default())
}

/// The resource, configured with a client whose every call fails to connect.
fn offline_resource() -> AppAuthApiResource {
    let config = ClientConfig {
        endpoint: "http://127.0.0.1:9".into(),
        credentials: Credentials::Token(Secret::new("t".into())),
        insecure: false,
        max_retries: 0,
    };
    let shared = SharedProvider::default();
    shared.set(ProviderData {
        client: ModelArtsClient::new(config).expect("a client"),
        project_id: "p1".into(),
        workspace_id: "0".into(),
        stop: StopFlag::default(),
        holds: Default::default(),
    });
    AppAuthApiResource::new(shared)
}

fn prior() -> Strict<AppAuthApiState> {
    Strict(Value::Value(AppAuthApiState {
        service_id: Value::Value("svc-1".into()),
        api_id: Value::Value("api-1".into()),
        app_ids: app_set(["a".to_string()]),
        project_id: Value::Value("p1".into()),
        workspace_id: Value::Value("0".into()),
        ..Default::default()
    }))
}

/// The plan hooks hand the prior record on unchanged, as Terraform 1.0 expects (it
/// gives apply what plan returned), and a new object starts without one.
#[tokio::test]
async fn plans_pass_the_record_through_and_a_create_plan_has_none() {
    let record = Private(Some(written(&["a"], 0)));
    let mut diags = Diagnostics::default();
    let empty = ValueEmpty::Null;

    let (_, planned, _) = Resource::plan_update(
        &resource(),
        &mut diags,
        prior(),
        prior(),
        prior(),
        record.clone(),
        empty,
    )
    .await
    .expect("an update plan");
    assert_eq!(planned, record, "plan_update");
    let planned = Resource::plan_destroy(&resource(), &mut diags, prior(), record.clone(), empty)
        .await
        .expect("a destroy plan");
    assert_eq!(planned, record, "plan_destroy");
    let (_, planned) = Resource::plan_create(&resource(), &mut diags, prior(), prior(), empty)
        .await
        .expect("a create plan");
    assert_eq!(planned, Private(None), "plan_create");
    assert!(diags.errors.is_empty(), "{:?}", diags.errors);
}

/// A read that fails keeps the record with the state, for the next read to use; an
/// import starts without one.
#[tokio::test]
async fn a_failed_read_keeps_the_record_and_an_import_has_none() {
    let record = Private(Some(written(&["a"], 0)));
    let mut diags = Diagnostics::default();
    let (state, kept) = Resource::read(
        &offline_resource(),
        &mut diags,
        prior(),
        record.clone(),
        ValueEmpty::Null,
    )
    .await
    .expect("the state as it was");
    let summaries: Vec<_> = diags.errors.iter().map(|e| e.summary.as_ref()).collect();
    assert_eq!(summaries, ["Failed to read app authorizations"]);
    assert_eq!((state, kept), (prior(), record), "read");

    let mut diags = Diagnostics::default();
    let (_, imported) = Resource::import(&offline_resource(), &mut diags, "svc-1/api-1".into())
        .await
        .expect("an imported state");
    assert_eq!(imported, Private(None), "import");
}

/// The private bytes of states written before the record existed (none at all, or
/// nil) pass through the protocol layer as "no record", without an error.
#[tokio::test]
async fn old_private_bytes_decode_without_error() {
    let record = msgpack(&Private(Some(written(&["a"], 0))));
    let cases = [
        ("no bytes", Vec::new(), vec![0xc0]),
        ("nil", vec![0xc0], vec![0xc0]),
        ("a record", record.clone(), record),
    ];
    for (name, stored, expected) in cases {
        let mut diags = Diagnostics::default();
        let planned = DynamicResource::plan_destroy(
            &resource(),
            &mut diags,
            Default::default(),
            stored,
            Default::default(),
        )
        .await;
        assert!(diags.errors.is_empty(), "{name}: {:?}", diags.errors);
        assert_eq!(planned, Some(expected), "{name}");
    }
}

const FAST: Pacing = Pacing {
    window: Duration::from_millis(400),
    first_delay: Duration::from_millis(10),
    max_delay: Duration::from_millis(40),
    deadline_margin: Duration::ZERO,
};

/// A read in one case: the record (stamped when the case runs), what the state holds,
/// the first answer, and the answers of the re-reads (the last one repeats).
struct Case {
    name: &'static str,
    recorded: &'static [&'static str],
    age_ms: i64,
    owned: Option<BTreeSet<String>>,
    first: BTreeSet<String>,
    rereads: Vec<Result<BTreeSet<String>, &'static str>>,
    deadline_in: Duration,
    stopped: bool,
    end: End,
    believed: BTreeSet<String>,
    reads: Option<u32>,
}

fn case(name: &'static str, recorded: &'static [&'static str], first: &[&str]) -> Case {
    Case {
        name,
        recorded,
        age_ms: 0,
        owned: Some(set(recorded)),
        first: set(first),
        rereads: vec![Ok(set(first))],
        deadline_in: Duration::from_secs(60),
        stopped: false,
        end: End::Seen,
        believed: set(first),
        reads: Some(0),
    }
}

async fn run(case: &Case) -> Settled {
    let answers = RefCell::new(case.rereads.iter().cloned().collect::<VecDeque<_>>());
    let stop = StopFlag::default();
    if case.stopped {
        stop.request();
    }
    let reread = || {
        let mut answers = answers.borrow_mut();
        let answer = match answers.len() {
            1 => answers[0].clone(),
            _ => answers.pop_front().expect("an answer"),
        };
        async move { answer }
    };
    let deadline = Instant::now() + case.deadline_in;
    let write = written(case.recorded, case.age_ms);
    let settling = settle(
        &write,
        case.owned.as_ref(),
        case.first.clone(),
        (deadline, &stop),
        &FAST,
        reread,
    );
    // A hang guard, not a figure: every case ends within one window.
    tokio::time::timeout(Duration::from_secs(20), settling)
        .await
        .unwrap_or_else(|_| panic!("{}: the read waited past its window", case.name))
}

/// A read waits only for recorded apps the state holds, only within the window, and
/// believes the last answer whatever ended the wait.
#[tokio::test]
async fn a_read_waits_for_lagging_apps_only_within_the_window() {
    let cases = [
        case("all shown at once", &["a", "b"], &["a", "b", "x"]),
        Case {
            rereads: vec![Ok(set(&["a"])), Ok(set(&["a", "b"]))],
            believed: set(&["a", "b"]),
            reads: Some(2),
            ..case("shown on the second re-read", &["a", "b"], &[])
        },
        Case {
            end: End::WindowPassed,
            reads: None,
            ..case(
                "really cancelled: believed once the window passes",
                &["a", "b"],
                &["a"],
            )
        },
        Case {
            end: End::WindowPassed,
            age_ms: 60_000,
            ..case("window over before the read", &["a"], &[])
        },
        Case {
            end: End::WindowPassed,
            reads: None,
            age_ms: -3_600_000,
            ..case("stamped in the future: one window at most", &["a"], &[])
        },
        Case {
            owned: Some(set(&["b"])),
            ..case("dropped from the state earlier", &["a"], &["b"])
        },
        Case {
            owned: None,
            ..case("import", &["a"], &[])
        },
        Case {
            stopped: true,
            end: End::Stopped,
            ..case("stop requested", &["a"], &[])
        },
        Case {
            deadline_in: Duration::from_millis(5),
            end: End::Deadline,
            ..case("deadline near", &["a"], &[])
        },
        Case {
            rereads: vec![Err("503"), Ok(set(&["a"]))],
            end: End::ReadFailed,
            reads: Some(1),
            ..case("re-read fails", &["a"], &[])
        },
    ];
    for case in cases {
        let settled = run(&case).await;
        assert_eq!(settled.end, case.end, "{}", case.name);
        assert_eq!(settled.remote, case.believed, "{}", case.name);
        match case.reads {
            Some(reads) => assert_eq!(settled.rereads, reads, "{}", case.name),
            None => assert!(settled.rereads >= 2, "{}: {settled:?}", case.name),
        }
    }
}
